// createApp: the whole HTTP surface — /healthz, the REST API, the API docs and the UI — from AppDeps.
import { Hono } from 'hono';
import type { AppDeps } from './deps.js';
import { apiErrorHandler, apiRoutes, openApiConfig } from './api/index.js';
import { docsPage } from './api/docs-page.js';
import { authenticate, type AuthEnv } from './auth/middleware.js';
import { problemResponse } from './api/problem.js';
// Mounted from other areas (their owners replace the files): apply routes and the UI.
import { appliesPublicRoutes, appliesRoutes } from './api/applies.js';
import { uiRoutes } from './ui/index.js';

export function createApp(deps: AppDeps): Hono<AuthEnv> {
  const app = new Hono<AuthEnv>();

  app.get('/healthz', (c) => c.json({ ok: true }));

  const api = apiRoutes(deps);
  // ---- apply owner's routes (server/api/applies.ts), inside /api/v1 so they share auth and the OpenAPI document
  api.route('/', appliesRoutes(deps));
  // confirm-by-token needs no login, so it is mounted before the authenticated API
  app.route('/api/v1', appliesPublicRoutes(deps));
  // ----
  app.route('/api/v1', api);
  app.get('/api/docs', authenticate(deps), (c) => {
    c.header('content-security-policy', "default-src 'self'; style-src 'self'; script-src 'none'; frame-ancestors 'none'");
    return c.html(docsPage(api.getOpenAPIDocument(openApiConfig), '/api/v1/openapi.json'));
  });
  app.all('/api/*', () => problemResponse(404, { code: 'not-found', detail: 'no such API endpoint' }));

  // ---- UI owner's routes (server/ui/index.ts), last so the API is matched first
  app.route('/', uiRoutes(deps));
  // ----

  app.onError(apiErrorHandler);
  return app;
}
