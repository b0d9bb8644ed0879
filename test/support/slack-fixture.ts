import { request } from 'undici';
import { loadImApps } from '../../src/config/im-apps.js';
import { loadSlackConfig } from '../../src/config/slack-config.js';
import { createImRuntime, type ImRuntime } from '../../src/im-runtime.js';
import { Metrics } from '../../src/metrics/metrics.js';
import { createSlackApp, type SlackAppHandle, type SlackAppOptions } from '../../src/slack/app.js';
import { MetadataSeal } from '../../src/slack/sealed-metadata.js';
import { ImStandIn } from '../../stand-ins/im-stand-in.js';
import { messageText } from '../../stand-ins/message-text.js';
import {
  appHomeOpenedCallback,
  blockActionBody,
  commandBody,
  homeActionBody,
  type PickedChannel,
  signedHeaders,
  signedJsonHeaders,
  viewSubmissionBody,
} from '../../stand-ins/slack-signing.js';
import { type SlackApiCall, SlackStandIn, type SlackStandInOptions } from '../../stand-ins/slack-stand-in.js';
import { ADMIN, imEnv, LogCapture, SDK_APP_ID, SECRET_KEY } from './im-fixture.js';
import { waitFor } from './wait-for.js';

export const BOT_TOKEN = 'xoxb-1234567890-test-bot-token';
export const SIGNING_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
export const ALLOWED = 'U0ONCALL';
export const CHANNEL = 'C0SUPPORT';

export interface SlackFixture {
  im: ImStandIn;
  slack: SlackStandIn;
  handle: SlackAppHandle;
  runtime: ImRuntime;
  logs: LogCapture;
  port: number;
  command(
    text: string,
    options?: { user?: string; channel?: string; timestamp?: number; signature?: string; responseId?: string },
  ): Promise<{ status: number; body: string }>;
  submitModal(
    values: Record<string, string>,
    options?: {
      user?: string;
      privateMetadata?: string;
      picked?: PickedChannel;
      selected?: Record<string, string>;
      /** Another form's (markread's own by default). */
      callbackId?: string;
    },
  ): Promise<{ status: number; body: string }>;
  /** `user` opens markread's Home tab: a signed app_home_opened event_callback. */
  openHome(user?: string): Promise<{ status: number; body: string }>;
  /** `user` presses a button in markread's Home tab. */
  pressInHome(actionId: string, user?: string): Promise<{ status: number; body: string }>;
  press(
    actionId: string,
    value: string,
    options?: { user?: string; responseId?: string },
  ): Promise<{ status: number; body: string }>;
  close(): Promise<void>;
}

/** The app's environment pointed at the stand-ins: HTTP mode needs SLACK_SIGNING_SECRET, Socket Mode SLACK_APP_TOKEN. */
export function standInEnv(
  im: ImStandIn,
  slack: SlackStandIn,
  imVariables: (url: string) => Record<string, string> = imEnv,
): Record<string, string> {
  return {
    ...imVariables(im.url),
    TIM_TIMEOUT_MS: '1000',
    TIM_DEADLINE_MS: '3000',
    SLACK_BOT_TOKEN: BOT_TOKEN,
    SLACK_API_URL: slack.apiUrl,
    PORT: '0',
    MARKREAD_ALLOWED_USERS: ALLOWED,
  };
}

