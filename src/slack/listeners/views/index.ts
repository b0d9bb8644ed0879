import type { App, ViewSubmitAction } from '@slack/bolt';
import { DENY_CALLBACK_ID, MODAL_CALLBACK_ID } from '../../blocks/ids.js';
import type { ListenerDeps } from '../../deps.js';
import { denySubmission } from './deny-reason.js';
import { markReadModalSubmission } from './markread-modal.js';

/** The forms: the /markread modal's submission, and the reason for a denial. */
export function register(app: App, deps: ListenerDeps): void {
  app.view<ViewSubmitAction>(MODAL_CALLBACK_ID, markReadModalSubmission(deps));
  app.view<ViewSubmitAction>(DENY_CALLBACK_ID, denySubmission(deps));
}
