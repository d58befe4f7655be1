// Apply routes under /api/v1: start, confirm (by token, no login), roll back, inspect, and stream progress (SSE).
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { streamSSE } from 'hono/streaming';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv, type Principal } from '../auth/middleware.js';
import { policyName } from '../policy/schema.js';
import { problemBody, problemResponse, problemSchema, PROBLEM_TYPE } from './problem.js';
import { createValidationHook } from './validation.js';
import {
  ApplyConflictError,
  ApplyForbiddenError,
  ApplyNotFoundError,
  ApplyRequestError,
  applyStates,
  isTerminal,
  type ApplyEngine,
  type ApplyEvent,
} from '../apply/index.js';

const MAX_WINDOW = 3600;
const validationHook = createValidationHook(() => undefined);

const applyRequestSchema = z
  .strictObject({
    policies: z.union([z.literal('all'), z.array(policyName).min(1).max(10_000)]).openapi({ description: 'Policy names to load from their current drafts, or "all"' }),
    confirmWindow: z.number().int().min(1).max(MAX_WINDOW).optional().openapi({ description: 'Seconds until an unconfirmed apply rolls back (default 90), counted from this request' }),
    unchecked: z.boolean().optional().openapi({ description: 'true skips probes and the confirm window: confirmed as soon as loaded' }),
    guard: z.boolean().optional().openapi({ description: 'false turns the anti-lockout check off for this apply' }),
  })
  .openapi('ApplyRequest');

const startedSchema = z
  .object({ id: z.string(), token: z.string(), deadline: z.number().int().nullable(), state: z.enum(applyStates) })
  .openapi('ApplyStarted');

const journalSchema = z
  .object({ at: z.number().int(), state: z.enum(applyStates), kind: z.enum(['transition', 'note', 'error']), message: z.string(), detail: z.unknown().optional() })
  .openapi('ApplyJournalEntry');

const summaryFields = {
  id: z.string(),
  state: z.enum(applyStates),
  reason: z.string().nullable(),
  startedBy: z.string(),
  policies: z.union([z.literal('all'), z.array(z.string())]),
  confirmWindow: z.number().int(),
  unchecked: z.boolean(),
  guard: z.boolean(),
  deadline: z.number().int().nullable(),
  createdAt: z.number().int(),
  updatedAt: z.number().int(),
  finishedAt: z.number().int().nullable(),
  revisions: z.array(z.object({ name: z.string(), revision: z.number().int(), scriptHash: z.string() })),
};
const summarySchema = z.object(summaryFields).openapi('ApplySummary');
const viewSchema = z.object({ ...summaryFields, journal: z.array(journalSchema) }).openapi('Apply');

const idParam = z.object({ id: z.string().min(1).max(64).openapi({ param: { name: 'id', in: 'path' } }) });
const problems = (...codes: number[]) =>
  Object.fromEntries(codes.map((c) => [c, { description: problemDescriptions[c] ?? 'Error', content: { 'application/problem+json': { schema: problemSchema } } }]));
const problemDescriptions: Record<number, string> = {
  400: 'Bad request',
  401: 'No credentials',
  403: 'Missing scope',
  404: 'No such apply',
  409: 'Another apply is running, or this one is in the wrong state (the body names the running apply and this state)',
  422: 'Invalid body',
};

const startRoute = createRoute({
  method: 'post',
  path: '/applies',
  tags: ['applies'],
  summary: 'Apply policies: preflight, load, probe, then wait for confirmation (or roll back)',
  middleware: [requireScope('apply')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: applyRequestSchema } } } },
  responses: { 202: { description: 'Started; follow it with GET /applies/{id} or its events', content: { 'application/json': { schema: startedSchema } } }, ...problems(400, 401, 403, 409, 422) },
});

const listRoute = createRoute({
  method: 'get',
  path: '/applies',
  tags: ['applies'],
  summary: 'Applies, newest first',
  middleware: [requireScope('read')] as const,
  request: { query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }) },
  responses: { 200: { description: 'Applies', content: { 'application/json': { schema: z.object({ applies: z.array(summarySchema), active: z.string().nullable() }) } } }, ...problems(401, 403) },
});

