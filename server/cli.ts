// The `lunawall` command line entry (bin/lunawall.mjs imports this): run the command, exit with its code.
import { processIO, runCli } from './cli/run.js';

// A reader that stops early (`lunawall simulate … | head`) is normal use, not a crash.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});

try {
  const code = await runCli(process.argv.slice(2), processIO);
  process.exitCode = code;
} catch (e) {
  process.stderr.write(`lunawall: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
