import { request } from 'undici';
import type { Logger } from '../../log/logger.js';
import type { Redactor } from '../../log/redactor.js';
import type { SlackMessage } from '../blocks/message.js';

export interface ResponseUrlOptions {
  replaceOriginal?: boolean;
  attempts?: number;
  timeoutMs?: number;
}

/** Sends a message privately to a requester through a response_url; the error text when it could not, else undefined. */
export type Respond = (
  responseUrl: string,
  message: SlackMessage,
  options?: ResponseUrlOptions,
) => Promise<string | undefined>;

const SLACK_HOOKS = 'https://hooks.slack.com';

/**
 * A response_url is only used if Slack could have made it: https://hooks.slack.com/…, or, when SLACK_API_URL
 * points elsewhere (a proxy, the local stand-ins), that same origin. Anything else — a forged payload, tampered
 * metadata — would have markread POST a message to a place of the sender's choosing.
 */
export function isTrustedResponseUrl(responseUrl: string, apiUrl: string | undefined): boolean {
  let url: URL;
  try {
    url = new URL(responseUrl);
  } catch {
    return false;
  }
  if (url.username || url.password) return false;
  if (url.origin === SLACK_HOOKS) return true;
  return apiUrl !== undefined && url.origin === new URL(apiUrl).origin;
}

/**
 * Posts privately to the requester through a command's response_url: it works in DMs and in channels the bot
 * is not in, for 30 minutes and 5 uses. Bolt's respond() has no timeout or retry, so this has both; bodies pass
 * the redaction boundary; untrusted URLs are refused and logged.
 */
export function createResponder(deps: { redactor: Redactor; logger: Logger; apiUrl: string | undefined }): Respond {
  return async (responseUrl, message, options = {}) => {
    if (!isTrustedResponseUrl(responseUrl, deps.apiUrl)) {
      deps.logger.warn(
        { refused: 'response-url', origin: safeOrigin(responseUrl) },
        'refused to post to a response_url that is not Slack’s',
      );
      return 'the response_url is not a Slack URL; refused';
    }
    const { replaceOriginal = false, attempts = 3, timeoutMs = 5_000 } = options;
    const body = JSON.stringify(
      deps.redactor.scrubDeep({ response_type: 'ephemeral', replace_original: replaceOriginal, ...message }),
    );
    let lastError = 'not tried';
    for (let attempt = 1; attempt <= attempts; attempt++) {
      try {
        const response = await request(responseUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body,
          signal: AbortSignal.timeout(timeoutMs),
        });
        const text = await response.body.text();
        if (response.statusCode >= 200 && response.statusCode < 300) return undefined;
        lastError = `HTTP ${response.statusCode} ${text.slice(0, 100)}`;
        // 4xx other than 429 will not get better (expired or used up).
        if (response.statusCode >= 400 && response.statusCode < 500 && response.statusCode !== 429) return lastError;
      } catch (error) {
        lastError = (error as Error).message;
      }
      if (attempt < attempts) await new Promise((resolve) => setTimeout(resolve, 300 * attempt));
    }
    return lastError;
  };
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin.slice(0, 100);
  } catch {
    return 'not a URL';
  }
}
