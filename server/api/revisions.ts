// /policies/{name}/revisions and /diff: the immutable history of a policy, kept even after it is deleted.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { diffRevisions, getRevision, listRevisions } from '../db/revisions.js';
import { formatChange } from '../db/json-diff.js';
import { problemResponse } from './problem.js';
import { iso, jsonChange, nameParams, problems, revisionFull, revisionParams, revisionSummary } from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/policies/{name}/revisions',
  tags: ['revisions'],
  summary: 'Revision history, oldest first',
  middleware: [requireScope('read')] as const,
  request: { params: nameParams },
  responses: {
    200: { description: 'Revisions', content: { 'application/json': { schema: z.object({ revisions: z.array(revisionSummary) }) } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
  },
});

const oneRoute = createRoute({
  method: 'get',
  path: '/policies/{name}/revisions/{n}',
  tags: ['revisions'],
  summary: 'One revision with its full document',
  middleware: [requireScope('read')] as const,
  request: { params: revisionParams },
  responses: {
    200: { description: 'The revision', content: { 'application/json': { schema: revisionFull } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
  },
});

const diffRoute = createRoute({
  method: 'get',
  path: '/policies/{name}/diff',
  tags: ['revisions'],
  summary: 'What changed between two revisions',
  description: 'Changes by JSON path with old and new values; `lines` is the same as readable text. Rules are matched by id, set elements by value.',
  middleware: [requireScope('read')] as const,
  request: {
    params: nameParams,
    query: z.object({ from: z.coerce.number().int().min(1), to: z.coerce.number().int().min(1) }),
  },
  responses: {
    200: {
      description: 'The changes',
      content: { 'application/json': { schema: z.object({ from: z.number(), to: z.number(), changes: z.array(jsonChange), lines: z.array(z.string()) }) } },
    },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
  },
});

const missing = (detail: string) => problemResponse(404, { code: 'revision.not-found', detail });

export function revisionRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>();
  app.openapi(listRoute, (c) => {
    const { name } = c.req.valid('param');
    const revs = listRevisions(deps.db, name);
    if (revs.length === 0) return missing(`policy "${name}" has no revisions`) as never;
    return c.json({ revisions: revs.map((r) => ({ ...r, createdAt: iso(r.createdAt) })) }, 200);
  });
  app.openapi(oneRoute, (c) => {
    const { name, n } = c.req.valid('param');
    const r = getRevision(deps.db, name, n);
    if (!r) return missing(`policy "${name}" has no revision ${n}`) as never;
    const { json: _json, ...rest } = r;
    void _json;
    return c.json({ ...rest, createdAt: iso(r.createdAt) }, 200);
  });
  app.openapi(diffRoute, (c) => {
    const { name } = c.req.valid('param');
    const { from, to } = c.req.valid('query');
    const changes = diffRevisions(deps.db, name, from, to);
    if (!changes) return missing(`policy "${name}" lacks revision ${from} or ${to}`) as never;
    return c.json({ from, to, changes, lines: changes.map(formatChange) }, 200);
  });
  return app;
}
