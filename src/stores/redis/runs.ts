import {
  ACTORS,
  barredByDeadline,
  openings,
  RUN_TRANSITIONS,
  type RunRefusal,
  type RunState,
  type RunTransition,
} from '../run-machine.js';
import {
  decisionFor,
  isDue,
  keepMs,
  keepUntil,
  type NewRun,
  newRunRecord,
  type RunDecision,
  type RunOrigin,
  type RunRecord,
  type RunStore,
  refusalOf,
  type TransitionOptions,
  type TransitionResult,
} from '../runs.js';
import type { RedisLink } from './link.js';
import { redisScript } from './script.js';

const [MARKREAD, REQUESTER, SOMEONE_ELSE] = ACTORS;
/** What the script answers, in place of 1 or 0, for a person's answer to an approval that came too late. */
const EXPIRED: RunRefusal = 'expired';
const APPROVAL: RunState = 'approval';

/**
 * The check and the change of a run's state in one step on the server, so however many replicas see a click,
 * exactly one moves the run. It knows no rule of its own: it is handed the run machine's openings for this
 * transition ("<state> <actor>" pairs) and goes ahead only from one of them. The run is a hash: `state`,
 * `requester`, `stopReason` and `decision` are what the script reads and writes; `approvalDeadline` (epoch ms) it
 * only reads; `body` (the rest, JSON) it never touches. `decision` is JSON the caller built, written as it is only
 * if the run moved (the script parses no JSON): so the decision and the move are one step, and a second presser
 * reads who won. The deadline is checked in the same step, so no person's answer lands after it, whatever the
 * sweep's pace; a hash written before the field existed has no deadline to check, as before.
 * ARGV: by ('' for markread itself), to, stopReason ('' to keep), ttl ms, decision ('' for none), now (the store's
 * clock, ms; '' when the deadline does not bar this transition), then the openings.
 * Returns nothing for a missing run; otherwise 1, 0 or '${EXPIRED}' (moved, not, or too late), then the hash
 * after the step.
 */
const TRANSITION = `
local h = redis.call('HMGET', KEYS[1], 'state', 'requester', 'approvalDeadline')
if not h[1] then return {} end
local actor = '${SOMEONE_ELSE}'
if ARGV[1] == '' then actor = '${MARKREAD}' elseif ARGV[1] == h[2] then actor = '${REQUESTER}' end
local at = h[1] .. ' ' .. actor
local moved = 0
for i = 7, #ARGV do if ARGV[i] == at then moved = 1 end end
if moved == 1 and ARGV[6] ~= '' and h[1] == '${APPROVAL}' and h[3] and tonumber(ARGV[6]) >= tonumber(h[3]) then
  moved = '${EXPIRED}'
end
if moved == 1 then
  redis.call('HSET', KEYS[1], 'state', ARGV[2])
  if ARGV[3] ~= '' then redis.call('HSET', KEYS[1], 'stopReason', ARGV[3]) end
  if ARGV[5] ~= '' then redis.call('HSET', KEYS[1], 'decision', ARGV[5]) end
  redis.call('PEXPIRE', KEYS[1], ARGV[4])
end
local out = redis.call('HGETALL', KEYS[1])
table.insert(out, 1, moved)
return out
`;

type Body = Omit<RunRecord, 'id' | 'state' | 'stopReason' | 'decision' | 'expiresAt'>;

/** Each transition's openings as the script reads them, worked out once from the run machine. */
const OPENINGS = Object.fromEntries(
  Object.keys(RUN_TRANSITIONS).map((name) => [
    name,
    openings(name as RunTransition).map(({ state, actor }) => `${state} ${actor}`),
  ]),
) as Record<RunTransition, string[]>;

/**
 * Runs in Redis, shared by every replica: any of them can confirm, cancel or stop any run. Runs waiting for
 * approval are also indexed by deadline in a sorted set (`…:approvals`), so any replica finds those due; an id
 * stays there until a look for due runs finds its run decided or gone, as runs never go back to `approval`.
 */
export class RedisRunStore implements RunStore {
  private readonly step: (keys: string[], args: string[]) => Promise<(string | number)[]>;

  /** `now` stamps decisions and works out how long runs are kept. */
  constructor(
    private readonly link: RedisLink,
    private readonly now: () => number = Date.now,
  ) {
    this.step = redisScript(link.client, 'markreadRunTransition', 1, TRANSITION);
  }

  private key(id: string): string {
    return this.link.key(`run:${id}`);
  }

  private get approvalsKey(): string {
    return this.link.key('approvals');
  }

  async create(fields: NewRun): Promise<RunRecord> {
    const run = newRunRecord(fields, this.now());
    await this.write(run, false);
    return run;
  }

