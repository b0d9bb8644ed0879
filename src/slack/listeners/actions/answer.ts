import type { BlockButtonAction } from '@slack/bolt';
import { plainMessage } from '../../blocks/message.js';
import type { ListenerDeps } from '../../deps.js';

/** What answering a presser needs: the response_url poster, tracked so a shutdown waits for it. */
export type AnswerDeps = Pick<ListenerDeps, 'inFlight'> & { flow: Pick<ListenerDeps['flow'], 'respond'> };

/**
 * Tells the presser, privately, what their press did; `replaceOriginal` puts it in place of the message the
 * button was on (a private prompt), never over a message others are watching.
 */
export async function answer(
  deps: AnswerDeps,
  body: Pick<BlockButtonAction, 'response_url'>,
  text: string,
  replaceOriginal = false,
): Promise<void> {
  await deps.inFlight.track(deps.flow.respond(body.response_url, plainMessage(text), { replaceOriginal }));
}
