import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { auditLines } from './support/audit-capture.js';
import {
  ALLOWED,
  laterCommandDone,
  messageText,
  type SlackFixture,
  startSlackFixture,
} from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

type Block = {
  type: string;
  elements?: Array<{ action_id?: string; value?: string; confirm?: { text: { text: string } } }>;
};

function buttons(message: Record<string, unknown>) {
  return ((message.blocks as Block[] | undefined) ?? []).flatMap((b) =>
    b.type === 'actions' ? (b.elements ?? []) : [],
  );
}

describe('Slack bulk marking', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture({ env: { TIM_MAX_RPS: '40' } });
  });
  beforeEach(() => {
    // What a test may have changed on the shared IM stand-in.
    f.im.options.accounts = undefined;
    f.im.pageSize = 100;
  });
  after(() => f.close());

  it('shows unread before → after for a single pair', async () => {
    f.im.seed('dave', { erin: 12 });
    const before = f.slack.calls.length;
    await f.command('dave erin');
    await waitFor(() => f.slack.calls.slice(before).some((c) => c.method === 'chat.update'), {
      what: 'the parent message edited with the outcome',
    });
    const reply = f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage')[1];
    assert.match(messageText(reply?.args ?? {}), /\*Unread\*: 12 → 0/);
  });

  it('marks many peers under one parent and one thread reply, listing each of up to 10 pairs', async () => {
    f.im.seed('alice', { bob: 3, carol: 4 });
    f.im.options.accounts = new Set(['alice', 'bob', 'carol', 'dave', 'erin']);
    const before = f.slack.calls.length;
    const ack = JSON.parse((await f.command('alice bob carol ghost bob')).body) as { text: string };
    assert.match(ack.text, /`alice`'s one-to-one conversations with 3 peers/);
    await waitFor(() => f.slack.calls.slice(before).filter((c) => c.method === 'chat.update').length >= 1, {
      what: 'the parent message edited with the outcome',
    });
    const posts = f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage');
    assert.equal(posts.length, 2, 'one parent and one thread reply, never a message per pair');
    assert.match(
      messageText(posts[0]?.args ?? {}),
      new RegExp(`<@${ALLOWED}> asked to mark \`alice\`'s one-to-one conversations with 3 peers read`),
    );
    const summary = messageText(posts[1]?.args ?? {});
    assert.equal(posts[1]?.args.thread_ts, posts[0]?.result?.ts);
    assert.match(summary, /Finished\*: 2 of 3 OK, 1 failed/);
    assert.match(summary, /\*Unread\*: 7 → 0 for 2 pairs/);
    // Up to 10 pairs: one line each, with its outcome and unread before → after.
    assert.match(summary, /:white_check_mark: `bob`: unread 3 → 0/);
    assert.match(summary, /:white_check_mark: `carol`: unread 4 → 0/);
    assert.match(summary, /:x: `ghost`: ErrorCode 90003: The peer account/);
  });

  it('groups the failures of a run of more than 10 pairs instead of listing every pair', async () => {
    f.im.options.accounts = new Set(['ola', ...Array.from({ length: 10 }, (_, i) => `o${i}`)]);
    const before = f.slack.calls.length;
    await f.command(`ola ${Array.from({ length: 10 }, (_, i) => `o${i}`).join(' ')} ghost1 ghost2`);
    await waitFor(
      () =>
        f.slack.calls.slice(before).some((c) => c.method === 'chat.update' && /Finished/.test(messageText(c.args))) ||
        (f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage').length >= 2 &&
          f.slack.calls.slice(before).some((c) => c.method === 'chat.update')),
      { what: 'the run to finish' },
    );
    const texts = f.slack.calls
      .slice(before)
      .map((c) => messageText(c.args))
      .join('\n');
    assert.match(texts, /Finished\*: 10 of 12 OK, 2 failed/);
    assert.match(texts, /\*ErrorCode 90003\* ×2: .*`ola ↔ ghost1`, `ola ↔ ghost2`/);
    assert.doesNotMatch(texts, /:white_check_mark: `o0`:/);
  });

  it('rejects the whole command for one bad UserID, or more than 100 peers, calling nothing', async () => {
    f.im.arrivals.length = 0;
    const bad = JSON.parse((await f.command('alice bob c&amp;d carol')).body) as { text: string };
    // The top-level text is escaped like the blocks: the echoed & arrives as &amp;.
    assert.match(bad.text, /peer "c&amp;d" contains "&amp;"/);
    const many = Array.from({ length: 101 }, (_, i) => `p${i}`).join(' ');
    const tooMany = JSON.parse((await f.command(`alice ${many}`)).body) as { text: string };
    assert.match(tooMany.text, /101 peers is more than 100/);
    await laterCommandDone(f, 'dave', 'erin');
    assert.deepEqual(
      f.im.arrivals.filter((a) => JSON.stringify(a.body).includes('"alice"')),
      [],
      'nothing was called for the refused commands',
    );
  });

  it('--all counts, asks only the requester to confirm, then marks every one-to-one conversation', async () => {
    f.im.pageSize = 8;
    f.im.seed('frank', Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`f${i}`, 1])));
    f.im.conversations.get('frank')?.push({ peer: 'room', type: 2, unread: 4, msgTime: 9, pinned: true });
    const ack = JSON.parse((await f.command('frank --all', { responseId: 'all-frank' })).body) as { text: string };
    assert.match(ack.text, /Counting `frank`'s one-to-one conversations/);
    await waitFor(() => f.slack.responses.some((r) => r.id === 'all-frank'), { what: 'the response to all-frank' });
    const prompt = f.slack.responses.find((r) => r.id === 'all-frank')?.body ?? {};
    assert.match(messageText(prompt), /`frank` has \*30\* one-to-one conversations/);
    const [confirm, cancel] = buttons(prompt);
    assert.equal(confirm?.action_id, 'markread_all_confirm');
    assert.equal(cancel?.action_id, 'markread_all_cancel');
    assert.match(confirm?.confirm?.text.text ?? '', /all 30 one-to-one conversations of `frank`/);
    const runId = confirm?.value ?? '';
    const marksBefore = f.im.accepted().length;

    await f.press('markread_all_confirm', runId, { user: 'U0SOMEONE', responseId: 'intruder' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'intruder'), { what: 'the response to intruder' });
    assert.match(
      messageText(f.slack.responses.find((r) => r.id === 'intruder')?.body ?? {}),
      new RegExp(`Only <@${ALLOWED}>`),
    );

    const before = f.slack.calls.length;
    await f.press('markread_all_confirm', runId, { responseId: 'confirmed' });
    await waitFor(
      () => f.slack.calls.slice(before).some((c) => c.method === 'chat.update' && /Finished/.test(messageText(c.args))),
      { what: 'the run to finish' },
    );
    const confirmed = f.slack.responses.find((r) => r.id === 'confirmed')?.body ?? {};
    assert.equal(confirmed.replace_original, true);
    const posts = f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage');
    assert.equal(posts.length, 2);
    assert.match(messageText(posts[1]?.args ?? {}), /Finished\*: 30 of 30 OK, 0 failed/);
    assert.match(messageText(posts[1]?.args ?? {}), /\*Unread\*: 30 → 0/);
    assert.equal(f.im.accepted().length - marksBefore, 30);
    assert.equal(
      f.im.conversations.get('frank')?.find((c) => c.peer === 'room')?.unread,
      4,
      'group conversations are left alone',
    );

    await f.press('markread_all_confirm', runId, { responseId: 'again' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'again'), { what: 'the response to again' });
    assert.match(messageText(f.slack.responses.find((r) => r.id === 'again')?.body ?? {}), /already finished/);
    await f.press('markread_all_cancel', 'no-such-run', { responseId: 'stale' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'stale'), { what: 'the response to stale' });
    assert.match(messageText(f.slack.responses.find((r) => r.id === 'stale')?.body ?? {}), /This button is stale/);

    // On record: asked for, the intruder refused, confirmed by the requester, finished with its counts.
    f.runtime.logger.flush();
    const steps = auditLines(f.logs.records).filter((e) => e.runId === runId && e.kind !== 'mark');
    assert.deepEqual(
      steps.map((e) => [e.kind, e.actor.kind === 'slack' ? e.actor.user : e.actor.kind]),
      [
        ['run-requested', ALLOWED],
        ['refused', 'U0SOMEONE'],
        ['run-confirmed', ALLOWED],
        ['run-finished', ALLOWED],
      ],
    );
    assert.deepEqual(steps[0]?.target, { user: 'frank', all: true, count: 30 });
    assert.equal(steps[1]?.requester, ALLOWED, 'the refusal names whose run it was');
    const finished = steps[3]?.outcome;
    assert.deepEqual([finished?.done, finished?.ok, finished?.failed], [30, 30, 0]);
    assert.deepEqual([finished?.unreadBefore, finished?.unreadAfter], [30, 0]);
    assert.match(steps[3]?.thread?.ts ?? '', /^\d+\.\d+$/, 'the end names the thread it is in');
    assert.equal(auditLines(f.logs.records).filter((e) => e.runId === runId && e.kind === 'mark').length, 30);
  });

  it('Cancel changes nothing', async () => {
    f.im.seed('gina', { g1: 2 });
    await f.command('gina --all', { responseId: 'all-gina' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'all-gina'), { what: 'the response to all-gina' });
    const runId = buttons(f.slack.responses.find((r) => r.id === 'all-gina')?.body ?? {})[1]?.value ?? '';
    const marks = f.im.accepted().length;
    await f.press('markread_all_cancel', runId, { responseId: 'cancelled' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'cancelled'), { what: 'the response to cancelled' });
    assert.match(
      messageText(f.slack.responses.find((r) => r.id === 'cancelled')?.body ?? {}),
      /Cancelled; nothing was changed/,
    );
    // The run is over for good: a Confirm after the Cancel is told so.
    await f.press('markread_all_confirm', runId, { responseId: 'late-confirm' });
    const late = await waitFor(() => f.slack.responses.find((r) => r.id === 'late-confirm'), {
      what: 'the response to a Confirm after Cancel',
    });
    assert.match(messageText(late.body), /That run was cancelled; nothing was changed/);
    assert.equal(f.im.accepted().length, marks);
  });

  it('shows progress in place, edited rather than posted a pair at a time, with a Stop button, and Stop ends the run cleanly', async () => {
    f.im.pageSize = 100;
    f.im.seed('hank', Object.fromEntries(Array.from({ length: 400 }, (_, i) => [`h${i}`, 1])));
    await f.command('hank --all', { responseId: 'all-hank' });
    await waitFor(() => f.slack.responses.some((r) => r.id === 'all-hank'), { what: 'the response to all-hank' });
    const runId = buttons(f.slack.responses.find((r) => r.id === 'all-hank')?.body ?? {})[0]?.value ?? '';
    const before = f.slack.calls.length;
    await f.press('markread_all_confirm', runId);
    // At 40 calls/s, 400 marks take 10 s: the progress reply appears after about 2 s.
    await waitFor(
      () => f.slack.calls.slice(before).some((c) => c.method === 'chat.postMessage' && c.args.thread_ts !== undefined),
      { what: 'a reply in the thread' },
    );
    const progress = f.slack.calls
      .slice(before)
      .find((c) => c.method === 'chat.postMessage' && c.args.thread_ts !== undefined);
    assert.match(messageText(progress?.args ?? {}), /In progress\*: \d+ of 400 done/);
    assert.equal(buttons(progress?.args ?? {})[0]?.action_id, 'markread_stop');
    await waitFor(
      () =>
        f.slack.calls.slice(before).some((c) => c.method === 'chat.update' && /In progress/.test(messageText(c.args))),
      { what: 'a progress edit' },
    );
    const otherStop = await f.press('markread_stop', runId, { user: 'U0SOMEONE', responseId: 'not-yours' });
    assert.equal(otherStop.status, 200);
    await f.press('markread_stop', runId, { responseId: 'stopping' });
    await waitFor(
      () => f.slack.calls.slice(before).some((c) => c.method === 'chat.update' && /Stopped/.test(messageText(c.args))),
      { what: 'the run to stop' },
    );
    // Edited in place: every progress edit of the whole run is of the progress reply, and far fewer than the marks.
    const edits = f.slack.calls
      .slice(before)
      .filter((c) => c.method === 'chat.update' && /In progress/.test(messageText(c.args)));
    assert.ok(edits.length > 0);
    assert.ok(edits.every((c) => c.args.ts === progress?.result?.ts));
    const final = f.slack.calls
      .slice(before)
      .filter((c) => c.method === 'chat.update' && /Stopped/.test(messageText(c.args)))
      .at(-1);
    const text = messageText(final?.args ?? {});
    assert.equal(final?.args.ts, progress?.result?.ts, 'the summary replaces the progress reply');
    assert.match(text, new RegExp(`stopped by <@${ALLOWED}>`));
    assert.match(
      text,
      /\d+ of 400 not done\. Marking read is safe to repeat: run `\/markread hank --all` again to finish/,
    );
    const done = Number(/(\d+) of (\d+) OK/.exec(text)?.[2]);
    assert.ok(done > 0 && done < 400, `done ${done}`);
    assert.ok(edits.length + 1 < done / 4, `${edits.length + 1} progress messages for ${done} marks: not one a pair`);
    assert.equal(f.im.conversations.get('hank')?.filter((c) => c.unread === 0).length, done);
    assert.match(messageText(f.slack.responses.find((r) => r.id === 'not-yours')?.body ?? {}), /Only <@/);
    f.runtime.logger.flush();
    const stops = auditLines(f.logs.records).filter((e) => e.runId === runId && e.kind === 'run-stopped');
    assert.deepEqual(
      stops.map((e) => e.actor),
      [{ kind: 'slack', team: 'T0STANDIN', user: ALLOWED }],
      'one stop, by the requester (the other press was refused)',
    );
    const end = auditLines(f.logs.records).find((e) => e.runId === runId && e.kind === 'run-finished');
    assert.deepEqual([end?.outcome?.status, end?.outcome?.done], ['stopped', done]);
  });

  it('the thread goes to the channel the command came from', async () => {
    const before = f.slack.calls.length;
    await f.command('dave erin fay', { channel: 'C0OTHER' });
    await waitFor(() => f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage').length >= 2, {
      what: 'the parent message and its thread reply',
    });
    const posts = f.slack.calls.slice(before).filter((c) => c.method === 'chat.postMessage');
    assert.deepEqual(
      posts.map((c) => c.args.channel),
      ['C0OTHER', 'C0OTHER'],
    );
  });
});
