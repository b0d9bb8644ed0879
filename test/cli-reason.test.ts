import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { auditLines } from './support/audit-capture.js';
import { runCli } from './support/cli-run.js';
import { ADMIN, imEnv, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';

/** The audit events on the CLI's stderr (LOG_LEVEL=info, JSON lines as it is not a terminal). */
const auditOf = (stderr: string) =>
  auditLines(
    stderr
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>),
  );

describe('markread CLI --reason', () => {
  const standIn = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  let env: Record<string, string>;
  before(async () => {
    env = { ...imEnv(await standIn.start()), TIM_TIMEOUT_MS: '500', TIM_DEADLINE_MS: '1500', LOG_LEVEL: 'info' };
  });
  after(() => standIn.stop());

  it('the reason reaches every audit line of the command', async () => {
    const one = await runCli(['alice', 'bob', '--reason', 'ticket 123: badge stuck'], env);
    assert.equal(one.code, 0, one.stderr);
    const [mark] = auditOf(one.stderr).filter((e) => e.kind === 'mark');
    assert.equal(mark?.reason, 'ticket 123: badge stuck');
    assert.equal(mark?.actor.kind, 'cli');

    const many = await runCli(['alice', 'carol', 'dave', '--reason=INC-9: after the migration'], env);
    assert.equal(many.code, 0, many.stderr);
    const events = auditOf(many.stderr);
    assert.deepEqual(
      events.map((e) => [e.kind, e.reason]),
      [
        ['run-requested', 'INC-9: after the migration'],
        ['mark', 'INC-9: after the migration'],
        ['mark', 'INC-9: after the migration'],
        ['run-finished', 'INC-9: after the migration'],
      ],
    );
  });

  it('a run over MARKREAD_APPROVAL_OVER goes ahead (the CLI cannot be gated), warns, and is on record as not approved', async () => {
    const over = await runCli(['gail', 'p1', 'p2', 'p3'], { ...env, MARKREAD_APPROVAL_OVER: '2' });
    assert.equal(over.code, 0, over.stderr);
    assert.match(
      over.stderr,
      /warning: 3 conversations is over MARKREAD_APPROVAL_OVER=2\. In Slack this run would wait/,
    );
    const events = auditOf(over.stderr).filter((e) => e.kind.startsWith('run-'));
    assert.deepEqual(
      events.map((e) => [e.kind, e.approval]),
      [
        ['run-requested', 'not-approved'],
        ['run-finished', 'not-approved'],
      ],
    );
    const under = await runCli(['gail', 'p1', 'p2'], { ...env, MARKREAD_APPROVAL_OVER: '2' });
    assert.doesNotMatch(under.stderr, /MARKREAD_APPROVAL_OVER/);
  });

  it('an --all over MARKREAD_APPROVAL_OVER is warned about once, before the go-ahead', async () => {
    standIn.seed('hana', { h1: 1, h2: 1, h3: 1 });
    const all = await runCli(['hana', '--all', '--yes'], { ...env, MARKREAD_APPROVAL_OVER: '2' });
    assert.equal(all.code, 0, all.stderr);
    const warnings = all.stderr.match(/warning: 3 conversations is over MARKREAD_APPROVAL_OVER=2/g) ?? [];
    assert.equal(warnings.length, 1, all.stderr);
    assert.ok(
      all.stderr.indexOf('warning: 3 conversations') < all.stderr.indexOf('marking them read'),
      'the warning comes before the run goes ahead',
    );
    assert.equal(auditOf(all.stderr).find((e) => e.kind === 'run-finished')?.approval, 'not-approved');
  });

  it('with MARKREAD_REQUIRE_REASON=true a change without a reason is a usage error with an example, calling nothing', async () => {
    standIn.arrivals.length = 0;
    const required = { ...env, MARKREAD_REQUIRE_REASON: 'true' };
    const none = await runCli(['erin', 'frank'], required);
    assert.equal(none.code, 2);
    assert.match(none.stderr, /usage error, nothing was called/);
    assert.match(none.stderr, /a reason is required .* e\.g\. --reason "ticket 123: badge stuck"/);
    const short = await runCli(['erin', 'frank', '--reason', 'stuck'], required);
    assert.equal(short.code, 2);
    assert.match(short.stderr, /the reason "stuck" is too short/);
    assert.deepEqual(standIn.arrivals, [], 'nothing reached the IM API');

    const check = await runCli(['erin', '--check', '--json'], required);
    assert.equal(check.code, 0, check.stderr);
    assert.ok(standIn.arrivals.length > 0, 'the check looked');
  });

  it('a wrong MARKREAD_REASON_MIN is a configuration error naming the variable; --help still works', async () => {
    const bad = await runCli(['alice', 'bob'], { ...env, MARKREAD_REASON_MIN: 'ten' });
    assert.equal(bad.code, 2);
    assert.match(
      bad.stderr,
      /configuration error, nothing was called:\n {2}- MARKREAD_REASON_MIN: expected a whole number/,
    );
    const help = await runCli(['--help'], { ...env, MARKREAD_REASON_MIN: 'ten' });
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--reason "<why>"/);
  });
});
