import type { App } from '@slack/bolt';
import type { ListenerDeps } from '../../deps.js';
import { register as registerBulkButtons } from './bulk-buttons.js';

/** The buttons: Confirm / Cancel of a run awaiting confirmation, and Stop of a run in progress. */
export function register(app: App, deps: ListenerDeps): void {
  registerBulkButtons(app, deps);
}
