#!/usr/bin/env node
import { ConfigError } from '../config/config-error.js';
import { loadEnvFile } from '../config/env-file.js';
import { loadReasonConfig, type ReasonPolicy } from '../config/reason-config.js';
import { addEnvSecrets } from '../log/redactor.js';
import { type CliCommand, parseCliArgs } from './args.js';
import { runAll } from './commands/all.js';
import { runCheck } from './commands/check.js';
import { runDoctor } from './commands/doctor.js';
import { runFromFile } from './commands/from-file.js';
import { showHelp } from './commands/help.js';
import { runMark } from './commands/mark.js';
import { showVersion } from './commands/version.js';
import { EXIT } from './exit-codes.js';
import { type CliSession, startSession } from './session.js';

/** The markread CLI: reads its arguments and hands them to the command's own module; each returns the exit code. */
async function main(cli: CliSession, argv: string[]): Promise<number> {
  const policy = reasonPolicy();
  const command = parseCliArgs(argv, { reasonPolicy: policy instanceof ConfigError ? undefined : policy });
  if (policy instanceof ConfigError && acts(command)) return cli.fail('configuration', policy.problems, command.json);
  switch (command.kind) {
    case 'help':
      return showHelp(cli.term);
    case 'version':
      return showVersion(cli.term);
    case 'usage-error':
      return cli.fail('usage', command.problems, command.json);
    case 'doctor':
      return runDoctor(command.json, cli.term);
    case 'mark':
    case 'mark-many':
      return runMark(cli, command);
    case 'from-file':
      return runFromFile(cli, command);
    case 'mark-all':
      return runAll(cli, command);
    case 'check':
      return runCheck(cli, command);
    default:
      throw new Error(`unhandled command ${(command as { kind: string }).kind}`);
  }
}

/** MARKREAD_REQUIRE_REASON and MARKREAD_REASON_MIN (.env included), read before the arguments they judge. */
function reasonPolicy(): ReasonPolicy | ConfigError {
  loadEnvFile();
  try {
    return loadReasonConfig(process.env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/** Whether `command` acts on the IM app (so its reason policy must be known). */
function acts(
  command: CliCommand,
): command is Extract<CliCommand, { kind: 'mark' | 'mark-many' | 'mark-all' | 'from-file' | 'check' }> {
  return ['mark', 'mark-many', 'mark-all', 'from-file', 'check'].includes(command.kind);
}

const cli = startSession();
main(cli, process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    addEnvSecrets(cli.redactor, process.env);
    cli.term.err(`markread: unexpected error: ${(error as Error)?.message ?? String(error)}\n`);
    process.exitCode = EXIT.internal;
  },
);
