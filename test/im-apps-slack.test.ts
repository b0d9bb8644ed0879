import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { AuditEvent } from '../src/audit/event.js';
import { MODAL_APP_FIELD, MODAL_FIELDS } from '../src/slack/blocks/ids.js';
import { markReadModal } from '../src/slack/blocks/modal.js';
import { ImStandIn } from '../stand-ins/im-stand-in.js';
import { auditLines } from './support/audit-capture.js';
import { ADMIN, SDK_APP_ID, SECRET_KEY } from './support/im-fixture.js';
import { ALLOWED, messageText, type SlackFixture, startSlackFixture } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const STAGING = { sdkAppId: 1400000202, secretKey: 'staging-key-9e8d7c6b5a4f3e21' };
/** On production's own list only: not on the global allowlist. */
const LEAD = 'U0LEAD';

/** The ack's text, as the requester sees it. */
const ackText = (body: string) => messageText(JSON.parse(body) as Record<string, unknown>);

/** The marks `im` accepted for `user`: each one passed the stand-in's signature check for its own key. */
const marksOf = (im: ImStandIn, user: string) =>
  im.accepted().filter((a) => (a.body as { Report_Account?: string }).Report_Account === user);

/** Every IM call of any API that names `user`, on one stand-in. */
const callsFor = (im: ImStandIn, user: string) => im.arrivals.filter((a) => JSON.stringify(a.body).includes(user));

const events = (f: SlackFixture, kind: AuditEvent['kind'], user: string) =>
  auditLines(f.logs.records).filter((e) => e.kind === kind && e.target?.user === user);

describe('several IM apps in Slack, over signed HTTP: prod (protected, its own list) and staging', () => {
  let f: SlackFixture;
  const staging = new ImStandIn({ sdkAppId: STAGING.sdkAppId, identifier: ADMIN, secretKey: STAGING.secretKey });

  before(async () => {
    await staging.start();
    f = await startSlackFixture({
      imEnv: (prodUrl) => ({
        TIM_APPS: 'prod,staging',
        TIM_PROD_SDKAPPID: String(SDK_APP_ID),
        TIM_PROD_SECRET_KEY: SECRET_KEY,
        TIM_PROD_BASE_URL: prodUrl,
        TIM_PROD_PROTECTED: 'true',
        MARKREAD_PROD_ALLOWED_USERS: `${LEAD},${ALLOWED}`,
        TIM_STAGING_SDKAPPID: String(STAGING.sdkAppId),
        TIM_STAGING_SECRET_KEY: STAGING.secretKey,
        TIM_STAGING_BASE_URL: staging.url,
      }),
    });
  });
  after(async () => {
    await f.close();
    await staging.stop();
  });

  it('--app staging reaches staging only, signed with its key, and every message and event names the app', async () => {
    const before = f.slack.calls.length;
    const ack = await f.command('--app staging alice bob');
    assert.match(ackText(ack.body), /\*IM app\*: `staging` \(SDKAppID 1400000202\)/);
    const parent = await waitFor(
      () => f.slack.calls.slice(before).find((c) => c.method === 'chat.update' && /Done/.test(messageText(c.args))),
      { what: 'the parent message edited with the outcome' },
    );
    assert.match(messageText(parent.args), /\*IM app\*: `staging`/);
    assert.equal(marksOf(staging, 'alice').length, 1, 'the mark reached staging');
    assert.equal(callsFor(f.im, 'alice').length, 0, 'production was not called at all');
    const [mark] = events(f, 'mark', 'alice');
    assert.deepEqual([mark?.app?.name, mark?.app?.sdkAppId], ['staging', STAGING.sdkAppId]);
  });

  it('without --app the default app (prod) is used, and its protection is shown in the ack', async () => {
    const ack = await f.command('carol dave');
    assert.match(ackText(ack.body), /:rotating_light: \*PROTECTED\* \*IM app\*: `prod`/);
    await waitFor(() => marksOf(f.im, 'carol')[0], { what: 'the mark on prod' });
    assert.equal(callsFor(staging, 'carol').length, 0);
  });

  it('an unknown app is refused at the ack with the app names and a guess, and nothing is called', async () => {
    const ack = await f.command('--app stagin erin frank');
    assert.match(
      ackText(ack.body),
      /Nothing was changed: no IM app named "stagin" \(the apps are prod, staging\); did you mean staging\?/,
    );
    const [refused] = await waitFor(() => events(f, 'refused', 'erin')[0] && events(f, 'refused', 'erin'), {
      what: 'the refusal on record',
    });
    assert.equal(refused?.outcome?.status, 'unknown-app');
    assert.equal(callsFor(f.im, 'erin').length + callsFor(staging, 'erin').length, 0);
  });

  it("an app's own allowlist refuses a person the global allowlist lets act elsewhere, and lets its own in", async () => {
    // ALLOWED is on both lists; LEAD is on prod's only, and so may act on prod but not on staging.
    const refused = await f.command('--app staging gina hank', { user: LEAD });
    assert.match(ackText(refused.body), /not on the markread allowlist/);
    assert.equal(callsFor(staging, 'gina').length, 0);
    const lead = await f.command('--app prod ivan judy', { user: LEAD });
    assert.equal(lead.status, 200);
    await waitFor(() => marksOf(f.im, 'ivan')[0], { what: 'the lead’s mark on prod' });
  });

  it("someone on one app's own list sees that app's history in the Home tab, not the others'", async () => {
    await f.openHome(LEAD);
    const home = await waitFor(() => f.slack.homeViews.get(LEAD), { what: 'the lead’s Home tab' });
    const text = JSON.stringify(home);
    assert.match(text, /ivan/, 'their own action on prod');
    assert.doesNotMatch(text, /alice|gina/, 'nothing of staging');
  });

  it('the form shows an app selector (default preselected, protected flagged) and acts on the app picked', async () => {
    const view = markReadModal('sealed', { required: false, min: 10 }, { apps: f.runtime.apps });
    const picker = view.blocks.find((b) => 'block_id' in b && b.block_id === MODAL_APP_FIELD);
    assert.ok(picker, 'the selector');
    const json = JSON.stringify(picker);
    assert.match(json, /"initial_option":\{"text":\{"type":"plain_text","text":"🚨 PROTECTED · prod/);
    assert.match(json, /"value":"staging"/);
    const submitted = await f.submitModal(
      { [MODAL_FIELDS.user]: 'kate', [MODAL_FIELDS.peer]: 'liam', [MODAL_FIELDS.readTime]: '', reason: '' },
      { selected: { [MODAL_APP_FIELD]: 'staging' } },
    );
    assert.equal(submitted.status, 200);
    await waitFor(() => marksOf(staging, 'kate')[0], { what: 'the form’s mark on staging' });
    assert.equal(callsFor(f.im, 'kate').length, 0);
  });
});

describe('one IM app (no TIM_APPS): nothing changes', () => {
  let f: SlackFixture;
  before(async () => {
    f = await startSlackFixture();
  });
  after(() => f.close());

  it('acks and messages carry no app line, the form no selector, and --app default names the one app', async () => {
    const ack = await f.command('alice bob');
    assert.doesNotMatch(ackText(ack.body), /IM app/);
    const view = markReadModal('sealed', { required: false, min: 10 }, { apps: f.runtime.apps });
    assert.equal(
      view.blocks.some((b) => 'block_id' in b && b.block_id === MODAL_APP_FIELD),
      false,
    );
    const named = await f.command('--app default carol dave');
    assert.doesNotMatch(ackText(named.body), /Nothing was changed/);
    await waitFor(() => marksOf(f.im, 'carol')[0], { what: 'the mark' });
  });
});
