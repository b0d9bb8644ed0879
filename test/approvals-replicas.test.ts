import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { APPROVAL_ACTIONS } from '../src/slack/blocks/ids.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import { twoReplicas } from './support/replica-world.js';
import { ALLOWED, approvalRequestIn, finishedParentIn, messageText } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const redis = await startTestRedis();
after(() => redis?.close());

const SECOND = 'U0SECOND';
const THIRD = 'U0THIRD';

describe('approvals across two replicas on one Redis', { skip: redis ? false : NO_REDIS }, () => {
  const w = twoReplicas(redis?.url ?? '', 'approvals-test', {
    MARKREAD_APPROVAL_OVER: '2',
    MARKREAD_ALLOWED_USERS: `${ALLOWED},${SECOND},${THIRD}`,
  });

  /** Asks through replica A for `user`'s run of three peers; the run id on the request's Approve button. */
  async function ask(user: string): Promise<string> {
    await w.a.command(`${user} p1 p2 p3`, `${user}-ask`);
    const found = await waitFor(() => approvalRequestIn(w.slack.calls, user), {
      what: `the approval request for ${user}`,
      timeoutMs: 60_000,
    });
    assert.ok(found.runId);
    return found.runId;
  }

  it('two approvers press at once on two replicas: exactly one approval, the other told who decided', async () => {
    const runId = await ask('ada');
    await Promise.all([
      w.a.press(APPROVAL_ACTIONS.approve, runId, 'ada-second', SECOND),
      w.b.press(APPROVAL_ACTIONS.approve, runId, 'ada-third', THIRD),
    ]);
    await w.marked('ada', 3);
    const approvals = w.slack.calls.filter(
      (c) => c.method === 'chat.update' && /\*Approved\* by/.test(messageText(c.args)),
    );
    assert.equal(approvals.length, 1, 'one approval edited the request');
    const [winner] = /<@(U0SECOND|U0THIRD)>/.exec(messageText(approvals[0]?.args ?? {})) ?? [];
    const loserId = winner === `<@${SECOND}>` ? 'ada-third' : 'ada-second';
    assert.match(await w.response(loserId), new RegExp(`Already decided: \\*Approved\\* by ${winner}`));
    // Marks are idempotent, but an approval counted twice would start the run twice: three marks, not six.
    assert.equal(w.marksOf('ada').length, 3);
    const approvedLines =
      [w.a, w.b]
        .map((r) => r.output())
        .join('')
        .match(/"kind":"approved"/g) ?? [];
    assert.equal(approvedLines.length, 1, 'one approved event across both replicas');
  });

  it('a pending approval survives a restart: asked on one replica, approved on a fresh one after it stopped', async () => {
    const runId = await ask('bob');
    await w.a.kill('SIGTERM');
    await w.keepTwo();
    await w.a.press(APPROVAL_ACTIONS.approve, runId, 'bob-after-restart', SECOND);
    await w.marked('bob', 3);
    const parent = await waitFor(() => finishedParentIn(w.slack.calls, 'bob'), {
      what: "bob's run finished",
      timeoutMs: 60_000,
    });
    assert.match(messageText(parent.args), new RegExp(`Approved by\\* <@${SECOND}>`));
  });
});