const currentRoute = createRoute({
  method: 'get',
  path: '/applies/current',
  tags: ['applies'],
  summary: 'The apply that is not finished (a UI rehydrates its countdown from it), or 404',
  middleware: [requireScope('read')] as const,
  responses: { 200: { description: 'The running apply', content: { 'application/json': { schema: viewSchema } } }, ...problems(401, 403, 404) },
});

const getRoute = createRoute({
  method: 'get',
  path: '/applies/{id}',
  tags: ['applies'],
  summary: 'One apply with its journal',
  middleware: [requireScope('read')] as const,
  request: { params: idParam },
  responses: { 200: { description: 'The apply', content: { 'application/json': { schema: viewSchema } } }, ...problems(401, 403, 404) },
});

const rollbackRoute = createRoute({
  method: 'post',
  path: '/applies/{id}/rollback',
  tags: ['applies'],
  summary: 'Roll back now (also retries a rollback that failed); answers when it has finished',
  middleware: [requireScope('apply')] as const,
  request: { params: idParam },
  responses: { 200: { description: 'The apply after the rollback', content: { 'application/json': { schema: viewSchema } } }, ...problems(401, 403, 404, 409) },
});

const confirmBody = z.strictObject({ token: z.string().min(1).max(256) }).openapi('ApplyConfirm');
/** Documented in the OpenAPI document; served by appliesPublicRoutes, outside the login check. */
const confirmRoute = createRoute({
  method: 'post',
  path: '/applies/{id}/confirm',
  tags: ['applies'],
  summary: 'Confirm with the token from POST /applies; needs no credentials (so it survives an IP change)',
  security: [],
  request: { params: idParam, body: { required: true, content: { 'application/json': { schema: confirmBody } } } },
  responses: {
    200: { description: 'Confirmed: the set is now the last-known-good', content: { 'application/json': { schema: viewSchema } } },
    ...problems(409, 422),
    404: { description: 'No apply with this id and this token (an unknown id and a wrong token answer alike)', content: { 'application/problem+json': { schema: problemSchema } } },
  },
});

const eventsRoute = createRoute({
  method: 'get',
  path: '/applies/{id}/events',
  tags: ['applies'],
  summary: 'Progress as server-sent events: "journal" (every entry, past ones first), "probes", and "end" when finished',
  middleware: [requireScope('read')] as const,
  request: { params: idParam },
  responses: { 200: { description: 'text/event-stream', content: { 'text/event-stream': { schema: z.string() } } }, ...problems(401, 403, 404) },
});

function engineOf(deps: AppDeps): ApplyEngine {
  if (!deps.engine) throw new Error('the apply engine is not configured (AppDeps.engine)');
  return deps.engine;
}

const startedByOf = (p: Principal) => (p.kind === 'token' ? `token:${p.name}` : p.name);

/** Maps the engine's errors to problem+json; anything else is rethrown to the app's 500 handler. */
export function applyErrorResponse(e: unknown): Response {
  if (e instanceof ApplyConflictError) {
    const body = { ...problemBody(409, { code: 'apply.conflict', detail: e.message }), activeId: e.activeId, ...(e.state ? { state: e.state } : {}) };
    return new Response(JSON.stringify(body), { status: 409, headers: { 'content-type': PROBLEM_TYPE } });
  }
  if (e instanceof ApplyNotFoundError) return problemResponse(404, { code: 'apply.not-found', detail: e.message });
  if (e instanceof ApplyForbiddenError) return problemResponse(403, { code: 'apply.token-invalid', detail: 'the confirm token does not belong to this apply' });
  if (e instanceof ApplyRequestError) {
    return problemResponse(400, { code: 'apply.request-invalid', detail: e.message, diagnostics: [{ code: 'apply.request-invalid', path: e.path, message: e.message, severity: 'error' }] });
  }
  throw e;
}

