import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../src/audit/event.js';
import { auditLines } from './support/audit-capture.js';
import { messageText, type SlackFixture, startSlackFixture } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

/** The IM calls made for `account` (as user or peer), whatever the API. */
const callsFor = (f: SlackFixture, account: string) =>
  f.im.arrivals.filter((a) => JSON.stringify(a.body).includes(`"${account}"`));

/** Audit events of `kind` about `user`, read back from the app's log lines. */
const eventsFor = (f: SlackFixture, kind: AuditEvent['kind'], user: string) =>
  auditLines(f.logs.records).filter((e) => e.kind === kind && e.target?.user === user);

/** The ack's text and blocks, as the requester sees them. */
const ackText = (body: string) => messageText(JSON.parse(body) as Record<string, unknown>);

/** Sends `text`, waits for the parent message to be edited with the outcome; returns the parent's final text. */
async function markedWithParent(f: SlackFixture, text: string): Promise<string> {
  const before = f.slack.calls.length;
  const ack = await f.command(text);
  assert.equal(ack.status, 200);
  const update = await waitFor(() => f.slack.calls.slice(before).find((c) => c.method === 'chat.update'), {
    what: `the parent message of "${text}" edited with the outcome`,
  });
  const parent = f.slack.calls.slice(before).find((c) => c.method === 'chat.postMessage' && !c.args.thread_ts);
  assert.ok(parent, 'a parent message');
  assert.equal(messageText(parent.args).split('\n')[1], messageText(update.args).split('\n')[1], 'the edit keeps it');
  return messageText(update.args);
}

/** The parent message of a bulk run started after Slack call `before`, once it says the run finished. */
async function runFinished(f: SlackFixture, before: number): Promise<string> {
  const done = await waitFor(
    () =>
      f.slack.calls
        .slice(before)
        .find((c) => c.method === 'chat.update' && /Finished: summary/.test(messageText(c.args))),
    { what: 'the bulk run to finish' },
  );
  return messageText(done.args);
}

/** Each of a two-peer run's marks, and its end, carry `reason`. */
function assertRunReason(f: SlackFixture, user: string, reason: string): void {
  const events = [...eventsFor(f, 'mark', user), ...eventsFor(f, 'run-finished', user)];
  assert.deepEqual(
    events.map((e) => [e.kind, e.reason]),
    [
      ['mark', reason],
      ['mark', reason],
      ['run-finished', reason],
    ],
  );
}

describe('--reason in Slack, end to end over signed HTTP (reason optional)', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture();
  });
  after(() => f.close());

  it('a reason in straight quotes reaches the IM call, the parent message and the audit event', async () => {
    const parent = await markedWithParent(f, 'alice bob --reason "ticket 123: badge stuck"');
    assert.match(parent, /\n\*Reason\*: `ticket 123: badge stuck`$/);
    assert.ok(
      f.im.accepted().some((a) => JSON.stringify(a.body) === '{"Report_Account":"alice","Peer_Account":"bob"}'),
      'the mark reached the IM stand-in',
    );
    const [mark] = eventsFor(f, 'mark', 'alice');
    assert.equal(mark?.reason, 'ticket 123: badge stuck');
    assert.equal(mark?.via, 'command');
  });

  it('a reason in curly quotes, as phones type them, does the same', async () => {
    const parent = await markedWithParent(f, 'carol dave --reason “ticket 124: badge stuck”');
    assert.match(parent, /\n\*Reason\*: `ticket 124: badge stuck`$/);
    assert.equal(eventsFor(f, 'mark', 'carol')[0]?.reason, 'ticket 124: badge stuck');
  });

  it('a reason with <!channel> and *bold* is shown escaped and inert, and kept as typed in the audit event', async () => {
    // Slack sends a typed <!channel> raw, and escapes a typed & as &amp;.
    const parent = await markedWithParent(f, 'erin frank --reason "<!channel> look *now* &amp; fast"');
    assert.match(parent, /\*Reason\*: `&lt;!channel&gt; look \*now\* &amp; fast`$/);
    assert.doesNotMatch(parent, /<!channel>/);
    assert.equal(eventsFor(f, 'mark', 'erin')[0]?.reason, '<!channel> look *now* & fast');
  });

  it('a too-short reason is refused with the usage, and nothing is called', async () => {
    const ack = await f.command('gina hank --reason "."');
    assert.match(ackText(ack.body), /the reason "\." is too short: say why in at least 10 characters/);
    assert.match(ackText(ack.body), /\*Usage\*/);
    const unclosed = await f.command('gina hank --reason "ticket 123 stuck');
    assert.match(ackText(unclosed.body), /Nothing was done: the quote " in .* is never closed: end it with "/);
    await markedWithParent(f, 'ivan judy');
    assert.deepEqual(callsFor(f, 'gina'), [], 'nothing was called for gina');
  });

  it('a many-peer run shows its reason on the parent, and every event of the run carries it', async () => {
    const before = f.slack.calls.length;
    await f.command('kim lee mo --reason "INC-7: badges after migration"');
    assert.match(await runFinished(f, before), /\n\*Reason\*: `INC-7: badges after migration`$/);
    assertRunReason(f, 'kim', 'INC-7: badges after migration');
  });

  it('--all shows the reason in its confirmation, and the confirmed run carries it', async () => {
    f.im.seed('nora', { p1: 2, p2: 3 });
    await f.command('nora --all --reason "ticket 9: all of them"', { responseId: 'all-nora' });
    const prompt = await waitFor(() => f.slack.responses.find((r) => r.id === 'all-nora')?.body, {
      what: 'the --all confirmation',
    });
    assert.match(messageText(prompt), /\*Reason\*: `ticket 9: all of them`/);
    const runId = JSON.stringify(prompt).match(/"value":"([^"]+)"/)?.[1] ?? '';
    const before = f.slack.calls.length;
    await f.press('markread_all_confirm', runId);
    assert.match(await runFinished(f, before), /\*Reason\*: `ticket 9: all of them`/);
    assertRunReason(f, 'nora', 'ticket 9: all of them');
  });
});

