import { adminSetMsgRead } from '../im/apis/admin-set-msg-read.js';
import type { ImApp } from '../im/app.js';
import type { CallLimits, CallResult } from '../im/client.js';
import type { ImEnvelope } from '../im/response.js';
import { untrusted } from '../text/untrusted.js';
import type { MarkReadRequest } from './mark-read-request.js';

/** What happened to one mark-read, in terms every entry point can show. */
export interface MarkReadOutcome {
  request: MarkReadRequest;
  /** ok: the API answered OK; failed: it answered FAIL; unreachable: no usable answer after retries. */
  status: 'ok' | 'failed' | 'unreachable';
  actionStatus: 'OK' | 'FAIL' | undefined;
  errorCode: number | undefined;
  errorInfo: string | undefined;
  /** What happened, in plain words. */
  meaning: string;
  /** What to do next; absent on success. */
  action: string | undefined;
  attempts: number;
  durationMs: number;
  requestId: number;
}

/** Who asked, for the audit line: the Slack adapter passes team/user/channel, the CLI passes its source. */
export type AuditContext = Record<string, string | undefined>;

/** The IM app to act on (its client, and its logger for the audit line); a test may hand just those two. */
export type MarkReadDeps = Pick<ImApp, 'client' | 'logger'>;

/** Marks every message of `request.user`'s conversation with `request.peer` read, and writes one audit line. */
export async function markRead(
  deps: MarkReadDeps,
  request: MarkReadRequest,
  audit: AuditContext,
  signal?: AbortSignal,
  limits?: CallLimits,
): Promise<MarkReadOutcome> {
  const result = await adminSetMsgRead(
    deps.client,
    { reportAccount: request.user, peerAccount: request.peer, msgReadTime: request.readTime },
    signal,
    limits,
  );
  const outcome = toOutcome(request, result, deps.client.endpoint.primary.host);
  deps.logger.info(
    {
      audit: 'mark-read',
      ...audit,
      user: request.user,
      peer: request.peer,
      readTime: request.readTime,
      outcome: outcome.status,
      // The API's own words, as it answered (ErrorInfo scrubbed and clipped like all server text).
      actionStatus: outcome.actionStatus,
      errorCode: outcome.errorCode,
      errorInfo: outcome.errorInfo,
      attempts: outcome.attempts,
      durationMs: outcome.durationMs,
      requestId: outcome.requestId,
    },
    `mark-read ${outcome.status}`,
  );
  return outcome;
}

function toOutcome(request: MarkReadRequest, result: CallResult<ImEnvelope>, host: string): MarkReadOutcome {
  const common = {
    request,
    attempts: result.stats.attempts,
    durationMs: result.stats.durationMs,
    requestId: result.stats.requestId,
  };
  switch (result.status) {
    case 'ok':
      return {
        ...common,
        status: 'ok',
        actionStatus: 'OK',
        errorCode: result.response.ErrorCode,
        errorInfo: untrusted(result.response.ErrorInfo),
        meaning: `${request.user}'s one-to-one conversation with ${request.peer} is now marked read${
          request.readTime === undefined ? '' : ` up to ${new Date(request.readTime * 1000).toISOString()}`
        }.`,
        action: undefined,
      };
    case 'fail':
      return {
        ...common,
        status: 'failed',
        actionStatus: 'FAIL',
        errorCode: result.response.ErrorCode,
        errorInfo: untrusted(result.response.ErrorInfo),
        meaning: result.error.meaning,
        action: result.error.action,
      };
    case 'unreachable': {
      const { failure } = result;
      const stopped = failure.kind === 'aborted';
      const noAnswer = {
        ...common,
        status: 'unreachable',
        actionStatus: undefined,
        errorCode: undefined,
        errorInfo: undefined,
      } as const;
      if (failure.kind === 'connect' || failure.kind === 'circuit-open') {
        return {
          ...noAnswer,
          meaning: `Could not reach the IM API at ${host}: ${failure.detail}.`,
          action: `Check that this server reaches ${host} (TIM_REGION or TIM_BASE_URL, DNS, egress firewall), then run it again; marking read is safe to repeat.`,
        };
      }
      return {
        ...noAnswer,
        meaning: stopped
          ? 'Stopped before the IM API was called; nothing changed.'
          : `No usable answer from the IM API after ${result.stats.attempts} attempt(s): ${failure.detail} (${failure.kind}).`,
        action: stopped
          ? 'Run it again when ready.'
          : `It may or may not have taken effect; marking read is safe to repeat, so run it again. If it keeps failing, check that this server reaches ${host} (TIM_REGION / TIM_BASE_URL).`,
      };
    }
  }
}
