// Dispatches `lunawall <command> …` to the registry; turns user errors into one line and an exit code.
import { ConfigError } from '../config.js';
import { commands } from './index.js';
import { CliError, type CliIO } from './types.js';

function help(io: CliIO): void {
  io.out('usage: lunawall <command> [options]');
  io.out('');
  const width = Math.max(...commands.map((c) => c.name.length));
  for (const c of commands) io.out(`  ${c.name.padEnd(width)}  ${c.summary}`);
  io.out('');
  io.out('"lunawall <command> --help" shows a command\'s options.');
}

export async function runCli(argv: string[], io: CliIO): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    help(io);
    return name === undefined ? 2 : 0;
  }
  const cmd = commands.find((c) => c.name === name);
  if (!cmd) {
    io.err(`lunawall: unknown command "${name}" (try "lunawall help")`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    io.out(`usage: ${cmd.usage}`);
    return 0;
  }
  try {
    return await cmd.run(rest, io);
  } catch (e) {
    if (e instanceof CliError) {
      io.err(`lunawall ${name}: ${e.message}`);
      return e.exitCode;
    }
    if (e instanceof ConfigError) {
      io.err(`lunawall ${name}: ${e.message}`);
      return 1;
    }
    if (e instanceof Error && (e as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`lunawall ${name}: ${e.message} (usage: ${cmd.usage})`);
      return 2;
    }
    throw e;
  }
}

export const processIO: CliIO = {
  out: (l) => process.stdout.write(l + '\n'),
  err: (l) => process.stderr.write(l + '\n'),
  env: process.env,
};
