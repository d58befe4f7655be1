// The REST API under /api/v1: authentication, body limits, problem+json errors, the OpenAPI document.
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { HTTPException } from 'hono/http-exception';
import { secureHeaders } from 'hono/secure-headers';
import type { ErrorHandler } from 'hono';
import type { AppDeps } from '../deps.js';
import { authenticate, type AuthEnv } from '../auth/middleware.js';
import { problemResponse } from './problem.js';
import { createValidationHook } from './validation.js';
import { policyBodyReporter } from './policy-input.js';
import { policyCollectionRoutes } from './policies.js';
import { policyItemRoutes } from './policy-item.js';
import { revisionRoutes } from './revisions.js';
import { tokenRoutes } from './tokens.js';
import { scriptRoutes } from './script.js';
import { simulateRoutes } from './simulate.js';
import { statusRoutes } from './status.js';

export const BODY_LIMIT = 1024 * 1024;
/** The declarative PUT /policies carries whole domain lists, so it may be larger. */
export const BULK_BODY_LIMIT = 16 * 1024 * 1024;

const oversize = (limit: number) => () =>
  problemResponse(413, { code: 'request.too-large', detail: `the request body is larger than ${limit} bytes` });
const normalLimit = bodyLimit({ maxSize: BODY_LIMIT, onError: oversize(BODY_LIMIT) });
const bulkLimit = bodyLimit({ maxSize: BULK_BODY_LIMIT, onError: oversize(BULK_BODY_LIMIT) });

/** Unexpected errors and Hono's own rejections (bad JSON, wrong media type) as problem+json. */
export const apiErrorHandler: ErrorHandler = (err, c) => {
  if (err instanceof HTTPException) {
    if (err.status === 400 && /json/i.test(err.message)) {
      return problemResponse(400, { code: 'request.malformed-json', detail: `the request body is not valid JSON: ${err.message}` });
    }
    if (err.status === 415) return problemResponse(415, { code: 'request.unsupported-media-type', detail: 'send the body as application/json' });
    if (!c.req.path.startsWith('/api/')) return err.getResponse();
    return problemResponse(err.status, { code: 'request.rejected', detail: err.message });
  }
  console.error(err);
  return problemResponse(500, { code: 'internal', detail: 'internal error; see the server log' });
};

type OpenAPIObjectConfig = Parameters<OpenAPIHono['getOpenAPIDocument']>[0];

/** The OpenAPI document's header; /api/v1/openapi.json and the /api/docs page both build from it. */
export const openApiConfig: OpenAPIObjectConfig = {
  openapi: '3.0.0',
  info: {
    title: 'lunawall API',
    version: '1',
    description:
      'Firewall policies compiled to Lunatik kernel Lua. Authenticate with `Authorization: Bearer <token>` ' +
      '(scopes read, write, apply) or the admin\'s Basic credentials. Errors are application/problem+json ' +
      'with `diagnostics` giving the JSON path of each bad field. Request bodies are limited to 1 MiB, ' +
      'except the declarative `PUT /policies`, which accepts up to 16 MiB so large domain sets can be imported.',
  },
  servers: [{ url: '/api/v1' }],
  security: [{ bearer: [] }, { basic: [] }],
};

/** Every /api/v1 route except the apply routes, which app.ts mounts into the returned app. */
export function apiRoutes(deps: AppDeps): OpenAPIHono<AuthEnv> {
  const api = new OpenAPIHono<AuthEnv>({ defaultHook: createValidationHook(policyBodyReporter) });
  api.use('*', secureHeaders({ crossOriginResourcePolicy: 'same-origin' }));
  api.use('*', (c, next) => (c.req.method === 'PUT' && c.req.path.endsWith('/policies') ? bulkLimit(c, next) : normalLimit(c, next)));
  api.use('*', authenticate(deps));
  api.onError(apiErrorHandler);
  api.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    description: 'An API token (`lunawall token create --name NAME --scope read,write,apply`)',
  });
  api.openAPIRegistry.registerComponent('securitySchemes', 'basic', {
    type: 'http',
    scheme: 'basic',
    description: 'The admin user ("admin") and password; needed to manage tokens',
  });
  api.route('/', statusRoutes(deps));
  api.route('/', policyCollectionRoutes(deps));
  api.route('/', policyItemRoutes(deps));
  api.route('/', revisionRoutes(deps));
  api.route('/', tokenRoutes(deps));
  api.route('/', scriptRoutes(deps));
  api.route('/', simulateRoutes(deps));
  api.doc('/openapi.json', openApiConfig);
  return api;
}
