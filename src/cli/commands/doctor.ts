import { ConfigError } from '../../config/config-error.js';
import { loadEnvFile } from '../../config/env-file.js';
import { loadImApps } from '../../config/im-apps.js';
import { loadSlackConfig } from '../../config/slack-config.js';
import { checklistText, type DoctorItem } from '../../doctor/checklist.js';
import { everyAppChecks } from '../../doctor/im-doctor.js';
import { slackChecks } from '../../doctor/slack-doctor.js';
import { createImRuntime } from '../../im-runtime.js';
import { addEnvSecrets, Redactor } from '../../log/redactor.js';
import { stderrDestination } from '../../log/terminal-destination.js';
import { EXIT } from '../exit-codes.js';
import type { Terminal } from '../terminal.js';

/**
 * `markread doctor`: is markread itself set up right? The configuration, the IM host and the admin UserSig of
 * every IM app (each line naming its app when there are several), and when the Slack variables are set, the bot
 * token, its scopes and the Socket Mode token. Exit 0 only when all pass.
 */
export async function runDoctor(json: boolean, term: Terminal): Promise<number> {
  loadEnvFile();
  const redactor = addEnvSecrets(new Redactor(), process.env);
  const items: DoctorItem[] = [];
  try {
    const loaded = loadImApps(process.env);
    const { apps } = createImRuntime(loaded, { redactor, destination: stderrDestination(), logLevel: 'silent' });
    try {
      items.push(...(await everyAppChecks(apps)));
    } finally {
      await apps.close();
    }
  } catch (error) {
    items.push(configItem('configuration', error));
  }
  if (process.env.SLACK_BOT_TOKEN?.trim()) {
    try {
      items.push(...(await slackChecks(loadSlackConfig(process.env))));
    } catch (error) {
      items.push(configItem('Slack configuration', error));
    }
  }
  const ok = items.every((i) => i.ok);
  term.out(json ? `${JSON.stringify({ ok, checks: items })}\n` : checklistText(items));
  return ok ? EXIT.ok : EXIT.apiFailed;
}

/** A configuration that does not load is a failed check with its problems (never its values), not a crash. */
function configItem(name: string, error: unknown): DoctorItem {
  if (!(error instanceof ConfigError)) throw error;
  return { name, ok: false, detail: error.problems.join('; '), fix: 'set each variable named (see .env.example)' };
}
