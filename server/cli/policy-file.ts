// Reading policy files for the CLI: one policy document, `{ "policies": [...] }`, or an array; checked.
import { readFileSync } from 'node:fs';
import { checkPolicy } from '../policy/check.js';
import { formatPath, hasErrors, type Diagnostic } from '../policy/diagnostics.js';
import type { Policy } from '../policy/schema.js';
import { CliError } from './types.js';

export interface CheckedFile {
  /** Normalised policies, in file order; only complete when `diagnostics` has no error. */
  policies: Policy[];
  diagnostics: Diagnostic[];
}

export function readJsonFile(file: string): unknown {
  let text: string;
  try {
    text = file === '-' ? readFileSync(0, 'utf8') : readFileSync(file, 'utf8');
  } catch (e) {
    throw new CliError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 1);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (e) {
    throw new CliError(`${file} is not valid JSON: ${(e as Error).message}`, 1);
  }
}

/** Checks every policy in the document; paths are prefixed with `policies[i]` for lists. */
export function checkPolicyDocument(doc: unknown): CheckedFile {
  const isObj = typeof doc === 'object' && doc !== null && !Array.isArray(doc);
  const list = Array.isArray(doc) ? doc : isObj && Array.isArray((doc as Record<string, unknown>).policies) ? ((doc as Record<string, unknown>).policies as unknown[]) : undefined;
  if (!list) {
    const r = checkPolicy(doc);
    return { policies: r.policy ? [r.policy] : [], diagnostics: r.diagnostics };
  }
  const prefix: (string | number)[] = Array.isArray(doc) ? [] : ['policies'];
  if (isObj) {
    const extra = Object.keys(doc as object).filter((k) => k !== 'policies');
    if (extra.length) return { policies: [], diagnostics: extra.map((k) => ({ code: 'schema.unrecognized_keys', path: [k], message: `unknown field "${k}"`, severity: 'error' as const })) };
  }
  const policies: Policy[] = [];
  const diagnostics: Diagnostic[] = [];
  const seen = new Map<string, number>();
  list.forEach((p, i) => {
    const r = checkPolicy(p);
    diagnostics.push(...r.diagnostics.map((d) => ({ ...d, path: [...prefix, i, ...d.path] })));
    if (!r.policy) return;
    const first = seen.get(r.policy.name);
    if (first !== undefined) {
      diagnostics.push({ code: 'policies.duplicate-name', path: [...prefix, i, 'name'], message: `"${r.policy.name}" is already the name of policy ${first}`, severity: 'error' });
      return;
    }
    seen.set(r.policy.name, i);
    policies.push(r.policy);
  });
  return { policies, diagnostics };
}

/** `rules[0].match.dstPorts[2]: port 70000 is outside 1-65535 [port.out-of-range]` */
export function formatDiagnostic(d: Diagnostic): string {
  return `${formatPath(d.path)}: ${d.message} [${d.code}${d.severity === 'warning' ? ', warning' : ''}]`;
}

export { hasErrors };
