import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../src/audit/event.js';
import { slackThreadLink } from '../src/audit/sink.js';
import { loadImConfig } from '../src/config/im-config.js';
import { loadSlackConfig } from '../src/config/slack-config.js';
import { createImRuntime } from '../src/im-runtime.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { Allowlist } from '../src/slack/access/allowlist.js';
import { createSlackApp, type SlackAppHandle } from '../src/slack/app.js';
import { HOME_ACTIONS, MODAL_CHANNEL_FIELD } from '../src/slack/blocks/ids.js';
import type { ListenerDeps } from '../src/slack/deps.js';
import { appHomeOpened, type HomeArgs } from '../src/slack/listeners/events/app-home.js';
import { MemoryAuditHistory } from '../src/stores/audit-history.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { appHomeOpenedCallback } from '../stand-ins/slack-signing.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { SocketModeStandIn } from '../stand-ins/socket-mode-stand-in.js';
import { auditLines } from './support/audit-capture.js';
import { ADMIN, LogCapture, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import {
  ALLOWED,
  BOT_TOKEN,
  CHANNEL,
  type SlackFixture,
  standInEnv,
  startSlackFixture,
  threadReply,
} from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const STRANGER = 'U0STRANGER';
const GROUP = 'S0ONCALL';

/** The Home tab `user` was last shown, as JSON text, once one has been published after `since` calls. */
async function homeOf(slack: SlackStandIn, user: string, since: number): Promise<string> {
  await waitFor(() => slack.calls.slice(since).some((c) => c.method === 'views.publish' && c.args.user_id === user), {
    what: `a Home tab published for ${user}`,
  });
  return JSON.stringify(slack.homeViews.get(user));
}

/** Waits until the audit log has an event of `kind` matching `where`. */
function audited(f: SlackFixture, kind: AuditEvent['kind'], where: (e: AuditEvent) => boolean): Promise<AuditEvent> {
  return waitFor(() => auditLines(f.logs.records).find((e) => e.kind === kind && where(e)), {
    what: `an audit event ${kind}`,
  });
}

describe('App Home over HTTP, history in memory', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture({
      env: { MARKREAD_ALLOWED_USERGROUPS: GROUP },
      slack: { usergroups: new Map([[GROUP, ['U0LEAD']]]) },
    });
  });
  after(() => f.close());

  it('after a mark, opening the Home tab lists it with time, actor, target, app, outcome and thread link, and an open-form button', async () => {
    // The sink links threads once auth.test has named the workspace; set here as start-up sets it.
    f.handle.audit.threadLink ??= (channel, ts) => slackThreadLink('https://stand-in.slack.com/', channel, ts);
    await f.command('alice bob');
    const reply = await waitFor(() => threadReply(f.slack.calls, 'alice', 'bob'), { what: 'the thread reply' });
    await audited(f, 'mark', (e) => e.target?.user === 'alice');
    const since = f.slack.calls.length;
    assert.equal((await f.openHome()).status, 200);
    const home = await homeOf(f.slack, ALLOWED, since);

    const parent = String(reply.args.thread_ts).replace('.', '');
    assert.match(home, /<!date\^\d+\^\{date_short_pretty\} \{time_secs\}\|20\d\d-[^>]+Z>/, 'the time');
    assert.match(home, new RegExp(`<@${ALLOWED}> · \\*mark\\* \`alice\` ↔ \`bob\``), 'actor, kind and target');
    assert.match(home, new RegExp(`app \`default\` \\(${SDK_APP_ID}\\)`), 'the IM app');
    assert.match(home, /:white_check_mark: ok, unread \d+ → 0/, 'the outcome');
    assert.ok(home.includes(`<https://stand-in.slack.com/archives/${CHANNEL}/p${parent}|thread>`), 'the thread link');
    assert.ok(home.includes(`"action_id":"${HOME_ACTIONS.openForm}"`), 'the button that opens the form');
    assert.match(home, /Your recent actions.*alice.*The team’s recent actions.*alice/s);
  });

  it('tells an allowed person the history is in memory and lost on restart', async () => {
    const since = f.slack.calls.length;
    await f.openHome();
    assert.match(await homeOf(f.slack, ALLOWED, since), /lost when markread restarts/);
  });

  it('shows a stranger who can act and how to ask, and none of the history', async () => {
    await audited(f, 'mark', (e) => e.target?.user === 'alice');
    const since = f.slack.calls.length;
    assert.equal((await f.openHome(STRANGER)).status, 200);
    const home = await homeOf(f.slack, STRANGER, since);
    assert.ok(home.includes(`<@${ALLOWED}>`), home);
    assert.ok(home.includes(`<!subteam^${GROUP}>`), home);
    assert.ok(home.includes(`\`${STRANGER}\``) && home.includes('How to ask'), home);
    assert.doesNotMatch(home, /alice|bob|open_form|recent actions/);
    // Opening the tab is not a use of the admin power: nothing is refused or recorded for it.
    assert.equal(auditLines(f.logs.records).filter((e) => e.kind === 'refused').length, 0);
  });

  it('the form opened from Home asks for a channel, then marks and posts its thread in the channel picked', async () => {
    const since = f.slack.calls.length;
    assert.equal((await f.pressInHome(HOME_ACTIONS.openForm)).status, 200);
    const opened = await waitFor(() => f.slack.calls.slice(since).find((c) => c.method === 'views.open'), {
      what: 'the form opened from Home',
    });
    const view = opened.args.view as { private_metadata: string; blocks: unknown[] };
    assert.match(JSON.stringify(view.blocks), /"type":"conversations_select"[^}]*"response_url_enabled":true/);

    const noChannel = await f.submitModal({ user: 'carol', peer: 'dave' }, { privateMetadata: view.private_metadata });
    assert.match(noChannel.body, new RegExp(`"${MODAL_CHANNEL_FIELD}":"Pick the channel`));

    const picked = { block_id: MODAL_CHANNEL_FIELD, channel_id: 'C0PICKED', response_url: f.slack.responseUrl('home') };
    const ok = await f.submitModal({ user: 'carol', peer: 'dave' }, { privateMetadata: view.private_metadata, picked });
    assert.equal(ok.status, 200);
    const reply = await waitFor(() => threadReply(f.slack.calls, 'carol', 'dave'), { what: 'the thread reply' });
    assert.equal(reply.args.channel, 'C0PICKED');
    assert.equal(
      f.im.accepted().filter((a) => (a.body as { Report_Account: string }).Report_Account === 'carol').length,
      1,
    );
    const mark = await audited(f, 'mark', (e) => e.target?.user === 'carol');
    assert.equal(mark.via, 'app-home');
    assert.equal(mark.thread?.channel, 'C0PICKED');
  });
});

