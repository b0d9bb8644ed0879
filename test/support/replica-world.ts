import assert from 'node:assert/strict';
import { after, before, beforeEach } from 'node:test';
import { ImStandIn } from '../../stand-ins/im-stand-in.js';
import type { SlackApiCall } from '../../stand-ins/slack-stand-in.js';
import { SlackStandIn } from '../../stand-ins/slack-stand-in.js';
import { ADMIN, SDK_APP_ID, SECRET_KEY } from './im-fixture.js';
import { type Replica, startReplica } from './replica.js';
import { BOT_TOKEN, messageText, threadReply } from './slack-fixture.js';
import { waitFor } from './wait-for.js';

/** Real processes on a loaded machine, and runs of thousands of marks: wait long before calling it a failure. */
const PATIENCE = 60_000;
const wait = <T>(predicate: () => T | Promise<T>, what: string) => waitFor(predicate, { what, timeoutMs: PATIENCE });

/**
 * Two real markread processes sharing one Redis, the IM stand-in and the Slack stand-in: what an operator runs
 * for redundancy. Takeover is set to 2 s (MARKREAD_TAKEOVER_MS) so a kill is recovered within a test's patience.
 * Call `keepTwo()` before each test: it replaces a replica an earlier test killed or stopped, so no test depends
 * on another having cleaned up.
 */
export class TwoReplicas {
  readonly im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  readonly slack = new SlackStandIn({ botToken: BOT_TOKEN });
  a!: Replica;
  b!: Replica;
  private readonly started: Replica[] = [];
  private generation = 0;

  constructor(
    private readonly env: Record<string, string>,
    private readonly imVariables?: (url: string) => Record<string, string>,
  ) {}

  async start(): Promise<void> {
    await Promise.all([this.im.start(), this.slack.start()]);
    [this.a, this.b] = await Promise.all([this.spawn('a'), this.spawn('b')]);
  }

  async keepTwo(): Promise<void> {
    if (!this.a.alive()) this.a = await this.spawn(`r${++this.generation}`);
    if (!this.b.alive()) this.b = await this.spawn(`r${++this.generation}`);
  }

  async close(): Promise<void> {
    await Promise.all(this.started.map((r) => r.kill('SIGKILL')));
    await Promise.all([this.im.stop(), this.slack.stop()]);
  }

  marksOf(user: string) {
    return this.im.accepted().filter((x) => (x.body as { Report_Account?: string }).Report_Account === user);
  }

  /** The text posted to response_url `id`, once it is there. */
  async response(id: string): Promise<string> {
    const response = await wait(() => this.slack.responses.find((r) => r.id === id), `a response to ${id}`);
    return messageText(response.body);
  }

  /** Counts and asks through `via`; returns the run id on the Confirm button. */
  async askAll(via: Replica, user: string, id: string): Promise<string> {
    await via.command(`${user} --all`, id);
    const response = await wait(() => this.slack.responses.find((r) => r.id === id), `the --all prompt for ${user}`);
    const body = response.body as { blocks?: { elements?: { value?: string }[] }[] };
    const runId = body.blocks?.flatMap((bl) => bl.elements ?? []).find((e) => e.value)?.value;
    assert.ok(runId, `a Confirm button: ${JSON.stringify(body)}`);
    return runId;
  }

  /**
   * Seeds `user` with `size` conversations, asks through A, confirms through `confirmVia`, and waits until
   * `marks` are done; returns the replica doing the work.
   */
  async runUntil(user: string, size: number, confirmVia: Replica, marks: number): Promise<Replica> {
    this.im.seed(user, Object.fromEntries(Array.from({ length: size }, (_, i) => [`${user}-${i}`, 1])));
    const runId = await this.askAll(this.a, user, `${user}-all`);
    await confirmVia.press('markread_all_confirm', runId, `${user}-go`);
    await this.marked(user, marks);
    const working = await this.worker();
    assert.ok(working, 'one replica is working on the run');
    return working;
  }

  /** Waits until at least `count` of `user`'s marks have arrived. */
  async marked(user: string, count: number): Promise<void> {
    await wait(() => this.marksOf(user).length >= count, `${count} marks of ${user}`);
  }

  /** The replica working on something now (its /healthz counts work in flight). */
  async worker(): Promise<Replica | undefined> {
    const [ha, hb] = await Promise.all([this.a.health(), this.b.health()]);
    return (ha.inFlight as number) > 0 ? this.a : (hb.inFlight as number) > 0 ? this.b : undefined;
  }

  /** The summary of `user`'s run: its thread's reply edited to "Finished" or "Stopped" (or posted so). */
  summaryOf(user: string): SlackApiCall | undefined {
    const parent = this.parentsOf(user)[0]?.result?.ts;
    if (parent === undefined) return undefined;
    const done = (c: { args: Record<string, unknown> }) => /\*(Finished|Stopped)\*/.test(messageText(c.args));
    const replies = this.slack.calls.filter((c) => c.method === 'chat.postMessage' && c.args.thread_ts === parent);
    const posted = replies.find(done);
    if (posted) return posted;
    const replyTs = new Set(replies.map((c) => c.result?.ts));
    return this.slack.calls.find((c) => c.method === 'chat.update' && replyTs.has(c.args.ts as string) && done(c));
  }

  /** Waits for the summary of `user`'s run and returns its text. */
  async summary(user: string): Promise<string> {
    const summary = await wait(() => this.summaryOf(user), `the summary of ${user}'s run`);
    return messageText(summary.args);
  }

  parentsOf(user: string): SlackApiCall[] {
    return this.slack.calls.filter(
      (c) => c.method === 'chat.postMessage' && !c.args.thread_ts && messageText(c.args).includes(`\`${user}\``),
    );
  }

  /** Waits for the thread reply with the outcome of a single mark of `user` ↔ `peer`. */
  async outcome(user: string, peer: string): Promise<SlackApiCall> {
    return wait(() => threadReply(this.slack.calls, user, peer), `the outcome of ${user} ↔ ${peer}`);
  }

  private async spawn(name: string): Promise<Replica> {
    const replica = await startReplica(name, this.im, this.slack, this.env, this.imVariables);
    this.started.push(replica);
    return replica;
  }
}

/**
 * Two replicas on the Redis at `redisUrl` under `prefix`, started before the tests of the enclosing describe, kept
 * two before each test and killed after them all (call it inside a describe); `env` adds to their settings.
 */
export function twoReplicas(
  redisUrl: string,
  prefix: string,
  env: Record<string, string> = {},
  imVariables?: (url: string) => Record<string, string>,
): TwoReplicas {
  const world = new TwoReplicas(
    {
      REDIS_URL: redisUrl,
      MARKREAD_REDIS_PREFIX: prefix,
      MARKREAD_TAKEOVER_MS: '2000',
      TIM_MAX_RPS: '190',
      ...env,
    },
    imVariables,
  );
  before(() => world.start());
  beforeEach(() => world.keepTwo());
  after(() => world.close());
  return world;
}
