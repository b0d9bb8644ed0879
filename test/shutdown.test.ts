import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { auditLines } from './support/audit-capture.js';
import { messageText, startSlackFixture } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

describe('SIGTERM while the IM API is slow', () => {
  it('tells every requester whose command or run was still waiting that it was interrupted, what was sent, and to run it again', async () => {
    const f = await startSlackFixture({ env: { TIM_DEADLINE_MS: '60000', TIM_TIMEOUT_MS: '45000' } });
    try {
      f.im.seed('una', Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`u${i}`, 1])));
      // Counts answer at once; marks take 30 s, far past the 500 ms drain (and past any slowness of the test).
      f.im.behave = (a) =>
        a.command === 'v4/openim/admin_set_msg_read'
          ? { json: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }, delayMs: 30_000 }
          : undefined;
      const before = f.slack.calls.length;
      for (let i = 0; i < 4; i++) await f.command(`una u${i}`);
      await f.command('una u4 --clear-marks');
      await f.command(`una ${Array.from({ length: 15 }, (_, i) => `u${i}`).join(' ')}`);
      // Five single marks and the bulk run's 15 (two batches, both in flight at once) are all at the IM API.
      const marksSent = () => f.im.arrivals.filter((a) => a.command === 'v4/openim/admin_set_msg_read').length;
      await waitFor(() => marksSent() === 20, { what: 'all 20 marks to be in flight' });
      const { drained } = await f.handle.stop(500);
      assert.equal(drained, false);
      const calls = f.slack.calls.slice(before);
      const interrupted = calls.filter((c) => /Interrupted/.test(messageText(c.args)));
      const seen = `${interrupted.map((c) => messageText(c.args).slice(0, 90)).join(' / ')} || ${f.logs.records
        .filter((r) => Number(r.level) >= 40)
        .map((r) => r.msg)
        .join(' / ')}`;
      assert.equal(interrupted.length, 6, `five single commands and one bulk run, each told: ${seen}`);
      const single = interrupted.filter(
        (c) => /una u\d/.test(messageText(c.args)) && /was sent to the IM API/.test(messageText(c.args)),
      );
      assert.equal(single.length, 5);
      assert.ok(
        single.some((c) => /run `\/markread una u4 --clear-marks` again/.test(messageText(c.args))),
        'the repeat command keeps --clear-marks',
      );
      assert.ok(
        interrupted.some((c) => /run `\/markread una u0 u1/.test(messageText(c.args))),
        'the bulk run says how to finish it',
      );
      const audit = auditLines(f.logs.records).filter((e) => e.kind === 'interrupted');
      assert.equal(audit.length, 6);
      assert.doesNotMatch(f.logs.text, /in the audit log only/);
    } finally {
      f.im.behave = undefined;
      await f.close().catch(() => undefined);
    }
  });
});
