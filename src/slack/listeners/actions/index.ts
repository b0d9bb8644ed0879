import type { App, BlockButtonAction } from '@slack/bolt';
import { HOME_ACTIONS } from '../../blocks/ids.js';
import type { ListenerDeps } from '../../deps.js';
import { register as registerApprovalButtons } from './approval-buttons.js';
import { register as registerBulkButtons } from './bulk-buttons.js';
import { openFormFromHome } from './open-form.js';

/**
 * The buttons: Confirm / Cancel of a run awaiting confirmation, Stop of a run in progress, Approve / Deny /
 * Withdraw of a run awaiting approval, and App Home's form.
 */
export function register(app: App, deps: ListenerDeps): void {
  registerBulkButtons(app, deps);
  registerApprovalButtons(app, deps);
  app.action<BlockButtonAction>(HOME_ACTIONS.openForm, openFormFromHome(deps));
}
