/** The CLI's exit codes, part of its contract with scripts. */
export const EXIT = {
  ok: 0,
  /** The IM API answered FAIL. */
  apiFailed: 1,
  /** Bad arguments or configuration; nothing was called. */
  usage: 2,
  /** No usable answer from the IM API after retries. */
  unreachable: 3,
} as const;
