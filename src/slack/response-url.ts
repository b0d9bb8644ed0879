import { request } from 'undici';
import type { SlackMessage } from './messages.js';

/**
 * Posts privately to the requester through a command's response_url: it works in DMs and in channels the bot
 * is not in, for 30 minutes and 5 uses. Bolt's respond() has no timeout or retry, so this has both.
 * Returns the error text when it could not deliver, undefined when it did.
 */
export async function postToResponseUrl(
  responseUrl: string,
  message: SlackMessage,
  options: { replaceOriginal?: boolean; attempts?: number; timeoutMs?: number } = {},
): Promise<string | undefined> {
  const { replaceOriginal = false, attempts = 3, timeoutMs = 5_000 } = options;
  let lastError = 'not tried';
  for (let attempt = 1; attempt <= attempts; attempt++) {
    try {
      const response = await request(responseUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ response_type: 'ephemeral', replace_original: replaceOriginal, ...message }),
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
}
