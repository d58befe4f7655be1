// Shared by render/simulate/test: read a checked policy file and the --profile option, as one-line CLI errors.
import { targetProfiles, type TargetProfile } from '../compile/profile.js';
import type { Policy } from '../policy/schema.js';
import { checkPolicyDocument, formatDiagnostic, readJsonFile } from './policy-file.js';
import { CliError } from './types.js';

/** Every policy in FILE, or a CliError with the first error diagnostic (and how many more there are). */
export function readPolicies(file: string): Policy[] {
  const { policies, diagnostics } = checkPolicyDocument(readJsonFile(file));
  const errors = diagnostics.filter((d) => d.severity === 'error');
  if (errors.length > 0) {
    const more = errors.length > 1 ? ` (and ${errors.length - 1} more error${errors.length > 2 ? 's' : ''})` : '';
    throw new CliError(`${file}: ${formatDiagnostic(errors[0]!)}${more}`, 1);
  }
  return policies;
}

/** The one policy FILE holds, or the one named `name` when FILE holds several. */
export function readOnePolicy(file: string, name?: string): Policy {
  const policies = readPolicies(file);
  if (name !== undefined) {
    const p = policies.find((x) => x.name === name);
    if (!p) throw new CliError(`${file} has no policy named "${name}"`, 1);
    return p;
  }
  if (policies.length !== 1) throw new CliError(`${file} holds ${policies.length} policies: choose one with --policy NAME`, 1);
  return policies[0]!;
}

export function profileOption(value: unknown): TargetProfile {
  if (value === undefined) return 'lunatik-4';
  if (!targetProfiles.includes(value as TargetProfile)) throw new CliError(`--profile must be one of ${targetProfiles.join(', ')} (got "${String(value)}")`);
  return value as TargetProfile;
}

export function onePositional(positionals: string[], what = 'FILE'): string {
  if (positionals.length !== 1) throw new CliError(`expected exactly one ${what}`);
  return positionals[0]!;
}
