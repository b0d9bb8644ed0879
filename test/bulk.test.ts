import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { countOneToOne, oneToOnePeers, pairsFor } from '../src/domain/conversations.js';
import { markReadWithProof, runMarkRead } from '../src/domain/mark-read-run.js';
import { readUnreadCounts } from '../src/domain/unread-counts.js';
import { getC2cUnreadMsgNum } from '../src/im/apis/get-c2c-unread-msg-num.js';
import { fail } from '../stand-ins/im-stand-in.js';
import { AuditCapture } from './support/audit-capture.js';
import { fixturePool } from './support/im-fixture.js';
import { assertMeanRateUnder } from './support/rate.js';

const { fixture, closeAll } = fixturePool();
after(closeAll);

async function collect<T>(items: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const item of items) out.push(item);
  return out;
}

describe('unread counts (get_c2c_unread_msg_num)', () => {
  it('reads counts ten peers per call and reports ErrorList peers as unknown', async () => {
    const f = await fixture({
      standIn: { accounts: new Set(['alice', ...Array.from({ length: 23 }, (_, i) => `p${i}`)]) },
    });
    f.standIn.seed('alice', Object.fromEntries(Array.from({ length: 23 }, (_, i) => [`p${i}`, i])));
    const peers = [...Array.from({ length: 23 }, (_, i) => `p${i}`), 'ghost'];
    const counts = await readUnreadCounts(f.client, 'alice', peers);
    assert.equal(counts.size, 24);
    assert.deepEqual(counts.get('p7'), { known: true, count: 7 });
    assert.equal(counts.get('ghost')?.known, false);
    assert.match((counts.get('ghost') as { reason: string }).reason, /70107/);
    const calls = f.standIn.accepted('v4/openim/get_c2c_unread_msg_num');
    assert.deepEqual(calls.map((c) => (c.body as { Peer_Account: string[] }).Peer_Account.length).sort(), [10, 10, 4]);
  });

  it('refuses more than ten peers before calling (the API limit)', async () => {
    const f = await fixture();
    assert.throws(
      () =>
        getC2cUnreadMsgNum(f.client, { toAccount: 'a', peerAccounts: Array.from({ length: 11 }, (_, i) => `p${i}`) }),
      /1 to 10 peers/,
    );
    assert.equal(f.standIn.arrivals.length, 0);
  });

  it('marks anyway and says why when the count query fails', async () => {
    const f = await fixture();
    f.standIn.seed('alice', { bob: 4 });
    f.standIn.behave = (a) => (a.command === 'v4/openim/get_c2c_unread_msg_num' ? fail(60017, 'disabled') : undefined);
    const result = await markReadWithProof(f, { user: 'alice', peer: 'bob' }, new AuditCapture().scope());
    assert.equal(result.outcome.status, 'ok');
    assert.equal(result.before.known, false);
    assert.match((result.before as { reason: string }).reason, /60017/);
    assert.equal(f.standIn.conversations.get('alice')?.[0]?.unread, 0);
  });

  it('skips a proof count that would wait for a slot, says so, and marks every pair anyway', async () => {
    // 20 calls/s: a count may wait 250 ms, so at most about five of forty at once get a slot in time. With the
    // default 20 s deadline a count's own share (3 s) would let all forty queue: the slot wait is what skips them.
    const f = await fixture({ settings: { maxRps: 20, deadlineMs: 20_000 } });
    const users = Array.from({ length: 40 }, (_, i) => `u${i}`);
    for (const user of users) f.standIn.seed(user, { bob: 3 });
    const results = await Promise.all(
      users.map((user) => markReadWithProof(f, { user, peer: 'bob' }, new AuditCapture().scope())),
    );
    assert.equal(results.filter((r) => r.outcome.status === 'ok').length, 40);
    const skipped = results.filter((r) => !r.before.known);
    assert.ok(skipped.length > 0, 'some counts were skipped');
    for (const r of skipped) assert.match((r.before as { reason: string }).reason, /count API busy/);
    const proven = results.filter((r) => r.before.known);
    assert.ok(proven.length > 0, 'the counts that got a slot were read');
    for (const r of proven)
      assert.deepEqual(
        [r.before, r.after],
        [
          { known: true, count: 3 },
          { known: true, count: 0 },
        ],
      );
    // A skipped count was never sent: the count API got two calls per proven pair and none for the others.
    assert.equal(f.standIn.accepted('v4/openim/get_c2c_unread_msg_num').length, proven.length * 2);
  });

  it('reads every proof count when the count API has room', async () => {
    const f = await fixture({ settings: { maxRps: 20 } });
    for (const user of ['u1', 'u2', 'u3']) f.standIn.seed(user, { bob: 2 });
    const results = await Promise.all(
      ['u1', 'u2', 'u3'].map((user) => markReadWithProof(f, { user, peer: 'bob' }, new AuditCapture().scope())),
    );
    for (const r of results)
      assert.deepEqual(
        [r.before, r.after],
        [
          { known: true, count: 2 },
          { known: true, count: 0 },
        ],
      );
  });

  it('proves a single mark: unread 12 → 0', async () => {
    const f = await fixture();
    f.standIn.seed('alice', { bob: 12 });
    const result = await markReadWithProof(f, { user: 'alice', peer: 'bob' }, new AuditCapture().scope());
    assert.deepEqual(
      [result.before, result.after],
      [
        { known: true, count: 12 },
        { known: true, count: 0 },
      ],
    );
  });
});

