import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { webApi } from '@slack/bolt';
import { loadImConfig } from '../src/config/im-config.js';
import { createImRuntime, type ImRuntime } from '../src/im-runtime.js';
import { originOf, type SlackRequestContext } from '../src/slack/context.js';
import { MAX_DELIVERIES, SlackJobs } from '../src/slack/flows/jobs.js';
import { InFlight } from '../src/slack/in-flight.js';
import { createResponder } from '../src/slack/transport/response-url.js';
import { MemoryRunStore } from '../src/stores/runs.js';
import type { JobHandler, JobLease, JournalJob, WorkJournal } from '../src/stores/work-journal.js';
import { LocalRuns } from '../src/work/local-runs.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { AuditCapture } from './support/audit-capture.js';
import { ADMIN, imEnv, LogCapture, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { ALLOWED, BOT_TOKEN, CHANNEL, messageText } from './support/slack-fixture.js';

/**
 * A journal that hands out exactly the leases a test gives it: how a job looks to the replica that takes it over
 * (its checkpoint, how often it was handed out) without killing processes for each case.
 */
class HandOutJournal implements WorkJournal {
  readonly durable = true;
  handler: JobHandler | undefined;
  readonly ended: string[] = [];
  async record(_job: JournalJob): Promise<void> {}
  async start(handler: JobHandler): Promise<void> {
    this.handler = handler;
  }
  async stop(): Promise<JournalJob[]> {
    return [];
  }
  depth() {
    return { running: 0, waiting: 0 };
  }
  async handOut(payload: unknown, deliveries: number, saved: unknown): Promise<void> {
    const lease: JobLease = {
      job: { id: 'job-1', payload },
      deliveries,
      saved,
      signal: new AbortController().signal,
      checkpoint: async () => {},
      done: async () => void this.ended.push('done'),
      release: async () => void this.ended.push('released'),
    };
    await (this.handler as JobHandler)(lease);
  }
}

describe('acked work taken over by another replica', () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN });
  const logs = new LogCapture();
  let runtime: ImRuntime;
  let journal: HandOutJournal;
  let runs: MemoryRunStore;
  const ctx = (id: string): SlackRequestContext => ({
    requester: ALLOWED,
    teamId: 'T1',
    channelId: CHANNEL,
    responseUrl: slack.responseUrl(id),
    via: 'command',
  });

  before(async () => {
    await Promise.all([im.start(), slack.start()]);
    runtime = createImRuntime(loadImConfig(imEnv(im.url)).config, { destination: logs, logLevel: 'info' });
    journal = new HandOutJournal();
    runs = new MemoryRunStore();
    const web = new webApi.WebClient(BOT_TOKEN, { slackApiUrl: slack.apiUrl });
    const respond = createResponder({ redactor: runtime.redactor, logger: runtime.logger, apiUrl: slack.apiUrl });
    const jobs = new SlackJobs(journal, {
      flow: { logger: runtime.logger, apps: runtime.apps, respond, web, audit: new AuditCapture() },
      runs,
      local: new LocalRuns(),
      inFlight: new InFlight(),
      logger: runtime.logger,
    });
    await jobs.start();
  });
  after(async () => {
    await runtime.app.client.close();
    await Promise.all([im.stop(), slack.stop()]);
  });

  it(`gives up a job handed out more than ${MAX_DELIVERIES} times, over its progress message, and ends the run`, async () => {
    const calls = im.arrivals.length;
    const run = await runs.create({
      origin: originOf(ctx('poison')),
      user: 'pat',
      readTime: undefined,
      total: 50,
      state: 'running',
    });
    await journal.handOut({ kind: 'bulk', runId: run.id, ctx: ctx('poison') }, MAX_DELIVERIES + 1, {
      parentTs: '1.000001',
      replyTs: '1.000002',
    });
    const update = slack.calls.find((c) => c.method === 'chat.update' && c.args.ts === '1.000002');
    assert.match(messageText(update?.args ?? {}), /Could not be finished\*: markread was restarted 5 times/);
    assert.equal((await runs.get(run.id))?.state, 'finished');
    assert.equal(im.arrivals.length, calls, 'no IM call');
    assert.equal(journal.ended.at(-1), 'done');
  });

  it('gives up a single mark with the command that repeats it, --clear-marks included', async () => {
    const calls = im.arrivals.length;
    await journal.handOut(
      { kind: 'single', ctx: ctx('poison-1'), request: { user: 'pat', peer: 'p1' }, clearMarks: true },
      MAX_DELIVERIES + 1,
      undefined,
    );
    const told = slack.responses.find((r) => r.id === 'poison-1');
    assert.match(messageText(told?.body ?? {}), /run `\/markread pat p1 --clear-marks` again/);
    assert.equal(im.arrivals.length, calls, 'no IM call');
  });

  it('closes a run whose record is gone with a message saying so, rather than leaving it "In progress"', async () => {
    await journal.handOut({ kind: 'bulk', runId: '00000000-0000-4000-8000-000000000000', ctx: ctx('lost') }, 2, {
      parentTs: '2.000001',
    });
    const post = slack.calls.find((c) => c.method === 'chat.postMessage' && c.args.thread_ts === '2.000001');
    assert.match(messageText(post?.args ?? {}), /could not be finished\*: markread lost its record/);
    assert.equal(journal.ended.at(-1), 'done');
  });

  it('finishes a single mark in the thread its last owner opened, without a second parent', async () => {
    const before = slack.calls.length;
    const marks = im.accepted().length;
    await journal.handOut({ kind: 'single', ctx: ctx('single'), request: { user: 'una', peer: 'p1' } }, 2, {
      parentTs: '3.000001',
    });
    const calls = slack.calls.slice(before);
    assert.equal(calls.filter((c) => c.method === 'chat.postMessage' && !c.args.thread_ts).length, 0);
    const reply = calls.find((c) => c.method === 'chat.postMessage' && c.args.thread_ts === '3.000001');
    assert.match(messageText(reply?.args ?? {}), /una/);
    assert.equal(im.accepted().length, marks + 1);
  });

  it('does nothing for a single mark its last owner had delivered', async () => {
    const before = slack.calls.length;
    const marks = im.accepted().length;
    await journal.handOut({ kind: 'single', ctx: ctx('again'), request: { user: 'una', peer: 'p1' } }, 2, {
      parentTs: '4.000001',
      delivered: true,
    });
    assert.equal(slack.calls.length, before);
    assert.equal(im.accepted().length, marks);
  });

  it('drops an entry that is not a markread job, saying so in the log, without a call', async () => {
    await journal.handOut({ kind: 'bulk', runId: 5 }, 1, undefined);
    assert.match(logs.text, /dropped a journal entry that is not a markread job/);
    assert.equal(journal.ended.at(-1), 'done');
  });
});
