#!/usr/bin/env node
import { ConfigError } from '../config/config-error.js';
import { loadEnvFile } from '../config/env-file.js';
import { loadImConfig } from '../config/im-config.js';
import { markRead } from '../domain/mark-read.js';
import { ADMIN_SET_MSG_READ, adminSetMsgReadBody } from '../im/apis/admin-set-msg-read.js';
import { Redactor } from '../log/redactor.js';
import { createImRuntime } from '../im-runtime.js';
import { pino } from 'pino';
import { parseCliArgs } from './args.js';
import { EXIT } from './exit-codes.js';
import { outcomeJson, outcomeText } from './output.js';
import { USAGE } from './usage.js';

async function main(argv: string[]): Promise<number> {
  const command = parseCliArgs(argv);
  if (command.kind === 'help') {
    process.stdout.write(USAGE);
    return EXIT.ok;
  }
  if (command.kind === 'usage-error') return fail('usage', command.problems, command.json, true);

  loadEnvFile();
  let loaded;
  try {
    loaded = loadImConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) return fail('configuration', error.problems, command.json, false);
    throw error;
  }
  // The CLI's stdout is its output; logs go to stderr, quiet unless LOG_LEVEL asks for more.
  const runtime = createImRuntime(loaded.config, {
    destination: pino.destination({ dest: 2, sync: true }),
    logLevel: process.env.LOG_LEVEL ? loaded.config.logLevel : 'warn',
  });
  for (const warning of loaded.warnings) runtime.logger.warn(warning);
  try {
    if (command.dryRun) {
      const described = runtime.client.describeRequest(ADMIN_SET_MSG_READ.command, adminSetMsgReadBody({
        reportAccount: command.request.user,
        peerAccount: command.request.peer,
        msgReadTime: command.request.readTime,
      }));
      const query = Object.entries(described.query).map(([k, v]) => `${k}=${v}`).join('&');
      process.stdout.write(
        command.json
          ? `${JSON.stringify({ dryRun: true, ...described })}\n`
          : `Dry run: nothing was sent.\n  ${described.method} ${described.origin}${described.path}?${query}\n  body ${JSON.stringify(described.body)}\n`,
      );
      return EXIT.ok;
    }
    const outcome = await markRead(runtime, command.request, { source: 'cli', osUser: process.env.USER });
    process.stdout.write(command.json ? `${JSON.stringify(outcomeJson(outcome))}\n` : outcomeText(outcome));
    return outcome.status === 'ok' ? EXIT.ok : outcome.status === 'failed' ? EXIT.apiFailed : EXIT.unreachable;
  } finally {
    await runtime.client.close();
  }
}

function fail(kind: 'usage' | 'configuration', problems: string[], json: boolean, showUsageHint: boolean): number {
  if (json) process.stdout.write(`${JSON.stringify({ error: kind, problems })}\n`);
  const hint = showUsageHint ? '\nRun `markread --help` for usage.' : '\nSee `markread --help` or .env.example for every variable.';
  process.stderr.write(`markread: ${kind} error, nothing was called:\n${problems.map((p) => `  - ${p}`).join('\n')}${hint}\n`);
  return EXIT.usage;
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    const redactor = new Redactor();
    if (process.env.TIM_SECRET_KEY) redactor.addSecret(process.env.TIM_SECRET_KEY);
    process.stderr.write(redactor.scrub(`markread: unexpected error: ${(error as Error)?.message ?? String(error)}\n`));
    process.exitCode = 70;
  },
);
