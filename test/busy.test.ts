import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { memoryState } from '../src/stores/shared-state.js';
import type { ImArrival } from '../stand-ins/im-stand-in.js';
import { auditLines } from './support/audit-capture.js';
import { messageText, type SlackFixture, startSlackFixture } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

/** One job at a time and one waiting: the third command finds the queue full. */
async function smallQueue(): Promise<SlackFixture & { release(): void }> {
  const f = await startSlackFixture({
    accounts: new Set(['alice', 'bob', 'carol', 'dave']),
    app: { state: memoryState({ maxRunning: 1, maxWaiting: 1 }) },
    env: { TIM_TIMEOUT_MS: '10000', TIM_DEADLINE_MS: '30000' },
  });
  let holding = true;
  // Every IM answer comes 2.5 s late while holding (three calls: 7.5 s), so the first command keeps its slot for
  // longer than a slow machine takes to send the other two and look.
  f.im.behave = (a) => {
    const reply = holding ? f.im.handlers.get(a.command)?.(a) : undefined;
    return reply && { ...reply, delayMs: 2_500 };
  };
  const release = () => {
    holding = false;
  };
  return Object.assign(f, { release });
}

const mentions = (arrivals: ImArrival[], account: string) =>
  arrivals.filter((a) => JSON.stringify(a.body).includes(`"${account}"`));

describe('one process whose work queue is full, over signed HTTP', () => {
  it('tells the requester markread is busy, with the command to run again, and calls nothing for it', async () => {
    const f = await smallQueue();
    try {
      assert.equal((await f.command('alice bob', { responseId: 'first' })).status, 200);
      // The first command has its slot once its first IM call arrives.
      await waitFor(() => mentions(f.im.arrivals, 'alice').length > 0, { what: "the first command's first IM call" });
      assert.equal((await f.command('carol bob', { responseId: 'second' })).status, 200);
      const third = await f.command('dave bob --clear-marks', { responseId: 'third' });
      assert.equal(third.status, 200);

      await waitFor(() => f.slack.responses.some((r) => r.id === 'third'), { what: 'the response to third' });
      const busy = f.slack.responses.find((r) => r.id === 'third');
      assert.equal(busy?.body.response_type, 'ephemeral');
      assert.match(
        messageText(busy?.body ?? {}),
        /markread is busy\*: 1 command is waiting\. Nothing was sent to the IM API\. Try again in a minute: `\/markread dave bob --clear-marks`/,
      );
      assert.deepEqual(mentions(f.im.arrivals, 'dave'), [], 'nothing was called for the refused command');
      assert.deepEqual(mentions(f.im.arrivals, 'carol'), [], 'the second waits for the first');
      const health = (await (await request(`http://127.0.0.1:${f.port}/healthz`)).body.json()) as {
        queue: { running: number; waiting: number };
      };
      assert.deepEqual(health.queue, { running: 1, waiting: 1 });
      assert.ok(
        auditLines(f.logs.records).some(
          (e) =>
            e.kind === 'refused' &&
            e.outcome?.status === 'busy' &&
            e.actor.kind === 'slack' &&
            e.actor.user === 'U0ONCALL',
        ),
      );

      // Once the first is over, the waiting one runs; the refused one never does.
      f.release();
      await waitFor(() => f.slack.calls.some((c) => /carol/.test(messageText(c.args)) && c.method === 'chat.update'), {
        what: 'the outcome of carol ↔ bob',
      });
      const lastAlice = Math.max(...mentions(f.im.arrivals, 'alice').map((a) => a.at));
      const firstCarol = Math.min(...mentions(f.im.arrivals, 'carol').map((a) => a.at));
      assert.ok(lastAlice < firstCarol, 'in order: the second started after the first was over');
      assert.deepEqual(mentions(f.im.arrivals, 'dave'), []);
    } finally {
      await f.close();
    }
  });

  it('on shutdown, tells the requester of a command still waiting that nothing was sent, with its command', async () => {
    const f = await smallQueue();
    try {
      await f.command('alice bob', { responseId: 'first' });
      await waitFor(() => mentions(f.im.arrivals, 'alice').length > 0, { what: "the first command's first IM call" });
      await f.command('carol bob', { responseId: 'second' });
      await f.handle.stop(300);
      const told = f.slack.responses.find((r) => r.id === 'second');
      assert.match(
        messageText(told?.body ?? {}),
        /Interrupted\*: markread was shutting down before this started\. Nothing was sent to the IM API\. .*run `\/markread carol bob` again/,
      );
      assert.deepEqual(mentions(f.im.arrivals, 'carol'), []);
      assert.ok(
        auditLines(f.logs.records).some((e) => e.kind === 'interrupted' && e.outcome?.status === 'not-started'),
      );
    } finally {
      f.release();
      await f.close();
    }
  });
});
