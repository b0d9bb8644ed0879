/** The baseline: a Bolt app whose /markread only acks. Same Bolt, same machine, same requests. */
import { App, LogLevel } from '@slack/bolt';

const app = new App({
  token: process.env.SLACK_BOT_TOKEN,
  signingSecret: process.env.SLACK_SIGNING_SECRET as string,
  clientOptions: { slackApiUrl: process.env.SLACK_API_URL },
  logLevel: LogLevel.ERROR,
  customRoutes: [
    { path: '/healthz', method: ['GET'], handler: (_req, res) => res.writeHead(200).end('{"ok":true,"inFlight":0}') },
  ],
});
app.command('/markread', async ({ ack }) => {
  await ack();
});
await app.start(Number(process.env.PORT ?? 0));
process.on('SIGTERM', () => void app.stop().then(() => process.exit(0)));
