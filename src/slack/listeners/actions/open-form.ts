import type { AllMiddlewareArgs, BlockButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { markReadModal } from '../../blocks/modal.js';
import type { ListenerDeps } from '../../deps.js';
import { FROM_HOME } from '../../sealed-metadata.js';

/** What the handler uses of Bolt's arguments; tests build just these. */
export type OpenFormArgs = Pick<
  SlackActionMiddlewareArgs<BlockButtonAction> & AllMiddlewareArgs,
  'ack' | 'body' | 'client'
>;

/**
 * The Home tab's "Open the markread form", pressed by someone the gate let through. Nothing in App Home names a
 * channel or gives a response_url, so the form asks for the channel (its metadata says it came from Home). The
 * trigger_id expires 3 s after the press: the form opens before anything slow.
 */
export function openFormFromHome(deps: ListenerDeps): (args: OpenFormArgs) => Promise<void> {
  return async ({ ack, body, client }) => {
    await ack();
    try {
      await client.views.open({
        trigger_id: body.trigger_id,
        view: markReadModal(deps.seal.seal(FROM_HOME), deps.reason, { pickChannel: true, apps: deps.flow.apps }),
      });
    } catch (error) {
      deps.logger.warn({ err: error, slackUser: body.user.id }, 'could not open the markread form from App Home');
    }
  };
}
