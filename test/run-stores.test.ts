import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { loadRedisConfig } from '../src/config/redis-config.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { RedisLink } from '../src/stores/redis/link.js';
import { RedisRunStore } from '../src/stores/redis/runs.js';
import {
  ACTORS,
  type Actor,
  barredByDeadline,
  decisionOf,
  judge,
  openings,
  RUN_STATES,
  RUN_TRANSITIONS,
  type RunRefusal,
  type RunState,
  type RunTransition,
} from '../src/stores/run-machine.js';
import {
  FINISHED_TTL_MS,
  MemoryRunStore,
  type NewRun,
  type RunOrigin,
  type RunRecord,
  type RunStore,
} from '../src/stores/runs.js';
import { LogCapture } from './support/im-fixture.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';

const redis = await startTestRedis();
after(() => redis?.close());
const origin: RunOrigin = {
  requester: 'U0ASKER',
  channel: 'C1',
  replyUrl: 'https://hooks.slack.com/x',
  via: 'command',
};
const byOf: Record<Actor, string | undefined> = {
  markread: undefined,
  requester: 'U0ASKER',
  'someone-else': 'U0OTHER',
};

/** The stores' clock: decisions are stamped by it, so two stores' answers compare equal. Tests move it. */
const T0 = 1_700_000_000_000;
let time = T0;
const clock = () => time;

/** A run in `state`, put in `store` as it would be found there. */
async function runIn(store: RunStore, state: RunState): Promise<RunRecord> {
  const run: RunRecord = {
    id: randomUUID(),
    origin,
    user: 'bob',
    readTime: undefined,
    total: 3,
    state,
    ...(state === 'approval' ? { approvalDeadline: T0 + 60_000 } : {}),
    expiresAt: T0 + 60_000,
  };
  await store.restore(run);
  return run;
}

/** What a store answered, in a form two stores can be compared by. */
async function answer(store: RunStore, state: RunState, name: RunTransition, actor: Actor) {
  const run = await runIn(store, state);
  const options = { by: byOf[actor], stopReason: 'because', decisionReason: 'why' };
  const result = await store.transition(run.id, name, options);
  const after = await store.get(run.id);
  return {
    ok: result.ok,
    reason: result.ok ? undefined : result.reason,
    told: result.run?.state,
    after: after?.state,
    stopReason: after?.stopReason,
    decision: after?.decision,
  };
}

/** A run of 500 conversations waiting for approval until `deadline`. */
function bigRun(deadline: number): NewRun {
  return { origin, user: 'bob', readTime: undefined, total: 500, state: 'approval', approvalDeadline: deadline };
}

/** The approval answers a person gives (approve, self-approve, deny, withdraw), each with the one who may give it. */
const PERSON_ANSWERS = (Object.keys(RUN_TRANSITIONS) as RunTransition[]).filter(barredByDeadline).map((name) => {
  const [opening] = openings(name);
  return { name, by: opening ? byOf[opening.actor] : undefined };
});

/** The one of two results that went ahead, and the other; fails unless exactly one did. */
function oneWinner<R extends { ok: boolean }>(results: R[]): { won: R; lost: R } {
  const won = results.filter((r) => r.ok);
  const lost = results.filter((r) => !r.ok);
  assert.equal(won.length, 1, 'exactly one caller goes ahead');
  assert.equal(lost.length, 1);
  return { won: won[0] as R, lost: lost[0] as R };
}