describe('App Home over Socket Mode', () => {
  const APP_TOKEN = 'xapp-1-A0MARKREAD-1234-abcdef0123456789';
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const socket = new SocketModeStandIn();
  const slack = new SlackStandIn({ botToken: BOT_TOKEN, appToken: APP_TOKEN, socketMode: socket });
  let handle: SlackAppHandle;
  before(async () => {
    await Promise.all([im.start(), slack.start(), socket.start()]);
    const env = { ...standInEnv(im, slack), SLACK_APP_TOKEN: APP_TOKEN };
    const runtime = createImRuntime(loadImConfig(env).config, { destination: new LogCapture(), logLevel: 'info' });
    handle = createSlackApp(loadSlackConfig(env), runtime, { startupWaitMs: 3_000 });
    await handle.start();
  });
  after(async () => {
    await handle.stop(2_000);
    await Promise.all([im.stop(), slack.stop(), socket.stop()]);
  });

  it('an app_home_opened envelope is acked and publishes the Home tab', async () => {
    const ack = await socket.deliver('events_api', appHomeOpenedCallback(ALLOWED));
    assert.ok(ack, 'the envelope was acked');
    const home = await homeOf(slack, ALLOWED, 0);
    assert.ok(home.includes(HOME_ACTIONS.openForm), home);
  });

  it('the messages tab opening publishes nothing', async () => {
    const since = slack.calls.length;
    assert.ok(await socket.deliver('events_api', appHomeOpenedCallback(ALLOWED, 'messages')));
    // A later opening of the Home tab is the positive sign that the earlier one has been handled.
    assert.ok(await socket.deliver('events_api', appHomeOpenedCallback(ALLOWED)));
    await homeOf(slack, ALLOWED, since);
    assert.equal(slack.calls.slice(since).filter((c) => c.method === 'views.publish').length, 1);
  });
});

describe('the Home tab handler, called directly with fakes at its ports', () => {
  const logger = createLogger({ level: 'info', redactor: new Redactor(), destination: new LogCapture() });
  const allowlist = new Allowlist(new Set([ALLOWED]), new Set(), async () => [], logger);
  const opened = { type: 'app_home_opened', user: ALLOWED, channel: 'D0MARKREAD', tab: 'home', event_ts: '1.1' };

  /** Runs the handler with `history` and a client whose views.publish answers with `publish`. */
  async function open(history: ListenerDeps['history'], publish: (view: unknown) => Promise<unknown>) {
    const published: unknown[] = [];
    const client = {
      views: {
        publish: (args: { view: unknown }) => {
          published.push(args.view);
          return publish(args.view);
        },
      },
    };
    // One app with no list of its own: the allowlist decides.
    const access = { check: (u: string) => allowlist.check(u), visibleApps: async () => 'all' as const };
    const deps = { allowlist, access, logger, history } as unknown as ListenerDeps;
    await appHomeOpened(deps)({ event: opened, client } as unknown as HomeArgs);
    return published.map((v) => JSON.stringify(v));
  }

  it('says the history cannot be read now, and still offers the form, when reading it fails', async () => {
    const broken = { keeps: 'shared', accept() {}, recent: () => Promise.reject(new Error('redis is unreachable')) };
    const [home] = await open(broken, async () => ({ ok: true }));
    assert.match(home ?? '', /The history cannot be read right now/);
    assert.ok(home?.includes(HOME_ACTIONS.openForm));
  });

  it('publishes a plain tab when Slack refuses the full one, so the tab never stays blank', async () => {
    let calls = 0;
    const views = await open(new MemoryAuditHistory(), async () => {
      if (++calls === 1) throw Object.assign(new Error('invalid_blocks'), { data: { error: 'invalid_blocks' } });
      return { ok: true };
    });
    assert.equal(views.length, 2);
    assert.match(views[1] ?? '', /could not show its history here/);
  });
});

describe('the in-memory history', () => {
  const event = (n: number): AuditEvent => ({
    id: `e${n}`,
    at: new Date(1767225600000 + n * 1000).toISOString(),
    kind: 'mark',
    actor: { kind: 'slack', user: ALLOWED },
    via: 'command',
  });

  it('keeps the newest events, newest first, and forgets the oldest once full', async () => {
    const history = new MemoryAuditHistory(3);
    for (let n = 1; n <= 5; n++) history.accept(event(n));
    assert.deepEqual(
      (await history.recent(10)).map((e) => e.id),
      ['e5', 'e4', 'e3'],
    );
    assert.deepEqual(
      (await history.recent(2)).map((e) => e.id),
      ['e5', 'e4'],
    );
  });
});
