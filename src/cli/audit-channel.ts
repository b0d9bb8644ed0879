import type { AuditChannelConfig } from '../config/slack-config.js';
import type { Logger } from '../log/logger.js';
import type { Redactor } from '../log/redactor.js';
import type { AuditChannelOutlet } from '../slack/audit/channel-outlet.js';
import type { SendBudgetFactory } from '../stores/send-budget.js';
import type { Terminal } from './terminal.js';

/**
 * How long the CLI waits at exit for its audit messages: a script must never hang on a silent Slack, and the
 * log line on stderr already has every event.
 */
export const EXIT_WAIT_MS = 3_000;

/**
 * The audit channel of a CLI run (MARKREAD_AUDIT_CHANNEL with SLACK_BOT_TOKEN), paced with the app's replicas
 * when REDIS_URL gives shared budgets. Slack's Web API client is loaded only then. Its own log lines are off:
 * the CLI says what was not posted in one line at exit instead.
 */
export async function openAuditChannel(
  config: AuditChannelConfig,
  redactor: Redactor,
  logger: Logger,
  budgets: SendBudgetFactory | undefined,
): Promise<AuditChannelOutlet> {
  const { createAuditChannel } = await import('../slack/audit/channel-outlet.js');
  const quiet = logger.child({ component: 'audit-channel' }, { level: 'silent' });
  return createAuditChannel(config, { redactor, logger: quiet }, { budgets });
}

/**
 * Waits up to `waitMs` for the run's audit messages, then stops; says on stderr what was not posted and why.
 * The exit code is not touched: it stays that of the work.
 */
export async function closeAuditChannel(
  outlet: AuditChannelOutlet,
  term: Terminal,
  waitMs = EXIT_WAIT_MS,
): Promise<void> {
  await outlet.flush(Date.now() + waitMs);
  const { depth, dropped, channel } = outlet.stats();
  await outlet.close();
  if (depth + dropped === 0) return;
  const last = outlet.lastProblem;
  const why = depth > 0 ? `Slack did not answer within ${waitMs / 1_000} s${last ? `; last: ${last}` : ''}` : last;
  const count = depth + dropped === 1 ? 'the audit message was' : `${depth + dropped} audit messages were`;
  term.err(
    `markread: ${count} not posted to the audit channel ${channel} (${why ?? 'unknown'}); the audit log line on stderr has ${depth + dropped === 1 ? 'it' : 'them'}\n`,
  );
}
