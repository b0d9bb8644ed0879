import type { ImApp } from '../../im/app.js';
import { type SlackMessage, withLine } from './message.js';
import { code } from './mrkdwn.js';

export type ShownApp = Pick<ImApp, 'name' | 'sdkAppId' | 'protected'>;

/**
 * Which IM app, on a line of its own: shown whenever there are several apps (so staging is never mistaken for
 * production) or the app is protected (flagged loudly); nothing for one ordinary app, whose messages read as before.
 */
export function appLine(app: ShownApp, several: boolean): string | undefined {
  if (!several && !app.protected) return undefined;
  const flag = app.protected ? ':rotating_light: *PROTECTED* ' : '';
  return `${flag}*IM app*: ${code(app.name)} (SDKAppID ${app.sdkAppId})`;
}

/** `message` with its app line, where one is due. */
export function onApp(message: SlackMessage, app: ShownApp, several: boolean): SlackMessage {
  const line = appLine(app, several);
  return line === undefined ? message : withLine(message, line);
}
