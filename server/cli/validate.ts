// `lunawall validate FILE`: checks a policy file and prints each diagnostic; exit 1 if any is an error.
import { parse } from './args.js';
import { checkPolicyDocument, formatDiagnostic, hasErrors, readJsonFile } from './policy-file.js';
import { CliError, type Command } from './types.js';

export const validateCommand: Command = {
  name: 'validate',
  summary: 'check a policy file (one policy or {"policies": [...]}); exit 1 on errors',
  usage: 'lunawall validate FILE   (FILE "-" reads stdin)',
  async run(args, io) {
    const { positionals } = parse(args, {});
    if (positionals.length !== 1) throw new CliError('expected exactly one FILE');
    const file = positionals[0]!;
    const { policies, diagnostics } = checkPolicyDocument(readJsonFile(file));
    for (const d of diagnostics) io.out(formatDiagnostic(d));
    const errors = diagnostics.filter((d) => d.severity === 'error').length;
    const warnings = diagnostics.length - errors;
    if (hasErrors(diagnostics)) {
      io.err(`${file}: ${errors} error${errors === 1 ? '' : 's'}, ${warnings} warning${warnings === 1 ? '' : 's'}`);
      return 1;
    }
    io.err(`${file}: ok (${policies.length} polic${policies.length === 1 ? 'y' : 'ies'}, ${warnings} warning${warnings === 1 ? '' : 's'})`);
    return 0;
  },
};
