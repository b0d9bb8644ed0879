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
    bot_user: { display_name: string };
    slash_commands: Array<{ command: string; usage_hint: string; should_escape: boolean }>;
  };
  oauth_config: { scopes: { bot: string[] } };
  settings: { interactivity: { is_enabled: boolean }; socket_mode_enabled: boolean };
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
