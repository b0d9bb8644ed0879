import type { Redactor } from '../log/redactor.js';

/**
 * The CLI's side of the redaction boundary: everything it prints, on stdout or stderr, goes through here and
 * so through the one Redactor that knows the secret key and every UserSig this process minted.
 */
export class Terminal {
  constructor(
    private readonly redactor: Redactor,
    private readonly stdout: NodeJS.WritableStream = process.stdout,
    private readonly stderr: NodeJS.WritableStream = process.stderr,
  ) {}

  /** Set once stdout's reader has gone (EPIPE): nothing more is written there. */
  stdoutClosed = false;

  out(text: string): void {
    if (!this.stdoutClosed) this.stdout.write(this.redactor.scrub(text));
  }

  err(text: string): void {
    this.stderr.write(this.redactor.scrub(text));
  }
}
