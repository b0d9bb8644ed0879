import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { slowOnce } from './support/im-fixture.js';
import { NO_REDIS, startTestRedis } from './support/redis-server.js';
import { twoReplicas } from './support/replica-world.js';
import { waitFor } from './support/wait-for.js';

const MARK = 'v4/openim/admin_set_msg_read';
const redis = await startTestRedis();
after(() => redis?.close());

describe('two replicas on one Redis, one of them killed or stopped', { skip: redis ? false : NO_REDIS }, () => {
  const w = twoReplicas(redis?.url ?? '', 'takeover-test');

  it('finishes a single mark whose replica was SIGKILLed mid-call, in the same thread', async () => {
    w.im.behave = slowOnce(MARK, 'slowpeer', 8_000);
    try {
      await w.a.command('kim slowpeer', 'kim');
      await waitFor(() => w.marksOf('kim').length === 1, { what: 'the first mark of kim ↔ slowpeer' });
      const victim = await w.worker();
      assert.ok(victim);
      await victim.kill('SIGKILL');
      await w.outcome('kim', 'slowpeer');
    } finally {
      w.im.behave = undefined;
    }
    assert.equal(w.parentsOf('kim').length, 1, 'the new owner posts in the thread the dead one opened');
    assert.equal(w.marksOf('kim').length, 2, 'marked again by the replica that took over (idempotent)');
  });

  it('resumes a 2,000-conversation run from where a SIGKILLed replica left it, with one summary', async () => {
    const victim = await w.runUntil('zed', 2_000, w.b, 660);
    const doneAtKill = w.marksOf('zed').length;
    await victim.kill('SIGKILL');
    const summary = await w.summary('zed');
    const peers = new Set(w.marksOf('zed').map((x) => (x.body as { Peer_Account: string }).Peer_Account));
    assert.equal(peers.size, 2_000, 'every conversation marked');
    const redone = w.marksOf('zed').length - 2_000;
    assert.ok(redone <= 160, `only the batches in flight are redone (${redone}), not the run`);
    assert.match(summary, /Finished\*: 2000 of 2000 OK, 0 failed/);
    assert.equal(w.parentsOf('zed').length, 1, 'one parent message');
    assert.equal(w.im.conversations.get('zed')?.filter((c) => c.unread > 0).length, 0);
    console.log(`# bulk run: killed at ${doneAtKill} marks; ${redone} redone`);
  });

  it('hands a run over on SIGTERM: the other replica continues it in the same thread, nothing redone twice', async () => {
    const victim = await w.runUntil('tom', 1_200, w.a, 300);
    await victim.kill('SIGTERM');
    assert.equal(victim.child.exitCode, 0, victim.output());
    assert.match(victim.output(), /bulk run handed over/, 'handed over, not drained');
    assert.match(await w.summary('tom'), /Finished\*: 1200 of 1200 OK/);
    assert.equal(w.parentsOf('tom').length, 1);
    const redone = w.marksOf('tom').length - 1_200;
    assert.ok(redone <= 160, `${redone} redone`);
  });
});
