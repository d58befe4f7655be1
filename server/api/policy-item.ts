// /policies/{name}: read, replace, merge-patch and delete one policy; ETag on reads, If-Match on writes.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { policy } from '../policy/schema.js';
import { deletePolicy, getPolicy, savePolicy, StoreError } from '../db/policies.js';
import { authorOf, checkOne } from './policy-input.js';
import { problemResponse, storeProblem } from './problem.js';
import { etagHeader, nameParams, problems, writeResult } from './schemas.js';

const ifMatchHeaders = z.object({
  'if-match': z.string().optional().openapi({ description: 'The ETag you last read; 412 if the policy changed since' }),
});

const getRoute = createRoute({
  method: 'get',
  path: '/policies/{name}',
  tags: ['policies'],
  summary: 'One policy document',
  description: 'The document exactly as stored (normalised). `ETag` and `Lunawall-Revision` headers tell its version.',
  middleware: [requireScope('read')] as const,
  request: { params: nameParams },
  responses: {
    200: { description: 'The policy', headers: etagHeader, content: { 'application/json': { schema: policy } } },
    304: { description: 'Not modified (If-None-Match)' },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
  },
});

const putRoute = createRoute({
  method: 'put',
  path: '/policies/{name}',
  tags: ['policies'],
  summary: 'Create or replace a policy',
  description: 'The body\'s `name` must equal the path. `If-Match` makes it conditional; `If-None-Match: *` makes it create-only. An identical body writes no revision.',
  middleware: [requireScope('write')] as const,
  request: {
    params: nameParams,
    headers: ifMatchHeaders.extend({ 'if-none-match': z.string().optional() }),
    body: { required: true, content: { 'application/json': { schema: policy } } },
  },
  responses: {
    200: { description: 'Replaced (or unchanged)', headers: etagHeader, content: { 'application/json': { schema: writeResult } } },
    201: { description: 'Created', headers: etagHeader, content: { 'application/json': { schema: writeResult } } },
    ...problems,
  },
});

const patchRoute = createRoute({
  method: 'patch',
  path: '/policies/{name}',
  tags: ['policies'],
  summary: 'Change part of a policy (JSON merge patch, RFC 7396)',
  description: 'Objects merge, `null` removes a field, arrays (rules, elements) are replaced whole. The result is checked like a full document.',
  middleware: [requireScope('write')] as const,
  request: {
    params: nameParams,
    headers: ifMatchHeaders,
    body: {
      required: true,
      content: {
        'application/merge-patch+json': { schema: z.record(z.string(), z.unknown()) },
        'application/json': { schema: z.record(z.string(), z.unknown()) },
      },
    },
  },
  responses: {
    200: { description: 'Changed (or unchanged)', headers: etagHeader, content: { 'application/json': { schema: writeResult } } },
    ...problems,
  },
});

const deleteRoute = createRoute({
  method: 'delete',
  path: '/policies/{name}',
  tags: ['policies'],
  summary: 'Delete a policy',
  description: 'Its revision history stays (a `delete` revision is recorded); re-creating the name continues the numbering.',
  middleware: [requireScope('write')] as const,
  request: { params: nameParams, headers: ifMatchHeaders },
  responses: {
    204: { description: 'Deleted' },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
    412: problems[412],
  },
});

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };
const isObj = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** RFC 7396 JSON merge patch. */
export function mergePatch(target: Json, patch: Json): Json {
  if (!isObj(patch)) return patch;
  const out: Record<string, Json> = isObj(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k];
    else out[k] = mergePatch(out[k] ?? null, v);
  }
  return out;
}

const notFound = (name: string) => problemResponse(404, { code: 'policy.not-found', detail: `no policy named "${name}"` });
const nameMismatch = (path: string, body: unknown) =>
  problemResponse(422, {
    code: 'policy.name-mismatch',
    detail: `the body's name ${JSON.stringify(body)} differs from the URL's "${path}" (renaming is create + delete)`,
    diagnostics: [{ code: 'policy.name-mismatch', path: ['name'], message: `must be "${path}" as in the URL`, severity: 'error' }],
  });

export function policyItemRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>();

  app.openapi(getRoute, (c) => {
    const { name } = c.req.valid('param');
    const s = getPolicy(deps.db, name);
    if (!s) return notFound(name) as never;
    const headers = { etag: s.etag, 'lunawall-revision': String(s.revision) };
    if (c.req.header('if-none-match') === s.etag) return c.body(null, 304, headers) as never;
    return c.body(s.json, 200, { ...headers, 'content-type': 'application/json' }) as never;
  });

  app.openapi(
    putRoute,
    (c) => {
      const { name } = c.req.valid('param');
      const body = c.req.valid('json');
      if (body.name !== name) return nameMismatch(name, body.name) as never;
      const checked = checkOne(body);
      if ('problem' in checked) return checked.problem as never;
      const h = c.req.valid('header');
      try {
        const r = savePolicy(deps.db, checked.policy, {
          author: authorOf(c.get('principal')),
          now: deps.clock.now(),
          mode: h['if-none-match'] === '*' ? 'create' : 'upsert',
          ...(h['if-match'] ? { ifMatch: h['if-match'] } : {}),
        });
        const s = r.stored;
        return c.json(
          { name, revision: s.revision, etag: s.etag, created: r.created, changed: r.changed, warnings: checked.warnings, policy: s.policy },
          r.created ? 201 : 200,
          { etag: s.etag },
        );
      } catch (e) {
        if (e instanceof StoreError) return storeProblem(e.code === 'policy.exists' ? { code: 'policy.precondition-failed', message: `If-None-Match: * but ${e.message}` } : e) as never;
        throw e;
      }
    },
  );

  app.openapi(patchRoute, (c) => {
    const { name } = c.req.valid('param');
    const current = getPolicy(deps.db, name);
    if (!current) return notFound(name) as never;
    const merged = mergePatch(JSON.parse(current.json) as Json, c.req.valid('json') as Json);
    if (isObj(merged) && merged.name !== name) return nameMismatch(name, merged.name) as never;
    const checked = checkOne(merged);
    if ('problem' in checked) return checked.problem as never;
    const ifMatch = c.req.valid('header')['if-match'];
    try {
      const r = savePolicy(deps.db, checked.policy, {
        author: authorOf(c.get('principal')),
        now: deps.clock.now(),
        mode: 'update',
        // Without If-Match the patch still applies only to the version it was merged into.
        ifMatch: ifMatch ?? current.etag,
      });
      const s = r.stored;
      return c.json({ name, revision: s.revision, etag: s.etag, created: false, changed: r.changed, warnings: checked.warnings, policy: s.policy }, 200, { etag: s.etag });
    } catch (e) {
      if (e instanceof StoreError) return storeProblem(e) as never;
      throw e;
    }
  });

  app.openapi(deleteRoute, (c) => {
    const { name } = c.req.valid('param');
    const ifMatch = c.req.valid('header')['if-match'];
    try {
      deletePolicy(deps.db, name, { author: authorOf(c.get('principal')), now: deps.clock.now(), ...(ifMatch ? { ifMatch } : {}) });
      return c.body(null, 204) as never;
    } catch (e) {
      if (e instanceof StoreError) return storeProblem(e) as never;
      throw e;
    }
  });

  return app;
}
