/** The CLI's exit codes, part of its contract with scripts. */
export const EXIT = {
  ok: 0,
  /** The IM API answered FAIL. */
  apiFailed: 1,
  /** Bad arguments or configuration; nothing was called. */
  usage: 2,
  /** No usable answer from the IM API after retries. */
  unreachable: 3,
  /** A bug: an unexpected error (the message says what to report). */
  internal: 70,
  /** Stopped with Ctrl-C (at the prompt too): calls already sent finished, the rest were not made. */
  interrupted: 130,
  /** Whatever read stdout went away (`| head -1`): the run stopped quietly, like a process ended by SIGPIPE. */
  outputClosed: 141,
} as const;

/** 0 if every pair is OK; 1 if the API answered FAIL for any; 3 if only answers were missing. */
export function exitFor(statuses: Iterable<'ok' | 'failed' | 'unreachable'>): number {
  const seen = new Set(statuses);
  if (seen.has('failed')) return EXIT.apiFailed;
  if (seen.has('unreachable')) return EXIT.unreachable;
  return EXIT.ok;
}

/** The exit code of an error message: 1 if the IM API refused (it names an ErrorCode), 3 if it did not answer. */
export function exitForError(message: string): number {
  return /ErrorCode/.test(message) ? EXIT.apiFailed : EXIT.unreachable;
}
