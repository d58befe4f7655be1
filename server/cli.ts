// The `lunawall` command line entry (bin/lunawall.mjs imports this): run the command, exit with its code.
import { processIO, runCli } from './cli/run.js';

try {
  const code = await runCli(process.argv.slice(2), processIO);
  process.exitCode = code;
} catch (e) {
  process.stderr.write(`lunawall: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exitCode = 1;
}