function sse(c: Context, engine: ApplyEngine, id: string) {
  return streamSSE(c, async (stream) => {
    const queue: ApplyEvent[] = [];
    let wake: (() => void) | undefined;
    const off = engine.subscribe(id, (e) => {
      queue.push(e);
      wake?.();
    });
    const view = engine.get(id)!;
    stream.onAbort(() => {
      off();
      wake?.();
    });
    let seq = 0;
    try {
      for (const j of view.journal) await stream.writeSSE({ event: 'journal', id: String(++seq), data: JSON.stringify({ type: 'journal', applyId: id, deadline: view.deadline, ...j }) });
      let finished = isTerminal(view.state);
      while (!finished && !stream.aborted) {
        if (!queue.length) await new Promise<void>((r) => (wake = r));
        wake = undefined;
        for (const e of queue.splice(0)) {
          await stream.writeSSE({ event: e.type, id: String(++seq), data: JSON.stringify(e) });
          if (e.type === 'journal' && isTerminal(e.state)) finished = true;
        }
      }
      const last = engine.get(id)!;
      if (!stream.aborted) await stream.writeSSE({ event: 'end', id: String(++seq), data: JSON.stringify({ applyId: id, state: last.state, reason: last.reason }) });
    } finally {
      off();
    }
  });
}

/** The authenticated apply routes, mounted inside /api/v1 (behind its login and body limit). */
export function appliesRoutes(deps: AppDeps): OpenAPIHono<AuthEnv> {
  const api = new OpenAPIHono<AuthEnv>({ defaultHook: validationHook });
  api.openAPIRegistry.registerPath(confirmRoute);
  return api
    .openapi(startRoute, async (c) => {
      const body = c.req.valid('json');
      try {
        const started = await engineOf(deps).start({ ...body, startedBy: startedByOf(c.get('principal')) });
        return c.json(started, 202);
      } catch (e) {
        return applyErrorResponse(e) as never;
      }
    })
    .openapi(listRoute, (c) => {
      const engine = engineOf(deps);
      return c.json({ applies: engine.list(c.req.valid('query').limit), active: engine.active()?.id ?? null }, 200);
    })
    .openapi(currentRoute, (c) => {
      const engine = engineOf(deps);
      const active = engine.active();
      const v = active && engine.get(active.id);
      return v ? c.json(v, 200) : (problemResponse(404, { code: 'apply.none-running', detail: 'no apply is running' }) as never);
    })
    .openapi(getRoute, (c) => {
      const { id } = c.req.valid('param');
      const v = engineOf(deps).get(id);
      return v ? c.json(v, 200) : (applyErrorResponse(new ApplyNotFoundError(id)) as never);
    })
    .openapi(rollbackRoute, async (c) => {
      const { id } = c.req.valid('param');
      const who = startedByOf(c.get('principal'));
      try {
        return c.json(await engineOf(deps).rollback(id, `rolled back by ${who}`), 200);
      } catch (e) {
        return applyErrorResponse(e) as never;
      }
    })
    .openapi(eventsRoute, (c) => {
      const { id } = c.req.valid('param');
      const engine = engineOf(deps);
      if (!engine.get(id)) return applyErrorResponse(new ApplyNotFoundError(id)) as never;
      return sse(c, engine, id) as never;
    });
}

/**
 * POST /api/v1/applies/{id}/confirm without credentials: the token is the capability (LuCI's lesson:
 * a login session or client IP may not survive the change being confirmed). app.ts mounts this
 * before the authenticated API.
 */
export function appliesPublicRoutes(deps: AppDeps): OpenAPIHono {
  const api = new OpenAPIHono({ defaultHook: validationHook });
  api.use('/applies/:id/confirm', bodyLimit({ maxSize: 4096, onError: () => problemResponse(413, { code: 'request.too-large', detail: 'the request body is larger than 4096 bytes' }) }));
  return api.openapi(confirmRoute, async (c) => {
    const { id } = c.req.valid('param');
    try {
      return c.json(await engineOf(deps).confirm(id, c.req.valid('json').token), 200);
    } catch (e) {
      // Anyone may call this: a different answer for a known id would let them list the apply ids.
      if (e instanceof ApplyNotFoundError || e instanceof ApplyForbiddenError) {
        return problemResponse(404, { code: 'apply.not-found', detail: `no apply ${id} with this confirm token` }) as never;
      }
      return applyErrorResponse(e) as never;
    }
  });
}
