// GET /status: version, backend, loaded runtimes, unapplied changes and applies — what a provisioning system polls.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { count } from 'drizzle-orm';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { policies } from '../db/schema/policies.js';
import { problemSchema } from './problem.js';
import { VERSION } from '../version.js';
import { pendingChanges } from '../apply/pending.js';

const statusSchema = z
  .object({
    version: z.string(),
    backend: z.object({ kind: z.string(), version: z.string(), profile: z.string() }),
    loaded: z.array(z.string()),
    policies: z.number().int(),
    /** Drafts that applying would change in the kernel (as the UI's "Unsaved changes" counts them). */
    pendingChanges: z.array(z.object({ name: z.string(), kind: z.enum(['added', 'changed', 'deleted']) })),
    applies: z.object({
      active: z.object({ id: z.string(), state: z.string(), deadline: z.string().nullable() }).nullable(),
      last: z.object({ id: z.string(), state: z.string(), reason: z.string().nullable(), finishedAt: z.string().nullable() }).nullable(),
    }),
    startedAt: z.string(),
    now: z.string(),
  })
  .openapi('Status');

const route = createRoute({
  method: 'get',
  path: '/status',
  tags: ['status'],
  summary: 'Service status',
  middleware: [requireScope('read')] as const,
  responses: {
    200: { description: 'Status', content: { 'application/json': { schema: statusSchema } } },
    401: { description: 'No credentials', content: { 'application/problem+json': { schema: problemSchema } } },
    403: { description: 'Missing scope', content: { 'application/problem+json': { schema: problemSchema } } },
  },
});

export function statusRoutes(deps: AppDeps) {
  const startedAt = new Date(deps.clock.now()).toISOString();
  return new OpenAPIHono<AuthEnv>().openapi(route, async (c) => {
    const [info, loaded] = await Promise.all([deps.backend.info(), deps.backend.list()]);
    const n = deps.db.select({ n: count() }).from(policies).get()?.n ?? 0;
    const active = deps.engine?.active();
    const last = deps.engine?.list(1)[0];
    const when = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
    return c.json(
      {
        version: VERSION,
        backend: info,
        loaded,
        policies: n,
        pendingChanges: pendingChanges(deps.db).map((p) => ({ name: p.name, kind: p.kind })),
        applies: {
          active: active ? { id: active.id, state: active.state, deadline: when(active.deadline) } : null,
          last: last ? { id: last.id, state: last.state, reason: last.reason, finishedAt: when(last.finishedAt) } : null,
        },
        startedAt,
        now: new Date(deps.clock.now()).toISOString(),
      },
      200,
    );
  });
}
