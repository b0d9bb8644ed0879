import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { auditLines } from './support/audit-capture.js';
import { runCli } from './support/cli-run.js';
import { ADMIN, imEnv, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { messageText, type SlackFixture, startSlackFixture } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const MARK = 'v4/openim/admin_set_msg_read';
const MARK_CONTACT = 'v4/recentcontact/mark_contact';

/**
 * Bob's badge: alice sent 3 unread messages; carol's conversation has none but Bob marked it unread by hand (the
 * badge stays at "1" though the count is 0); dave's is read; and a group conversation also counts in the badge.
 */
function seedBob(im: ImStandIn): void {
  im.conversations.set('bob', [
    { peer: 'alice', type: 1, unread: 3, msgTime: 30 },
    { peer: 'carol', type: 1, unread: 0, msgTime: 20, marks: [2] },
    { peer: 'dave', type: 1, unread: 0, msgTime: 10, marks: [1] },
    { peer: 'ops-room', type: 2, unread: 5, msgTime: 25 },
  ]);
}
const markOf = (im: ImStandIn, peer: string) => im.conversations.get('bob')?.find((c) => c.peer === peer)?.marks ?? [];

describe('--check and --clear-marks in the CLI', () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  let env: Record<string, string>;
  before(async () => {
    env = { ...imEnv(await im.start()), TIM_TIMEOUT_MS: '1000', TIM_DEADLINE_MS: '3000' };
  });
  beforeEach(() => {
    seedBob(im);
    im.arrivals.length = 0;
    im.edition = 'full';
    im.ignoreClearMark = false;
    im.markBitOrder = 'msb-first';
  });
  after(() => im.stop());

  it('finds the hand-marked conversation and the group, says what it would do, and changes nothing', async () => {
    const { code, stdout, stderr } = await runCli(['bob', '--check'], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /read-only: nothing was changed/);
    assert.match(stdout, /Unread total +3 in one-to-one conversations/);
    assert.match(stdout, /1 with unread messages, 2 without/);
    assert.match(stdout, /alice +unread 3/);
    assert.match(
      stdout,
      /carol +unread 0 +marked unread by the user: markread can clear it with --clear-marks \(StandardMark 000000010\)/,
    );
    assert.doesNotMatch(stdout, /dave +unread/, 'a starred conversation is not "marked unread"');
    assert.match(
      stdout,
      /1 group conversation \(ops-room\) also count.*no supported API marks a group conversation read/,
    );
    assert.match(stdout, /markread would mark 1 conversation read \(3 unread\), clear 1 unread mark/);
    assert.match(stdout, /To do it: markread bob alice carol --clear-marks/);
    assert.equal(im.accepted(MARK).length + im.accepted(MARK_CONTACT).length, 0, 'no mark, no unmark');
  });

  it('answers --check --json with every finding, and only existing accounts', async () => {
    const { code, stdout } = await runCli(['bob', 'alice', 'nobody', '--check', '--json'], { ...env });
    assert.equal(code, 0);
    const { check } = JSON.parse(stdout) as { check: Record<string, unknown> };
    assert.equal(check.userExists, true);
    assert.equal(check.totalUnread, 3);
    assert.deepEqual(
      (check.conversations as Array<{ peer: string }>).map((c) => c.peer),
      ['alice', 'nobody'],
      'the named peers only',
    );
    assert.equal((check.plan as { summary: string }).summary, 'mark 1 conversation read (3 unread)');
  });

  it('says so when the user does not exist, and looks no further', async () => {
    const strict = new ImStandIn({
      sdkAppId: SDK_APP_ID,
      identifier: ADMIN,
      secretKey: SECRET_KEY,
      accounts: new Set(['bob']),
    });
    const url = await strict.start();
    try {
      const { code, stdout } = await runCli(['Bob', '--check'], { ...env, ...imEnv(url) });
      assert.equal(code, 1);
      assert.match(stdout, /Bob does not exist in this IM app/);
      assert.deepEqual(strict.accepted('v4/recentcontact/get_list'), []);
    } finally {
      await strict.stop();
    }
  });

  it('--clear-marks marks read, clears the hand mark, and proves both: unread 0 → 0, mark set → cleared', async () => {
    const { code, stdout, stderr } = await runCli(['bob', 'carol', '--clear-marks'], env);
    assert.equal(code, 0, stderr);
    assert.match(stdout, /Unread +0 → 0/);
    assert.match(stdout, /carol: unread mark: set → cleared/);
    assert.deepEqual(markOf(im, 'carol'), []);
    const clear = im.accepted(MARK_CONTACT)[0]?.body as { MarkItem: unknown[] };
    assert.deepEqual(clear.MarkItem, [{ OptType: 1, ContactItem: { Type: 1, To_Account: 'carol' }, ClearMark: [2] }]);
  });

  for (const order of ['msb-first', 'lsb-first'] as const)
    it(`finds and clears a hand mark whichever end of StandardMark holds bit 0 (${order})`, async () => {
      im.markBitOrder = order;
      const check = await runCli(['bob', '--check'], env);
      assert.match(check.stdout, /carol +unread 0 +marked unread by the user/);
      assert.doesNotMatch(check.stdout, /dave +unread/, 'starred (bit 0) is not taken for "marked unread"');
      const { code, stdout } = await runCli(['bob', 'carol', '--clear-marks'], env);
      assert.equal(code, 0, stdout);
      assert.match(stdout, /carol: unread mark: set → cleared/);
      assert.deepEqual(markOf(im, 'carol'), []);
    });

  it('says "maybe" with the string where the two readings disagree, clears, and proves it by reading again', async () => {
    // Four characters keep both readings plausible: folded (3) as a binary number, marked unread (2) bit 0 first.
    im.conversations.set('bob', [{ peer: 'erin', type: 1, unread: 0, msgTime: 5, standardMark: '0100' }]);
    const check = await runCli(['bob', '--check'], env);
    assert.match(
      check.stdout,
      /erin +unread 0 +maybe marked unread by the user.*\(StandardMark 0100: the docs leave open/,
    );
    const fix = await runCli(['bob', 'erin', '--clear-marks'], env);
    assert.match(
      fix.stdout,
      /erin: unread mark: set → still set \(could not clear: still possibly marked when read again \(StandardMark 0100\)/,
    );
    const clear = im.accepted(MARK_CONTACT)[0]?.body as { MarkItem: unknown[] };
    assert.deepEqual(clear.MarkItem, [{ OptType: 1, ContactItem: { Type: 1, To_Account: 'erin' }, ClearMark: [2] }]);
  });

  it('never claims a clear the second reading does not confirm', async () => {
    im.ignoreClearMark = true;
    const { code, stdout } = await runCli(['bob', 'carol', '--clear-marks'], env);
    assert.equal(code, 1);
    assert.match(stdout, /still set \(could not clear: still marked when read again \(StandardMark 000000010\)\)/);
    assert.doesNotMatch(stdout, /set → cleared/);
  });

  it('says once per run that the edition has no conversation marks (51013), not once per pair', async () => {
    im.edition = 'basic';
    const check = await runCli(['bob', '--check'], env);
    assert.match(check.stdout, /Unread marks +cannot be read: .*51013/);
    const many = await runCli(['bob', 'alice', 'carol', 'dave', '--clear-marks'], env);
    assert.equal(many.code, 1);
    assert.equal((many.stdout.match(/51013/g) ?? []).length, 1, many.stdout);
    assert.equal(im.accepted(MARK).length, 3, 'the marks read were still made');
  });
});

describe('--check and --clear-marks in Slack', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture();
  });
  beforeEach(() => {
    seedBob(f.im);
  });
  after(() => f.close());

  it('answers /markread bob --check privately, changes nothing, and its Fix it button fixes exactly that', async () => {
    const marksBefore = f.im.accepted(MARK).length;
    const ack = JSON.parse((await f.command('bob --check', { responseId: 'check-bob' })).body) as { text: string };
    assert.match(ack.text, /Checking `bob`'s badge \(read-only/);
    await waitFor(() => f.slack.responses.some((r) => r.id === 'check-bob'), { what: 'the response to check-bob' });
    const answer = f.slack.responses.find((r) => r.id === 'check-bob')?.body ?? {};
    const text = messageText(answer);
    assert.match(
      text,
      /`carol`: unread 0 · _marked unread by the user: markread can clear it with --clear-marks \(StandardMark 000000010\)_/,
    );
    assert.match(text, /no supported API marks a group conversation read for one member/);
    assert.match(text, /markread would\* mark 1 conversation read \(3 unread\), clear 1 unread mark/);
    assert.equal(f.im.accepted(MARK).length, marksBefore, 'a check makes no mark');
    f.runtime.logger.flush();
    const checks = auditLines(f.logs.records).filter((e) => e.kind === 'check' && e.target?.user === 'bob');
    assert.equal(checks.length, 1, 'the check is on record');
    assert.equal(checks[0]?.outcome?.status, 'checked');

    const blocks = answer.blocks as Array<{ elements?: Array<{ action_id: string; value: string }> }>;
    const fix = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'markread_all_confirm');
    assert.ok(fix, 'a Fix it button');
    await f.press('markread_all_confirm', fix.value, { user: 'U0SOMEONE', responseId: 'other' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'other'), { what: 'the response to other' });
    assert.match(messageText(f.slack.responses.find((r) => r.id === 'other')?.body ?? {}), /Only <@U0ONCALL>/);

    const before = f.slack.calls.length;
    await f.press('markread_all_confirm', fix.value, { responseId: 'fix' });
    await waitFor(
      () => f.slack.calls.slice(before).some((c) => /Unread marks\*: 1 set → 1 cleared/.test(messageText(c.args))),
      { what: 'the unread mark cleared' },
    );
    assert.equal(f.im.conversations.get('bob')?.find((c) => c.peer === 'alice')?.unread, 0);
    assert.deepEqual(markOf(f.im, 'carol'), []);
    assert.deepEqual(markOf(f.im, 'dave'), [1], 'other marks untouched');
    await f.press('markread_all_confirm', fix.value, { responseId: 'again' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'again'), { what: 'the response to again' });
    assert.match(messageText(f.slack.responses.find((r) => r.id === 'again')?.body ?? {}), /already/);
  });

  it('/markread bob carol --clear-marks shows unread 0 → 0 and the mark set → cleared in the thread', async () => {
    const before = f.slack.calls.length;
    await f.command('bob carol --clear-marks');
    await waitFor(
      () => f.slack.calls.slice(before).some((c) => c.args.thread_ts && /Unread marks/.test(messageText(c.args))),
      { what: 'a reply in the thread' },
    );
    const reply = f.slack.calls.slice(before).find((c) => c.args.thread_ts && /Unread marks/.test(messageText(c.args)));
    assert.match(messageText(reply?.args ?? {}), /\*Unread marks\*: 1 set → 1 cleared \(`carol`: set → cleared\)/);
    assert.deepEqual(markOf(f.im, 'carol'), []);
  });
});
