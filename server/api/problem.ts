// RFC 9457 problem+json responses: every API error, with a stable code and the diagnostics if any.
import { z } from '@hono/zod-openapi';
import type { Diagnostic } from '../policy/diagnostics.js';

export const diagnosticSchema = z
  .object({
    code: z.string(),
    path: z.array(z.union([z.string(), z.number()])),
    message: z.string(),
    severity: z.enum(['error', 'warning']),
  })
  .openapi('Diagnostic');

export const problemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    code: z.string().optional(),
    diagnostics: z.array(diagnosticSchema).optional(),
  })
  .openapi('Problem');

export type Problem = z.infer<typeof problemSchema>;

export const PROBLEM_TYPE = 'application/problem+json';

const titles: Record<number, string> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  409: 'Conflict',
  412: 'Precondition Failed',
  413: 'Content Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  428: 'Precondition Required',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  503: 'Service Unavailable',
};

export interface ProblemInput {
  code: string;
  detail: string;
  diagnostics?: Diagnostic[];
  headers?: Record<string, string>;
}

export function problemBody(status: number, p: Omit<ProblemInput, 'headers'>): Problem {
  return {
    type: `https://lunawall.invalid/problems/${p.code}`,
    title: titles[status] ?? 'Error',
    status,
    detail: p.detail,
    code: p.code,
    ...(p.diagnostics ? { diagnostics: p.diagnostics } : {}),
  };
}

export function problemResponse(status: number, p: ProblemInput): Response {
  return new Response(JSON.stringify(problemBody(status, p)), {
    status,
    headers: { 'content-type': PROBLEM_TYPE, ...(p.headers ?? {}) },
  });
}

const storeStatus: Record<string, number> = {
  'policy.not-found': 404,
  'policy.exists': 409,
  'policy.precondition-failed': 412,
  'policy.name-mismatch': 422,
};

/** Maps a store error (by its code) to its HTTP problem. */
export function storeProblem(e: { code: string; message: string }): Response {
  return problemResponse(storeStatus[e.code] ?? 500, { code: e.code, detail: e.message });
}
