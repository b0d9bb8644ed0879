import { type ErrorExplanation, explainError } from './error-catalogue.js';
import { type ImApi, type ImEnvelope, imEnvelope } from './response.js';
import type { TransportFailure, TransportResult } from './transport.js';

/** An attempt's answer, checked: the typed response, the API's FAIL explained, or why there is no usable answer. */
export type CheckedAnswer<Res extends ImEnvelope> =
  | { kind: 'ok'; response: Res }
  | { kind: 'fail'; response: ImEnvelope; error: ErrorExplanation }
  | { kind: 'no-answer'; failure: TransportFailure };

/**
 * Success is decided by ActionStatus and ErrorCode, not by HTTP 200; an OK answer must also carry the fields its
 * API returns. JSON that is not an IM envelope is treated like a transport failure.
 */
export function checkAnswer<Res extends ImEnvelope>(api: ImApi<Res>, answer: TransportResult): CheckedAnswer<Res> {
  if (!answer.ok) return { kind: 'no-answer', failure: answer.failure };
  const envelope = imEnvelope.safeParse(answer.json);
  if (!envelope.success)
    return {
      kind: 'no-answer',
      failure: { kind: 'bad-body', detail: 'answer is JSON but not an IM envelope (ActionStatus, ErrorCode)' },
    };
  if (envelope.data.ActionStatus !== 'OK' || envelope.data.ErrorCode !== 0)
    return {
      kind: 'fail',
      response: envelope.data,
      error: explainError(envelope.data.ErrorCode, envelope.data.ErrorInfo),
    };
  const typed = api.response.safeParse(answer.json);
  if (typed.success) return { kind: 'ok', response: typed.data };
  return {
    kind: 'no-answer',
    failure: { kind: 'bad-body', detail: `OK answer without the fields ${api.command} returns` },
  };
}
