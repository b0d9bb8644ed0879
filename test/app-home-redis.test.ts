import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { AuditEvent } from '../src/audit/event.js';
import { loadRedisConfig } from '../src/config/redis-config.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { RedisAuditHistory } from '../src/stores/redis/audit-history.js';
import { RedisLink } from '../src/stores/redis/link.js';
import { appHomeOpenedCallback, signedJsonHeaders } from '../stand-ins/slack-signing.js';
import { LogCapture } from './support/im-fixture.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import type { Replica } from './support/replica.js';
import { twoReplicas } from './support/replica-world.js';
import { ALLOWED, SIGNING_SECRET } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const redis = await startTestRedis();
after(() => redis?.close());

describe('App Home with the history on Redis, two replicas', { skip: redis ? false : NO_REDIS }, () => {
  const w = twoReplicas(redis?.url ?? '', 'home-test');

  /** The Home tab `replica` publishes for ALLOWED once it lists `pair`, opened again until it does. */
  async function homeListing(replica: Replica, pair: string): Promise<string> {
    return waitFor(
      async () => {
        const body = JSON.stringify(appHomeOpenedCallback(ALLOWED));
        const since = w.slack.calls.length;
        assert.equal((await replica.post(body, signedJsonHeaders(SIGNING_SECRET, body))).status, 200);
        await w.slack.until(() => w.slack.calls.slice(since).some((c) => c.method === 'views.publish'), 30_000);
        const view = JSON.stringify(w.slack.homeViews.get(ALLOWED));
        return view.includes(pair) && view;
      },
      { what: `the Home tab of replica ${replica.name} to list ${pair}`, timeoutMs: 30_000, intervalMs: 200 },
    );
  }

  it('a mark asked on replica A is listed in the Home tab of both replicas, which say the history is shared', async () => {
    await w.a.command('hana hiro', 'home-a');
    await w.outcome('hana', 'hiro');
    // Either replica may have done the work: each lists it, so the one that did not read it from Redis.
    for (const replica of [w.b, w.a]) {
      const home = await homeListing(replica, '`hana` ↔ `hiro`');
      assert.match(home, new RegExp(`<@${ALLOWED}> · \\*mark\\* \`hana\` ↔ \`hiro\``));
      assert.match(home, /Shared by every replica through Redis: the actions of the last 30 days/);
      assert.doesNotMatch(home, /lost when markread restarts/);
    }
  });
});

describe('the Redis history', { skip: redis ? false : NO_REDIS }, () => {
  const logs = new LogCapture();
  const logger = createLogger({ level: 'info', redactor: new Redactor(), destination: logs });
  const links: RedisLink[] = [];
  after(() => Promise.all(links.map((l) => l.close())));

  /** A history under a prefix of its own, so each test starts empty; `key` is its stream. */
  async function history(options: ConstructorParameters<typeof RedisAuditHistory>[2]) {
    const prefix = `history-test-${links.length + 1}`;
    const config = loadRedisConfig({ REDIS_URL: redis?.url, MARKREAD_REDIS_PREFIX: prefix }, 1400000001);
    const link = new RedisLink(config as NonNullable<typeof config>, logger);
    links.push(link);
    assert.ok(await link.ready(5_000), 'Redis is up');
    return { history: new RedisAuditHistory(link, logger, options), key: link.key('history'), link };
  }

  const event = (n: number): AuditEvent => ({
    id: `e${n}`,
    at: new Date().toISOString(),
    kind: 'mark',
    actor: { kind: 'slack', user: ALLOWED },
    via: 'command',
    target: { user: `u${n}`, peers: ['p'] },
  });

  async function add(h: RedisAuditHistory, from: number, to: number): Promise<void> {
    for (let n = from; n <= to; n++) h.accept(event(n));
    await h.flush(Date.now() + 10_000);
  }

  it('keeps at most its cap: the stream is trimmed, and the newest are read, newest first', async () => {
    const { history: h, key, link } = await history({ days: 30, cap: 50 });
    await add(h, 1, 400);
    const length = await link.client.xlen(key);
    // MAXLEN ~ trims whole nodes (100 entries by default), so the stream may hold up to one node more than the cap.
    assert.ok(length >= 50 && length <= 150, `the stream holds ${length} of 400`);
    const recent = await h.recent(1_000);
    assert.equal(recent.length, 50);
    assert.equal(recent[0]?.id, 'e400');
    assert.equal(recent[49]?.id, 'e351');
  });

  it('does not show, and trims, what is older than its retention', async () => {
    // Stream IDs are Redis's clock: the same stream read and written by a history whose clock is two days on.
    const { history: today, key, link } = await history({ days: 1 });
    await add(today, 1, 250);
    assert.equal((await today.recent(20)).length, 20);
    const twoDaysOn = new RedisAuditHistory(link, logger, { days: 1, now: () => Date.now() + 2 * 86_400_000 });
    assert.deepEqual(await twoDaysOn.recent(20), [], 'two days on, every event is past a day’s retention');
    await add(twoDaysOn, 251, 251);
    // Its write trims by age. MINID ~ drops whole nodes (100 entries by default), so at least the two full
    // nodes of old entries go (e251 is past that clock's retention too, and may go with the last).
    const length = await link.client.xlen(key);
    assert.ok(length <= 51, `the stream holds ${length} of 251`);
  });

  it('skips entries that are not audit events', async () => {
    const { history: h, key, link } = await history({ days: 30 });
    await add(h, 1, 1);
    await link.client.xadd(key, '*', 'event', '{"kind":"mark","actor":"<!channel>"}');
    await link.client.xadd(key, '*', 'event', 'not json');
    await link.client.xadd(key, '*', 'other', 'x');
    await add(h, 2, 2);
    assert.deepEqual(
      (await h.recent(10)).map((e) => e.id),
      ['e2', 'e1'],
    );
    assert.match(logs.text, /"bad":3/);
  });
});
