// Turns zod-openapi validation failures (params, query, body) into problem+json with diagnostics.
import type { Hook } from '@hono/zod-openapi';
import type { z } from 'zod';
import type { Diagnostic } from '../policy/diagnostics.js';
import { problemResponse } from './problem.js';

export function zodIssuesToDiagnostics(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): Diagnostic[] {
  return issues.map((i) => ({
    code: `schema.${i.code}`,
    path: [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))],
    message: i.code === 'unrecognized_keys' ? `unknown field${i.keys.length > 1 ? 's' : ''}: ${i.keys.join(', ')}` : i.message,
    severity: 'error' as const,
  }));
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const validationHook: Hook<any, any, any, any> = (result, c) => {
  void c;
  if (result.success) return;
  const where = result.target;
  const diagnostics = zodIssuesToDiagnostics(result.error.issues);
  return problemResponse(where === 'json' ? 422 : 400, {
    code: `request.invalid-${where}`,
    detail: `the request ${where === 'json' ? 'body' : where} is invalid: ${diagnostics.map((d) => `${d.path.join('.') || '(root)'}: ${d.message}`).join('; ')}`,
    diagnostics,
  });
};
