import { inspect } from 'node:util';

/**
 * A value that must never reach a log line, message or error: the IM secret key, Slack tokens, the signing
 * secret. Printing, logging or JSON-encoding it shows `[redacted]`; only `reveal()` gives the value, and only
 * the code that signs or authenticates calls it.
 */
export class Secret {
  readonly #value: string;
  constructor(value: string) {
    this.#value = value;
  }
  reveal(): string {
    return this.#value;
  }
  toString(): string {
    return '[redacted]';
  }
  toJSON(): string {
    return '[redacted]';
  }
  [inspect.custom](): string {
    return '[redacted]';
  }
}