  async restore(run: RunRecord): Promise<void> {
    await this.write(run, true);
  }

  async get(id: string): Promise<RunRecord | undefined> {
    if (!isRunId(id)) return undefined;
    return decode(id, await this.link.client.hgetall(this.key(id)), this.now());
  }

  async dueApprovals(now: number): Promise<RunRecord[]> {
    const ids = await this.link.client.zrangebyscore(this.approvalsKey, '-inf', now);
    if (ids.length === 0) return [];
    const runs = await Promise.all(ids.map((id) => this.get(id)));
    const due = runs.filter((run): run is RunRecord => run !== undefined && isDue(run, now));
    const settled = ids.filter((_, i) => runs[i]?.state !== 'approval');
    if (settled.length > 0) await this.link.client.zrem(this.approvalsKey, ...settled);
    return due;
  }

  async transition(id: string, name: RunTransition, options: TransitionOptions = {}): Promise<TransitionResult> {
    if (!isRunId(id)) return { ok: false, reason: 'missing' };
    const { to } = RUN_TRANSITIONS[name];
    const now = this.now();
    const decision = decisionFor(name, options, now);
    const [moved, ...flat] = await this.step(
      [this.key(id)],
      [
        options.by ?? '',
        to,
        options.stopReason ?? '',
        String(keepMs(to)),
        decision ? JSON.stringify(decision) : '',
        barredByDeadline(name) ? String(now) : '',
        ...OPENINGS[name],
      ],
    );
    const hash: Record<string, string> = {};
    for (let i = 0; i + 1 < flat.length; i += 2) hash[String(flat[i])] = String(flat[i + 1]);
    const run = decode(id, hash, now);
    if (moved === undefined || !run) return { ok: false, reason: 'missing' };
    if (moved === 1) return { ok: true, run };
    if (moved === EXPIRED) return { ok: false, reason: EXPIRED, run };
    // Not moved, so the run is as it was: the run machine says why, as the memory store would.
    return { ok: false, reason: refusalFor(name, options.by, run), run };
  }

  private async write(run: RunRecord, onlyIfMissing: boolean): Promise<void> {
    const { id, state, stopReason, decision, expiresAt: _, ...body } = run;
    const key = this.key(id);
    const fields: Record<string, string> = { state, requester: run.origin.requester, body: JSON.stringify(body) };
    if (stopReason !== undefined) fields.stopReason = stopReason;
    // Also in `body`, for replicas that read it from there; a field of its own so the script reads it without JSON.
    if (run.approvalDeadline !== undefined) fields.approvalDeadline = String(run.approvalDeadline);
    if (decision !== undefined) fields.decision = JSON.stringify(decision);
    if (onlyIfMissing && (await this.link.client.exists(key)) === 1) return;
    const now = this.now();
    const steps = this.link.client
      .multi()
      .hset(key, fields)
      .pexpire(key, keepUntil(run, now) - now);
    // The run and its place in the index are written together: a run waiting for approval is always findable.
    if (run.state === 'approval' && run.approvalDeadline !== undefined)
      steps.zadd(this.approvalsKey, String(run.approvalDeadline), id);
    await steps.exec();
  }
}

function refusalFor(name: RunTransition, by: string | undefined, run: RunRecord): RunRefusal {
  return refusalOf(name, by, run) ?? 'wrong-state';
}

/** Run ids are UUIDs; anything else (a forged button value) is not looked up at all. */
function isRunId(id: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(id);
}

/** The run a hash holds, or undefined for none. */
function decode(id: string, hash: Record<string, string>, now: number): RunRecord | undefined {
  if (!hash.state) return undefined;
  const body = JSON.parse(hash.body ?? '{}') as Body & { ctx?: LegacyContext };
  const { ctx, ...rest } = body;
  const run: RunRecord = {
    ...rest,
    origin: body.origin ?? originOfLegacy(ctx),
    id,
    state: hash.state as RunState,
    ...(hash.stopReason !== undefined ? { stopReason: hash.stopReason } : {}),
    ...(hash.decision !== undefined ? { decision: JSON.parse(hash.decision) as RunDecision } : {}),
    expiresAt: 0,
  };
  run.expiresAt = keepUntil(run, now);
  return run;
}

/** How markread before RunOrigin wrote a run's origin: still read, so runs survive an upgrade of the replicas. */
interface LegacyContext {
  requester: string;
  teamId?: string;
  channelId: string;
  responseUrl: string;
  via: string;
}

function originOfLegacy(ctx: LegacyContext | undefined): RunOrigin {
  const channel = ctx?.channelId ?? '';
  return {
    requester: ctx?.requester ?? '',
    team: ctx?.teamId,
    channel,
    replyUrl: ctx?.responseUrl ?? '',
    via: ctx?.via ?? '',
  };
}
