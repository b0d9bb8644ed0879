/**
 * `npm run demo`: the whole markread flow on this machine, no credentials. It starts local stand-ins for Slack's
 * Web API and Tencent Cloud Chat, runs the real app against them in HTTP mode, sends it Slack-signed slash
 * commands, and prints what the requester and the channel would see.
 */
import { request } from 'undici';
import { loadImConfig } from '../src/config/im-config.js';
import { loadSlackConfig } from '../src/config/slack-config.js';
import { createImRuntime } from '../src/im-runtime.js';
import { createSlackApp } from '../src/slack/app.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { blockActionBody, commandBody, signedHeaders } from '../stand-ins/slack-signing.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { renderChannels, visibleText } from './render.js';

const BOT_TOKEN = 'xoxb-demo-not-a-real-token';
const SIGNING_SECRET = 'demo0signing0secret0not0real0000';
const SECRET_KEY = 'demo-im-secret-key-not-real';
const RESPONDER = 'U0ONCALL';

const people = ['alice', 'bob', 'carol', 'dave', 'erin', ...Array.from({ length: 25 }, (_, i) => `fan${i}`)];
const im = new ImStandIn({
  sdkAppId: 1400000001,
  identifier: 'administrator',
  secretKey: SECRET_KEY,
  accounts: new Set(people),
});
im.seed('alice', { bob: 12, carol: 3, dave: 7 });
im.seed('carol', { bob: 2 });
// bob's badge is stuck: erin's conversation has no unread messages, but bob marked it unread by hand.
im.conversations.set('bob', [
  { peer: 'alice', type: 1, unread: 4, msgTime: 30 },
  { peer: 'erin', type: 1, unread: 0, msgTime: 20, marks: [2] },
  { peer: 'night-shift', type: 2, unread: 9, msgTime: 25 },
]);
im.seed('dave', Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`fan${i}`, i % 4])));
const slack = new SlackStandIn({ botToken: BOT_TOKEN, channelErrors: new Map([['C0PRIVATE', 'channel_not_found']]) });
await Promise.all([im.start(), slack.start()]);

const env = {
  TIM_SDKAPPID: '1400000001',
  TIM_SECRET_KEY: SECRET_KEY,
  TIM_BASE_URL: im.url,
  SLACK_BOT_TOKEN: BOT_TOKEN,
  SLACK_SIGNING_SECRET: SIGNING_SECRET,
  SLACK_API_URL: slack.apiUrl,
  PORT: '0',
  MARKREAD_ALLOWED_USERS: RESPONDER,
};
const runtime = createImRuntime(loadImConfig(env).config, {
  logLevel: process.env.LOG_LEVEL === undefined ? 'silent' : loadImConfig(env).config.logLevel,
});
const app = createSlackApp(loadSlackConfig(env), runtime);
const port = await app.start();

async function slash(text: string, channel: string, user = RESPONDER): Promise<void> {
  const body = commandBody({
    text,
    user_id: user,
    channel_id: channel,
    response_url: slack.responseUrl(`/markread ${text} by ${user} in ${channel}`),
  });
  const started = performance.now();
  const res = await request(`http://127.0.0.1:${port}/slack/events`, {
    method: 'POST',
    headers: signedHeaders(SIGNING_SECRET, body),
    body,
  });
  const ack = (await res.body.json()) as Record<string, unknown>;
  console.log(`> ${user} in #${channel}: /markread ${text}`);
  console.log(
    `  ack in ${Math.round(performance.now() - started)} ms, only ${user} sees: ${visibleText(ack).split('\n')[0]}`,
  );
}

console.log(
  `markread demo: the real app on http://127.0.0.1:${port}/slack/events, with stand-ins for Slack (${slack.url}) and Tencent Cloud Chat (${im.url})\n`,
);
await slash('alice bob', 'C0SUPPORT');
await slash('alice ghost', 'C0SUPPORT');
await slash('carol bob', 'C0PRIVATE');
await slash('alice bob', 'C0SUPPORT', 'U0STRANGER');
await slash('<@U0BOB> alice', 'C0SUPPORT');
await slash('alice carol dave ghost', 'C0SUPPORT');
await slash('dave --all', 'C0SUPPORT');
await slash('bob --check', 'C0SUPPORT');
await slash('bob erin --clear-marks', 'C0SUPPORT');

// dave --all asks the requester to confirm through response_url; press the button as they would.
const isPrompt = (r: { id: string }) => decodeURIComponent(r.id).includes('dave --all');
await slack.until(() => slack.responses.some(isPrompt));
const prompt = slack.responses.find(isPrompt)?.body ?? {};
console.log(`  then only ${RESPONDER} sees: ${visibleText(prompt).split('\n')[0]} [Mark all read] [Cancel]`);
const runId = ((prompt.blocks as Array<{ elements?: Array<{ value?: string }> }>)[1]?.elements?.[0]?.value ??
  '') as string;
const press = blockActionBody({
  user_id: RESPONDER,
  action_id: 'markread_all_confirm',
  value: runId,
  channel_id: 'C0SUPPORT',
  response_url: slack.responseUrl('confirm-press'),
});
await request(`http://127.0.0.1:${port}/slack/events`, {
  method: 'POST',
  headers: signedHeaders(SIGNING_SECRET, press),
  body: press,
}).then((r) => r.body.dump());
console.log(`> ${RESPONDER} presses [Mark all read]`);

await app.inFlight.drain(10_000);
// The check's answer arrives after its ack; wait for it like the prompt.
await slack.until(() => slack.responses.some((r) => decodeURIComponent(r.id).includes('bob --check')));
console.log('\n──── what the channels show ────\n');
console.log(renderChannels(slack));
console.log('──── what came privately through response_url ────\n');
for (const r of slack.responses.filter((x) => !isPrompt(x)))
  console.log(`${decodeURIComponent(r.id)}:\n${visibleText(r.body).replace(/^/gm, '  ')}\n`);
console.log('──── what the IM stand-in received ────\n');
const byCommand = new Map<string, number>();
for (const a of im.arrivals) byCommand.set(a.command, (byCommand.get(a.command) ?? 0) + 1);
for (const [command, n] of byCommand) console.log(`  ${String(n).padStart(3)} × POST /${command}`);
console.log(`  every UserSig ${im.arrivals.some((a) => a.rejected) ? 'NOT all verified' : 'verified by the stand-in'}`);

await app.stop(2_000);
await Promise.all([im.stop(), slack.stop()]);
