import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BlockButtonAction } from '@slack/bolt';
import type { ImApp } from '../src/im/app.js';
import { ImApps } from '../src/im/apps.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { Allowlist } from '../src/slack/access/allowlist.js';
import { AppAccess } from '../src/slack/access/app-access.js';
import { BULK_ACTIONS } from '../src/slack/blocks/ids.js';
import type { SlackMessage } from '../src/slack/blocks/message.js';
import type { SlackJob } from '../src/slack/flows/jobs.js';
import { InFlight } from '../src/slack/in-flight.js';
import { type ButtonDeps, cancel, confirm, stop } from '../src/slack/listeners/actions/bulk-buttons.js';
import { MemoryRunStore } from '../src/stores/runs.js';
import { LocalRuns } from '../src/work/local-runs.js';
import { AuditCapture } from './support/audit-capture.js';
import { LogCapture } from './support/im-fixture.js';
import { messageText } from './support/slack-fixture.js';
import { waitFor } from './support/wait-for.js';

const REQUESTER = 'U0ASKER';
const GROUP = 'S0ONCALL';

/**
 * The buttons' handlers on their own, with an allowlist whose one user group answers only when the test says: the
 * moment between a press and its allowlist verdict is where a second press can arrive.
 */
function setup(allowed: { users?: string[] } = {}) {
  const answers: { url: string; text: string }[] = [];
  const dispatched: SlackJob[] = [];
  let answerGroup: (members: string[]) => void = () => {};
  let groupAsked = 0;
  const logger = createLogger({ level: 'info', redactor: new Redactor(), destination: new LogCapture() });
  const allowlist = new Allowlist(
    new Set(allowed.users ?? []),
    new Set([GROUP]),
    () => {
      groupAsked++;
      return new Promise<string[]>((resolve) => {
        answerGroup = resolve;
      });
    },
    logger,
  );
  const runs = new MemoryRunStore();
  const audit = new AuditCapture();
  // One app without a list of its own: the allowlist decides (the apps' own lists are tested in im-apps-slack).
  const apps = new ImApps([{ name: 'test', sdkAppId: 1 } as ImApp], 'test');
  const deps: ButtonDeps = {
    access: new AppAccess(allowlist, apps),
    inFlight: new InFlight(),
    logger,
    runs,
    local: new LocalRuns(),
    flow: {
      audit,
      apps,
      respond: async (url: string, message: SlackMessage) => {
        answers.push({ url, text: messageText(message as unknown as Record<string, unknown>) });
        return undefined;
      },
    },
    jobs: { bulkRefusal: () => undefined, dispatch: async (job: SlackJob) => void dispatched.push(job) },
  };
  const awaiting = () =>
    runs.create({
      origin: { requester: REQUESTER, channel: 'C1', replyUrl: 'https://hooks.slack.com/x', via: 'command' },
      user: 'bob',
      readTime: undefined,
      total: 12,
      state: 'awaiting',
    });
  const press = (actionId: string, runId: string, user: string, id: string) =>
    ({
      user: { id: user },
      actions: [{ action_id: actionId, value: runId }],
      response_url: `https://hooks.slack.com/${id}`,
    }) as unknown as BlockButtonAction;
  const told = (id: string) => answers.find((a) => a.url.endsWith(`/${id}`))?.text ?? '';
  const asked = () => waitFor(() => groupAsked > 0, { what: 'the allowlist to ask for the user group' });
  return {
    deps,
    runs,
    dispatched,
    awaiting,
    press,
    told,
    asked,
    audit,
    answerGroup: (m: string[]) => answerGroup(m),
  };
}

