import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { request } from 'undici';
import { fail, ImStandIn } from '../stand-ins/im-stand-in.js';
import { SlackStandIn } from '../stand-ins/slack-stand-in.js';
import { runCli } from './support/cli-run.js';
import { freePort } from './support/free-port.js';
import { ADMIN, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { BOT_TOKEN, SIGNING_SECRET, standInEnv, startSlackFixture } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const APP_TOKEN = 'xapp-1-A0MARKREAD-1234-abcdef0123456789';

describe('markread doctor', () => {
  const im = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
  const slack = new SlackStandIn({ botToken: BOT_TOKEN });
  let good: Record<string, string>;
  before(async () => {
    await Promise.all([im.start(), slack.start()]);
    good = { ...standInEnv(im, slack), SLACK_SIGNING_SECRET: SIGNING_SECRET };
  });
  after(() => Promise.all([im.stop(), slack.stop()]));

  it('passes every check of a right setup, exit 0, and prints no secret', async () => {
    const { code, stdout, stderr } = await doctor(good);
    assert.equal(code, 0, stdout + stderr);
    for (const name of [
      'configuration',
      'IM host reachable',
      'admin UserSig accepted',
      'Slack bot token',
      'bot scopes',
    ])
      assert.match(stdout, new RegExp(`✓ ${name}`));
    assert.match(stdout, /All checks passed/);
    for (const secret of [SECRET_KEY, BOT_TOKEN, SIGNING_SECRET]) assert.ok(!(stdout + stderr).includes(secret));
  });

  const cases: Array<[string, () => Record<string, string>, RegExp, RegExp]> = [
    [
      'a wrong region (70016)',
      () => ({ TIM_SDKAPPID: '1400999999' }),
      /ErrorCode 70016: .*region is wrong/,
      /TIM_REGION/,
    ],
    [
      'the key of another app (70009)',
      () => ({ TIM_SECRET_KEY: 'f'.repeat(64) }),
      /ErrorCode 700(09|03): .*TIM_SECRET_KEY is not the key/,
      /secret key of this SDKAppID/,
    ],
    [
      'an admin that is not an App admin (60010)',
      () => ({ TIM_ADMIN_IDENTIFIER: 'bob' }),
      /ErrorCode 60010: TIM_ADMIN_IDENTIFIER is not an App admin/,
      /App admin account/,
    ],
    [
      'a host that does not answer',
      () => ({ TIM_BASE_URL: 'http://127.0.0.1:9/' }),
      /✗ IM host reachable: no answer/,
      /DNS and egress/,
    ],
  ];
  for (const [what, env, detail, fix] of cases) {
    it(`names ${what} and its fix, exit 1`, async () => {
      const { code, stdout } = await doctor({ ...good, ...env() });
      assert.equal(code, 1, stdout);
      assert.match(stdout, detail);
      assert.match(stdout, new RegExp(`fix: .*${fix.source}`));
    });
  }

  for (const [what, errorCode, detail] of [
    ['an IP not on the REST allowlist (60021)', 60021, /IP is not on the app's REST API IP allowlist/],
    ['an expired edition (60020)', 60020, /edition has expired/],
  ] as const) {
    it(`names ${what}, exit 1`, async () => {
      im.behave = (a) => (a.command === 'v4/im_open_login_svc/account_check' ? fail(errorCode) : undefined);
      try {
        const { code, stdout } = await doctor(good);
        assert.equal(code, 1);
        assert.match(stdout, detail);
      } finally {
        im.behave = undefined;
      }
    });
  }

  it('names a refused bot token, missing scopes and a refused app token', async () => {
    const bad = await doctor({ ...good, SLACK_BOT_TOKEN: 'xoxb-0000-wrong-token' });
    assert.equal(bad.code, 1);
    assert.match(bad.stdout, /✗ Slack bot token: auth.test answered invalid_auth/);
    assert.ok(!bad.stdout.includes('xoxb-0000-wrong-token'));

    const narrow = new SlackStandIn({ botToken: BOT_TOKEN, scopes: ['commands', 'chat:write'] });
    await narrow.start();
    try {
      const scopes = await doctor({ ...good, SLACK_API_URL: narrow.apiUrl });
      assert.equal(scopes.code, 1);
      assert.match(scopes.stdout, /✗ bot scopes: missing chat:write.public/);
      assert.doesNotMatch(scopes.stdout, /usergroups:read/, 'only needed with MARKREAD_ALLOWED_USERGROUPS');
    } finally {
      await narrow.stop();
    }

    const socket = await doctor({ ...good, SLACK_SIGNING_SECRET: '', SLACK_APP_TOKEN: APP_TOKEN });
    assert.equal(socket.code, 1);
    assert.match(socket.stdout, /✗ Socket Mode app token: apps.connections.open answered invalid_auth/);
  });

  it('reports a configuration it cannot load, without the values', async () => {
    const { code, stdout } = await doctor({ ...good, TIM_SDKAPPID: 'abc', TIM_SECRET_KEY: 'super-secret-value-1' });
    assert.equal(code, 1);
    assert.match(stdout, /✗ configuration: TIM_SDKAPPID: expected a positive whole number/);
    assert.ok(!stdout.includes('super-secret-value-1'));
  });

  it('checks every app of TIM_APPS, naming each in its lines and a failing one’s own variables in its fix', async () => {
    const staging = new ImStandIn({ sdkAppId: STAGING_ID, identifier: ADMIN, secretKey: STAGING_KEY });
    await staging.start();
    try {
      const env = { ...good, ...twoApps(im.url, staging.url) };
      const { code, stdout, stderr } = await doctor(env);
      assert.equal(code, 0, stdout + stderr);
      for (const app of ['prod', 'staging'])
        for (const check of ['configuration', 'IM host reachable', 'admin UserSig accepted'])
          assert.match(stdout, new RegExp(`✓ ${app}: ${check}`));
      assert.match(stdout, new RegExp(`✓ staging: configuration: SDKAppID ${STAGING_ID}`));
      const bad = await doctor({ ...env, TIM_STAGING_ADMIN_IDENTIFIER: 'bob' });
      assert.equal(bad.code, 1, bad.stdout);
      assert.match(bad.stdout, /✓ prod: admin UserSig accepted/);
      assert.match(
        bad.stdout,
        /✗ staging: admin UserSig accepted: ErrorCode 60010: TIM_STAGING_ADMIN_IDENTIFIER is not/,
      );
      assert.match(bad.stdout, /fix: set TIM_STAGING_ADMIN_IDENTIFIER to an App admin account/);
      for (const secret of [SECRET_KEY, STAGING_KEY]) assert.ok(!(bad.stdout + bad.stderr).includes(secret));
      const json = JSON.parse((await doctor(env, true)).stdout) as { checks: Array<{ app?: string }> };
      assert.deepEqual([...new Set(json.checks.map((c) => c.app).filter(Boolean))], ['prod', 'staging']);
    } finally {
      await staging.stop();
    }
  });

  it('reports every app’s configuration problems at once, by its variables', async () => {
    const { code, stdout } = await doctor({
      ...good,
      ...twoApps(im.url, 'http://127.0.0.1:9/'),
      TIM_STAGING_SECRET_KEY: '',
      TIM_SDKAPPID: '1400000009',
    });
    assert.equal(code, 1);
    assert.match(stdout, /✗ configuration: TIM_SDKAPPID: TIM_APPS is set/);
    assert.match(stdout, /TIM_STAGING_SECRET_KEY: is required/);
  });

  it('answers --json for scripts', async () => {
    const { code, stdout } = await doctor({ ...good, TIM_ADMIN_IDENTIFIER: 'bob' }, true);
    assert.equal(code, 1);
    const out = JSON.parse(stdout) as { ok: boolean; checks: Array<{ name: string; ok: boolean; fix?: string }> };
    assert.equal(out.ok, false);
    const sig = out.checks.find((c) => c.name === 'admin UserSig accepted');
    assert.equal(sig?.ok, false);
    assert.match(sig?.fix ?? '', /App admin/);
  });
});

describe('the app runs the IM checks itself', () => {
  it('starts anyway on a misconfiguration, logs it plainly, and shows it in /healthz', async () => {
    const port = await freePort();
    const f = await startSlackFixture({ env: { TIM_ADMIN_IDENTIFIER: 'bob', PORT: String(port) } });
    try {
      const body = await waitFor(
        async () => {
          const now = await healthz(f.port);
          return now.im !== 'checking' && now;
        },
        { what: 'the IM checks to finish' },
      );
      assert.equal(body.ok, true, 'still serving');
      assert.match(body.im, /admin UserSig accepted: ErrorCode 60010: TIM_ADMIN_IDENTIFIER is not an App admin/);
      assert.match(f.logs.text, /IM checks fail, so \/markread will fail too/);
    } finally {
      await f.close();
    }
  });

  it('checks each app of TIM_APPS and lists them all in /healthz, `im` being the default app’s', async () => {
    const prod = new ImStandIn({ sdkAppId: SDK_APP_ID, identifier: ADMIN, secretKey: SECRET_KEY });
    const staging = new ImStandIn({ sdkAppId: STAGING_ID, identifier: ADMIN, secretKey: STAGING_KEY });
    await Promise.all([prod.start(), staging.start()]);
    const f = await startSlackFixture({
      env: { ...twoApps(prod.url, staging.url), TIM_STAGING_ADMIN_IDENTIFIER: 'bob' },
    });
    try {
      const body = await waitFor(
        async () => {
          const now = await healthz(f.port);
          return Object.values(now.apps ?? {}).every((s) => s !== 'checking') && now;
        },
        { what: 'the IM checks of both apps to finish' },
      );
      assert.equal(body.ok, true);
      assert.deepEqual(Object.keys(body.apps), ['prod', 'staging']);
      assert.equal(body.apps.prod, 'ok');
      assert.equal(body.im, 'ok', "the default app's");
      assert.match(
        body.apps.staging ?? '',
        /admin UserSig accepted: ErrorCode 60010: TIM_STAGING_ADMIN_IDENTIFIER is not an App admin/,
      );
      assert.match(f.logs.text, /IM checks of app staging fail, so \/markread will fail too/);
      assert.equal(staging.arrivals.length > 0 && prod.arrivals.length > 0, true, 'each app checked at its own host');
    } finally {
      await f.close();
      await Promise.all([prod.stop(), staging.stop()]);
    }
  });
});

/** The /healthz body's IM fields. */
async function healthz(port: number): Promise<{ ok: boolean; im: string; apps: Record<string, string> }> {
  return (await (await request(`http://127.0.0.1:${port}/healthz`)).body.json()) as {
    ok: boolean;
    im: string;
    apps: Record<string, string>;
  };
}

const STAGING_ID = 1400054321;
const STAGING_KEY = 'staging-secret-key-7c1d9e0b2a4f6e83';

/** TIM_APPS=prod,staging at two IM stand-ins, the single-app variables unset (empty). */
function twoApps(prodUrl: string, stagingUrl: string): Record<string, string> {
  return {
    TIM_SDKAPPID: '',
    TIM_SECRET_KEY: '',
    TIM_BASE_URL: '',
    TIM_APPS: 'prod,staging',
    TIM_PROD_SDKAPPID: String(SDK_APP_ID),
    TIM_PROD_SECRET_KEY: SECRET_KEY,
    TIM_PROD_BASE_URL: prodUrl,
    TIM_STAGING_SDKAPPID: String(STAGING_ID),
    TIM_STAGING_SECRET_KEY: STAGING_KEY,
    TIM_STAGING_BASE_URL: stagingUrl,
  };
}

function doctor(env: Record<string, string>, json = false) {
  return runCli(['doctor', ...(json ? ['--json'] : [])], { TIM_TIMEOUT_MS: '1000', TIM_DEADLINE_MS: '2000', ...env });
}
