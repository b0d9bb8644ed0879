import assert from 'node:assert/strict';
import { execFile, spawn } from 'node:child_process';
import { once } from 'node:events';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { request } from 'undici';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { freePort } from './support/free-port.js';
import { ADMIN, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { BOT_TOKEN, SIGNING_SECRET, standInEnv } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const exec = promisify(execFile);
const root = resolve('.');
const version = (JSON.parse(readFileSync('package.json', 'utf8')) as { version: string }).version;

describe('the package, installed as the Dockerfile installs it', () => {
  it('packs only what a user needs, and a production-only install of the tarball starts and answers /healthz', async () => {
    const out = mkdtempSync(join(tmpdir(), 'markread-pack-'));
    // --ignore-scripts: pack the dist/ this test run was built from, without rebuilding it under the running tests.
    const { stdout } = await exec('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', out], {
      cwd: root,
    });
    const [packed] = JSON.parse(stdout) as Array<{ filename: string; files: Array<{ path: string }> }>;
    const files = (packed?.files ?? []).map((f) => f.path);
    assert.ok(
      files.includes('dist/src/main.js') && files.includes('dist/src/cli/main.js'),
      'the app and the CLI are in the tarball',
    );
    assert.deepEqual(
      files.filter((f) => /^(test|bench|demo|stand-ins|src)\/|\.map$|^dist\/(test|bench|demo|stand-ins)\//.test(f)),
      [],
      'no tests, benchmarks, sources or source maps',
    );

    const app = mkdtempSync(join(tmpdir(), 'markread-prod-'));
    await exec('tar', ['-xzf', join(out, packed?.filename ?? ''), '--strip-components=1', '-C', app]);
    copyFileSync(join(root, 'package-lock.json'), join(app, 'package-lock.json'));
    await exec('npm', ['ci', '--omit=dev', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
      cwd: app,
    });
    assert.equal(readdirSync(join(app, 'node_modules')).includes('typescript'), false, 'no dev dependencies');
    assert.equal(
      (await exec(process.execPath, ['dist/src/cli/main.js', '--version'], { cwd: app })).stdout,
      `markread ${version}\n`,
    );

    const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
    const slack = new SlackStandIn({ botToken: BOT_TOKEN });
    await Promise.all([im.start(), slack.start()]);
    const port = await freePort();
    const env = {
      ...standInEnv(im, slack),
      PATH: process.env.PATH ?? '',
      NODE_ENV: 'production',
      SLACK_SIGNING_SECRET: SIGNING_SECRET,
      PORT: String(port),
    };
    const child = spawn(process.execPath, ['dist/src/main.js'], { cwd: app, env, stdio: 'ignore' });
    try {
      type Health = { ok?: boolean; version?: string; queue?: unknown };
      const health = await waitFor(
        () =>
          request(`http://127.0.0.1:${port}/healthz`).then(
            async (r) => {
              const body = (await r.body.json()) as Health;
              return body.ok === true && body;
            },
            () => false as const, // not listening yet
          ),
        { what: 'the installed app to answer /healthz with ok', timeoutMs: 30_000, intervalMs: 100 },
      );
      assert.deepEqual(
        { ok: health.ok, version: health.version, queue: health.queue },
        { ok: true, version, queue: { running: 0, waiting: 0 } },
      );
    } finally {
      child.kill('SIGTERM');
      await once(child, 'exit');
      await Promise.all([im.stop(), slack.stop()]);
    }
  });

  it('npx markread --version works in a fresh clone straight after npm ci', async () => {
    const clone = mkdtempSync(join(tmpdir(), 'markread-clone-'));
    await exec('git', ['clone', '--quiet', '--depth', '1', `file://${root}`, clone]);
    await exec('npm', ['ci', '--no-audit', '--no-fund', '--prefer-offline'], { cwd: clone });
    const { stdout } = await exec('npx', ['--no-install', 'markread', '--version'], { cwd: clone });
    assert.match(stdout, /^markread \d+\.\d+\.\d+/);
  });
});