describe('bulk-run buttons check who may press before they touch the run', () => {
  it('a requester no longer allowed presses Confirm while a Stop arrives: the run stays awaiting, with no job', async () => {
    const t = setup();
    const run = await t.awaiting();
    const confirming = confirm(t.deps, t.press(BULK_ACTIONS.confirm, run.id, REQUESTER, 'confirm'));
    await t.asked(); // Confirm is waiting for the allowlist's verdict
    await stop(t.deps, t.press(BULK_ACTIONS.stop, run.id, REQUESTER, 'stop'));
    assert.equal((await t.runs.get(run.id))?.state, 'awaiting', 'the Stop found nothing claimed to stop');
    t.answerGroup([]); // the requester is not in the group any more
    await confirming;
    assert.match(
      t.told('confirm'),
      /You can't use \/markread any more: not on the markread allowlist\. Nothing was changed/,
    );
    assert.match(t.told('stop'), /This button is stale/);
    assert.equal((await t.runs.get(run.id))?.state, 'awaiting');
    assert.deepEqual(t.dispatched, []);
    const [refusal, ...more] = t.audit.events;
    assert.deepEqual(more, [], 'one event: the refused Confirm');
    assert.equal(refusal?.kind, 'refused');
    assert.equal(refusal?.runId, run.id);
    assert.match(refusal?.outcome?.detail ?? '', /not allowed: not on the markread allowlist/);
  });

  it('a stranger pressing Confirm hears only the requester can, and the run stays awaiting', async () => {
    const t = setup({ users: [REQUESTER] });
    const run = await t.awaiting();
    const pressing = confirm(t.deps, t.press(BULK_ACTIONS.confirm, run.id, 'U0STRANGER', 'stranger'));
    await t.asked();
    t.answerGroup([]);
    await pressing;
    assert.match(t.told('stranger'), /Only <@U0ASKER>, who started this run, can use its buttons/);
    assert.equal((await t.runs.get(run.id))?.state, 'awaiting');
    await cancel(t.deps, t.press(BULK_ACTIONS.cancel, run.id, 'U0STRANGER', 'stranger-cancel'));
    assert.match(t.told('stranger-cancel'), /Only <@U0ASKER>/);
    assert.equal((await t.runs.get(run.id))?.state, 'awaiting');
    assert.deepEqual(t.dispatched, []);
    assert.deepEqual(
      t.audit.events.map((e) => [e.kind, e.actor.kind === 'slack' && e.actor.user, e.requester, e.runId]),
      [
        ['refused', 'U0STRANGER', REQUESTER, run.id],
        ['refused', 'U0STRANGER', REQUESTER, run.id],
      ],
    );
  });

  it('an allowed requester confirms once, a Stop during the check does nothing, and a Stop after it stops', async () => {
    const t = setup();
    const run = await t.awaiting();
    const confirming = confirm(t.deps, t.press(BULK_ACTIONS.confirm, run.id, REQUESTER, 'confirm'));
    await t.asked();
    await stop(t.deps, t.press(BULK_ACTIONS.stop, run.id, REQUESTER, 'early-stop'));
    t.answerGroup([REQUESTER]);
    await confirming;
    assert.match(t.told('confirm'), /Confirmed: marking all 12 of `bob`'s one-to-one conversations read/);
    assert.equal((await t.runs.get(run.id))?.state, 'running');
    assert.equal(t.dispatched.length, 1);
    assert.equal(t.dispatched[0]?.kind === 'bulk' && t.dispatched[0].runId, run.id);
    await confirm(t.deps, t.press(BULK_ACTIONS.confirm, run.id, REQUESTER, 'again'));
    assert.match(t.told('again'), /already started/);
    await stop(t.deps, t.press(BULK_ACTIONS.stop, run.id, REQUESTER, 'stop'));
    assert.match(t.told('stop'), /Stopping: calls already sent finish/);
    assert.equal((await t.runs.get(run.id))?.state, 'stopping');
    // Who confirmed and who stopped are on record, each once, with the run and the app.
    assert.deepEqual(
      t.audit.events.map((e) => [e.kind, e.actor.kind === 'slack' && e.actor.user, e.runId, e.app?.name]),
      [
        ['run-confirmed', REQUESTER, run.id, 'test'],
        ['run-stopped', REQUESTER, run.id, 'test'],
      ],
    );
    assert.equal(t.dispatched.length, 1, 'one job for one run');
  });
});
