import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { after, afterEach, before, describe, it } from 'node:test';
import { request } from 'undici';
import { loadImConfig } from '../src/config/im-config.js';
import { loadSlackConfig } from '../src/config/slack-config.js';
import { createImRuntime } from '../src/im-runtime.js';
import { createSlackApp, type SlackAppHandle } from '../src/slack/app.js';
import { APPROVAL_ACTIONS } from '../src/slack/blocks/ids.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { blockActionBody, commandBody } from '../stand-ins/slack-signing.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { SocketModeStandIn } from '../stand-ins/socket-mode-stand-in.js';
import { freePort } from './support/free-port.js';
import { ADMIN, LogCapture, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { ALLOWED, approvalRequestIn, BOT_TOKEN, CHANNEL, messageText, standInEnv } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const APP_TOKEN = 'xapp-1-A0MARKREAD-1234-abcdef0123456789';

const commandPayload = (text: string, responseUrl: string) =>
  Object.fromEntries(
    new URLSearchParams(commandBody({ text, user_id: ALLOWED, channel_id: CHANNEL, response_url: responseUrl })),
  );
const actionPayload = (actionId: string, value: string, responseUrl: string, user = ALLOWED) =>
  JSON.parse(
    new URLSearchParams(
      blockActionBody({ user_id: user, action_id: actionId, value, channel_id: CHANNEL, response_url: responseUrl }),
    ).get('payload') ?? '{}',
  ) as Record<string, unknown>;

interface World {
  im: ImStandIn;
  slack: SlackStandIn;
  socket: SocketModeStandIn;
  env: Record<string, string>;
}

async function world(): Promise<World> {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const socket = new SocketModeStandIn();
  const slack = new SlackStandIn({ botToken: BOT_TOKEN, appToken: APP_TOKEN, socketMode: socket });
  await Promise.all([im.start(), slack.start(), socket.start()]);
  const env = { ...standInEnv(im, slack), SLACK_APP_TOKEN: APP_TOKEN };
  return { im, slack, socket, env };
}

function app(w: World, env: Record<string, string> = {}, startupWaitMs = 3_000) {
  const logs = new LogCapture();
  const all = { ...w.env, ...env };
  const runtime = createImRuntime(loadImConfig(all).config, { destination: logs, logLevel: 'info' });
  const handle = createSlackApp(loadSlackConfig(all), runtime, {
    startupWaitMs,
    socketBackoff: { baseMs: 100, capMs: 400 },
    healthGraceMs: 500,
  });
  return { handle, logs };
}

async function health(port: number): Promise<{ status: number; body: Record<string, unknown> }> {
  const res = await request(`http://127.0.0.1:${port}/healthz`);
  return { status: res.statusCode, body: (await res.body.json()) as Record<string, unknown> };
}

describe('Socket Mode, end to end over a WebSocket', () => {
  let w: World;
  let handle: SlackAppHandle;
  let logs: LogCapture;
  let port: number;
  before(async () => {
    w = await world();
    ({ handle, logs } = app(w));
    port = await handle.start();
  });
  after(async () => {
    await handle.stop(2_000);
    await Promise.all([w.im.stop(), w.slack.stop(), w.socket.stop()]);
  });

  it('acks a command on the socket and posts the outcome in a thread', async () => {
    const before = w.slack.calls.length;
    const ack = await w.socket.deliver('slash_commands', commandPayload('alice bob', w.slack.responseUrl('sm1')));
    assert.ok(ack, 'the envelope was acked');
    assert.match(messageText(ack.payload ?? {}), /Working on it/);
    await waitFor(() => w.slack.calls.slice(before).some((c) => c.method === 'chat.update'), {
      what: 'the parent message edited with the outcome',
    });
    assert.equal(w.im.accepted().filter((a) => (a.body as { Peer_Account: string }).Peer_Account === 'bob').length, 1);
    assert.equal((await health(port)).status, 200);
  });

  it('opens the modal, and runs an --all confirmed with its button', async () => {
    const before = w.slack.calls.length;
    assert.ok(await w.socket.deliver('slash_commands', commandPayload('', w.slack.responseUrl('sm-modal'))));
    await waitFor(() => w.slack.calls.slice(before).some((c) => c.method === 'views.open'), { what: 'the modal' });
    w.im.seed('sam', { s1: 1, s2: 2, s3: 3 });
    assert.ok(await w.socket.deliver('slash_commands', commandPayload('sam --all', w.slack.responseUrl('sm-all'))));
    await waitFor(() => w.slack.responses.some((r) => r.id === 'sm-all'), { what: 'the --all prompt' });
    const runId =
      /"action_id":"markread_all_confirm","value":"([^"]+)"/.exec(
        JSON.stringify(w.slack.responses.find((r) => r.id === 'sm-all')?.body),
      )?.[1] ?? '';
    assert.ok(
      await w.socket.deliver(
        'interactive',
        actionPayload('markread_all_confirm', runId, w.slack.responseUrl('sm-confirm')),
      ),
    );
    await waitFor(
      () => w.slack.calls.slice(before).some((c) => c.method === 'chat.update' && /Finished/.test(messageText(c.args))),
      { what: 'the --all run to finish' },
    );
    assert.equal(
      w.im.accepted().filter((a) => (a.body as { Report_Account: string }).Report_Account === 'sam').length,
      3,
    );
  });

  it('on refresh_requested, opens a fresh connection before closing the old one and loses no command sent in between', async () => {
    const opensBefore = w.socket.connections;
    const before = logs.records.length;
    // How many connections were open each time markread asked for a new one: never none.
    const openWhenAsked: number[] = [];
    const openConnection = w.socket.openConnection.bind(w.socket);
    w.socket.openConnection = () => {
      openWhenAsked.push(w.socket.openCount);
      return openConnection();
    };
    // The stand-in would close the old connection only after a minute: any close before that is markread's.
    w.socket.disconnect('refresh_requested', 60_000);
    // A command sent at once, while the old connection is still the only one open.
    const during = w.socket.deliver('slash_commands', commandPayload('alice bob', w.slack.responseUrl('sm-during')));
    assert.ok(await during, 'the command sent during the refresh was acked');
    await waitFor(() => w.socket.connections > opensBefore, { what: 'a new connection' });
    await waitFor(() => w.socket.openCount === 1, { what: 'markread to close the old connection' });
    w.socket.openConnection = openConnection;
    assert.deepEqual(openWhenAsked, [1], 'the new connection asked for while the old one was still open');
    assert.ok(
      await w.socket.deliver('slash_commands', commandPayload('alice bob', w.slack.responseUrl('sm-after'))),
      'acked on the new connection',
    );
    const lines = logs.records.slice(before).map((r) => String(r.msg));
    assert.ok(
      lines.some((m) => /opening a new connection before closing this one/.test(m)),
      lines.join(' | '),
    );
    assert.ok(!lines.some((m) => /connection lost/.test(m)), `never without a connection: ${lines.join(' | ')}`);
  });

  it('rides out an outage (connections cut, apps.connections.open failing): /healthz says why, then it reconnects by itself', async () => {
    w.socket.failOpen = { status: 503 };
    w.socket.dropAll();
    const down = await waitFor(
      async () => {
        const now = await health(port);
        return now.status === 503 && now;
      },
      { what: '/healthz to report the outage' },
    );
    assert.match(String(down.body.slack), /^disconnected since \d{4}-/);
    const opens = w.socket.opens;
    w.socket.failOpen = { error: 'internal_error' };
    await waitFor(() => w.socket.opens > opens, { what: 'a reconnect attempt answered internal_error' });
    w.socket.failOpen = undefined;
    await waitFor(() => w.socket.openCount === 1, { what: 'markread to reconnect' });
    assert.equal((await health(port)).status, 200);
    assert.ok(await w.socket.deliver('slash_commands', commandPayload('alice bob', w.slack.responseUrl('sm-back'))));
    const lines = logs.records.filter((r) => r.component === 'socket-mode').map((r) => String(r.msg));
    assert.ok(
      lines.some((m) => /connection lost/.test(m)) &&
        lines.some((m) => /retrying in/.test(m)) &&
        lines.some((m) => /reconnected/.test(m)),
      lines.join(' | '),
    );
  });
});

