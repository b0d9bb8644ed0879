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

/** The IM app to act on: its client, and its name and SDKAppID for the audit trail. */
export type MarkReadDeps = Pick<ImApp, 'client' | 'name' | 'sdkAppId'>;

/**
 * Marks every message of `request.user`'s conversation with `request.peer` read. The audit event is the caller's
 * (markReadWithProof, runMarkRead): it carries the unread counts before and after, known only there.
 */
export async function markRead(
  deps: Pick<ImApp, 'client'>,
  request: MarkReadRequest,
  signal?: AbortSignal,
  limits?: CallLimits,
): Promise<MarkReadOutcome> {
  const result = await adminSetMsgRead(
    deps.client,
    { reportAccount: request.user, peerAccount: request.peer, msgReadTime: request.readTime },
    signal,
    limits,
  );
  return toOutcome(request, result, deps.client.endpoint.primary.host);
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
