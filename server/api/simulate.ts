// POST /policies/{name}/simulate: JSON packets through the compiled policy in the emulator → verdicts and rules.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import { requireScope, type AuthEnv } from '../auth/middleware.js';
import { targetProfiles } from '../compile/profile.js';
import { getPolicy } from '../db/policies.js';
import { getRevision } from '../db/revisions.js';
import { packetSpec } from '../policy/packet-spec.js';
import { hooks } from '../policy/schema.js';
import { runPolicyTests, simulatePolicy, SimulationError } from '../simulate.js';
import { problemResponse } from './problem.js';
import { nameParams, problems } from './schemas.js';

const simBody = z
  .strictObject({
    packets: z.array(packetSpec).max(1000).default([]),
    profile: z.enum(targetProfiles).optional().openapi({ description: "Default: the running backend's profile" }),
    hook: z.enum(hooks).optional().openapi({ description: "netfilter: simulate at this hook instead of the policy's own" }),
    revision: z.number().int().min(1).optional().openapi({ description: 'Simulate a past revision instead of the draft' }),
    runTests: z.boolean().default(false).openapi({ description: "Also run the policy's own packet tests" }),
  })
  .openapi('SimulateRequest');

const simResult = z
  .object({ verdict: z.enum(['accept', 'drop']), rule: z.string(), errors: z.number().int(), error: z.string().optional() })
  .openapi('SimResult');
const testResult = z
  .object({ name: z.string(), expect: z.enum(['accept', 'drop']), verdict: z.enum(['accept', 'drop']), rule: z.string(), passed: z.boolean(), error: z.string().optional() })
  .openapi('TestResult');

const route = createRoute({
  method: 'post',
  path: '/policies/{name}/simulate',
  tags: ['policies'],
  summary: 'Run packets through the policy in the Lunatik emulator',
  description: 'Compiles the policy for the profile, loads it in a scratch emulator runtime and answers, per packet, the verdict and the rule that decided ("default", or "none"). Changes nothing.',
  middleware: [requireScope('read')] as const,
  request: { params: nameParams, body: { required: true, content: { 'application/json': { schema: simBody } } } },
  responses: {
    200: {
      description: 'One result per packet, in order',
      content: { 'application/json': { schema: z.object({ profile: z.string(), results: z.array(simResult), tests: z.array(testResult).optional() }) } },
    },
    ...problems,
  },
});

export function simulateRoutes(deps: AppDeps) {
  return new OpenAPIHono<AuthEnv>().openapi(route, async (c) => {
    const { name } = c.req.valid('param');
    const body = c.req.valid('json');
    const policy = body.revision !== undefined ? getRevision(deps.db, name, body.revision)?.policy : getPolicy(deps.db, name)?.policy;
    if (!policy) {
      const detail = body.revision !== undefined ? `policy "${name}" has no revision ${body.revision}` : `no policy named "${name}"`;
      return problemResponse(404, { code: body.revision !== undefined ? 'revision.not-found' : 'policy.not-found', detail }) as never;
    }
    const profile = body.profile ?? (await deps.backend.info()).profile;
    const opts = { profile, ...(body.hook ? { hook: body.hook } : {}) };
    try {
      const results = await simulatePolicy(policy, body.packets, opts);
      const tests = body.runTests ? await runPolicyTests(policy, opts) : undefined;
      return c.json({ profile, results, ...(tests ? { tests } : {}) }, 200);
    } catch (e) {
      if (e instanceof SimulationError) {
        const m = /^packets\[(\d+)\]: (.*)$/s.exec(e.message);
        const diagnostics = m
          ? [{ code: 'packet.invalid', path: ['packets', Number(m[1])], message: m[2]!, severity: 'error' as const }]
          : e.diagnostics;
        return problemResponse(422, { code: m ? 'packet.invalid' : 'compile.failed', detail: e.message, diagnostics }) as never;
      }
      throw e;
    }
  });
}
