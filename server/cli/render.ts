// `lunawall render FILE [--profile P]`: prints the Lua script a policy compiles to.
import { compilePolicy } from '../compile/index.js';
import { parse } from './args.js';
import { formatDiagnostic } from './policy-file.js';
import { onePositional, profileOption, readOnePolicy } from './one-policy.js';
import { CliError, type Command } from './types.js';

export const renderCommand: Command = {
  name: 'render',
  summary: 'print the Lunatik Lua script a policy compiles to',
  usage: 'lunawall render FILE [--profile lunatik-4|lunatik-3.6] [--policy NAME]   (FILE "-" reads stdin)',
  async run(args, io) {
    const { values, positionals } = parse(args, { profile: { type: 'string' }, policy: { type: 'string' } });
    const file = onePositional(positionals);
    const profile = profileOption(values.profile);
    const policy = readOnePolicy(file, values.policy);
    const { script, diagnostics } = compilePolicy(policy, { profile });
    const error = diagnostics.find((d) => d.severity === 'error');
    if (error) throw new CliError(`${file}: does not compile for ${profile}: ${formatDiagnostic(error)}`, 1);
    for (const d of diagnostics) io.err(`${file}: warning: ${formatDiagnostic(d)}`);
    io.out(script.endsWith('\n') ? script.slice(0, -1) : script);
    return 0;
  },
};
