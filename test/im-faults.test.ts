import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { markReadRequest } from '../src/domain/mark-read-request.js';
import { markReadWithProof, runMarkRead } from '../src/domain/mark-read-run.js';
import { AuditCapture } from './support/audit-capture.js';
import { fixturePool } from './support/im-fixture.js';

const pool = fixturePool();
after(pool.closeAll);
const AUDIT = new AuditCapture().scope();

describe('the IM API slow, failing or down', () => {
  it('a count that hangs gets only its share: the outcome comes before the count would answer, marked, count unknown', async () => {
    const f = await pool.fixture({ settings: { deadlineMs: 4_000, timeoutMs: 3_500 } });
    f.standIn.seed('alice', { bob: 5 });
    // The count hangs far past the deadline; only markread's own time limit can end the wait for it.
    f.standIn.behave = (a) =>
      a.command === 'v4/openim/get_c2c_unread_msg_num' ? { hangUp: true, delayMs: 60_000 } : undefined;
    const result = await markReadWithProof(f, markReadRequest('alice', 'bob'), AUDIT);
    assert.equal(result.outcome.status, 'ok');
    assert.equal(result.before.known, false);
    const waited = Number(/no answer within ([\d.]+) ms/.exec((result.before as { reason: string }).reason)?.[1]);
    assert.ok(waited <= 2_000, `the count waited ${waited} ms of its share, not the whole 4 s deadline`);
    assert.equal(f.standIn.accepted().length, 1, 'the mark went ahead');
  });

  it('sends no attempt with less than 500 ms left', async () => {
    const f = await pool.fixture({ settings: { deadlineMs: 1_300, timeoutMs: 1_000 } });
    f.standIn.behave = () => ({ hangUp: true, delayMs: 2_000 });
    const result = await f.client.call(
      {
        command: 'v4/openim/admin_set_msg_read',
        response: (await import('../src/im/response.js')).imEnvelope,
        maxRps: 200,
      },
      { Report_Account: 'a', Peer_Account: 'b' },
    );
    assert.equal(result.status, 'unreachable');
    // The first attempt times out after 1 s, leaving at most 300 ms of the 1.3 s deadline: too little for another.
    assert.equal(f.standIn.arrivals.length, 1);
    assert.equal(result.stats.attempts, 1);
  });

  it('a 400-pair run over a dead API ends after few requests, one warning per breaker state change, and says what was not done', async () => {
    const f = await pool.fixture({
      settings: { deadlineMs: 5_000, timeoutMs: 1_000 },
      client: {
        backoff: { baseMs: 200, slowDownBaseMs: 400, capMs: 2_000 },
        breaker: { threshold: 5, cooldownMs: 30_000 },
      },
    });
    f.standIn.behave = () => ({ status: 502, text: '<html>bad gateway</html>' });
    const pairs = Array.from({ length: 400 }, (_, i) => markReadRequest('dead', `p${i}`));
    const summary = await runMarkRead(f, pairs, { audit: AUDIT });
    const warnings = f.logs.records.filter((r) => r.level === 40);
    console.log(
      `# dead API: 400 pairs, ${f.standIn.arrivals.length} requests sent, ${warnings.length} warning line(s)`,
    );
    assert.equal(summary.ok, 0);
    assert.equal(summary.failed, 400);
    assert.ok(warnings.length <= 3, warnings.map((w) => w.msg).join(' | '));
    assert.ok(warnings.some((w) => /circuit open/.test(String(w.msg))));
    const group = summary.failures.find((g) => /IM API unreachable since \d\d:\d\d:\d\d UTC/.test(g.meaning));
    assert.ok(group, JSON.stringify(summary.failures.map((g) => g.meaning)));
    assert.ok(f.standIn.arrivals.length < 100, `${f.standIn.arrivals.length} requests reached a dead host`);
  });

  it('closes the circuit again after a successful probe', async () => {
    const f = await pool.fixture({
      settings: { deadlineMs: 2_000, timeoutMs: 500 },
      client: { breaker: { threshold: 2, cooldownMs: 300 } },
    });
    f.standIn.behave = () => ({ status: 503 });
    for (let i = 0; i < 3; i++) await markReadWithProof(f, markReadRequest('a', `b${i}`), AUDIT);
    assert.equal(f.client.breakerFor(new URL(f.standIn.url).host).current, 'open');
    f.standIn.behave = undefined;
    // Lets the 300 ms cool-down pass (a timer never fires early): the next call is the probe.
    await new Promise((r) => setTimeout(r, 350));
    const result = await markReadWithProof(f, markReadRequest('a', 'b9'), AUDIT);
    assert.equal(result.outcome.status, 'ok');
    assert.equal(f.client.breakerFor(new URL(f.standIn.url).host).current, 'closed');
    assert.ok(f.logs.records.some((r) => /answers again/.test(String(r.msg))));
  });
});
