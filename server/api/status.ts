// GET /status: version, backend, and counts — what a provisioning system polls.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { count } from 'drizzle-orm';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { policies } from '../db/schema/policies.js';
import { problemSchema } from './problem.js';
import { VERSION } from '../version.js';

const statusSchema = z
  .object({
    version: z.string(),
    backend: z.object({ kind: z.string(), version: z.string(), profile: z.string() }),
    loaded: z.array(z.string()),
    policies: z.number().int(),
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
    return c.json(
      { version: VERSION, backend: info, loaded, policies: n, startedAt, now: new Date(deps.clock.now()).toISOString() },
      200,
    );
  });
}
