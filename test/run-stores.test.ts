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
  judge,
  RUN_STATES,
  RUN_TRANSITIONS,
  type RunState,
  type RunTransition,
} from '../src/stores/run-machine.js';
import { MemoryRunStore, type RunOrigin, type RunRecord, type RunStore } from '../src/stores/runs.js';
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

/** A run in `state`, put in `store` as it would be found there. */
async function runIn(store: RunStore, state: RunState): Promise<RunRecord> {
  const run: RunRecord = {
    id: randomUUID(),
    origin,
    user: 'bob',
    readTime: undefined,
    total: 3,
    state,
    expiresAt: Date.now() + 60_000,
  };
  await store.restore(run);
  return run;
}

/** What a store answered, in a form two stores can be compared by. */
async function answer(store: RunStore, state: RunState, name: RunTransition, actor: Actor) {
  const run = await runIn(store, state);
  const result = await store.transition(run.id, name, { by: byOf[actor], stopReason: 'because' });
  const after = await store.get(run.id);
  return {
    ok: result.ok,
    reason: result.ok ? undefined : result.reason,
    told: result.run?.state,
    after: after?.state,
    stopReason: after?.stopReason,
  };
}

describe('the run stores, in memory and on Redis, against the one run machine', {
  skip: redis ? false : NO_REDIS,
}, () => {
  let link: RedisLink;
  before(() => {
    const config = loadRedisConfig({ REDIS_URL: redis?.url }, 1400000001);
    if (!config) throw new Error('no config');
    const logger = createLogger({ level: 'warn', redactor: new Redactor(), destination: new LogCapture() });
    link = new RedisLink({ ...config, prefix: `runs-${randomUUID().slice(0, 8)}:` }, logger);
  });
  after(async () => {
    await link?.close();
  });

  it('give the same answer for every (state, transition, actor), and the one the machine gives', async () => {
    assert.ok(await link.ready(3_000), 'redis is up');
    const memory = new MemoryRunStore();
    const shared = new RedisRunStore(link);
    let cases = 0;
    for (const name of Object.keys(RUN_TRANSITIONS) as RunTransition[])
      for (const state of RUN_STATES)
        for (const actor of ACTORS) {
          const where = `${name} on ${state} by ${actor}`;
          const inMemory = await answer(memory, state, name, actor);
          assert.deepEqual(await answer(shared, state, name, actor), inMemory, where);
          const refusal = judge(name, actor, state);
          assert.equal(inMemory.reason, refusal, where);
          assert.equal(inMemory.after, refusal ? state : RUN_TRANSITIONS[name].to, where);
          cases++;
        }
    assert.equal(cases, 6 * 5 * 3);
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
});
