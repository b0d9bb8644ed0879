import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type AuditDraft, type AuditEvent, AuditEventSchema, isHeadline } from '../src/audit/event.js';
import { AuditLogOutlet } from '../src/audit/log-outlet.js';
import { Audit, type AuditOutlet, slackThreadLink } from '../src/audit/sink.js';
import { createLogger } from '../src/log/logger.js';
import { Redactor } from '../src/log/redactor.js';
import { LogCapture } from './support/im-fixture.js';

const DRAFT: AuditDraft = {
  kind: 'mark',
  actor: { kind: 'slack', team: 'T1', user: 'U1' },
  via: 'command',
  app: { name: 'default', sdkAppId: 1400000001 },
  target: { user: 'alice', peers: ['bob'] },
  outcome: { status: 'ok', actionStatus: 'OK', errorCode: 0, unreadBefore: 3, unreadAfter: 0 },
  thread: { channel: 'C1', ts: '1767225600.000100' },
};

class Keeper implements AuditOutlet {
  readonly name = 'keeper';
  readonly seen: AuditEvent[] = [];
  accept(event: AuditEvent): void {
    this.seen.push(event);
  }
}

describe('the audit sink', () => {
  it('stamps each event with an id and the time, and adds the thread link once the workspace is known', () => {
    const keeper = new Keeper();
    const audit = new Audit([keeper], undefined, () => new Date('2026-12-05T03:00:00.000Z'));
    const before = audit.record(DRAFT);
    audit.threadLink = (channel, ts) => slackThreadLink('https://acme.slack.com/', channel, ts);
    const after = audit.record(DRAFT);
    assert.equal(before.at, '2026-12-05T03:00:00.000Z');
    assert.notEqual(before.id, after.id);
    assert.equal(before.thread?.link, undefined);
    assert.equal(after.thread?.link, 'https://acme.slack.com/archives/C1/p1767225600000100');
    assert.deepEqual(keeper.seen, [before, after]);
    for (const event of keeper.seen) AuditEventSchema.parse(event);
  });

  it('never throws into the work: an outlet that fails is counted and skipped, the others still get the event', () => {
    const keeper = new Keeper();
    const failures: string[] = [];
    const broken: AuditOutlet = {
      name: 'broken',
      accept: () => {
        throw new Error('Slack is down');
      },
    };
    const audit = new Audit([broken, keeper], (outlet) => failures.push(outlet));
    assert.doesNotThrow(() => audit.record(DRAFT));
    assert.doesNotThrow(() => audit.record(DRAFT));
    assert.equal(keeper.seen.length, 2);
    assert.deepEqual(failures, ['broken', 'broken']);
    assert.equal(audit.failures.get('broken'), 2);
  });

  it('writes the log line at info even when LOG_LEVEL says warn, and the pairs of a run quietly when asked', () => {
    const logs = new LogCapture();
    const logger = createLogger({ level: 'warn', redactor: new Redactor(), destination: logs });
    new Audit([new AuditLogOutlet(logger)]).record(DRAFT);
    const quiet = new Audit([new AuditLogOutlet(logger, true)]);
    quiet.record({ ...DRAFT, runId: 'r1' });
    quiet.record({ ...DRAFT, kind: 'run-finished', runId: 'r1' });
    logger.flush();
    assert.deepEqual(
      logs.records.map((r) => [r.level, r.msg, (r.audit as AuditEvent).kind]),
      [
        [30, 'audit mark: alice ↔ bob ok (unread 3 → 0)', 'mark'],
        [30, 'audit run-finished: alice ↔ bob ok (unread 3 → 0)', 'run-finished'],
      ],
      'a pair of a run is left out at warn when quiet; the run itself is not',
    );
  });

  it('sends to the channel and the history what a person acted on, and keeps pairs of runs and noise to the log', () => {
    const event = (draft: Partial<AuditDraft>): AuditEvent => ({ id: 'x', at: 'y', ...DRAFT, ...draft });
    assert.equal(isHeadline(event({})), true);
    assert.equal(isHeadline(event({ runId: 'r1' })), false);
    assert.equal(isHeadline(event({ kind: 'run-finished', runId: 'r1' })), true);
    assert.equal(isHeadline(event({ kind: 'replayed', actor: { kind: 'markread' }, via: 'system' })), false);
    assert.equal(isHeadline(event({ kind: 'refused', actor: { kind: 'markread' }, via: 'system' })), false);
    assert.equal(isHeadline(event({ kind: 'refused' })), true);
  });
});
