import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { runCli } from './support/cli-run.js';
import { freePort } from './support/free-port.js';
import { ADMIN, imEnv, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { startReplica } from './support/replica.js';
import { BOT_TOKEN } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const PRELOAD = pathToFileURL(resolve('dist/test/support/record-loads.js')).href;

/** The environment that makes a markread process list the modules it loads; read them with `loaded()`. */
function recording() {
  const file = join(mkdtempSync(join(tmpdir(), 'markread-loads-')), 'loaded.txt');
  return {
    env: { NODE_OPTIONS: `--import ${PRELOAD}`, MARKREAD_LOADED_FILE: file },
    loaded: () => readFileSync(file, 'utf8'),
  };
}

const packageLoaded = (loaded: string, name: string) => loaded.includes(`/node_modules/${name}/`);

describe('a markread process loads only what it uses', () => {
  it('the app without REDIS_URL, doing a command’s work, loads neither ioredis, pino-pretty nor csv-parse', async () => {
    const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
    const slack = new SlackStandIn({ botToken: BOT_TOKEN });
    await Promise.all([im.start(), slack.start()]);
    const rec = recording();
    // A retired setting too: the same start-up says once that it is gone.
    const app = await startReplica('lean', im, slack, { ...rec.env, MARKREAD_WORKER: 'process' });
    try {
      assert.equal((await app.command('alice bob', 'lean')).status, 200);
      await waitFor(() => slack.calls.some((c) => c.method === 'chat.postMessage' && c.args.thread_ts), {
        what: 'a reply in the thread',
      });
      await app.kill('SIGTERM');
      const loaded = rec.loaded();
      assert.ok(packageLoaded(loaded, '@slack/bolt') && packageLoaded(loaded, 'undici'), 'the recording sees packages');
      for (const name of ['ioredis', 'pino-pretty', 'csv-parse'])
        assert.equal(packageLoaded(loaded, name), false, `${name} was loaded`);
      const retired = app
        .output()
        .split('\n')
        .filter((l) => l.includes('MARKREAD_WORKER is no longer used'));
      assert.equal(retired.length, 1, app.output());
      assert.match(retired[0] ?? '', /"level":40/);
    } finally {
      await app.kill('SIGKILL');
      await Promise.all([im.stop(), slack.stop()]);
    }
  });

  it('the CLI loads ioredis only with REDIS_URL, pino-pretty only for readable lines, csv-parse only with --from-file', async () => {
    const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
    await im.start();
    try {
      const plain = recording();
      const piped = await runCli(['alice', 'bob'], { ...imEnv(im.url), ...plain.env });
      assert.equal(piped.code, 0, piped.stderr);
      assert.ok(packageLoaded(plain.loaded(), 'undici'), 'the recording sees packages');
      assert.equal(packageLoaded(plain.loaded(), 'ioredis'), false);
      assert.equal(packageLoaded(plain.loaded(), 'pino-pretty'), false);
      assert.equal(packageLoaded(plain.loaded(), 'csv-parse'), false, 'csv-parse is for --from-file alone');

      // Nothing listens on this port: the CLI says Redis is unreachable and paces on its own share.
      const withBoth = recording();
      const pretty = await runCli(['alice', 'bob'], {
        ...imEnv(im.url),
        ...withBoth.env,
        REDIS_URL: `redis://127.0.0.1:${await freePort()}`,
        LOG_FORMAT: 'pretty',
      });
      assert.equal(pretty.code, 0, pretty.stderr);
      assert.match(pretty.stderr, /Redis .* is unreachable/);
      assert.ok(packageLoaded(withBoth.loaded(), 'ioredis'));
      assert.ok(packageLoaded(withBoth.loaded(), 'pino-pretty'));
    } finally {
      await im.stop();
    }
  });
});