describe('conversation list (recentcontact get_list)', () => {
  it('pages pinned and ordinary items, follows the cursors, skips groups', async () => {
    const f = await fixture();
    f.standIn.pageSize = 7;
    f.standIn.seed('alice', Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, 1])));
    const list = f.standIn.conversations.get('alice') ?? [];
    for (const c of list.slice(25)) c.pinned = true;
    list.push(
      { peer: 'group-1', type: 2, unread: 5, msgTime: 1 },
      { peer: 'group-2', type: 2, unread: 5, msgTime: 2, pinned: true },
    );
    const peers = await collect(oneToOnePeers(f.client, 'alice'));
    assert.equal(peers.length, 30);
    assert.equal(new Set(peers).size, 30);
    assert.deepEqual(peers.slice(0, 5).sort(), ['p25', 'p26', 'p27', 'p28', 'p29']);
    const pages = f.standIn.accepted('v4/recentcontact/get_list');
    assert.equal(pages.length, 5);
    assert.equal(await countOneToOne(f.client, 'alice'), 30);
  });

  it('throws a readable error when a page fails', async () => {
    const f = await fixture();
    f.standIn.seed('alice', { bob: 1 });
    f.standIn.behave = (a) => (a.command === 'v4/recentcontact/get_list' ? fail(70107) : undefined);
    await assert.rejects(collect(oneToOnePeers(f.client, 'alice')), /ErrorCode 70107/);
  });
});

describe('bulk runs', () => {
  it('marks every pair, groups failures by error, sums unread before and after', async () => {
    const f = await fixture({
      standIn: { accounts: new Set(['alice', ...Array.from({ length: 25 }, (_, i) => `p${i}`)]) },
    });
    f.standIn.seed('alice', Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`p${i}`, 2])));
    const pairs = [
      ...Array.from({ length: 25 }, (_, i) => ({ user: 'alice', peer: `p${i}` })),
      { user: 'alice', peer: 'ghost1' },
      { user: 'alice', peer: 'ghost2' },
    ];
    const seen: string[] = [];
    const audit = new AuditCapture();
    const summary = await runMarkRead(f, pairs, {
      audit: audit.scope({ runId: 'r1' }),
      onPair: (r) => seen.push(r.outcome.request.peer),
    });
    assert.equal(summary.done, 27);
    assert.equal(summary.ok, 25);
    assert.equal(summary.failed, 2);
    assert.equal(summary.unreadBefore, 50);
    assert.equal(summary.unreadAfter, 0);
    assert.deepEqual(
      summary.failures.map((g) => [g.key, g.count, g.examples]),
      [['ErrorCode 90003', 2, ['alice ↔ ghost1', 'alice ↔ ghost2']]],
    );
    assert.equal(seen.length, 27);
    const marks = audit.of('mark');
    assert.equal(marks.length, 27);
    assert.ok(marks.every((e) => e.runId === 'r1' && e.target?.user === 'alice'));
    assert.deepEqual(
      marks.filter((e) => e.outcome?.status === 'failed').map((e) => [e.target?.peers, e.outcome?.errorCode]),
      [
        [['ghost1'], 90003],
        [['ghost2'], 90003],
      ],
    );
  });

  it('stops cleanly: pairs not yet sent are not done, and says so', async () => {
    const f = await fixture({ settings: { maxRps: 20, deadlineMs: 30_000 } });
    const controller = new AbortController();
    const pairs = Array.from({ length: 200 }, (_, i) => ({ user: 'alice', peer: `p${i}` }));
    // Stopped as the 10th mark arrives: a point in the run, not a time.
    f.standIn.behave = () => {
      if (f.standIn.accepted().length >= 10) controller.abort();
      return undefined;
    };
    const summary = await runMarkRead(f, pairs, { audit: new AuditCapture().scope(), signal: controller.signal });
    assert.equal(summary.stopped, true);
    assert.ok(summary.done > 0, `done ${summary.done}`);
    // Only the marks already on their way when it stopped arrive after the 10th; none waits for a slot after it.
    assert.ok(f.standIn.accepted().length < 20, `${f.standIn.accepted().length} marks arrived`);
    assert.equal(summary.failed, 0, 'stopped calls are not failures');
    assert.equal(f.standIn.accepted().length, summary.done);
  });

  it('pages an --all run as it marks, paced under the ceiling', async () => {
    const f = await fixture({ settings: { maxRps: 50, deadlineMs: 30_000 } });
    f.standIn.pageSize = 40;
    f.standIn.seed('alice', Object.fromEntries(Array.from({ length: 150 }, (_, i) => [`p${i}`, 1])));
    const summary = await runMarkRead(f, pairsFor('alice', oneToOnePeers(f.client, 'alice')), {
      audit: new AuditCapture().scope(),
    });
    assert.equal(summary.ok, 150);
    assert.equal(summary.unreadBefore, 150);
    assert.equal(summary.unreadAfter, 0);
    assert.equal(f.standIn.arrivals.filter((a) => a.rejected).length, 0);
    const marks = f.standIn.accepted().map((a) => a.at);
    assert.equal(marks.length, 150, 'one call a pair: none refused, none retried');
    // Unpaced, the marks of a local stand-in arrive at hundreds a second.
    assertMeanRateUnder(marks, 50, '150 marks at TIM_MAX_RPS=50');
  });

  it('reports a list that fails midway as stopped with the reason, after marking what it had', async () => {
    const f = await fixture();
    f.standIn.pageSize = 10;
    f.standIn.seed('alice', Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`p${i}`, 1])));
    let pages = 0;
    f.standIn.behave = (a) =>
      a.command === 'v4/recentcontact/get_list' && ++pages === 2 ? fail(60017, 'disabled') : undefined;
    const summary = await runMarkRead(f, pairsFor('alice', oneToOnePeers(f.client, 'alice')), {
      audit: new AuditCapture().scope(),
    });
    assert.equal(summary.ok, 10);
    assert.equal(summary.stopped, true);
    assert.match(summary.sourceError ?? '', /60017/);
  });
});
