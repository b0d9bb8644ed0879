import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { webApi } from '@slack/bolt';
import { NO_APPROVALS } from '../src/config/approval-config.js';
import { DEFAULT_REASON_POLICY, type ReasonPolicy } from '../src/config/reason-config.js';
import type { ImApp } from '../src/im/app.js';
import { ImApps } from '../src/im/apps.js';
import type { ImCaller } from '../src/im/caller.js';
import type { CallResult } from '../src/im/client.js';
import type { ImApi, ImEnvelope } from '../src/im/response.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { Allowlist } from '../src/slack/access/allowlist.js';
import { AppAccess } from '../src/slack/access/app-access.js';
import { authorize } from '../src/slack/access/authorize.js';
import { BULK_ACTIONS, MODAL_CALLBACK_ID } from '../src/slack/blocks/ids.js';
import type { SlackMessage } from '../src/slack/blocks/message.js';
import type { ListenerDeps } from '../src/slack/deps.js';
import { SlackJobs } from '../src/slack/flows/jobs.js';
import { InFlight } from '../src/slack/in-flight.js';
import { type CommandArgs, markReadCommand } from '../src/slack/listeners/commands/markread.js';
import { markReadModalSubmission, type ViewArgs } from '../src/slack/listeners/views/markread-modal.js';
import { MetadataSeal } from '../src/slack/sealed-metadata.js';
import { MemoryAuditHistory } from '../src/stores/audit-history.js';
import { MemoryRunStore } from '../src/stores/runs.js';
import { MemoryWorkJournal } from '../src/stores/work-journal.js';
import { LocalRuns } from '../src/work/local-runs.js';
import { messageText } from '../stand-ins/message-text.js';
import { AuditCapture } from './support/audit-capture.js';
import { LogCapture } from './support/im-fixture.js';

/**
 * The handlers called directly, with Bolt's arguments built by hand and fakes at the two ports: the IM client
 * interface the flows use (ImCaller) and the Slack Web API / response_url. Nothing listens, nothing is sent over a
 * network, no timer is waited on; the end-to-end tests (slack-app, hostile, socket-mode) cover the real boundaries.
 */

const ALLOWED = 'U0ONCALL';
const STRANGER = 'U0STRANGER';
const CHANNEL = 'C0SUPPORT';
const RESPONSE_URL = 'https://hooks.slack.com/commands/T0/1/abc';
const SECRET = 'unit-test-signing-secret';

/** A promise and the function that resolves it: how a test waits for a sign instead of for time. */
function signal<T = void>() {
  let resolve!: (value: T) => void;
  const promise = new Promise<T>((r) => {
    resolve = r;
  });
  return { promise, resolve };
}

/** The IM port: unread counts that a mark-read sets to 0, every call recorded. */
class FakeIm implements ImCaller {
  readonly deadlineMs = 3_000;
  readonly endpoint = { primary: new URL('https://im.invalid/') };
  readonly calls: Array<{ command: string; body: Record<string, unknown> }> = [];
  readonly unread = new Map<string, number>([['alice→bob', 3]]);

  async call<Res extends ImEnvelope>(api: ImApi<Res>, body: object): Promise<CallResult<Res>> {
    const b = body as Record<string, unknown>;
    this.calls.push({ command: api.command, body: b });
    const ok = { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' };
    let answer: object = ok;
    if (api.command.endsWith('admin_set_msg_read')) this.unread.set(`${b.Report_Account}→${b.Peer_Account}`, 0);
    else if (api.command.endsWith('get_c2c_unread_msg_num')) {
      const peers = b.Peer_Account as string[];
      answer = {
        ...ok,
        C2CUnreadMsgNumList: peers.map((p) => ({
          Peer_Account: p,
          C2CUnreadMsgNum: this.unread.get(`${b.To_Account}→${p}`) ?? 0,
        })),
      };
    } else throw new Error(`the fake IM does not answer ${api.command}`);
    const stats = { attempts: 1, durationMs: 1, requestId: this.calls.length, requestIds: [], host: 'im.invalid' };
    return { status: 'ok', response: api.response.parse(answer), stats };
  }

  describeRequest(): never {
    throw new Error('not used');
  }

  async close(): Promise<void> {}
}

/** The Slack port: the Web API calls the flows and handlers make, and the response_url, recorded in order. */
class FakeSlack {
  readonly events: string[] = [];
  readonly posts: Array<Record<string, unknown>> = [];
  readonly responses: Array<{ url: string; message: SlackMessage }> = [];
  readonly parentEdited = signal();
  private ts = 0;

