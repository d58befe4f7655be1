// OWNED BY THE APPLY ENGINEER (issue 4): apply routes under /api/v1. Foundation placeholder until then.
import { OpenAPIHono } from '@hono/zod-openapi';
import type { AppDeps } from '../deps.js';
import type { AuthEnv } from '../auth/middleware.js';

export function appliesRoutes(deps: AppDeps): OpenAPIHono<AuthEnv> {
  void deps;
  return new OpenAPIHono<AuthEnv>();
}
