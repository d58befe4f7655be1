// GET /policies/{name}/script: the Lua the compiler makes of a policy (current or a past revision) for a profile.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { compilePolicy, syntheticIfindexes } from '../compile/index.js';
import { targetProfiles } from '../compile/profile.js';
import { getPolicy } from '../db/policies.js';
import { getRevision } from '../db/revisions.js';
import { problemResponse } from './problem.js';
import { nameParams, problems } from './schemas.js';

const route = createRoute({
  method: 'get',
  path: '/policies/{name}/script',
  tags: ['policies'],
  summary: 'The compiled Lunatik Lua script',
  description:
    "Compiles the current draft (or `revision`) for `profile` (default: the running backend's). Interface " +
    "names become the backend's ifindexes where it knows them (the emulator uses synthetic ones).",
  middleware: [requireScope('read')] as const,
  request: {
    params: nameParams,
    query: z.object({
      profile: z.enum(targetProfiles).optional(),
      revision: z.coerce.number().int().min(1).optional(),
    }),
  },
  responses: {
    200: { description: 'The script', content: { 'text/x-lua': { schema: z.string() } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    404: problems[404],
    422: { description: 'The policy cannot be compiled for this profile (see diagnostics)', content: problems[422].content },
  },
});

export function scriptRoutes(deps: AppDeps) {
  return new OpenAPIHono<AuthEnv>().openapi(route, async (c) => {
    const { name } = c.req.valid('param');
    const { profile, revision } = c.req.valid('query');
    let policy;
    let n: number;
    if (revision !== undefined) {
      const r = getRevision(deps.db, name, revision);
      if (!r) return problemResponse(404, { code: 'revision.not-found', detail: `policy "${name}" has no revision ${revision}` }) as never;
      policy = r.policy;
      n = r.n;
    } else {
      const s = getPolicy(deps.db, name);
      if (!s) return problemResponse(404, { code: 'policy.not-found', detail: `no policy named "${name}"` }) as never;
      policy = s.policy;
      n = s.revision;
    }
    const target = profile ?? (await deps.backend.info()).profile;
    const ifindexes = (await deps.backend.ifindexes?.()) ?? syntheticIfindexes(policy);
    const { script, diagnostics } = compilePolicy(policy, { profile: target, revision: n, ifindexes });
    if (!script) {
      return problemResponse(422, { code: 'compile.failed', detail: `policy "${name}" cannot be compiled for ${target}`, diagnostics }) as never;
    }
    return c.body(script, 200, { 'content-type': 'text/x-lua; charset=utf-8', 'lunawall-revision': String(n), 'lunawall-profile': target }) as never;
  });
}
