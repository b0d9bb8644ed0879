import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { JournalFull, MemoryWorkJournal } from '../src/stores/work-journal.js';
import { JobQueue } from '../src/work/job-queue.js';
import { waitFor } from './support/wait-for.js';

interface Task {
  name: string;
}

/**
 * A queue whose tasks each wait for the test to finish them: `started` lists them in the order they began, and
 * `nextStart()` resolves when the next one begins.
 */
function controlledQueue(maxRunning: number, maxWaiting: number) {
  const started: string[] = [];
  const finishers = new Map<string, (error?: Error) => void>();
  let onStart: (() => void) | undefined;
  const queue = new JobQueue<Task>(
    (task) =>
      new Promise<void>((resolve, reject) => {
        started.push(task.name);
        finishers.set(task.name, (error) => (error ? reject(error) : resolve()));
        onStart?.();
      }),
    maxRunning,
    maxWaiting,
  );
  const starts = (n: number) =>
    new Promise<void>((resolve) => {
      const target = started.length + n;
      onStart = () => {
        if (started.length >= target) resolve();
      };
    });
  const finish = (name: string, error?: Error) => finishers.get(name)?.(error);
  return { queue, started, starts, finish };
}

describe('the bounded job queue', () => {
  it('runs at most N at once, and the rest in the order they came as slots free', async () => {
    const q = controlledQueue(2, 10);
    const firstTwo = q.starts(2);
    for (const name of ['a', 'b', 'c', 'd', 'e']) assert.equal(q.queue.push({ name }), true);
    await firstTwo;
    assert.deepEqual(q.started, ['a', 'b']);
    assert.deepEqual(q.queue.depth(), { running: 2, waiting: 3 });
    const third = q.starts(1);
    q.finish('b');
    await third;
    assert.deepEqual(q.started, ['a', 'b', 'c']);
    const rest = q.starts(2);
    q.finish('a');
    q.finish('c');
    await rest;
    assert.deepEqual(q.started, ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(q.queue.depth(), { running: 2, waiting: 0 });
  });

  it('never starts a task inside push: the caller (the ack) goes first', async () => {
    const q = controlledQueue(1, 1);
    const first = q.starts(1);
    q.queue.push({ name: 'a' });
    assert.deepEqual(q.started, []);
    await first;
    assert.deepEqual(q.started, ['a']);
  });

  it('refuses a task when N run and the waiting list is full, and takes one again once a slot frees', async () => {
    const q = controlledQueue(1, 2);
    const first = q.starts(1);
    assert.equal(q.queue.push({ name: 'a' }), true);
    assert.equal(q.queue.push({ name: 'b' }), true);
    assert.equal(q.queue.push({ name: 'c' }), true);
    assert.equal(q.queue.push({ name: 'full' }), false);
    await first;
    assert.deepEqual(q.queue.depth(), { running: 1, waiting: 2 });
    const next = q.starts(1);
    q.finish('a');
    await next;
    assert.equal(q.queue.push({ name: 'd' }), true);
    assert.deepEqual(q.queue.depth(), { running: 1, waiting: 2 });
    assert.ok(!q.started.includes('full'));
  });

  it('keeps the slot of a task that failed for the next one', async () => {
    const q = controlledQueue(1, 5);
    const first = q.starts(1);
    q.queue.push({ name: 'a' });
    q.queue.push({ name: 'b' });
    await first;
    const second = q.starts(1);
    q.finish('a', new Error('boom'));
    await second;
    assert.deepEqual(q.started, ['a', 'b']);
  });

  it('on close, gives back what waits, in order, never to run; what runs goes on; later pushes need a free slot', async () => {
    const q = controlledQueue(1, 5);
    const first = q.starts(1);
    for (const name of ['a', 'b', 'c']) q.queue.push({ name });
    await first;
    assert.deepEqual(
      q.queue.close().map((t) => t.name),
      ['b', 'c'],
    );
    assert.equal(q.queue.push({ name: 'late' }), false, 'no slot free and nothing may wait');
    q.finish('a');
    // The slot is given up once 'a' is over (a few turns of the event loop); a push after that runs.
    await waitFor(() => q.queue.depth().running === 0, { what: "the slot to be given up once 'a' is over" });
    assert.deepEqual(q.queue.depth(), { running: 0, waiting: 0 });
    const late = q.starts(1);
    assert.equal(q.queue.push({ name: 'late' }), true);
    await late;
    assert.deepEqual(q.started, ['a', 'late']);
  });
});

describe('the in-memory work journal', () => {
  it('refuses a job it has no room for with JournalFull, saying how many wait', async () => {
    const journal = new MemoryWorkJournal({ maxRunning: 1, maxWaiting: 1 });
    const release: Array<() => void> = [];
    await journal.start(async () => {
      await new Promise<void>((resolve) => release.push(resolve));
    });
    await journal.record({ id: 'a', payload: {} });
    await journal.record({ id: 'b', payload: {} });
    await assert.rejects(journal.record({ id: 'c', payload: {} }), (error: unknown) => {
      assert.ok(error instanceof JournalFull);
      assert.equal(error.waiting, 1);
      return true;
    });
    assert.deepEqual(journal.depth(), { running: 1, waiting: 1 });
    const notStarted = await journal.stop();
    assert.deepEqual(
      notStarted.map((j) => j.id),
      ['b'],
    );
    for (const r of release) r();
  });
});
