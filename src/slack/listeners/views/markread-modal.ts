import type { App } from '@slack/bolt';
import { parseMarkReadRequest } from '../../../domain/mark-read-request.js';
import { MODAL_ACTION, MODAL_CALLBACK_ID, MODAL_FIELDS } from '../../blocks/ids.js';
import { escapeMrkdwn } from '../../blocks/mrkdwn.js';
import { refusalView } from '../../blocks/refusal.js';
import type { ListenerDeps } from '../../deps.js';

const fieldToBlock = { user: MODAL_FIELDS.user, peer: MODAL_FIELDS.peer, readTime: MODAL_FIELDS.readTime } as const;

/**
 * The modal's submission. The allowlist is checked again (the submitter need not be who opened it), invalid
 * values are answered inline on their field, and a valid one runs like the slash command.
 */
export function registerMarkReadModal(app: App, deps: ListenerDeps): void {
  app.view(MODAL_CALLBACK_ID, async ({ ack, body, view }) => {
    const submitter = body.user.id;
    const teamId = body.team?.id;
    const verdict = await deps.allowlist.check(submitter);
    if (!verdict.allowed) {
      await ack({ response_action: 'update', view: refusalView(verdict.reason) });
      deps.logger.warn(
        { audit: 'refused', team: teamId, slackUser: submitter, via: 'modal', reason: verdict.reason },
        'refused a /markread form from a submitter not on the allowlist',
      );
      return;
    }

    const value = (blockId: string): string => view.state.values[blockId]?.[MODAL_ACTION]?.value ?? '';
    const parsed = parseMarkReadRequest({
      user: value(MODAL_FIELDS.user),
      peer: value(MODAL_FIELDS.peer),
      readTime: value(MODAL_FIELDS.readTime),
    });
    if (!parsed.ok) {
      const errors: Record<string, string> = {};
      for (const problem of parsed.problems)
        errors[fieldToBlock[problem.field]] ??= escapeMrkdwn(problem.message).slice(0, 150);
      await ack({ response_action: 'errors', errors });
      return;
    }

    const metadata = deps.seal.open(view.private_metadata);
    if (!metadata) {
      deps.logger.warn(
        { audit: 'refused', team: teamId, slackUser: submitter, via: 'modal' },
        'refused a /markread form whose private_metadata is not markread’s own (tampered or from before a key change)',
      );
      await ack({
        response_action: 'errors',
        errors: { [MODAL_FIELDS.user]: 'This form lost track of its channel; close it and run /markread again.' },
      });
      return;
    }

    const ctx = {
      requester: submitter,
      teamId,
      channelId: metadata.channelId,
      responseUrl: metadata.responseUrl,
      via: 'modal',
    };
    // Recorded as it is acked: from here on a replica's death does not lose it.
    await Promise.all([ack(), deps.jobs.dispatch({ kind: 'single', ctx, request: parsed.request })]);
  });
}
