import type { SlackConfig } from '../../config/slack-config.js';
import type { Redactor } from '../../log/redactor.js';
import { scrubbingFetch } from './scrubbing.js';

/**
 * Slack Web API calls get a bounded timeout and a short retry policy: the default retries for about 30
 * minutes, far past any responder's patience and past graceful shutdown.
 */
const WEB_API_OPTIONS = {
  timeout: 10_000,
  retryConfig: { retries: 2, factor: 2, minTimeout: 500, maxTimeout: 3_000, randomize: true },
};

/** The options of every Web API client markread makes: its retry policy, the redaction boundary, the API URL. */
export function webClientOptions(slack: Pick<SlackConfig, 'apiUrl'>, redactor: Redactor) {
  return {
    ...WEB_API_OPTIONS,
    fetch: scrubbingFetch(redactor),
    ...(slack.apiUrl ? { slackApiUrl: slack.apiUrl } : {}),
  };
}
