// Turns zod-openapi validation failures (params, query, body) into problem+json with diagnostics.
import type { Hook } from '@hono/zod-openapi';
import type { Context } from 'hono';
import type { z } from 'zod';
import type { Diagnostic } from '../policy/diagnostics.js';
import { problemResponse } from './problem.js';

/** One diagnostic per issue; an unknown field is reported at its own path. */
export function zodIssuesToDiagnostics(issues: readonly z.core.$ZodIssue[], prefix: (string | number)[] = []): Diagnostic[] {
  return issues.flatMap((i) => {
    const path = [...prefix, ...i.path.map((p) => (typeof p === 'symbol' ? String(p) : p))];
    if (i.code === 'unrecognized_keys') {
      return i.keys.map((k) => ({ code: `schema.${i.code}`, path: [...path, k], message: `unknown field "${k}"`, severity: 'error' as const }));
    }
    return [{ code: `schema.${i.code}`, path, message: i.message, severity: 'error' as const }];
  });
}

/** A body-specific reporter: given the raw body and the zod issues, the 422 response. */
export type BodyReporter = (body: unknown, issues: readonly z.core.$ZodIssue[]) => Response;

/**
 * Body reporters by route (e.g. policy bodies are reported by checkPolicy, so the API, UI and CLI
 * name problems identically). Chosen by the request's method and matched route path.
 */
export function createValidationHook(reporters: (c: Context) => BodyReporter | undefined) {
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const hook: Hook<any, any, any, any> = (result, c) => {
    if (result.success) return;
    const where = result.target;
    if (where === 'json') {
      const report = reporters(c);
      if (report) return report((result as unknown as { data: unknown }).data, result.error.issues);
    }
    const diagnostics = zodIssuesToDiagnostics(result.error.issues);
    return problemResponse(where === 'json' ? 422 : 400, {
      code: `request.invalid-${where}`,
      detail: `the request ${where === 'json' ? 'body' : where} is invalid: ${diagnostics.map((d) => `${d.path.join('.') || '(root)'}: ${d.message}`).join('; ')}`,
      diagnostics,
    });
  };
  return hook;
}

/** The generic hook (no body-specific reporters); sub-apps mounted into /api/v1 inherit the API's own. */
export const validationHook = createValidationHook(() => undefined);