  readonly web = {
    chat: {
      postMessage: async (args: Record<string, unknown>) => {
        this.events.push(args.thread_ts ? 'thread reply' : 'parent');
        this.posts.push(args);
        return { ok: true, ts: `1700000000.${String(++this.ts).padStart(6, '0')}` };
      },
      update: async (_args: Record<string, unknown>) => {
        this.events.push('parent edited');
        this.parentEdited.resolve();
        return { ok: true };
      },
    },
    views: {
      open: async (_args: Record<string, unknown>) => {
        this.events.push('views.open');
        return { ok: true };
      },
    },
  };

  readonly respond = async (url: string, message: SlackMessage) => {
    this.events.push('response_url');
    this.responses.push({ url, message });
    return undefined;
  };
}

function commandArgs(slack: FakeSlack, text: string, user = ALLOWED) {
  const acks: unknown[] = [];
  const command = {
    token: 'unused',
    command: '/markread',
    text,
    response_url: RESPONSE_URL,
    trigger_id: '1.2.3',
    user_id: user,
    user_name: 'someone',
    team_id: 'T0TEAM',
    team_domain: 'team',
    channel_id: CHANNEL,
    channel_name: 'support',
    api_app_id: 'A0APP',
  };
  const ack = async (response?: unknown) => {
    slack.events.push('ack');
    acks.push(response);
  };
  const args = { command, ack, client: slack.web } as unknown as CommandArgs;
  return { args, acks, command };
}

function viewArgs(values: Record<string, string>, privateMetadata: string, user = ALLOWED) {
  const acks: unknown[] = [];
  const view = {
    callback_id: MODAL_CALLBACK_ID,
    private_metadata: privateMetadata,
    state: { values: Object.fromEntries(Object.entries(values).map(([k, v]) => [k, { value: { value: v } }])) },
  };
  const body = { type: 'view_submission', user: { id: user }, team: { id: 'T0TEAM' }, view };
  const ack = async (response?: unknown) => void acks.push(response);
  return { args: { ack, body, view } as unknown as ViewArgs, acks };
}

/** The listeners' dependencies, real where they are in-process (jobs, runs, seal, allowlist), fakes at the ports. */
async function handlerWorld(reason: ReasonPolicy = DEFAULT_REASON_POLICY) {
  const im = new FakeIm();
  const slack = new FakeSlack();
  const logs = new LogCapture();
  const logger = createLogger({ level: 'info', redactor: new Redactor(), destination: logs });
  const app: ImApp = {
    name: 'default',
    sdkAppId: 1400000000,
    adminIdentifier: 'administrator',
    region: undefined,
    maxRps: 100,
    client: im,
    logger,
  };
  const audit = new AuditCapture();
  const apps = new ImApps([app], app.name);
  const flow = { logger, apps, respond: slack.respond, audit };
  const inFlight = new InFlight();
  const runs = new MemoryRunStore();
  const local = new LocalRuns();
  const web = slack.web as unknown as webApi.WebClient;
  const jobs = new SlackJobs(new MemoryWorkJournal(), { flow: { ...flow, web }, runs, local, inFlight, logger });
  await jobs.start();
  const seal = new MetadataSeal(SECRET);
  // No user groups: a check answers from the user list at once, with no Slack call and no timer.
  const allowlist = new Allowlist(new Set([ALLOWED]), new Set(), async () => [], logger);
  const deps: ListenerDeps = {
    allowlist,
    access: new AppAccess(allowlist, apps),
    approval: { config: NO_APPROVALS },
    inFlight,
    logger,
    flow,
    runs,
    local,
    seal,
    jobs,
    reason,
    history: new MemoryAuditHistory(),
  };
  return { im, slack, logs, deps, seal, audit };
}

describe('Slack handlers, called directly with fakes at the IM and Slack ports', () => {
  let w: Awaited<ReturnType<typeof handlerWorld>>;
  beforeEach(async () => {
    w = await handlerWorld();
  });
  afterEach(() => w.deps.jobs.stop());

  it('an allowed mark acks first, then posts the outcome in a thread with the unread count before → after', async () => {
    const { args, acks } = commandArgs(w.slack, 'alice bob');
    await markReadCommand(w.deps)(args);
    await w.slack.parentEdited.promise;

    assert.deepEqual(w.slack.events, ['ack', 'parent', 'thread reply', 'parent edited']);
    assert.match(messageText(acks[0] as Record<string, unknown>), /Working on it: marking `alice`'s one-to-one/);
    assert.equal((acks[0] as { response_type: string }).response_type, 'ephemeral');
    assert.deepEqual(
      w.im.calls.map((c) => c.command),
      ['v4/openim/get_c2c_unread_msg_num', 'v4/openim/admin_set_msg_read', 'v4/openim/get_c2c_unread_msg_num'],
    );
    assert.deepEqual(w.im.calls[1]?.body, { Report_Account: 'alice', Peer_Account: 'bob' });
    const reply = w.slack.posts[1] ?? {};
    assert.equal(reply.channel, CHANNEL);
    assert.match(messageText(reply), /Marked read\*: `alice`'s one-to-one conversation with `bob`/);
    assert.match(messageText(reply), /\*Unread\*: 3 → 0/);
  });

  it('text that does not parse gets the usage with the problem, privately, and calls nothing', async () => {
    const { args, acks } = commandArgs(w.slack, 'alice');
    await markReadCommand(w.deps)(args);
    const ack = acks[0] as Record<string, unknown>;
    assert.equal(ack.response_type, 'ephemeral');
    assert.match(messageText(ack), /Nothing was done: expected two UserIDs/);
    assert.match(messageText(ack), /\*Usage\*/);
    assert.deepEqual(w.slack.events, ['ack']);
    assert.equal(w.im.calls.length, 0);
  });

  it('/markread alone acks, then opens the form', async () => {
    const { args, acks } = commandArgs(w.slack, '');
    await markReadCommand(w.deps)(args);
    assert.deepEqual(acks, [undefined]);
    assert.deepEqual(w.slack.events, ['ack', 'views.open']);
  });

  it('a form with an invalid value is acked with the error on its field, and calls nothing', async () => {
    const opened = w.seal.seal({ channelId: CHANNEL, responseUrl: RESPONSE_URL });
    const { args, acks } = viewArgs({ user: 'alice', peer: 'bob smith', read_time: '' }, opened);
    await markReadModalSubmission(w.deps)(args);
    const ack = acks[0] as { response_action: string; errors: Record<string, string> };
    assert.equal(ack.response_action, 'errors');
    assert.deepEqual(Object.keys(ack.errors), ['peer']);
    assert.match(ack.errors.peer ?? '', /whitespace/);
    assert.equal(w.im.calls.length, 0);
    assert.deepEqual(w.slack.events, []);
  });

  it('a form whose metadata is not markread’s own is refused on the user field and logged', async () => {
    const forged = JSON.stringify({ channelId: 'C0OTHER', responseUrl: RESPONSE_URL, mac: '0'.repeat(64) });
    const { args, acks } = viewArgs({ user: 'alice', peer: 'bob', read_time: '' }, forged);
    await markReadModalSubmission(w.deps)(args);
    const ack = acks[0] as { response_action: string; errors: Record<string, string> };
    assert.equal(ack.response_action, 'errors');
    assert.match(ack.errors.user ?? '', /lost track of its channel/);
    assert.ok(w.audit.of('refused').some((e) => e.via === 'modal' && e.outcome?.status === 'bad-form'));
    assert.equal(w.im.calls.length, 0);
  });

  it('a valid form acks with nothing, then marks in the channel the form came from', async () => {
    const opened = w.seal.seal({ channelId: CHANNEL, responseUrl: RESPONSE_URL });
    const { args, acks } = viewArgs({ user: 'alice', peer: 'bob', read_time: '' }, opened);
    await markReadModalSubmission(w.deps)(args);
    await w.slack.parentEdited.promise;
    assert.deepEqual(acks, [undefined]);
    assert.equal(w.slack.posts[1]?.channel, CHANNEL);
    const marks = w.audit.of('mark');
    assert.ok(marks.some((e) => e.via === 'modal' && e.actor.kind === 'slack' && e.actor.user === ALLOWED));
  });
});

/** The gate on its own, with the allowlist of one user; `through` says whether it let built arguments on. */
function gateWorld() {
  const logs = new LogCapture();
  const slack = new FakeSlack();
  const logger = createLogger({ level: 'info', redactor: new Redactor(), destination: logs });
  const audit = new AuditCapture();
  const gate = authorize(new Allowlist(new Set([ALLOWED]), new Set(), async () => [], logger), audit);
  const through = async (args: Record<string, unknown>): Promise<boolean> => {
    let passed = false;
    const next = async () => {
      passed = true;
    };
    await gate({ ...args, next } as unknown as Parameters<typeof gate>[0]);
    return passed;
  };
  return { logs, slack, through, audit };
}

describe('the access gate every listener passes through', () => {
  let g: ReturnType<typeof gateWorld>;
  beforeEach(() => {
    g = gateWorld();
  });

  it('refuses a stranger’s command with the refusal text, records it, and lets no handler run', async () => {
    const { args, acks, command } = commandArgs(g.slack, 'alice bob', STRANGER);
    assert.equal(await g.through({ ...args, body: command }), false);
    const ack = acks[0] as Record<string, unknown>;
    assert.equal(ack.response_type, 'ephemeral');
    assert.match(String(ack.text), /can't use \/markread: not on the markread allowlist/);
    const [refused] = g.audit.of('refused');
    assert.deepEqual(
      [refused?.actor, refused?.via, refused?.thread, refused?.target, refused?.outcome?.detail],
      [
        { kind: 'slack', team: 'T0TEAM', user: STRANGER },
        'command',
        { channel: CHANNEL },
        { user: 'alice', peers: ['bob'] },
        'not on the markread allowlist',
      ],
    );
    assert.deepEqual(g.slack.events, ['ack']);
  });

  it('lets an allowed caller through without acking for the handler', async () => {
    const { args, acks, command } = commandArgs(g.slack, 'alice bob');
    assert.equal(await g.through({ ...args, body: command }), true);
    assert.deepEqual(acks, []);
  });

  it('replaces a stranger’s submitted form with “Not allowed”', async () => {
    const { args, acks } = viewArgs({ user: 'alice', peer: 'bob' }, '{}', STRANGER);
    assert.equal(await g.through(args as unknown as Record<string, unknown>), false);
    const ack = acks[0] as { response_action: string; view: { title: { text: string } } };
    assert.equal(ack.response_action, 'update');
    assert.equal(ack.view.title.text, 'Not allowed');
    assert.ok(
      g.audit.of('refused').some((e) => e.via === 'modal' && e.actor.kind === 'slack' && e.actor.user === STRANGER),
    );
  });

  it('is open to all for the usage, and for the run buttons (their run admits its requester alone)', async () => {
    const { args, command } = commandArgs(g.slack, 'help', STRANGER);
    assert.equal(await g.through({ ...args, body: command }), true);
    const invalid = commandArgs(g.slack, 'alice', STRANGER);
    assert.equal(await g.through({ ...invalid.args, body: invalid.command }), true);
    for (const actionId of Object.values(BULK_ACTIONS)) {
      const action = { type: 'button', action_id: actionId, value: 'run-1' };
      const body = { type: 'block_actions', user: { id: STRANGER }, actions: [action] };
      assert.equal(await g.through({ action, body, ack: async () => {} }), true, actionId);
    }
  });

  it('refuses a stranger’s press of any other button', async () => {
    const action = { type: 'button', action_id: 'some_later_button', value: 'x' };
    const body = { type: 'block_actions', user: { id: STRANGER }, actions: [action] };
    let acked = false;
    const ack = async () => {
      acked = true;
    };
    assert.equal(await g.through({ action, body, ack }), false);
    assert.ok(acked);
    assert.ok(
      g.audit.of('refused').some((e) => e.via === 'button' && /some_later_button/.test(e.outcome?.detail ?? '')),
    );
  });
});
