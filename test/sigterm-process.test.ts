import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { request } from 'undici';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { commandBody, signedHeaders } from '../stand-ins/slack-signing.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { freePort } from './support/free-port.js';
import { ADMIN, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { ALLOWED, BOT_TOKEN, CHANNEL, messageText, SIGNING_SECRET, standInEnv } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

describe('the real process on SIGTERM', () => {
  it('tells all 20 requesters waiting on a 25 s IM API that their commands were interrupted, then exits 0', async () => {
    const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
    const slack = new SlackStandIn({ botToken: BOT_TOKEN });
    await Promise.all([im.start(), slack.start()]);
    im.behave = (a) =>
      a.command === 'v4/openim/admin_set_msg_read'
        ? { json: { ActionStatus: 'OK', ErrorCode: 0, ErrorInfo: '' }, delayMs: 25_000 }
        : undefined;
    const port = await freePort();
    const env = {
      ...standInEnv(im, slack),
      PATH: process.env.PATH ?? '',
      TIM_TIMEOUT_MS: '30000',
      TIM_DEADLINE_MS: '60000',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      MARKREAD_DRAIN_MS: '1000',
      PORT: String(port),
      LOG_LEVEL: 'warn',
    };
    const child = spawn(process.execPath, [resolve('dist/src/main.js')], {
      cwd: mkdtempSync(join(tmpdir(), 'markread-sigterm-')),
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += String(d)));
    child.stderr.on('data', (d) => (output += String(d)));
    try {
      await waitFor(
        () =>
          request(`http://127.0.0.1:${port}/healthz`).then(
            (res) => res.body.dump().then(() => res.statusCode === 200),
            () => false, // not listening yet
          ),
        { what: 'markread to answer /healthz', timeoutMs: 30_000, intervalMs: 100 },
      );
      for (let i = 0; i < 20; i++) {
        const body = commandBody({
          text: `vic p${i}`,
          user_id: ALLOWED,
          channel_id: CHANNEL,
          response_url: slack.responseUrl(`t${i}`),
        });
        const res = await request(`http://127.0.0.1:${port}/slack/events`, {
          method: 'POST',
          headers: signedHeaders(SIGNING_SECRET, body),
          body,
        });
        assert.equal(res.statusCode, 200);
        await res.body.dump();
      }
      await waitFor(() => im.arrivals.filter((a) => a.command === 'v4/openim/admin_set_msg_read').length === 20, {
        what: 'all 20 marks to be in flight',
      });
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const [code] = (await exited) as [number];
      assert.equal(code, 0, output);
      const told = slack.calls.filter(
        (c) =>
          c.method === 'chat.postMessage' &&
          c.args.thread_ts &&
          /Interrupted.*was sent to the IM API/s.test(messageText(c.args)),
      );
      assert.equal(told.length, 20, 'every requester heard, in their thread');
      assert.match(output, /each requester was told/);
    } finally {
      child.kill('SIGKILL');
      await Promise.all([im.stop(), slack.stop()]);
    }
  });
});