describe('the run stores, in memory and on Redis, against the one run machine', {
  skip: redis ? false : NO_REDIS,
}, () => {
  let link: RedisLink;
  /** A second connection, as another replica has: its store is a second instance on the same Redis. */
  let otherLink: RedisLink;
  before(() => {
    const config = loadRedisConfig({ REDIS_URL: redis?.url }, 1400000001);
    if (!config) throw new Error('no config');
    const logger = createLogger({ level: 'warn', redactor: new Redactor(), destination: new LogCapture() });
    const prefix = `runs-${randomUUID().slice(0, 8)}:`;
    link = new RedisLink({ ...config, prefix }, logger);
    otherLink = new RedisLink({ ...config, prefix }, logger);
  });
  after(async () => {
    await link?.close();
    await otherLink?.close();
  });

  /**
   * Each store, with the store another caller uses: the same one in memory (one process), and on Redis a second
   * instance on its own connection (another replica). Each pair starts from an empty index of approvals.
   */
  async function bothStores(): Promise<{ name: string; store: RunStore; twin: RunStore }[]> {
    assert.ok(await link.ready(3_000), 'redis is up');
    assert.ok(await otherLink.ready(3_000), 'redis is up for the other replica');
    await link.client.del(link.key('approvals'));
    time = T0;
    const memory = new MemoryRunStore(clock);
    return [
      { name: 'memory', store: memory, twin: memory },
      { name: 'redis', store: new RedisRunStore(link, clock), twin: new RedisRunStore(otherLink, clock) },
    ];
  }

  /**
   * Asks both stores every (state, transition, actor) at `now` (runs made by `runIn`, due at T0 + 60s), and checks
   * they agree with each other and with `expected`.
   */
  async function agreeEverywhere(
    now: number,
    expected: (n: RunTransition, a: Actor, s: RunState) => RunRefusal | undefined,
  ) {
    assert.ok(await link.ready(3_000), 'redis is up');
    time = now;
    const memory = new MemoryRunStore(clock);
    const shared = new RedisRunStore(link, clock);
    let cases = 0;
    for (const name of Object.keys(RUN_TRANSITIONS) as RunTransition[])
      for (const state of RUN_STATES)
        for (const actor of ACTORS) {
          const where = `${name} on ${state} by ${actor}`;
          const inMemory = await answer(memory, state, name, actor);
          assert.deepEqual(await answer(shared, state, name, actor), inMemory, where);
          const refusal = expected(name, actor, state);
          assert.equal(inMemory.reason, refusal, where);
          assert.equal(inMemory.after, refusal ? state : RUN_TRANSITIONS[name].to, where);
          cases++;
        }
    assert.equal(cases, 11 * 6 * 3);
  }

  it('give the same answer for every (state, transition, actor), and the one the machine gives', async () => {
    await agreeEverywhere(T0, judge);
  });

  it('at the deadline, give the same answer for every (state, transition, actor): a person’s answer to an approval has expired', async () => {
    await agreeEverywhere(T0 + 60_000, (name, actor, state) => {
      const refusal = judge(name, actor, state);
      return refusal ?? (state === 'approval' && barredByDeadline(name) ? 'expired' : undefined);
    });
  });

  it('both say a run they do not have is missing, whatever the transition', async () => {
    for (const store of [new MemoryRunStore(), new RedisRunStore(link)])
      for (const name of Object.keys(RUN_TRANSITIONS) as RunTransition[]) {
        const result = await store.transition(randomUUID(), name, { by: 'U0ASKER' });
        assert.equal(result.ok ? 'ok' : result.reason, 'missing');
      }
  });

  it('reads a run an older markread wrote (its origin as the Slack request context), so runs survive an upgrade', async () => {
    const id = randomUUID();
    const ctx = {
      requester: 'U0ASKER',
      teamId: 'T1',
      channelId: 'C1',
      responseUrl: 'https://hooks.slack.com/x',
      via: 'command',
    };
    const body = JSON.stringify({ ctx, user: 'bob', total: 3, readTime: 5 });
    await link.client.hset(link.key(`run:${id}`), { state: 'running', requester: 'U0ASKER', body });
    const store = new RedisRunStore(link);
    const run = await store.get(id);
    assert.deepEqual(run?.origin, { ...origin, team: 'T1' });
    assert.equal(run?.readTime, 5);
    const stopped = await store.transition(id, 'stop', { by: 'U0ASKER' });
    assert.equal(stopped.ok && stopped.run.state, 'stopping');
  });
  it('let exactly one of two approvers pressing at once approve; the other is told who did and when', async () => {
    for (const { name, store, twin } of await bothStores()) {
      const run = await store.create(bigRun(T0 + 60_000));
      const { won, lost } = oneWinner(
        await Promise.all([
          store.transition(run.id, 'approve', { by: 'U0ONE' }),
          twin.transition(run.id, 'approve', { by: 'U0TWO' }),
        ]),
      );
      const winner = won.run?.decision?.by;
      assert.ok(winner === 'U0ONE' || winner === 'U0TWO', name);
      assert.equal(won.run?.state, 'running', name);
      const told = lost.ok ? undefined : { reason: lost.reason, decision: lost.run?.decision };
      assert.deepEqual(told, { reason: 'wrong-state', decision: { kind: 'approved', by: winner, at: T0 } }, name);
    }
  });

  it('record why a run was denied, and tell a late approver who denied it, when and why', async () => {
    for (const { name, store, twin } of await bothStores()) {
      time = T0;
      const run = await store.create(bigRun(T0 + 60_000));
      time = T0 + 5_000;
      const denied = await store.transition(run.id, 'deny', { by: 'U0OTHER', decisionReason: 'not in the freeze' });
      assert.equal(denied.run?.state, 'cancelled', name);
      const decision = { kind: 'denied', by: 'U0OTHER', at: T0 + 5_000, reason: 'not in the freeze' };
      assert.deepEqual((await twin.get(run.id))?.decision, decision, name);
      const late = await twin.transition(run.id, 'approve', { by: 'U0THIRD' });
      assert.deepEqual([late.ok ? 'ok' : late.reason, late.run?.decision], ['wrong-state', decision], name);
    }
  });

  it('record a withdrawal and a break glass as the requester’s own decisions', async () => {
    for (const { name, store, twin } of await bothStores()) {
      const broken = await store.create(bigRun(T0 + 60_000));
      const withdrawn = await store.create(bigRun(T0 + 60_000));
      const glass = await twin.transition(broken.id, 'self-approve', { by: 'U0ASKER', decisionReason: 'outage' });
      const back = await twin.transition(withdrawn.id, 'withdraw', { by: 'U0ASKER' });
      assert.deepEqual(
        [glass.run?.state, glass.run?.decision],
        ['running', { kind: 'self-approved', by: 'U0ASKER', at: T0, reason: 'outage' }],
      );
      assert.deepEqual(
        [back.run?.state, back.run?.decision],
        ['cancelled', { kind: 'withdrawn', by: 'U0ASKER', at: T0 }],
      );
      assert.deepEqual(await store.dueApprovals(T0 + 60_000), [], name);
    }
  });

  it('find a run due at its deadline, let exactly one of two replicas expire it, and tell a late press it expired', async () => {
    for (const { name, store, twin } of await bothStores()) {
      time = T0;
      const deadline = T0 + 60_000;
      const run = await store.create(bigRun(deadline));
      assert.deepEqual(await twin.dueApprovals(deadline - 1), [], `${name}: not due before its deadline`);
      const due = await twin.dueApprovals(deadline);
      assert.deepEqual(
        due.map((r) => [r.id, r.state, r.approvalDeadline]),
        [[run.id, 'approval', deadline]],
        name,
      );
      time = deadline + 1;
      const { lost } = oneWinner(
        await Promise.all([store.transition(run.id, 'expire'), twin.transition(run.id, 'expire')]),
      );
      assert.equal(lost.ok ? 'ok' : lost.reason, 'wrong-state', name);
      const late = await twin.transition(run.id, 'approve', { by: 'U0OTHER' });
      assert.equal(late.ok ? 'ok' : late.reason, 'wrong-state', name);
      assert.deepEqual(late.run?.decision, { kind: 'expired', at: deadline + 1 }, name);
      assert.deepEqual(await store.dueApprovals(deadline + 1), [], `${name}: an expired run is not due again`);
    }
  });

  it('refuse a person’s answer at or after the deadline though nobody expired the run yet; markread still can', async () => {
    for (const { name, store, twin } of await bothStores())
      for (const [i, { name: answer, by }] of PERSON_ANSWERS.entries()) {
        const where = `${name}: ${answer}`;
        time = T0;
        const deadline = T0 + 60_000;
        const run = await store.create(bigRun(deadline));
        time = deadline + i; // at the deadline itself, and after it
        const late = await twin.transition(run.id, answer, { by, team: 'T1', decisionReason: 'late' });
        const told = late.ok ? undefined : [late.reason, late.run?.id, late.run?.state, late.run?.decision];
        assert.deepEqual(told, ['expired', run.id, 'approval', undefined], `${where}: told as the run is`);
        assert.equal((await store.get(run.id))?.state, 'approval', `${where}: still waiting`);
        const expired = await store.transition(run.id, 'expire');
        assert.deepEqual([expired.ok, expired.run?.decision], [true, { kind: 'expired', at: time }], where);
      }
  });

  it('take a person’s answer just before the deadline, and keep the workspace of whoever decided', async () => {
    for (const { name, store, twin } of await bothStores())
      for (const { name: answer, by } of PERSON_ANSWERS) {
        const where = `${name}: ${answer}`;
        time = T0;
        const deadline = T0 + 60_000;
        const run = await store.create(bigRun(deadline));
        time = deadline - 1;
        const result = await twin.transition(run.id, answer, { by, team: 'T0DECIDER' });
        assert.equal(result.ok && result.run.state, RUN_TRANSITIONS[answer].to, where);
        const decision = { kind: decisionOf(answer), by, team: 'T0DECIDER', at: deadline - 1 };
        assert.deepEqual((await store.get(run.id))?.decision, decision, where);
      }
  });

  it('check no deadline on a run an older markread wrote (no deadline field in its hash), as before', async () => {
    assert.ok(await link.ready(3_000), 'redis is up');
    time = T0;
    const store = new RedisRunStore(link, clock);
    const run = await store.create(bigRun(T0 + 60_000));
    await link.client.hdel(link.key(`run:${run.id}`), 'approvalDeadline');
    time = T0 + 120_000;
    const approved = await store.transition(run.id, 'approve', { by: 'U0OTHER' });
    assert.equal(approved.ok && approved.run.state, 'running');
  });

  it('return from dueApprovals only runs still waiting whose deadline has come', async () => {
    for (const { name, store, twin } of await bothStores()) {
      const waiting = await store.create(bigRun(T0 + 1_000));
      const notYet = await store.create(bigRun(T0 + 10_000));
      const approved = await store.create(bigRun(T0 + 1_000));
      const withdrawn = await store.create(bigRun(T0 + 500));
      await store.create({ origin, user: 'bob', readTime: undefined, total: 2, state: 'awaiting' });
      await twin.transition(approved.id, 'approve', { by: 'U0OTHER' });
      await twin.transition(withdrawn.id, 'withdraw', { by: 'U0ASKER' });
      assert.deepEqual(
        (await store.dueApprovals(T0 + 1_000)).map((r) => r.id),
        [waiting.id],
        name,
      );
      if (store instanceof RedisRunStore) {
        const indexed = await link.client.zrange(link.key('approvals'), 0, -1);
        assert.deepEqual(indexed.sort(), [waiting.id, notYet.id].sort(), 'the index forgets decided runs it met');
      }
    }
  });

  it('keep a run waiting for approval past its deadline, and refuse one without a deadline', async () => {
    for (const { name, store } of await bothStores()) {
      time = T0;
      const deadline = T0 + 2 * FINISHED_TTL_MS;
      const run = await store.create(bigRun(deadline));
      assert.equal(run.expiresAt, deadline + FINISHED_TTL_MS, name);
      if (store instanceof RedisRunStore) {
        const ttl = await link.client.pttl(link.key(`run:${run.id}`));
        assert.ok(ttl > 2 * FINISHED_TTL_MS, `Redis keeps it past its deadline (pttl ${ttl})`);
      } else {
        time = deadline - 1; // well past how long an ended run is kept
        assert.equal((await store.get(run.id))?.state, 'approval', 'not swept before its deadline');
        time = deadline + FINISHED_TTL_MS + 1;
        assert.equal(await store.get(run.id), undefined, 'swept once a late press could no longer come');
      }
      const noDeadline = { ...bigRun(deadline), approvalDeadline: undefined } as unknown as NewRun;
      await assert.rejects(store.create(noDeadline), /approvalDeadline/, name);
    }
  });
});