describe('MARKREAD_REQUIRE_REASON=true in Slack', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture({ env: { MARKREAD_REQUIRE_REASON: 'true', MARKREAD_REASON_MIN: '12' } });
  });
  after(() => f.close());

  it('a change without a reason gets the usage with an example, and nothing is called', async () => {
    for (const text of ['alice bob', 'alice bob carol', 'alice --all']) {
      const ack = await f.command(text);
      const shown = ackText(ack.body);
      assert.match(shown, /a reason is required for every change here .*at least 12 characters/, text);
      assert.match(shown, /e\.g\. --reason "ticket 123: badge stuck"/, text);
      assert.match(shown, /`\/markread alice bob --reason "ticket 123: badge stuck"`/, 'the usage has the example');
    }
    await markedWithParent(f, 'dave erin --reason "ticket 55: stuck badge"');
    assert.deepEqual(callsFor(f, 'alice'), [], 'nothing was called for alice');
  });

  it('a check needs no reason', async () => {
    await f.command('zoe --check', { responseId: 'check-zoe' });
    const answer = await waitFor(() => f.slack.responses.find((r) => r.id === 'check-zoe')?.body, {
      what: 'the answer of the check',
    });
    assert.match(messageText(answer), /Check of `zoe`'s badge/);
    assert.ok(callsFor(f, 'zoe').length > 0, 'the check looked');
  });

  it('the form requires a reason of the least length, says so in its hint, and shows errors on the field', async () => {
    const before = f.slack.calls.length;
    await f.command('');
    const open = await waitFor(() => f.slack.calls.slice(before).find((c) => c.method === 'views.open'), {
      what: 'the form to open',
    });
    const view = open.args.view as {
      blocks: Array<{ block_id?: string; optional?: boolean; hint?: { text: string } }>;
    };
    const field = view.blocks.find((b) => b.block_id === 'reason');
    assert.equal(field?.optional, false);
    assert.match(field?.hint?.text ?? '', /at least 12 characters/);

    const missing = JSON.parse((await f.submitModal({ user: 'ulla', peer: 'vic', read_time: '' })).body);
    assert.deepEqual(Object.keys(missing.errors), ['reason']);
    assert.match(missing.errors.reason, /A reason is required here: at least 12 characters/);
    const short = JSON.parse((await f.submitModal({ user: 'ulla', peer: 'vic', reason: 'because' })).body);
    assert.match(short.errors.reason, /Too short/);
    assert.deepEqual(callsFor(f, 'ulla'), []);

    const calls = f.slack.calls.length;
    const ok = await f.submitModal({ user: 'ulla', peer: 'vic', reason: 'ticket 77: form reason' });
    assert.equal(ok.body, '');
    const update = await waitFor(() => f.slack.calls.slice(calls).find((c) => c.method === 'chat.update'), {
      what: 'the form’s mark to finish',
    });
    assert.match(messageText(update.args), /\*Reason\*: `ticket 77: form reason`/);
    const [mark] = eventsFor(f, 'mark', 'ulla');
    assert.equal(mark?.reason, 'ticket 77: form reason');
    assert.equal(mark?.via, 'modal');
  });
});
