import type { ImApp } from '../../im/app.js';
import { namesApp } from '../../im/apps.js';
import { type SlackMessage, withLine } from './message.js';
import { code } from './mrkdwn.js';

export type ShownApp = Pick<ImApp, 'name' | 'sdkAppId' | 'protected'>;

/**
 * Which IM app, on a line of its own, where a person must be shown it (`namesApp`: several apps, so staging is
 * never mistaken for production, or a protected app, flagged loudly).
 */
export function appLine(app: ShownApp, several: boolean): string | undefined {
  if (!namesApp(app, several)) return undefined;
  const flag = app.protected ? ':rotating_light: *PROTECTED* ' : '';
  return `${flag}*IM app*: ${code(app.name)} (SDKAppID ${app.sdkAppId})`;
}

/** `message` with its app line, where one is due. */
export function onApp(message: SlackMessage, app: ShownApp, several: boolean): SlackMessage {
  const line = appLine(app, several);
  return line === undefined ? message : withLine(message, line);
}
