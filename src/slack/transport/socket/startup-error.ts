/**
 * A start-up failure a person can fix: one line naming the variable (or PORT, or the network) and what to do.
 * main prints it and exits 2; no stack trace.
 */
export class StartupError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'StartupError';
  }
}

/** Slack's error codes for a token that is wrong, revoked or lacks a scope, in plain words. */
export function describeTokenError(variable: string, code: string): string {
  switch (code) {
    case 'missing_scope':
      return `${variable}: the token lacks a scope it needs${variable === 'SLACK_APP_TOKEN' ? ': generate an app-level token with connections:write (Basic Information → App-Level Tokens)' : ': reinstall the app so it gets the scopes in manifest.yml'}`;
    case 'invalid_auth':
    case 'not_authed':
      return `${variable}: Slack does not accept this token (${code}); copy it again from the app's settings${variable === 'SLACK_APP_TOKEN' ? ' (Basic Information → App-Level Tokens)' : ' (OAuth & Permissions → Bot User OAuth Token)'}`;
    case 'token_revoked':
    case 'token_expired':
    case 'account_inactive':
    case 'app_uninstalled':
      return `${variable}: the token was revoked or the app uninstalled (${code}); reinstall the app and copy a fresh token`;
    default:
      return `${variable}: Slack refused it (${code})`;
  }
}

/** Codes that mean the credential itself is wrong: retrying cannot help. */
export const FATAL_TOKEN_ERRORS = new Set([
  'missing_scope',
  'invalid_auth',
  'not_authed',
  'token_revoked',
  'token_expired',
  'account_inactive',
  'app_uninstalled',
  'not_allowed_token_type',
]);

/** Slack could not be reached at start-up: the cause and where to look. */
export function slackUnreachable(apiUrl: string, cause: string): StartupError {
  return new StartupError(
    `cannot reach Slack at ${apiUrl}: ${cause} — check this host's egress (DNS, proxy, firewall)`,
  );
}

/** A network failure's cause in a few words: "getaddrinfo ENOTFOUND slack.com" rather than a 3 KB stack. */
export function networkCause(error: unknown): string {
  type Cause = { code?: string; message?: string; cause?: Cause; original?: Cause };
  // The Web API client wraps the fetch error in `original`; fetch wraps the socket error in `cause`.
  let deepest = error as Cause;
  for (let i = 0; i < 5; i++) {
    const next = deepest.original ?? deepest.cause;
    if (!next || typeof next !== 'object') break;
    deepest = next;
  }
  const code = deepest.code;
  const message = (deepest.message ?? String(error)).split('\n')[0] ?? '';
  return `${code && !message.includes(code) ? `${code} ` : ''}${message}`.slice(0, 200);
}
