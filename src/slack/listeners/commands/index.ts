import type { App } from '@slack/bolt';
import { SLASH_COMMAND } from '../../command-text.js';
import type { ListenerDeps } from '../../deps.js';
import { markReadCommand } from './markread.js';

/** The slash commands: /markread alone. */
export function register(app: App, deps: ListenerDeps): void {
  app.command(SLASH_COMMAND, markReadCommand(deps));
}
