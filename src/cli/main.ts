#!/usr/bin/env node
import { addEnvSecrets } from '../log/redactor.js';
import { parseCliArgs } from './args.js';
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
  const command = parseCliArgs(argv);
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
