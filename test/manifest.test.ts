import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse } from 'yaml';
import { BOT_SCOPES } from '../src/doctor/slack-doctor.js';
import { SLASH_COMMAND } from '../src/slack/command-text.js';

interface Manifest {
  display_information: { name: string };
  features: {
    app_home?: Record<string, unknown>;
    bot_user: { display_name: string };
    slash_commands: Array<{ command: string; usage_hint: string; should_escape: boolean }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: {
    interactivity: { is_enabled: boolean };
    socket_mode_enabled: boolean;
    event_subscriptions?: Record<string, unknown> & { bot_events?: unknown };
  };
}

const manifest = parse(readFileSync('manifest.yml', 'utf8')) as Manifest;

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const code = sources('src')
  .map((p) => readFileSync(p, 'utf8'))
  .join('\n');

/** Web API methods the code calls, and the bot scopes each needs. */
const SCOPE_OF_METHOD: Record<string, string | string[]> = {
  'chat.postMessage': 'chat:write',
  // Public and private channels need one scope each.
  'conversations.info': ['channels:read', 'groups:read'],
  'chat.update': 'chat:write',
  'usergroups.users.list': 'usergroups:read',
  'reactions.add': 'reactions:write',
  'views.open': 'commands',
};

describe('manifest.yml matches the code', () => {
  it('asks for exactly the bot scopes the doctor checks for', () => {
    assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), Object.keys(BOT_SCOPES).sort());
  });

  it('declares the command the app listens for, escaped as the parser expects', () => {
    assert.deepEqual(
      manifest.features.slash_commands.map((c) => c.command),
      [SLASH_COMMAND],
    );
    assert.equal(manifest.features.slash_commands[0]?.should_escape, true);
    assert.ok((manifest.features.slash_commands[0]?.usage_hint ?? '').includes('<user> <peer>'));
  });

  it('asks for exactly the scopes the code uses (chat:write.public for channels the bot is not in)', () => {
    const used = new Set(['commands']);
    for (const [method, scope] of Object.entries(SCOPE_OF_METHOD)) {
      const call = method.split('.').join('\\.');
      if (new RegExp(`\\.${call}\\(`).test(code)) for (const s of [scope].flat()) used.add(s);
    }
    used.add('chat:write.public');
    assert.deepEqual([...manifest.oauth_config.scopes.bot].sort(), [...used].sort());
  });

  it('enables interactivity (the modal) and Socket Mode, within Slack limits', () => {
    assert.equal(manifest.settings.interactivity.is_enabled, true);
    assert.equal(manifest.settings.socket_mode_enabled, true);
    assert.ok(manifest.display_information.name.length <= 35);
  });
});

/**
 * The parts of Slack's manifest schema (slackapi/manifest-schema, schemas/manifest.schema.1.0.0.json) the Home
 * tab touches: each object there has additionalProperties false, so an unknown or misspelt key is invalid.
 */
const SCHEMA = {
  features: [
    'app_home',
    'bot_user',
    'functions',
    'shortcuts',
    'slash_commands',
    'workflow_steps',
    'unfurl_domains',
    'assistant_view',
  ],
  appHome: ['home_tab_enabled', 'messages_tab_enabled', 'messages_tab_read_only_enabled'],
  settings: [
    'allowed_ip_address_ranges',
    'event_subscriptions',
    'incoming_webhooks',
    'interactivity',
    'org_deploy_enabled',
    'socket_mode_enabled',
    'is_hosted',
    'token_rotation_enabled',
    'siws_links',
    'hermes_app_type',
    'function_runtime',
    'is_mcp_enabled',
  ],
  eventSubscriptions: ['request_url', 'user_events', 'bot_events', 'metadata_subscriptions'],
};

const keysWithin = (value: object | undefined, allowed: string[], where: string) => {
  for (const key of Object.keys(value ?? {}))
    assert.ok(allowed.includes(key), `${where}.${key} is not in Slack's schema`);
};

describe('manifest.yml: the Home tab', () => {
  it('enables the Home tab, with only the keys and types the schema allows', () => {
    keysWithin(manifest.features, SCHEMA.features, 'features');
    keysWithin(manifest.features.app_home, SCHEMA.appHome, 'features.app_home');
    for (const value of Object.values(manifest.features.app_home ?? {})) assert.equal(typeof value, 'boolean');
    assert.equal(manifest.features.app_home?.home_tab_enabled, true);
  });

  it('subscribes to exactly the events the code listens for, as the schema allows them', () => {
    keysWithin(manifest.settings, SCHEMA.settings, 'settings');
    const subscriptions = manifest.settings.event_subscriptions;
    keysWithin(subscriptions, SCHEMA.eventSubscriptions, 'settings.event_subscriptions');
    const events = subscriptions?.bot_events;
    assert.ok(Array.isArray(events) && events.every((e) => typeof e === 'string' && e.length <= 50));
    assert.equal(new Set(events).size, events.length, 'bot_events are unique');
    const listened = [...code.matchAll(/app\.event\('([a-z_]+)'/g)].map((m) => m[1]);
    assert.deepEqual([...events].sort(), [...new Set(listened)].sort());
  });
});