export async function startSlackFixture(
  options: {
    env?: Record<string, string>;
    slack?: Partial<SlackStandInOptions>;
    accounts?: Set<string>;
    app?: SlackAppOptions;
    /** The IM variables for the stand-in at `url` (TIM_APPS and TIM_<NAME>_* for several apps); TIM_* by default. */
    imEnv?: (url: string) => Record<string, string>;
  } = {},
): Promise<SlackFixture> {
  const im = new ImStandIn({
    sdkAppId: SDK_APP_ID,
    identifier: ADMIN,
    secretKey: SECRET_KEY,
    accounts: options.accounts,
  });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN, ...options.slack });
  await Promise.all([im.start(), slack.start()]);
  const env = { ...standInEnv(im, slack, options.imEnv), SLACK_SIGNING_SECRET: SIGNING_SECRET, ...options.env };
  const logs = new LogCapture();
  // As main.ts does: one registry for the app, which its IM clients report into too.
  const metrics = options.app?.metrics ?? new Metrics();
  const runtime = createImRuntime(loadImApps(env), {
    destination: logs,
    logLevel: 'info',
    observe: metrics.imObserver,
  });
  const handle = createSlackApp(loadSlackConfig(env), runtime, { ...options.app, metrics });
  const port = await handle.start();
  const events = `http://127.0.0.1:${port}/slack/events`;
  let responseCounter = 0;

  const post = async (body: string, headers: Record<string, string>) => {
    const res = await request(events, { method: 'POST', headers, body });
    return { status: res.statusCode, body: await res.body.text() };
  };

  return {
    im,
    slack,
    handle,
    runtime,
    logs,
    port,
    command(text, o = {}) {
      const body = commandBody({
        text,
        user_id: o.user ?? ALLOWED,
        channel_id: o.channel ?? CHANNEL,
        response_url: slack.responseUrl(o.responseId ?? `r${++responseCounter}`),
      });
      const headers = signedHeaders(SIGNING_SECRET, body, o.timestamp);
      if (o.signature) headers['x-slack-signature'] = o.signature;
      return post(body, headers);
    },
    submitModal(values, o = {}) {
      const body = viewSubmissionBody({
        user_id: o.user ?? ALLOWED,
        values,
        private_metadata:
          o.privateMetadata ??
          new MetadataSeal(SIGNING_SECRET).seal({ channelId: CHANNEL, responseUrl: slack.responseUrl('modal') }),
        ...(o.picked ? { picked: o.picked } : {}),
        ...(o.selected ? { selected: o.selected } : {}),
        ...(o.callbackId ? { callback_id: o.callbackId } : {}),
      });
      return post(body, signedHeaders(SIGNING_SECRET, body));
    },
    openHome(user = ALLOWED) {
      const body = JSON.stringify(appHomeOpenedCallback(user));
      return post(body, signedJsonHeaders(SIGNING_SECRET, body));
    },
    pressInHome(actionId, user = ALLOWED) {
      const body = homeActionBody({ user_id: user, action_id: actionId });
      return post(body, signedHeaders(SIGNING_SECRET, body));
    },
    press(actionId, value, o = {}) {
      const body = blockActionBody({
        user_id: o.user ?? ALLOWED,
        action_id: actionId,
        value,
        channel_id: CHANNEL,
        response_url: slack.responseUrl(o.responseId ?? `press${++responseCounter}`),
      });
      return post(body, signedHeaders(SIGNING_SECRET, body));
    },
    async close() {
      await handle.stop(2_000);
      await Promise.all([im.stop(), slack.stop()]);
    },
  };
}

export { messageText };

/** The thread reply with the outcome of a single mark of `user` ↔ `peer` among `calls`, if it was posted. */
export function threadReply(calls: SlackApiCall[], user: string, peer: string): SlackApiCall | undefined {
  return calls.find(
    (c) =>
      c.method === 'chat.postMessage' &&
      c.args.thread_ts !== undefined &&
      messageText(c.args).includes(`\`${user}\``) &&
      messageText(c.args).includes(`\`${peer}\``),
  );
}

/**
 * A positive sign that what came before has been handled: `/markread <user> <peer>` sent now has its outcome in
 * its thread. Work starts in the order it came, so anything an earlier request had set going has begun by then;
 * a test can then assert that something did not happen.
 */
export async function laterCommandDone(f: SlackFixture, user: string, peer: string): Promise<void> {
  const before = f.slack.calls.length;
  await f.command(`${user} ${peer}`);
  await waitFor(() => threadReply(f.slack.calls.slice(before), user, peer), {
    what: `the outcome of a later command, ${user} ↔ ${peer}`,
  });
}

/** The approval request posted for `user`'s run among `calls`, and the run id on its Approve button. */
export function approvalRequestIn(
  calls: SlackApiCall[],
  user: string,
): { call: SlackApiCall; runId: string | undefined } | undefined {
  const call = calls.find(
    (c) =>
      c.method === 'chat.postMessage' &&
      /Approval needed/.test(messageText(c.args)) &&
      messageText(c.args).includes(`\`${user}\``),
  );
  if (!call) return undefined;
  const blocks = call.args.blocks as { elements?: { action_id?: string; value?: string }[] }[];
  const runId = blocks.flatMap((b) => b.elements ?? []).find((e) => e.action_id === 'markread_approve')?.value;
  return { call, runId };
}

/** The edit of `user`'s bulk run's parent message that says it finished, among `calls`. */
export function finishedParentIn(calls: SlackApiCall[], user: string): SlackApiCall | undefined {
  return calls.find(
    (c) =>
      c.method === 'chat.update' &&
      /Finished: summary/.test(messageText(c.args)) &&
      messageText(c.args).includes(`\`${user}\``),
  );
}
