// Policy bodies in requests: checkPolicy's diagnostics as 422 problems, JSON paths prefixed for bulk bodies.
import type { Context } from 'hono';
import { checkPolicy } from '../policy/check.js';
import { hasErrors, type Diagnostic } from '../policy/diagnostics.js';
import type { Policy } from '../policy/schema.js';
import { problemResponse } from './problem.js';
import { zodIssuesToDiagnostics, type BodyReporter } from './validation.js';
import type { Principal } from '../auth/middleware.js';

const prefixed = (ds: Diagnostic[], prefix: (string | number)[]) => ds.map((d) => ({ ...d, path: [...prefix, ...d.path] }));

export const invalidPolicy = (diagnostics: Diagnostic[]) => {
  const errors = diagnostics.filter((d) => d.severity === 'error');
  const first = errors[0];
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more)` : '';
  return problemResponse(422, {
    code: 'policy.invalid',
    detail: first ? `${first.path.join('.') || '(root)'}: ${first.message}${more}` : 'the policy is invalid',
    diagnostics,
  });
};

/** Checks one policy; either the normalised policy and its warnings, or a 422 problem response. */
export function checkOne(input: unknown, prefix: (string | number)[] = []): { policy: Policy; warnings: Diagnostic[] } | { problem: Response; diagnostics: Diagnostic[] } {
  const r = checkPolicy(input);
  const diagnostics = prefixed(r.diagnostics, prefix);
  if (!r.policy || hasErrors(diagnostics)) return { problem: invalidPolicy(diagnostics), diagnostics };
  return { policy: r.policy, warnings: diagnostics };
}

/** A body that is one policy: schema failures are reported by checkPolicy itself. */
export const reportPolicyBody: BodyReporter = (body) => invalidPolicy(checkPolicy(body).diagnostics);

/** A body `{ policies: [...] }`: each element's problems at `policies[i]…`. */
export const reportPolicyList: BodyReporter = (body, issues) => {
  const list = typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>).policies : undefined;
  if (!Array.isArray(list)) return invalidPolicy(zodIssuesToDiagnostics(issues));
  const outer = zodIssuesToDiagnostics(issues).filter((d) => d.path[0] !== 'policies' || d.path.length === 1);
  const inner = list.flatMap((p, i) => prefixed(checkPolicy(p).diagnostics, ['policies', i]));
  return invalidPolicy([...outer, ...inner]);
};

/** Which policy routes take which body (the rest get the generic report). */
export function policyBodyReporter(c: Context): BodyReporter | undefined {
  const route = c.req.routePath;
  if ((c.req.method === 'POST' && route.endsWith('/policies')) || (c.req.method === 'PUT' && route.endsWith('/policies/:name'))) return reportPolicyBody;
  return undefined;
}

export const authorOf = (p: Principal) => (p.kind === 'token' ? `token:${p.name}` : p.name);
