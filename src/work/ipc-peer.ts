import { z } from 'zod';

/** What both ends of a Node IPC channel have: `process` in the worker, the ChildProcess in the web process. */
export interface IpcChannel {
  /** `done` gets the error of a send that failed after it was queued (the peer went away). */
  send(message: unknown, done?: (error: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
  readonly connected: boolean;
}

const envelope = z.discriminatedUnion('t', [
  z.object({ t: z.literal('call'), id: z.number().int(), op: z.string(), args: z.array(z.unknown()) }),
  z.object({
    t: z.literal('reply'),
    id: z.number().int(),
    ok: z.boolean(),
    value: z.unknown(),
    error: z.string().optional(),
  }),
  z.object({ t: z.literal('note'), op: z.string(), args: z.array(z.unknown()) }),
]);

export class PeerGoneError extends Error {
  constructor() {
    super('the other markread process is gone');
    this.name = 'PeerGoneError';
  }
}

type Handler = (...args: never[]) => unknown;

/**
 * Requests and notes between markread's web process and its worker process, over the IPC channel `fork` opens.
 * Both processes are ours, but a message is still input: its envelope is validated, and each handler validates
 * its own arguments. A call whose peer goes away rejects with PeerGoneError rather than waiting forever.
 */
export class IpcPeer {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private readonly handlers = new Map<string, Handler>();

  constructor(private readonly channel: IpcChannel) {
    channel.on('message', (raw) => this.receive(raw));
    channel.on('disconnect', () => this.gone());
  }

  get connected(): boolean {
    return this.channel.connected;
  }

  /** Answers calls (and notes) named `op`; a thrown error is sent back as the call's rejection. */
  handle<A extends unknown[]>(op: string, handler: (...args: A) => unknown): void {
    this.handlers.set(op, handler as unknown as Handler);
  }

  call<T>(op: string, ...args: unknown[]): Promise<T> {
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      if (!this.post({ t: 'call', id, op, args })) return reject(new PeerGoneError());
      this.waiting.set(id, { resolve: resolve as (v: unknown) => void, reject });
    });
  }

  /** A one-way message; false if it could not be sent (the peer is gone). */
  note(op: string, ...args: unknown[]): boolean {
    return this.post({ t: 'note', op, args });
  }

  private post(message: unknown): boolean {
    if (!this.channel.connected) return false;
    try {
      // With a callback, a send that fails later (the peer died) is reported here, not as an 'error' event that
      // nobody listens to; the peer's death reaches us as 'disconnect' anyway.
      return this.channel.send(message, () => {});
    } catch {
      return false;
    }
  }

  private receive(raw: unknown): void {
    const parsed = envelope.safeParse(raw);
    if (!parsed.success) return;
    const message = parsed.data;
    if (message.t === 'reply') {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (!waiter) return;
      if (message.ok) waiter.resolve(message.value);
      else waiter.reject(new Error(message.error ?? 'failed'));
      return;
    }
    const handler = this.handlers.get(message.op);
    if (message.t === 'note') {
      if (handler) void Promise.resolve().then(() => handler(...(message.args as never[])));
      return;
    }
    const { id } = message;
    Promise.resolve()
      .then(() => {
        if (!handler) throw new Error(`no such call: ${message.op}`);
        return handler(...(message.args as never[]));
      })
      .then(
        (value) => this.post({ t: 'reply', id, ok: true, value }),
        (error: unknown) =>
          this.post({ t: 'reply', id, ok: false, error: error instanceof Error ? error.message : String(error) }),
      );
  }

  private gone(): void {
    for (const waiter of this.waiting.values()) waiter.reject(new PeerGoneError());
    this.waiting.clear();
  }
}
