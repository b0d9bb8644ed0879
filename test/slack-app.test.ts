import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { auditLines } from './support/audit-capture.js';
import { SECRET_KEY } from './support/im-fixture.js';
import {
  ALLOWED,
  BOT_TOKEN,
  CHANNEL,
  laterCommandDone,
  messageText,
  SIGNING_SECRET,
  type SlackFixture,
  startSlackFixture,
  threadReply,
} from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

/** The IM calls made for `account` (as user or peer), whatever the API. */
const callsFor = (f: SlackFixture, account: string) =>
  f.im.arrivals.filter((a) => JSON.stringify(a.body).includes(`"${account}"`));

describe('Slack app, end to end over signed HTTP', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture({
      accounts: new Set(['alice', 'bob', 'carol']),
      slack: {
        channelErrors: new Map([
          ['C0NOTIN', 'not_in_channel'],
          ['D0DM', 'channel_not_found'],
        ]),
      },
    });
  });
  after(() => f.close());

  it('answers /healthz once ready', async () => {
    const res = await request(`http://127.0.0.1:${f.port}/healthz`);
    assert.equal(res.statusCode, 200);
    assert.equal(((await res.body.json()) as { ok: boolean }).ok, true);
  });

  it('acks at once, posts who asked for what, and the outcome in the thread; marks the parent done', async () => {
    f.im.arrivals.length = 0;
    const before = f.slack.calls.length;
    const ack = await f.command('alice bob');
    assert.equal(ack.status, 200);
    const ackBody = JSON.parse(ack.body) as { response_type: string; text: string };
    assert.equal(ackBody.response_type, 'ephemeral');
    assert.match(ackBody.text, /Working on it/);
    await waitFor(() => f.slack.calls.slice(before).some((c) => c.method === 'chat.update'), {
      what: 'the parent message edited with the outcome',
    });
    const calls = f.slack.calls.slice(before);
    const [parent, reply] = calls.filter((c) => c.method === 'chat.postMessage');
    assert.ok(parent && reply);
    assert.equal(parent.args.channel, CHANNEL);
    assert.equal(parent.args.thread_ts, undefined);
    assert.match(
      messageText(parent.args),
      new RegExp(`<@${ALLOWED}> asked to mark \`alice\`'s one-to-one conversation with \`bob\` read`),
    );
    assert.equal(reply.args.channel, CHANNEL);
    assert.match(String(reply.args.thread_ts), /^1767225600\.\d{6}$/);
    const replyText = messageText(reply.args);
    assert.match(replyText, /Marked read/);
    assert.match(replyText, /\*ActionStatus\* `OK`/);
    assert.match(replyText, /\*ErrorCode\* `0`/);
    assert.match(replyText, /1 attempt/);
    const update = calls.find((c) => c.method === 'chat.update');
    assert.match(messageText(update?.args ?? {}), /:white_check_mark:.*Done/);
    assert.deepEqual(
      f.im.accepted().map((a) => a.body),
      [{ Report_Account: 'alice', Peer_Account: 'bob' }],
    );
    // The thread reply hangs under the parent message, and the update edits that same message.
    assert.equal(update?.args.ts, reply.args.thread_ts);
  });

  it('shows a failure with its meaning and next step, and marks the parent failed', async () => {
    const before = f.slack.calls.length;
    await f.command('alice ghost');
    await waitFor(() => f.slack.calls.slice(before).some((c) => c.method === 'chat.update'), {
      what: 'the parent message edited with the outcome',
    });
    const reply = f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage')[1];
    const text = messageText(reply?.args ?? {});
    assert.match(text, /Failed/);
    assert.match(text, /\*ActionStatus\* `FAIL`/);
    assert.match(text, /\*ErrorCode\* `90003`/);
    assert.match(text, /peer account \(Peer_Account\) is missing or does not exist/);
    assert.match(text, /What to do next/);
    assert.match(
      messageText(f.slack.calls.slice(before).find((c) => c.method === 'chat.update')?.args ?? {}),
      /:x:.*Failed/,
    );
  });

  it('reports an IM API that never answers in time as no answer, with what to do', async () => {
    const before = f.slack.calls.length;
    f.im.behave = () => ({ json: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }, delayMs: 5_000 });
    await f.command('alice bob');
    await waitFor(() => f.slack.calls.slice(before).some((c) => c.method === 'chat.update'), {
      what: 'the parent message edited with the outcome',
    });
    f.im.behave = undefined;
    const text = messageText(f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage')[1]?.args ?? {});
    assert.match(text, /No answer from the IM API/);
    assert.match(text, /timeout/);
    assert.match(text, /run it again/);
  });

  for (const [channel, error] of [
    ['C0NOTIN', 'not_in_channel'],
    ['D0DM', 'channel_not_found'],
  ] as const) {
    it(`sends the outcome through response_url when the bot cannot post (${error})`, async () => {
      const responseId = `fallback-${channel}`;
      await f.command('alice bob', { channel, responseId });
      await waitFor(() => f.slack.responses.some((r) => r.id === responseId), {
        what: `the response to ${responseId}`,
      });
      const response = f.slack.responses.find((r) => r.id === responseId);
      assert.equal(response?.body.response_type, 'ephemeral');
      const text = messageText(response?.body ?? {});
      assert.match(text, /Marked read/);
      assert.match(text, new RegExp(error));
      assert.match(text, /\/invite @markread/);
    });
  }

  it('refuses callers not on the allowlist, calls nothing, and logs the attempt', async () => {
    f.im.arrivals.length = 0;
    const ack = await f.command('alice bob', { user: 'U0STRANGER' });
    assert.equal(ack.status, 200);
    assert.match(
      (JSON.parse(ack.body) as { text: string }).text,
      /can't use \/markread: not on the markread allowlist/,
    );
    await waitFor(
      () =>
        auditLines(f.logs.records).some(
          (e) => e.kind === 'refused' && e.actor.kind === 'slack' && e.actor.user === 'U0STRANGER',
        ),
      { what: 'the refusal to be recorded' },
    );
    await laterCommandDone(f, 'carol', 'bob');
    assert.deepEqual(callsFor(f, 'alice'), [], 'nothing was called for the refused command');
  });

  it('answers help and malformed text with usage, only to the caller', async () => {
    for (const [text, expected] of [
      ['help', /Usage/],
      ['alice', /expected two UserIDs, &lt;user&gt; and &lt;peer&gt;, got 1/],
      ['<@U0BOB|bob> alice', /"@U0BOB" is a Slack mention, not a Tencent IM UserID/],
      ['<!channel> alice', /"!channel" is a Slack mention/],
      // Slack escapes &, <, > in command text; they are unescaped to validate and escaped again when echoed.
      ['a&amp;b bob', /user "a&amp;b" contains "&amp;" at position 2/],
      ['&lt;b&gt; bob', /"&lt;" at position 1/],
      ['alice alice', /two different accounts/],
      ['alice bob --read-time tomorrow', /not a whole number of Unix seconds/],
    ] as const) {
      const ack = await f.command(text);
      const body = JSON.parse(ack.body) as { response_type: string; text: string; blocks: unknown[] };
      assert.equal(body.response_type, 'ephemeral', text);
      assert.match(messageText(body as unknown as Record<string, unknown>), expected, text);
    }
  });

  it('opens the modal for /markread alone, carrying the channel and response_url', async () => {
    const before = f.slack.calls.length;
    const ack = await f.command('', { responseId: 'for-modal' });
    assert.equal(ack.status, 200);
    await waitFor(() => f.slack.calls.slice(before).some((c) => c.method === 'views.open'), {
      what: 'the modal to open',
    });
    const open = f.slack.calls.slice(before).find((c) => c.method === 'views.open');
    assert.equal(open?.args.trigger_id, '12345.67890.abcdef');
    const view = open?.args.view as {
      callback_id: string;
      private_metadata: string;
      blocks: Array<{ block_id?: string }>;
    };
    assert.equal(view.callback_id, 'markread_modal');
    const sealed = JSON.parse(view.private_metadata) as Record<string, string>;
    assert.deepEqual(
      { channelId: sealed.channelId, responseUrl: sealed.responseUrl },
      { channelId: CHANNEL, responseUrl: f.slack.responseUrl('for-modal') },
    );
    assert.match(sealed.mac ?? '', /^[0-9a-f]{64}$/, 'the metadata is sealed with an HMAC');
    assert.deepEqual(view.blocks.map((b) => b.block_id).filter(Boolean), ['user', 'peer', 'read_time', 'reason']);
  });

  it('answers invalid modal values inline on the offending field', async () => {
    f.im.arrivals.length = 0;
    const res = await f.submitModal({ user: 'alice', peer: 'bob smith', read_time: '' });
    assert.equal(res.status, 200);
    const body = JSON.parse(res.body) as { response_action: string; errors: Record<string, string> };
    assert.equal(body.response_action, 'errors');
    assert.deepEqual(Object.keys(body.errors), ['peer']);
    assert.match(body.errors.peer ?? '', /whitespace/);
    const both = JSON.parse(
      (await f.submitModal({ user: 'x'.repeat(33), peer: 'bob', read_time: `17${'0'.repeat(11)}` })).body,
    ) as { errors: Record<string, string> };
    assert.deepEqual(Object.keys(both.errors).sort(), ['read_time', 'user']);
    assert.equal(f.im.arrivals.length, 0);
  });

  it('runs a valid modal submission in the channel it came from', async () => {
    const before = f.slack.calls.length;
    const res = await f.submitModal({ user: 'carol', peer: 'bob', read_time: '1767225000' });
    assert.equal(res.status, 200);
    assert.equal(res.body, '');
    await waitFor(() => f.slack.calls.slice(before).some((c) => c.method === 'chat.update'), {
      what: 'the parent message edited with the outcome',
    });
    const reply = f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage')[1];
    assert.equal(reply?.args.channel, CHANNEL);
    assert.match(messageText(reply?.args ?? {}), /`carol`'s one-to-one conversation with `bob` up to/);
    assert.deepEqual(f.im.accepted().at(-1)?.body, {
      Report_Account: 'carol',
      Peer_Account: 'bob',
      MsgReadTime: 1767225000,
    });
  });

  it('checks the allowlist again on modal submission', async () => {
    f.im.arrivals.length = 0;
    const res = await f.submitModal({ user: 'alice', peer: 'bob', read_time: '' }, { user: 'U0STRANGER' });
    const body = JSON.parse(res.body) as { response_action: string; view: { title: { text: string } } };
    assert.equal(body.response_action, 'update');
    assert.equal(body.view.title.text, 'Not allowed');
    await laterCommandDone(f, 'carol', 'bob');
    assert.deepEqual(callsFor(f, 'alice'), [], 'nothing was called for the refused submission');
  });

  it('rejects forged and replayed requests with 401 and calls nothing', async () => {
    f.im.arrivals.length = 0;
    const forged = await f.command('alice bob', { signature: `v0=${'0'.repeat(64)}` });
    assert.equal(forged.status, 401);
    const stale = await f.command('alice bob', { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 });
    assert.equal(stale.status, 401);
    await laterCommandDone(f, 'carol', 'bob');
    assert.deepEqual(callsFor(f, 'alice'), [], 'nothing was called for the refused requests');
  });

  it('writes an audit line per operation with Slack team, user and channel', async () => {
    await f.submitModal({ user: 'carol', peer: 'alice', read_time: '' });
    await waitFor(() => threadReply(f.slack.calls, 'carol', 'alice'), { what: 'the outcome of carol ↔ alice' });
    await laterCommandDone(f, 'alice', 'ghost');
    f.runtime.logger.flush();
    const marks = auditLines(f.logs.records).filter((e) => e.kind === 'mark');
    const audit = marks.find((e) => e.target?.user === 'carol' && e.target.peers?.[0] === 'alice');
    assert.ok(audit);
    assert.deepEqual(audit.actor, { kind: 'slack', team: 'T0STANDIN', user: ALLOWED });
    assert.equal(audit.thread?.channel, CHANNEL);
    assert.match(audit.thread?.ts ?? '', /^\d+\.\d+$/, 'the thread it was answered in');
    assert.equal(audit.via, 'modal');
    // The API's own words, beside markread's reading of them, and the proof.
    assert.deepEqual(
      [audit.outcome?.status, audit.outcome?.actionStatus, audit.outcome?.errorCode, audit.outcome?.errorInfo],
      ['ok', 'OK', 0, ''],
    );
    assert.equal(audit.outcome?.unreadAfter, 0);
    const failed = marks.find((e) => e.target?.peers?.[0] === 'ghost');
    assert.ok(failed, 'a failed mark was audited');
    assert.equal(failed.outcome?.status, 'failed');
    assert.equal(failed.outcome?.actionStatus, 'FAIL');
    assert.equal(typeof failed.outcome?.errorCode, 'number');
    assert.equal(typeof failed.outcome?.errorInfo, 'string');
  });

  it('never logs the secret key, tokens or the signing secret', async () => {
    await laterCommandDone(f, 'alice', 'bob');
    f.runtime.logger.flush();
    assert.ok(
      auditLines(f.logs.records).some((e) => e.kind === 'mark'),
      'something was logged to look through',
    );
    for (const secret of [SECRET_KEY, BOT_TOKEN, SIGNING_SECRET]) assert.ok(!f.logs.text.includes(secret));
  });
});

