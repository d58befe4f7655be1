// /tokens: the admin creates (token shown once), lists and revokes API tokens.
import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import { requireAdmin, type AuthEnv } from '../auth/middleware.js';
import { createToken, listTokens, revokeToken, scopes, tokenNamePattern, TokenError, type TokenInfo } from '../auth/tokens.js';
import { problemResponse } from './problem.js';
import { iso, problems } from './schemas.js';

const tokenInfo = z
  .object({ name: z.string(), scopes: z.array(z.enum(scopes)), prefix: z.string(), createdAt: z.string(), lastUsedAt: z.string().nullable() })
  .openapi('Token');

const show = (t: TokenInfo) => ({ ...t, createdAt: iso(t.createdAt), lastUsedAt: t.lastUsedAt === null ? null : iso(t.lastUsedAt) });

const adminOnly = 'Only the admin (Basic auth with the admin password, or a UI session) may manage tokens.';

const listRoute = createRoute({
  method: 'get',
  path: '/tokens',
  tags: ['tokens'],
  summary: 'List API tokens (never their secrets)',
  description: adminOnly,
  middleware: [requireAdmin()] as const,
  responses: {
    200: { description: 'Tokens', content: { 'application/json': { schema: z.object({ tokens: z.array(tokenInfo) }) } } },
    401: problems[401],
    403: problems[403],
  },
});

const createRoute_ = createRoute({
  method: 'post',
  path: '/tokens',
  tags: ['tokens'],
  summary: 'Create an API token; the response is the only time it is shown',
  description: adminOnly,
  middleware: [requireAdmin()] as const,
  request: {
    body: {
      required: true,
      content: {
        'application/json': {
          schema: z.strictObject({ name: z.string().regex(tokenNamePattern, '1-64 of A-Z a-z 0-9 _ . - starting with a letter or digit'), scopes: z.array(z.enum(scopes)).min(1) }),
        },
      },
    },
  },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: tokenInfo.extend({ token: z.string() }) } } },
    400: problems[400],
    401: problems[401],
    403: problems[403],
    409: problems[409],
    422: problems[422],
  },
});

const revokeRoute = createRoute({
  method: 'delete',
  path: '/tokens/{name}',
  tags: ['tokens'],
  summary: 'Revoke a token',
  description: adminOnly,
  middleware: [requireAdmin()] as const,
  request: { params: z.object({ name: z.string().openapi({ param: { name: 'name', in: 'path' } }) }) },
  responses: { 204: { description: 'Revoked' }, 401: problems[401], 403: problems[403], 404: problems[404] },
});

export function tokenRoutes(deps: AppDeps) {
  const app = new OpenAPIHono<AuthEnv>();
  app.openapi(listRoute, (c) => c.json({ tokens: listTokens(deps.db).map(show) }, 200));
  app.openapi(createRoute_, (c) => {
    const { name, scopes: s } = c.req.valid('json');
    try {
      const { token, info } = createToken(deps.db, name, s, deps.clock.now());
      return c.json({ ...show(info), token }, 201);
    } catch (e) {
      if (e instanceof TokenError) return problemResponse(e.code === 'token.exists' ? 409 : 422, { code: e.code, detail: e.message }) as never;
      throw e;
    }
  });
  app.openapi(revokeRoute, (c) => {
    try {
      revokeToken(deps.db, c.req.valid('param').name);
      return c.body(null, 204) as never;
    } catch (e) {
      if (e instanceof TokenError) return problemResponse(404, { code: e.code, detail: e.message }) as never;
      throw e;
    }
  });
  return app;
}
