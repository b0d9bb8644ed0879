import { request } from 'undici';
import type { SlackConfig } from '../config/slack-config.js';
import { auditChannelItem, type ConversationInfo } from './audit-channel.js';
import type { DoctorItem } from './checklist.js';

/** The bot scopes manifest.yml asks for (test/manifest.test.ts keeps the two equal), and what each is for. */
export const BOT_SCOPES: Record<string, string> = {
  commands: '/markread itself',
  'chat:write': 'the parent message, the thread reply and their edits',
  'chat:write.public': 'posting in public channels the bot was not invited to',
  'usergroups:read': 'MARKREAD_ALLOWED_USERGROUPS',
  'channels:read': 'MARKREAD_AUDIT_CHANNEL: checking a public audit channel (conversations.info)',
  'groups:read': 'MARKREAD_AUDIT_CHANNEL: checking a private audit channel (conversations.info)',
};

/** Scopes needed only when their feature is configured. */
function neededScopes(slack: SlackConfig): string[] {
  return Object.keys(BOT_SCOPES).filter((s) => {
    if (s === 'usergroups:read') return slack.allowedUserGroups.size > 0;
    if (s === 'channels:read' || s === 'groups:read') return slack.auditChannel !== undefined;
    return true;
  });
}

const SLACK_API = 'https://slack.com/api/';

type Answer = { ok?: boolean; error?: string; team?: string; user?: string } & ConversationInfo;

/** One Web API call with `token`; what Slack answered, or why it could not be asked. */
async function call(
  apiUrl: string,
  method: string,
  token: string,
  args: Record<string, string> = {},
): Promise<{ body: Answer; scopes: string } | string> {
  try {
    const res = await request(`${apiUrl}${method}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(args).toString(),
      headersTimeout: 10_000,
      bodyTimeout: 10_000,
    });
    const body = (await res.body.json()) as Answer;
    return { body, scopes: String(res.headers['x-oauth-scopes'] ?? '') };
  } catch (error) {
    return `cannot reach ${apiUrl}: ${(error as Error).message}`;
  }
}

const EGRESS_FIX = 'allow egress to slack.com (or fix SLACK_API_URL)';

/**
 * The Slack half of the doctor: the bot token (auth.test), its scopes against the manifest's, the audit channel
 * when set (conversations.info), and in Socket Mode the app-level token (apps.connections.open, whose URL is not
 * used). Plain HTTP: the doctor needs no Bolt.
 */
export async function slackChecks(slack: SlackConfig): Promise<DoctorItem[]> {
  const apiUrl = slack.apiUrl ?? SLACK_API;
  const items: DoctorItem[] = [];
  const auth = await call(apiUrl, 'auth.test', slack.botToken.reveal());
  if (typeof auth === 'string') items.push({ name: 'Slack bot token', ok: false, detail: auth, fix: EGRESS_FIX });
  else if (!auth.body.ok)
    items.push({
      name: 'Slack bot token',
      ok: false,
      detail: `auth.test answered ${auth.body.error}`,
      fix: 'reinstall the app (OAuth & Permissions) and copy a fresh xoxb- token into SLACK_BOT_TOKEN',
    });
  else {
    items.push({ name: 'Slack bot token', ok: true, detail: `auth.test: ${auth.body.user} in ${auth.body.team}` });
    const granted = new Set(auth.scopes.split(',').map((s) => s.trim()));
    const needed = neededScopes(slack);
    const missing = needed.filter((s) => !granted.has(s));
    items.push(
      missing.length === 0
        ? { name: 'bot scopes', ok: true, detail: `has ${needed.join(', ')}` }
        : {
            name: 'bot scopes',
            ok: false,
            detail: `missing ${missing.map((s) => `${s} (${BOT_SCOPES[s]})`).join(', ')}`,
            fix: 'add them under OAuth & Permissions (or recreate the app from manifest.yml), then reinstall the app',
          },
    );
    if (slack.auditChannel) items.push(await auditChannelCheck(slack, apiUrl, [...granted]));
  }
  if (slack.mode === 'socket' && slack.appToken) {
    const open = await call(apiUrl, 'apps.connections.open', slack.appToken.reveal());
    items.push(
      typeof open === 'string'
        ? { name: 'Socket Mode app token', ok: false, detail: open, fix: EGRESS_FIX }
        : open.body.ok
          ? { name: 'Socket Mode app token', ok: true, detail: 'apps.connections.open accepted it' }
          : {
              name: 'Socket Mode app token',
              ok: false,
              detail: `apps.connections.open answered ${open.body.error}`,
              fix: 'Basic Information → App-Level Tokens: generate one with connections:write for SLACK_APP_TOKEN',
            },
    );
  }
  return items;
}

/** Can the bot post in MARKREAD_AUDIT_CHANNEL? */
async function auditChannelCheck(slack: SlackConfig, apiUrl: string, scopes: string[]): Promise<DoctorItem> {
  const channel = slack.auditChannel as string;
  const info = await call(apiUrl, 'conversations.info', slack.botToken.reveal(), { channel });
  return auditChannelItem(channel, typeof info === 'string' ? info : info.body, scopes);
}
