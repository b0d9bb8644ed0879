import type { webApi } from '@slack/bolt';
import type { Logger } from '../../log/logger.js';
import {
  describeTokenError,
  FATAL_TOKEN_ERRORS,
  networkCause,
  StartupError,
  slackUnreachable,
} from './socket/startup-error.js';

/** What auth.test tells the rest of start-up: the workspace's address (for thread links) and the token's scopes. */
export interface BotIdentity {
  url: string | undefined;
  scopes: string[] | undefined;
}

/** auth.test with the bot token: a refused token stops start-up at once; an unreachable Slack is retried, bounded. */
export async function checkBotToken(
  client: webApi.WebClient,
  apiUrl: string,
  waitMs: number,
  logger: Logger,
): Promise<BotIdentity> {
  const deadline = Date.now() + waitMs;
  for (;;) {
    try {
      const answer = await client.auth.test();
      return { url: answer.url, scopes: answer.response_metadata?.scopes };
    } catch (error) {
      const code = (error as { data?: { error?: string } }).data?.error;
      if (code !== undefined) {
        if (FATAL_TOKEN_ERRORS.has(code)) throw new StartupError(describeTokenError('SLACK_BOT_TOKEN', code));
        if (code !== 'ratelimited' && code !== 'internal_error' && code !== 'fatal_error')
          throw new StartupError(`SLACK_BOT_TOKEN: auth.test answered ${code}`);
      }
      const cause = code ?? networkCause(error);
      if (Date.now() + 2_000 > deadline) throw slackUnreachable(apiUrl, cause);
      logger.warn(`Slack is not reachable yet (${cause}); retrying in 2 s`);
      await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
}
