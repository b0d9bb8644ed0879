import { z } from 'zod';
import type { FromStates, RunRecord, RunState, RunStore, TransitionOptions, TransitionResult } from '../slack/runs.js';
import type { IpcPeer } from './ipc-peer.js';

const state = z.enum(['awaiting', 'running', 'stopping', 'finished', 'cancelled']);
// The record is the web process's own, so only its shape is checked; its fields were validated when it was made.
const record = z.looseObject({ id: z.string(), state, total: z.number(), user: z.string(), ctx: z.looseObject({}) });
const run = record.transform((r) => r as unknown as RunRecord);
const result = z.union([
  z.object({ ok: z.literal(true), run }),
  z.object({ ok: z.literal(false), reason: z.enum(['missing', 'wrong-state', 'not-requester']), run: run.optional() }),
]);

/**
 * The worker process's view of the runs the web process keeps: each step is one call, so the atomicity of the web
 * process's store (one check-and-change, no await between) holds across the two processes.
 */
export class IpcRunStore implements RunStore {
  constructor(private readonly peer: IpcPeer) {}

  async create(fields: Omit<RunRecord, 'id' | 'expiresAt'>): Promise<RunRecord> {
    return run.parse(await this.peer.call('runs.create', fields));
  }

  async restore(r: RunRecord): Promise<void> {
    await this.peer.call('runs.restore', r);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    return run.optional().parse(await this.peer.call('runs.get', id));
  }

  async transition(id: string, from: FromStates, to: RunState, options?: TransitionOptions): Promise<TransitionResult> {
    return result.parse(await this.peer.call('runs.transition', id, from, to, options)) as TransitionResult;
  }
}

/** The web process's side: answers the worker's calls from its own store. */
export function serveRunStore(peer: IpcPeer, store: RunStore): void {
  const id = z.string();
  peer.handle('runs.create', (fields: unknown) =>
    store.create(record.omit({ id: true }).parse(fields) as unknown as Omit<RunRecord, 'id' | 'expiresAt'>),
  );
  peer.handle('runs.restore', (r: unknown) => store.restore(run.parse(r)));
  peer.handle('runs.get', (runId: unknown) => store.get(id.parse(runId)));
  peer.handle('runs.transition', (runId: unknown, from: unknown, to: unknown, options: unknown) =>
    store.transition(
      id.parse(runId),
      z.union([state, z.array(state)]).parse(from),
      state.parse(to),
      z.object({ by: z.string().optional(), stopReason: z.string().optional() }).optional().parse(options),
    ),
  );
}