describe('Slack app allowlist by user group', () => {
  it('allows group members, and falls back to the user list when Slack refuses the group', async () => {
    const f = await startSlackFixture({
      env: { MARKREAD_ALLOWED_USERS: 'U0ONCALL', MARKREAD_ALLOWED_USERGROUPS: 'S0ONCALL,S0PAID' },
      slack: {
        usergroups: new Map<string, string[] | string>([
          ['S0ONCALL', ['U0GROUPIE']],
          ['S0PAID', 'plan_upgrade_required'],
        ]),
      },
    });
    try {
      const member = await f.command('alice bob', { user: 'U0GROUPIE' });
      assert.match((JSON.parse(member.body) as { text: string }).text, /Working on it/);
      const outsider = await f.command('alice bob', { user: 'U0OUTSIDER' });
      assert.match((JSON.parse(outsider.body) as { text: string }).text, /can't use/);
      f.runtime.logger.flush();
      assert.ok(f.logs.records.some((r) => r.usergroup === 'S0PAID' && r.error === 'plan_upgrade_required'));
      await waitFor(() => f.slack.callsOf('chat.update').length === 1, {
        what: 'the parent message edited with the outcome',
      });
    } finally {
      await f.close();
    }
  });
});

describe('Slack app shutdown', () => {
  it('finishes a command in flight and posts its outcome before stopping', async () => {
    const f = await startSlackFixture();
    f.im.behave = () => ({ json: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }, delayMs: 600 });
    await f.command('alice bob');
    await waitFor(() => f.slack.callsOf('chat.postMessage').length === 1, { what: 'the parent message' });
    assert.equal(f.handle.inFlight.size, 1);
    const { drained } = await f.handle.stop(5_000);
    assert.equal(drained, true);
    assert.equal(f.slack.callsOf('chat.postMessage').length, 2, 'the thread reply was posted before stop() resolved');
    assert.match(messageText(f.slack.callsOf('chat.postMessage')[1]?.args ?? {}), /Marked read/);
    // No new requests after stop.
    await assert.rejects(f.command('alice bob'));
    await Promise.all([f.im.stop(), f.slack.stop()]);
  });

  it('refuses to start with an empty allowlist, naming the variable', async () => {
    const { loadSlackConfig } = await import('../src/config/slack-config.js');
    assert.throws(
      () => loadSlackConfig({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET }),
      /MARKREAD_ALLOWED_USERS: the allowlist is empty/,
    );
    assert.throws(
      () =>
        loadSlackConfig({
          SLACK_BOT_TOKEN: BOT_TOKEN,
          SLACK_SIGNING_SECRET: SIGNING_SECRET,
          MARKREAD_ALLOWED_USERS: ' , ',
        }),
      /allowlist is empty/,
    );
    assert.throws(
      () => loadSlackConfig({ SLACK_BOT_TOKEN: 'xoxp-user', MARKREAD_ALLOWED_USERS: 'bob' }),
      (e: Error & { problems?: string[] }) => {
        const p = e.problems ?? [];
        return (
          p.some((x) => x.startsWith('SLACK_BOT_TOKEN: expected a bot token')) &&
          p.some((x) => x.startsWith('SLACK_SIGNING_SECRET')) &&
          p.some((x) => x.startsWith('MARKREAD_ALLOWED_USERS: "bob" is not a Slack user ID'))
        );
      },
    );
  });
});