describe('start-up checks, one line each', () => {
  let w: World;
  before(async () => {
    w = await world();
  });
  afterEach(() => {
    w.socket.failOpen = undefined;
    w.slack.options.authError = undefined;
  });
  after(() => Promise.all([w.im.stop(), w.slack.stop(), w.socket.stop()]));

  const startError = async (env: Record<string, string> = {}, waitMs = 3_000) => {
    const { handle } = app(w, env, waitMs);
    try {
      await handle.start();
      await handle.stop(100);
      return 'started';
    } catch (error) {
      await handle.stop(100).catch(() => undefined);
      return `${(error as Error).name}: ${(error as Error).message}`;
    }
  };

  it('names SLACK_APP_TOKEN for a wrong token, and connections:write for a missing scope', async () => {
    assert.match(
      await startError({ SLACK_APP_TOKEN: 'xapp-1-wrong' }),
      /^StartupError: SLACK_APP_TOKEN: Slack does not accept this token \(invalid_auth\)/,
    );
    w.socket.failOpen = { error: 'missing_scope' };
    assert.match(await startError(), /^StartupError: SLACK_APP_TOKEN: .*connections:write/);
  });

  it('names SLACK_BOT_TOKEN for a revoked bot token, in both modes', async () => {
    w.slack.options.authError = 'token_revoked';
    assert.match(await startError(), /^StartupError: SLACK_BOT_TOKEN: the token was revoked/);
    assert.match(
      await startError({ SLACK_APP_TOKEN: '', SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5' }),
      /^StartupError: SLACK_BOT_TOKEN: the token was revoked/,
    );
  });

  it('says Slack cannot be reached, with the cause, after a bounded wait', async () => {
    const port = await freePort();
    const message = await startError({ SLACK_API_URL: `http://127.0.0.1:${port}/api/` }, 1_000);
    assert.match(
      message,
      new RegExp(
        `^StartupError: cannot reach Slack at http://127\\.0\\.0\\.1:${port}/api/: .*ECONNREFUSED.* check this host's egress`,
      ),
    );
  });

  it('says PORT is in use, in both modes, before connecting', async () => {
    const blocker = createServer().listen(0, '127.0.0.1');
    await new Promise((r) => blocker.once('listening', r));
    const taken = String((blocker.address() as { port: number }).port);
    try {
      const opens = w.socket.opens;
      assert.match(await startError({ PORT: taken }), new RegExp(`^StartupError: PORT ${taken} is in use`));
      assert.equal(w.socket.opens, opens, 'nothing was connected');
      assert.match(
        await startError({
          PORT: taken,
          SLACK_APP_TOKEN: '',
          SLACK_SIGNING_SECRET: '8f742231b10e8888abcd99yyyzzz85a5',
        }),
        new RegExp(`^StartupError: PORT ${taken} is in use`),
      );
    } finally {
      blocker.close();
    }
  });
});

describe('approvals in Socket Mode', () => {
  let w: World;
  let handle: SlackAppHandle;
  before(async () => {
    w = await world();
    ({ handle } = app(w, { MARKREAD_APPROVAL_OVER: '2', MARKREAD_ALLOWED_USERS: `${ALLOWED},U0SECOND` }));
    await handle.start();
  });
  after(async () => {
    await handle.stop(2_000);
    await Promise.all([w.im.stop(), w.slack.stop(), w.socket.stop()]);
  });

  it('a run over the threshold waits for the Approve another person presses on the socket, then runs', async () => {
    const ack = await w.socket.deliver('slash_commands', commandPayload('ada p1 p2 p3', w.slack.responseUrl('ap')));
    assert.match(messageText(ack?.payload ?? {}), /needs another person's approval/);
    const request = await waitFor(() => approvalRequestIn(w.slack.calls, 'ada'), { what: 'the approval request' });
    assert.equal(w.im.accepted().length, 0, 'nothing marked while it waits');
    assert.ok(request.runId);
    const press = actionPayload(APPROVAL_ACTIONS.approve, request.runId, w.slack.responseUrl('ap-ok'), 'U0SECOND');
    assert.ok(await w.socket.deliver('interactive', press), 'the press was acked');
    await waitFor(() => w.im.accepted().length === 3, { what: 'the three marks' });
  });
});
