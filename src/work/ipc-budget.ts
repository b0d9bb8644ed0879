import { z } from 'zod';
import { localSharePacer, PacerAbortedError, type SendSlot, SlidingWindowPacer } from '../im/pacer.js';
import type { SendBudget, SendBudgetFactory } from '../im/send-budget.js';
import type { IpcPeer } from './ipc-peer.js';

const grant = z.object({ granted: z.boolean(), limit: z.number(), waitMs: z.number() });

/**
 * The web process's IM calls (checks, counting an --all, the doctor's probe) spend the same per-API budgets as the
 * worker's marks: the worker owns the pacers, and each call here asks it for a slot. Without a worker, a local
 * pacer at a quarter of the ceiling stands in, so the two together never pass it.
 */
export class RemoteSendBudget implements SendBudget {
  private readonly fallback: SlidingWindowPacer;
  private limit: number;
  private waiting = 0;
  private lastWaitMs = 0;
  private next = 1;

  constructor(
    private readonly peer: () => IpcPeer | undefined,
    private readonly command: string,
    readonly maxPerWindow: number,
  ) {
    this.limit = maxPerWindow;
    this.fallback = localSharePacer(maxPerWindow);
  }

  get currentLimit(): number {
    return this.peer() ? this.limit : this.fallback.currentLimit;
  }

  get queued(): number {
    return this.peer() ? this.waiting : this.fallback.queued;
  }

  estimatedWaitMs(): number {
    return this.peer() ? this.lastWaitMs : this.fallback.estimatedWaitMs();
  }

  async acquire(signal?: AbortSignal, maxWaitMs = 60_000): Promise<SendSlot> {
    if (signal?.aborted) throw new PacerAbortedError();
    const peer = this.peer();
    if (!peer) return this.fallback.acquire(signal, maxWaitMs);
    const ticket = this.next++;
    const onAbort = () => peer.note('budget.cancel', this.command, ticket);
    signal?.addEventListener('abort', onAbort, { once: true });
    this.waiting++;
    try {
      const reply = grant.parse(await peer.call('budget.acquire', this.command, this.maxPerWindow, ticket, maxWaitMs));
      this.limit = reply.limit;
      this.lastWaitMs = reply.waitMs;
      if (!reply.granted) throw new PacerAbortedError();
      return { sent: () => {} };
    } catch (error) {
      if (error instanceof PacerAbortedError) throw error;
      // The worker went away while we waited: the local share decides.
      return this.fallback.acquire(signal, maxWaitMs);
    } finally {
      this.waiting--;
      signal?.removeEventListener('abort', onAbort);
    }
  }

  slowDown(): void {
    this.fallback.slowDown();
    this.peer()?.note('budget.slow', this.command, this.maxPerWindow);
  }

  close(): void {
    this.fallback.close();
  }
}

export function remoteBudgets(peer: () => IpcPeer | undefined): SendBudgetFactory {
  return (command, maxPerWindow) => new RemoteSendBudget(peer, command, maxPerWindow);
}

/**
 * The worker's side: one pacer per API, used by the worker's own IM client and by the web process's calls, so one
 * ceiling covers both. Returns the factory for the worker's client.
 */
export function serveBudgets(peer: IpcPeer): SendBudgetFactory {
  const pacers = new Map<string, SlidingWindowPacer>();
  const pacer = (command: string, maxPerWindow: number) => {
    const known = pacers.get(command);
    if (known) return known;
    const made = new SlidingWindowPacer({ maxPerWindow });
    pacers.set(command, made);
    return made;
  };
  const tickets = new Map<string, AbortController>();
  const args = z.tuple([z.string(), z.number().int().min(1)]);
  peer.handle('budget.acquire', async (...raw: unknown[]) => {
    const [command, max] = args.parse(raw.slice(0, 2));
    const [ticket, maxWaitMs] = z.tuple([z.number(), z.number()]).parse(raw.slice(2));
    const p = pacer(command, max);
    const key = `${command}:${ticket}`;
    const controller = new AbortController();
    tickets.set(key, controller);
    const waitMs = p.estimatedWaitMs();
    try {
      const slot = await p.acquire(controller.signal, maxWaitMs);
      slot.sent();
      return { granted: true, limit: p.currentLimit, waitMs };
    } catch (error) {
      if (error instanceof PacerAbortedError) return { granted: false, limit: p.currentLimit, waitMs };
      throw error;
    } finally {
      tickets.delete(key);
    }
  });
  peer.handle('budget.cancel', (command: unknown, ticket: unknown) =>
    tickets.get(`${String(command)}:${String(ticket)}`)?.abort(),
  );
  peer.handle('budget.slow', (...raw: unknown[]) => pacer(...args.parse(raw)).slowDown());
  return pacer;
}
