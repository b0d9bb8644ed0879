import type { App, ViewSubmitAction } from '@slack/bolt';
import { MODAL_CALLBACK_ID } from '../../blocks/ids.js';
import type { ListenerDeps } from '../../deps.js';
import { markReadModalSubmission } from './markread-modal.js';

/** The forms: the /markread modal's submission. */
export function register(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(MODAL_CALLBACK_ID, markReadModalSubmission(deps));
}
