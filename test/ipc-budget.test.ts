import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { describe, it } from 'node:test';
import { PacerAbortedError } from '../src/im/pacer.js';
import { RemoteSendBudget, serveBudgets } from '../src/work/ipc-budget.js';
import { type IpcChannel, IpcPeer } from '../src/work/ipc-peer.js';
import { maxInSlidingWindow } from './support/im-fixture.js';

/** Two ends of a channel that deliver like Node's IPC: later, and as a structured clone. */
function channelPair(): [IpcChannel & { cut(): void }, IpcChannel] {
  const a = new EventEmitter() as EventEmitter & IpcChannel & { connected: boolean; cut(): void };
  const b = new EventEmitter() as EventEmitter & IpcChannel & { connected: boolean };
  a.connected = b.connected = true;
  const deliver = (to: EventEmitter) => (m: unknown) => {
    setImmediate(() => to.emit('message', structuredClone(m)));
    return true;
  };
  a.send = deliver(b);
  b.send = deliver(a);
  a.cut = () => {
    a.connected = b.connected = false;
    a.emit('disconnect');
    b.emit('disconnect');
  };
  return [a, b];
}

describe('one budget across the web process and its worker', () => {
  it('keeps the calls of both processes under one ceiling in every sliding second', async () => {
    const [webEnd, workerEnd] = channelPair();
    const web = new IpcPeer(webEnd);
    const pacerOf = serveBudgets(new IpcPeer(workerEnd));
    const workerBudget = pacerOf('v4/test/api', 40);
    const webBudget = new RemoteSendBudget(() => web, 'v4/test/api', 40);
    const grants: number[] = [];
    const take = async (budget: { acquire(): Promise<{ sent(): void }> }) => {
      const slot = await budget.acquire();
      slot.sent();
      grants.push(performance.now());
    };
    await Promise.all(Array.from({ length: 60 }, (_, i) => take(i % 2 ? webBudget : workerBudget)));
    assert.equal(grants.length, 60);
    const most = maxInSlidingWindow(grants, 1_000);
    assert.ok(most <= 40, `${most} slots in one sliding second across both processes`);
    assert.ok(most >= 30, `the ceiling is used, not starved (${most})`);
    webBudget.close();
    workerBudget.close();
  });

  it('gives up a wait the caller aborted, on both sides', async () => {
    const [webEnd, workerEnd] = channelPair();
    const web = new IpcPeer(webEnd);
    const pacer = serveBudgets(new IpcPeer(workerEnd))('v4/test/api', 5);
    // Five callers queued on the worker's side: a new caller waits about a second.
    const queued = Array.from({ length: 5 }, () => pacer.acquire().catch(() => undefined));
    const budget = new RemoteSendBudget(() => web, 'v4/test/api', 5);
    const controller = new AbortController();
    const waiting = budget.acquire(controller.signal);
    setTimeout(() => controller.abort(), 20);
    await assert.rejects(waiting, PacerAbortedError);
    await new Promise((r) => setTimeout(r, 20));
    assert.ok(pacer.queued <= 4, `the worker stopped waiting for the aborted caller (${pacer.queued} queued)`);
    pacer.close();
    await Promise.all(queued);
  });

  it('keeps to a quarter of the ceiling on its own while the worker is away', async () => {
    const [webEnd, workerEnd] = channelPair();
    const web = new IpcPeer(webEnd);
    serveBudgets(new IpcPeer(workerEnd));
    let peer: IpcPeer | undefined = web;
    const budget = new RemoteSendBudget(() => peer, 'v4/test/api', 40);
    assert.equal(budget.currentLimit, 40);
    webEnd.cut();
    peer = undefined;
    assert.equal(budget.currentLimit, 10);
    const start = performance.now();
    const grants: number[] = [];
    await Promise.all(
      Array.from({ length: 12 }, async () => {
        (await budget.acquire()).sent();
        grants.push(performance.now() - start);
      }),
    );
    assert.ok(maxInSlidingWindow(grants, 1_000) <= 10);
    budget.close();
  });

  it('fails a call at once when the other process goes away mid-call', async () => {
    const [webEnd] = channelPair();
    const web = new IpcPeer(webEnd);
    const pending = web.call('never.answered');
    webEnd.cut();
    await assert.rejects(pending, /the other markread process is gone/);
  });
});
