// `lunawall test FILE`: runs each policy's own packet tests in the emulator; exit 1 if any fails.
import { runPolicyTests, SimulationError } from '../simulate.js';
import { parse } from './args.js';
import { onePositional, profileOption, readPolicies } from './one-policy.js';
import { CliError, type Command } from './types.js';

export const testCommand: Command = {
  name: 'test',
  summary: "run the policies' packet tests in the emulator; exit 1 if any fails",
  usage: 'lunawall test FILE [--profile lunatik-4|lunatik-3.6]   (FILE "-" reads stdin)',
  async run(args, io) {
    const { values, positionals } = parse(args, { profile: { type: 'string' } });
    const file = onePositional(positionals);
    const profile = profileOption(values.profile);
    const policies = readPolicies(file);
    let passed = 0;
    let failed = 0;
    for (const policy of policies) {
      let results;
      try {
        results = await runPolicyTests(policy, { profile });
      } catch (e) {
        if (e instanceof SimulationError) throw new CliError(`${file}: ${policy.name}: ${e.message}`, 1);
        throw e;
      }
      for (const r of results) {
        const got = `${r.verdict} by ${r.rule}`;
        if (r.passed) {
          passed++;
          io.out(`ok   ${policy.name}: ${r.name} (${got})`);
        } else {
          failed++;
          const want = policy.tests.find((t) => t.name === r.name)?.rule;
          const why = r.error ? `hook error: ${r.error}` : `expected ${r.expect}${want ? ` by ${want}` : ''}, got ${got}`;
          io.out(`FAIL ${policy.name}: ${r.name}: ${why}`);
        }
      }
    }
    io.err(`${passed} passed, ${failed} failed (${profile})`);
    return failed > 0 ? 1 : 0;
  },
};
