// /policies/{name}/revisions, /diff and restore: the immutable history of a policy, kept even after it is deleted.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { diffRevisions, getRevision, listRevisions } from '../db/revisions.js';
import { formatChange } from '../db/json-diff.js';
import { problemResponse, storeProblem } from './problem.js';
import { savePolicy, StoreError } from '../db/policies.js';
import { authorOf, checkOne } from './policy-input.js';
import { etagHeader, iso, jsonChange, nameParams, problems, revisionFull, revisionParams, revisionSummary, writeResult } from './schemas.js';

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

const restoreRoute = createRoute({
  method: 'post',
  path: '/policies/{name}/revisions/{n}/restore',
  tags: ['revisions'],
  summary: 'Make an old revision the draft again',
  description: 'Saves revision n\'s document as a new revision (history only grows). Works for a deleted policy too, which it re-creates. Honours If-Match.',
  middleware: [requireScope('write')] as const,
  request: { params: revisionParams, headers: z.object({ 'if-match': z.string().optional() }) },
  responses: {
    200: { description: 'Restored (or already equal)', headers: etagHeader, content: { 'application/json': { schema: writeResult } } },
    201: { description: 'Re-created', headers: etagHeader, content: { 'application/json': { schema: writeResult } } },
    ...problems,
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
  app.openapi(restoreRoute, (c) => {
    const { name, n } = c.req.valid('param');
    const r = getRevision(deps.db, name, n);
    if (!r) return missing(`policy "${name}" has no revision ${n}`) as never;
    // Checked again: the checker may have grown stricter since the revision was written.
    const checked = checkOne(r.policy);
    if ('problem' in checked) return checked.problem as never;
    const ifMatch = c.req.valid('header')['if-match'];
    try {
      const res = savePolicy(deps.db, checked.policy, {
        author: authorOf(c.get('principal')),
        now: deps.clock.now(),
        mode: 'upsert',
        message: `restored revision ${n}`,
        ...(ifMatch ? { ifMatch } : {}),
      });
      const st = res.stored;
      return c.json(
        { name, revision: st.revision, etag: st.etag, created: res.created, changed: res.changed, warnings: checked.warnings, policy: st.policy },
        res.created ? 201 : 200,
        { etag: st.etag },
      );
    } catch (e) {
      if (e instanceof StoreError) return storeProblem(e) as never;
      throw e;
    }
  });
  return app;
}
