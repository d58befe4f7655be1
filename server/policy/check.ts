// checkPolicy: schema parse, normalisation and semantic checks; the one gate every policy passes.
import type { z } from '@hono/zod-openapi';
import { checkPacketSpec } from '../packet/spec-check.js';
import { SCHEMA_PREFIX } from './codes.js';
import { hasErrors, type Diagnostic } from './diagnostics.js';
import { diag, normalizePolicy } from './normalize.js';
import { policy as policySchema, type Policy } from './schema.js';
import { checkSemantics } from './semantic.js';
import { checkShadowing } from './shadow.js';
import { semanticsDespite } from './check-despite.js';

export { diagnosticCodes, SCHEMA_PREFIX } from './codes.js';

type Path = (string | number)[];

/**
 * `policy` (normalised: domains lowercase punycode, CIDRs canonical) is present iff no diagnostic
 * is an error. Warnings never block.
 */
export function checkPolicy(input: unknown): { policy?: Policy; diagnostics: Diagnostic[] } {
  const reserved = reservedSetNames(input);
  if (reserved.length) return { diagnostics: reserved };
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) {
    const shape = schemaDiagnostics(parsed.error.issues, []);
    return { diagnostics: [...shape, ...semanticsDespite(input, parsed.error.issues, shape, (q) => semanticChecks(q).diagnostics)] };
  }
  const { policy: p, diagnostics } = semanticChecks(parsed.data);
  if (hasErrors(diagnostics)) return { diagnostics };
  checkShadowing(p, diagnostics);
  return { policy: p, diagnostics };
}

/** What checkPolicy reports past the shape: normalisation, semantics and the tests' packets. */
function semanticChecks(parsed: Policy): { policy: Policy; diagnostics: Diagnostic[] } {
  const diagnostics: Diagnostic[] = [];
  const policy = normalizePolicy(parsed, diagnostics);
  checkSemantics(policy, diagnostics);
  checkTests(policy, diagnostics);
  return { policy, diagnostics };
}

/** zod drops a record key "__proto__" without a word; a rule naming that set would then get a puzzling "no set". */
function reservedSetNames(input: unknown): Diagnostic[] {
  const sets = input !== null && typeof input === 'object' ? (input as { sets?: unknown }).sets : undefined;
  if (sets === null || typeof sets !== 'object' || !Object.hasOwn(sets, '__proto__')) return [];
  return [{ code: `${SCHEMA_PREFIX}custom`, path: ['sets', '__proto__'], message: 'set names cannot be "__proto__"', severity: 'error' }];
}

function checkTests(p: Policy, out: Diagnostic[]): void {
  const ids = new Set(p.rules.map((r) => r.id));
  p.tests.forEach((t, i) => {
    if (t.rule !== undefined && t.rule !== 'default' && t.rule !== 'none' && !ids.has(t.rule)) {
      out.push(diag('test.unknown-rule', ['tests', i, 'rule'], `no rule "${t.rule}"; expected a rule id, "default" or "none"`));
    }
    for (const prob of checkPacketSpec(t.packet)) {
      out.push(diag('test.packet-invalid', ['tests', i, 'packet', ...prob.path], prob.message));
    }
  });
}

type Issue = z.core.$ZodIssue;

/**
 * One diagnostic per zod issue. A union issue is replaced by the issues of the branch that got
 * furthest (every issue below the union's own level), so a bad element in `[80, "x"]` is named.
 */
function schemaDiagnostics(issues: readonly Issue[], base: Path): Diagnostic[] {
  return issues.flatMap((issue) => {
    const path = [...base, ...issue.path.map((k) => (typeof k === 'number' ? k : String(k)))];
    if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      const branch = issue.errors.find((b) => b.length > 0 && b.every((i) => i.path.length > 0));
      if (branch) return schemaDiagnostics(branch, path);
    }
    return [{ code: SCHEMA_PREFIX + issue.code, path, message: issue.message, severity: 'error' as const }];
  });
}
