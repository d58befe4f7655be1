// /policies collection: list (with a collection ETag), create one, and the declarative PUT of the whole set.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { policy } from '../policy/schema.js';
import { collectionEtag, listPolicyRows, savePolicy, StoreError } from '../db/policies.js';
import { syncPolicies } from '../db/sync.js';
import type { Diagnostic } from '../policy/diagnostics.js';
import { authorOf, checkOne, invalidPolicy, reportPolicyList } from './policy-input.js';
import { problemResponse, storeProblem } from './problem.js';
import { etagHeader, iso, policyList, policySummary, problems, syncResult, writeResult } from './schemas.js';

const listRoute = createRoute({
  method: 'get',
  path: '/policies',
  tags: ['policies'],
  summary: 'All policies, in order',
  description:
    'Default: `{ policies: [...] }` with the full documents, exactly what the declarative PUT takes. ' +
    '`view=summary` gives one line per policy with its revision and ETag. Honours If-None-Match (304).',
  middleware: [requireScope('read')] as const,
  request: { query: z.object({ view: z.enum(['full', 'summary']).default('full') }) },
  responses: {
    200: {
      description: 'The policies',
      headers: etagHeader,
      content: { 'application/json': { schema: z.union([policyList, z.object({ items: z.array(policySummary) })]) } },
    },
    304: { description: 'Not modified' },
    401: problems[401],
    403: problems[403],
  },
});

const createRoute_ = createRoute({
  method: 'post',
  path: '/policies',
  tags: ['policies'],
  summary: 'Create a policy',
  middleware: [requireScope('write')] as const,
  request: { body: { required: true, content: { 'application/json': { schema: policy } } } },
  responses: {
    201: { description: 'Created (revision 1, or the next number if the name existed before)', headers: etagHeader, content: { 'application/json': { schema: writeResult } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: problems[409],
    413: problems[413],
    415: problems[415],
    422: problems[422],
  },
});

const syncRoute = createRoute({
  method: 'put',
  path: '/policies',
  tags: ['policies'],
  summary: 'Declarative: make the stored set equal this one',
  description:
    'Creates, changes and deletes policies so the stored set equals the body, in one transaction, and ' +
    'answers what it did. Idempotent: the same body again changes nothing. Order in the body becomes the ' +
    'policy order. `dryRun=true` answers the same without writing. If-Match takes the ETag of GET /policies. ' +
    'Bodies up to 16 MiB are accepted here (large domain sets); elsewhere the limit is 1 MiB.',
  middleware: [requireScope('write')] as const,
  request: {
    query: z.object({ dryRun: z.enum(['true', 'false', '1', '0']).optional().openapi({ description: 'Compute the answer without writing' }) }),
    // A reference, not a zod schema: checkPolicy parses each policy once (zod-openapi would parse all of them first).
    body: { required: true, content: { 'application/json': { schema: { $ref: '#/components/schemas/PolicyList' } } } },
  },
  responses: {
    200: { description: 'What changed (or would change)', headers: etagHeader, content: { 'application/json': { schema: syncResult } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    412: problems[412],
    413: problems[413],
    415: problems[415],
    422: problems[422],
  },
});

const listShape = z.strictObject({ policies: z.array(z.unknown()) });
const isJson = (ct: string | undefined) => ct !== undefined && /^application\/([a-z.-]+\+)?json(\s*;.*)?$/i.test(ct);

export function policyCollectionRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>();

  app.openapi(listRoute, (c) => {
    const rows = listPolicyRows(deps.db);
    const etag = collectionEtag(rows);
    if (c.req.header('if-none-match') === etag) return c.body(null, 304, { etag });
    if (c.req.valid('query').view === 'summary') {
      const items = rows.map((r) => {
        const p = JSON.parse(r.json) as z.infer<typeof policy>;
        return { name: r.name, title: p.title, enabled: p.enabled, target: p.target, ...(p.hook ? { hook: p.hook } : {}), rules: p.rules.length, revision: r.revision, etag: r.etag, position: r.position, updatedAt: iso(r.updatedAt) };
      });
      return c.json({ items }, 200, { etag });
    }
    // The stored texts are already the documents' JSON: concatenate instead of parse + serialise.
    const body = `{"policies":[${rows.map((r) => r.json).join(',')}]}`;
    return c.body(body, 200, { 'content-type': 'application/json', etag }) as never;
  });

  app.openapi(
    createRoute_,
    (c) => {
      const checked = checkOne(c.req.valid('json'));
      if ('problem' in checked) return checked.problem as never;
      try {
        const r = savePolicy(deps.db, checked.policy, { author: authorOf(c.get('principal')), now: deps.clock.now(), mode: 'create' });
        const s = r.stored;
        return c.json(
          { name: s.name, revision: s.revision, etag: s.etag, created: true, changed: true, warnings: checked.warnings, policy: s.policy },
          201,
          { etag: s.etag, location: `/api/v1/policies/${s.name}` },
        );
      } catch (e) {
        if (e instanceof StoreError) return storeProblem(e) as never;
        throw e;
      }
    },
  );

  app.openAPIRegistry.register('PolicyList', policyList);
  app.openapi(
    syncRoute,
    async (c) => {
      if (!isJson(c.req.header('content-type'))) return problemResponse(415, { code: 'request.unsupported-media-type', detail: 'send the body as application/json' }) as never;
      let raw: unknown;
      try {
        raw = await c.req.json();
      } catch (e) {
        return problemResponse(400, { code: 'request.malformed-json', detail: `the request body is not valid JSON: ${(e as Error).message}` }) as never;
      }
      const shape = listShape.safeParse(raw);
      if (!shape.success) return reportPolicyList(raw, shape.error.issues) as never;
      const body = shape.data as { policies: { name?: unknown }[] };
      const dryRun = ['true', '1'].includes(c.req.valid('query').dryRun ?? '');
      const diagnostics: Diagnostic[] = [];
      const checked = body.policies.map((p, i) => {
        const r = checkOne(p, ['policies', i]);
        if ('problem' in r) diagnostics.push(...r.diagnostics);
        else diagnostics.push(...r.warnings);
        return 'policy' in r ? r.policy : undefined;
      });
      const seen = new Map<string, number>();
      checked.forEach((p, i) => {
        if (!p) return;
        const first = seen.get(p.name);
        if (first !== undefined) {
          diagnostics.push({ code: 'policies.duplicate-name', path: ['policies', i, 'name'], message: `"${p.name}" is already the name of policies[${first}]`, severity: 'error' });
        } else seen.set(p.name, i);
      });
      if (diagnostics.some((d) => d.severity === 'error')) return invalidPolicy(diagnostics) as never;
      try {
        const r = syncPolicies(deps.db, checked as z.infer<typeof policy>[], {
          author: authorOf(c.get('principal')),
          now: deps.clock.now(),
          dryRun,
          ...(c.req.header('if-match') ? { ifMatch: c.req.header('if-match')! } : {}),
        });
        return c.json({ ...r, warnings: diagnostics }, 200, { etag: r.etag });
      } catch (e) {
        if (e instanceof StoreError) return storeProblem(e) as never;
        throw e;
      }
    },
  );

  return app;
}
