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

  out(text: string): void {
    this.stdout.write(this.redactor.scrub(text));
  }

  err(text: string): void {
    this.stderr.write(this.redactor.scrub(text));
  }
}
