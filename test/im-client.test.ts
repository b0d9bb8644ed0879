import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, describe, it } from 'node:test';
import { AuditEventSchema } from '../src/audit/event.js';
import { AuditLogOutlet } from '../src/audit/log-outlet.js';
import { Audit } from '../src/audit/sink.js';
import { markReadWithProof } from '../src/domain/mark-read-run.js';
import { ADMIN_SET_MSG_READ, adminSetMsgRead } from '../src/im/apis/admin-set-msg-read.js';
import { explainError, KNOWN_ERROR_CODES } from '../src/im/error-catalogue.js';
import { fail, ok } from '../stand-ins/im-stand-in.js';
import { ADMIN, fixturePool, type ImFixture, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';

const { fixture, closeAll } = fixturePool();
after(closeAll);

/** Scripts the stand-in to give these replies in order, then fall through to its real behaviour. */
function script(f: ImFixture, ...replies: ReturnType<typeof ok>[]): void {
  const queue = [...replies];
  f.standIn.behave = () => queue.shift();
}

describe('admin_set_msg_read client', () => {
  it('sends a correctly signed request with the documented parameters and body', async () => {
    const f = await fixture();
    const result = await adminSetMsgRead(f.client, { reportAccount: 'dramon1', peerAccount: 'dramon2' });
    assert.equal(result.status, 'ok');
    assert.equal(result.stats.attempts, 1);
    const [arrival] = f.standIn.arrivals;
    assert.ok(arrival);
    assert.equal(arrival.rejected, undefined, arrival.rejected);
    assert.equal(arrival.command, 'v4/openim/admin_set_msg_read');
    assert.equal(arrival.query.sdkappid, String(SDK_APP_ID));
    assert.equal(arrival.query.identifier, ADMIN);
    assert.equal(arrival.query.contenttype, 'json');
    assert.equal(Number(arrival.query.random), result.stats.requestId);
    assert.deepEqual(arrival.body, { Report_Account: 'dramon1', Peer_Account: 'dramon2' });
  });

  it('adds MsgReadTime only when given', async () => {
    const f = await fixture();
    await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b', msgReadTime: 1767225600 });
    assert.deepEqual(f.standIn.accepted()[0]?.body, {
      Report_Account: 'a',
      Peer_Account: 'b',
      MsgReadTime: 1767225600,
    });
  });

  it('uses a fresh u32 random per attempt and reuses one UserSig', async () => {
    const f = await fixture();
    script(f, { status: 502 }, { status: 502 });
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'ok');
    assert.equal(result.stats.attempts, 3);
    const randoms = f.standIn.arrivals.map((a) => Number(a.query.random));
    assert.equal(new Set(randoms).size, 3);
    for (const r of randoms) assert.ok(Number.isInteger(r) && r >= 0 && r <= 0xffffffff);
    assert.deepEqual(result.stats.requestIds, randoms);
    assert.equal(new Set(f.standIn.arrivals.map((a) => a.query.usersig)).size, 1);
    assert.equal(f.newSigs.length, 1);
  });

  it('is refused by the stand-in when signed with the wrong key', async () => {
    const f = await fixture({ standIn: { secretKey: 'another-apps-key-000000' } });
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'fail');
    assert.equal(result.status === 'fail' && result.response.ErrorCode, 70009);
    assert.equal(f.standIn.arrivals.length, 1, 'a sig made with another key is not retried');
  });

  it('never retries a non-retryable answer, and explains it', async () => {
    const f = await fixture({ standIn: { accounts: new Set(['alice']) } });
    const result = await adminSetMsgRead(f.client, { reportAccount: 'alice', peerAccount: 'ghost' });
    assert.equal(result.status, 'fail');
    if (result.status !== 'fail') return;
    assert.equal(result.response.ErrorCode, 90003);
    assert.equal(result.response.ErrorInfo, 'Peer_Account missing or not found');
    assert.match(result.error.meaning, /peer account/);
    assert.equal(result.stats.attempts, 1);
  });

  it('retries transient server errors with backoff, then succeeds', async () => {
    const f = await fixture();
    script(f, fail(70500), fail(60013));
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'ok');
    assert.equal(result.stats.attempts, 3);
  });

  it('makes a new UserSig once on a signature error, and retries once', async () => {
    const f = await fixture();
    script(f, fail(70001, 'expired'), fail(70001, 'expired'), fail(70001, 'expired'));
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'fail');
    assert.equal(result.stats.attempts, 2);
    assert.equal(f.newSigs.length, 2, 'the cached sig was dropped and a new one made');
    const again = await fixture();
    script(again, fail(60004));
    assert.equal((await adminSetMsgRead(again.client, { reportAccount: 'a', peerAccount: 'b' })).status, 'ok');
    assert.equal(again.newSigs.length, 2);
  });

  it('retries 60008 once only', async () => {
    const f = await fixture();
    script(f, fail(60008), fail(60008), fail(60008));
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'fail');
    assert.equal(result.stats.attempts, 2);
  });

  for (const code of [60007, 60011, 60018, 60019]) {
    it(`slows the whole client down and retries on frequency limit ${code}`, async () => {
      const f = await fixture();
      script(f, fail(code), fail(code));
      const pacer = f.client.pacerFor(ADMIN_SET_MSG_READ);
      assert.equal(pacer.currentLimit, 190);
      const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
      assert.equal(result.status, 'ok');
      assert.equal(result.stats.attempts, 3);
      assert.equal(pacer.currentLimit, 47, 'halved twice');
    });
  }

  it('treats 502, malformed bodies, non-envelope JSON and hang-ups as transport failures and retries them', async () => {
    const f = await fixture();
    script(f, { status: 502 }, { raw: '<html>oops' }, { json: { hello: 1 } }, { hangUp: true });
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'ok');
    assert.equal(result.stats.attempts, 5);
  });

  it('decides success by ActionStatus and ErrorCode, not by HTTP 200', async () => {
    const f = await fixture();
    f.standIn.behave = () => ({ json: { ActionStatus: 'OK', ErrorCode: 70402, ErrorInfo: 'odd' } });
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'fail');
  });

  it('times out slow attempts and bounds the whole call by the deadline', async () => {
    const f = await fixture({ settings: { timeoutMs: 150, deadlineMs: 1_500 } });
    f.standIn.behave = () => ({ ...ok(), delayMs: 5_000 });
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'unreachable');
    assert.equal(result.status === 'unreachable' && result.failure.kind, 'timeout');
    // Every attempt is cut off after 150 ms, and no new one starts without 500 ms left: the deadline, not the
    // 5 s answers, ends the call, after at most 1,000 / 150 attempts.
    assert.ok(result.stats.attempts >= 2 && result.stats.attempts <= 7, `attempts ${result.stats.attempts}`);
    assert.equal(f.standIn.arrivals.length, result.stats.attempts);
  });

  it('recovers when a slow answer is followed by a fast one', async () => {
    // A timeout a loaded machine's fast answer cannot miss, and a slow answer far past it.
    const f = await fixture({ settings: { timeoutMs: 500, deadlineMs: 4_000 } });
    script(f, { ...ok(), delayMs: 2_000 });
    const result = await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'ok');
    assert.equal(result.stats.attempts, 2);
  });

  it('moves to the backup host when the primary refuses connections', async () => {
    const probe = createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const deadPort = (probe.address() as { port: number }).port;
    await new Promise((resolve) => probe.close(resolve));
    const f = await fixture();
    const backupOnly = await fixture({
      settings: { endpoint: { primary: new URL(`http://127.0.0.1:${deadPort}/`), backup: new URL(f.standIn.url) } },
    });
    const result = await adminSetMsgRead(backupOnly.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(result.status, 'ok');
    assert.equal(result.stats.attempts, 2);
    assert.equal(result.stats.host, new URL(f.standIn.url).host);
    // The next call goes straight to the backup.
    const second = await adminSetMsgRead(backupOnly.client, { reportAccount: 'a', peerAccount: 'b' });
    assert.equal(second.stats.attempts, 1);
    assert.ok(backupOnly.logs.text.includes('using the backup host'));
  });

  it('has a meaning, an action and a retry class for every catalogued code, and reports unknown codes as such', () => {
    assert.ok(KNOWN_ERROR_CODES.length >= 50);
    for (const code of KNOWN_ERROR_CODES) {
      const e = explainError(code);
      assert.ok(e.known && e.meaning.length > 10 && e.action.length > 10, String(code));
    }
    const unknown = explainError(12345, 'strange thing');
    assert.equal(unknown.known, false);
    assert.equal(unknown.retry, 'never');
    assert.match(unknown.meaning, /Unknown error code 12345: strange thing/);
  });

  it('writes one audit line per mark, in the documented schema, with no secret or UserSig anywhere in the logs', async () => {
    const f = await fixture();
    script(f, { status: 502 }, fail(70001));
    const sink = new Audit([new AuditLogOutlet(f.logger)]);
    const scope = { sink, actor: { kind: 'cli' as const, osUser: 'ops', host: 'box' }, via: 'cli' as const };
    const { outcome } = await markReadWithProof(f, { user: 'alice', peer: 'bob' }, scope);
    assert.equal(outcome.status, 'ok');
    f.logger.flush();
    const audits = f.logs.records.filter((r) => typeof r.audit === 'object');
    assert.equal(audits[0]?.msg, 'audit mark: alice ↔ bob ok (unread 0 → 0)');
    assert.equal(audits.length, 1);
    const event = AuditEventSchema.parse(audits[0]?.audit);
    assert.deepEqual(
      { ...event, id: undefined, at: undefined },
      {
        id: undefined,
        at: undefined,
        kind: 'mark',
        actor: { kind: 'cli', osUser: 'ops', host: 'box' },
        via: 'cli',
        app: { name: 'test', sdkAppId: SDK_APP_ID },
        target: { user: 'alice', peers: ['bob'] },
        outcome: { status: 'ok', actionStatus: 'OK', errorCode: 0, errorInfo: '', unreadBefore: 0, unreadAfter: 0 },
      },
    );
    assert.ok(f.newSigs.length === 2);
    for (const secret of [SECRET_KEY, ...f.newSigs])
      assert.ok(!f.logs.text.includes(secret), 'a secret reached the log');
  });

  it('redacts UserSigs and keys that slip into log messages', async () => {
    const f = await fixture();
    await adminSetMsgRead(f.client, { reportAccount: 'a', peerAccount: 'b' });
    const sig = f.newSigs[0] as string;
    f.logger.error(
      { err: new Error(`failed calling https://x/?usersig=${encodeURIComponent(sig)}&random=1`) },
      `key was ${SECRET_KEY}, sig ${sig}`,
    );
    f.logger.flush();
    const text = f.logs.text;
    assert.ok(!text.includes(sig) && !text.includes(encodeURIComponent(sig)) && !text.includes(SECRET_KEY));
    assert.ok(text.includes('usersig=[redacted]'));
  });
});
