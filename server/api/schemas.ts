// OpenAPI-visible shapes shared by the policy routes: params, responses, and common error responses.
import { z } from '@hono/zod-openapi';
import { policy, policyName } from '../policy/schema.js';
import { diagnosticSchema, problemSchema } from './problem.js';

export const nameParams = z.object({
  name: policyName.openapi({ param: { name: 'name', in: 'path' }, example: 'block-ads' }),
});

export const revisionParams = nameParams.extend({
  n: z.coerce.number().int().min(1).openapi({ param: { name: 'n', in: 'path' }, example: 1 }),
});

export const policyList = z.strictObject({ policies: z.array(policy) }).openapi('PolicyList');

export const policySummary = z
  .object({
    name: z.string(),
    title: z.string(),
    enabled: z.boolean(),
    target: z.string(),
    hook: z.string().optional(),
    rules: z.number().int(),
    revision: z.number().int(),
    etag: z.string(),
    position: z.number().int(),
    updatedAt: z.string(),
  })
  .openapi('PolicySummary');

export const writeResult = z
  .object({
    name: z.string(),
    revision: z.number().int(),
    etag: z.string(),
    created: z.boolean(),
    /** False when the body equalled the stored draft: no new revision. */
    changed: z.boolean(),
    warnings: z.array(diagnosticSchema),
    policy,
  })
  .openapi('PolicyWriteResult');

export const revisionSummary = z
  .object({
    n: z.number().int(),
    author: z.string(),
    createdAt: z.string(),
    hash: z.string(),
    kind: z.enum(['save', 'delete']),
    message: z.string(),
  })
  .openapi('RevisionSummary');

export const revisionFull = revisionSummary.extend({ policy }).openapi('Revision');

export const jsonChange = z
  .object({
    op: z.enum(['add', 'remove', 'change']),
    path: z.array(z.union([z.string(), z.number()])),
    old: z.unknown().optional(),
    new: z.unknown().optional(),
  })
  .openapi('JsonChange');

export const syncResult = z
  .object({
    created: z.array(z.string()),
    changed: z.array(z.string()),
    deleted: z.array(z.string()),
    unchanged: z.array(z.string()),
    reordered: z.boolean(),
    dryRun: z.boolean(),
    etag: z.string(),
    warnings: z.array(diagnosticSchema),
  })
  .openapi('SyncResult');

const problemContent = { 'application/problem+json': { schema: problemSchema } };
export const problems = {
  400: { description: 'Malformed request (bad JSON, bad parameter)', content: problemContent },
  401: { description: 'No or bad credentials', content: problemContent },
  403: { description: 'The credentials lack the needed scope', content: problemContent },
  404: { description: 'No such policy or revision', content: problemContent },
  409: { description: 'Already exists', content: problemContent },
  412: { description: 'If-Match did not match the current ETag', content: problemContent },
  413: { description: 'Request body too large', content: problemContent },
  415: { description: 'Body is not JSON', content: problemContent },
  422: { description: 'The policy is invalid: see `diagnostics` (code, JSON path, message)', content: problemContent },
} as const;

export const etagHeader = { ETag: { schema: { type: 'string' as const }, description: 'Current version, for If-Match' } };

export const iso = (ms: number) => new Date(ms).toISOString();
