import { randomUUID } from 'node:crypto';
import type { SlackRequestContext } from '../slack/context.js';
import {
  CONFIRM_TTL_MS,
  FINISHED_TTL_MS,
  type FromStates,
  type RunRecord,
  type RunState,
  type RunStore,
  type TransitionOptions,
  type TransitionResult,
} from '../slack/runs.js';
import type { RedisLink } from './redis-link.js';
import { redisScript } from './redis-script.js';

/**
 * The check and the change of a run's state in one step on the server, so however many replicas see a click,
 * exactly one moves the run. The run is a hash: `state`, `requester` and `stopReason` are what the script reads
 * and writes; `body` (the rest, JSON) it never touches. Returns the hash after the step, led by the verdict.
 * ARGV: by ('' for anyone), to, stopReason ('' to keep), ttl ms, then the allowed from-states.
 */
const TRANSITION = `
local h = redis.call('HMGET', KEYS[1], 'state', 'requester')
if not h[1] then return {'missing'} end
local verdict = 'ok'
if ARGV[1] ~= '' and ARGV[1] ~= h[2] then
  verdict = 'not-requester'
else
  local allowed = false
  for i = 5, #ARGV do if ARGV[i] == h[1] then allowed = true end end
  if not allowed then verdict = 'wrong-state' end
end
if verdict == 'ok' then
  redis.call('HSET', KEYS[1], 'state', ARGV[2])
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'stopReason', ARGV[3]) end
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, verdict)
return out
`;

type Body = Omit<RunRecord, 'id' | 'state' | 'stopReason' | 'expiresAt'>;

const ttlOf = (state: RunState) => (state === 'awaiting' ? CONFIRM_TTL_MS : FINISHED_TTL_MS);

/** Runs in Redis, shared by every replica: any of them can confirm, cancel or stop any run. */
export class RedisRunStore implements RunStore {
  private readonly step: (keys: string[], args: string[]) => Promise<string[]>;

  constructor(private readonly link: RedisLink) {
    this.step = redisScript(link.client, 'markreadRunTransition', 1, TRANSITION);
  }

  private key(id: string): string {
    return this.link.key(`run:${id}`);
  }

  async create(fields: Omit<RunRecord, 'id' | 'expiresAt'>): Promise<RunRecord> {
    const run: RunRecord = { ...fields, id: randomUUID(), expiresAt: Date.now() + ttlOf(fields.state) };
    await this.write(run, false);
    return run;
  }

  async restore(run: RunRecord): Promise<void> {
    await this.write(run, true);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    if (!isRunId(id)) return undefined;
    const hash = await this.link.client.hgetall(this.key(id));
    return hash.state ? decode(id, hash) : undefined;
  }

  async transition(
    id: string,
    from: FromStates,
    to: RunState,
    options: TransitionOptions = {},
  ): Promise<TransitionResult> {
    if (!isRunId(id)) return { ok: false, reason: 'missing' };
    const froms = typeof from === 'string' ? [from] : [...from];
    const [verdict, ...flat] = await this.step(
      [this.key(id)],
      [options.by ?? '', to, options.stopReason ?? '', String(ttlOf(to)), ...froms],
    );
    if (verdict === 'missing') return { ok: false, reason: 'missing' };
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[flat[i] as string] = flat[i + 1] as string;
    const run = decode(id, hash);
    if (verdict === 'ok') return { ok: true, run };
    return { ok: false, reason: verdict as 'wrong-state' | 'not-requester', run };
  }

  private async write(run: RunRecord, onlyIfMissing: boolean): Promise<void> {
    const { id, state, stopReason, expiresAt: _, ...body } = run;
    const key = this.key(id);
    const fields: Record<string, string> = { state, requester: run.ctx.requester, body: JSON.stringify(body) };
    if (stopReason !== undefined) fields.stopReason = stopReason;
    if (onlyIfMissing && (await this.link.client.exists(key)) === 1) return;
    await this.link.client.multi().hset(key, fields).pexpire(key, ttlOf(state)).exec();
  }
}

/** Run ids are UUIDs; anything else (a forged button value) is not looked up at all. */
function isRunId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}

function decode(id: string, hash: Record<string, string>): RunRecord {
  const body = JSON.parse(hash.body ?? '{}') as Body & { ctx: SlackRequestContext };
  return {
    ...body,
    id,
    state: hash.state as RunState,
    ...(hash.stopReason !== undefined ? { stopReason: hash.stopReason } : {}),
    expiresAt: Date.now() + ttlOf(hash.state as RunState),
  };
}
