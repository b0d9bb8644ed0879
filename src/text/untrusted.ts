import { scrubSecretShapes } from '../log/redactor.js';
import { clipPlain, visible } from './visible.js';

/**
 * Text from outside that markread shows to people: the IM API's ErrorInfo, bodies of bad answers, transport
 * error messages. A gateway's error page may echo the request URL, UserSig included, so anything shaped like a
 * secret is removed first; then invisible characters are made visible and the text is clipped. Escaping for a
 * particular surface (Slack mrkdwn) is that surface's job.
 */
export function untrusted(text: string, max = 300): string {
  return clipPlain(visible(scrubSecretShapes(text)), max);
}
