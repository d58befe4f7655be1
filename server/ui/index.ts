// The admin UI mounted at /: static assets, login, then session + CSRF guarded pages (uiRoutes(deps)).
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { csrf } from 'hono/csrf';
import { secureHeaders } from 'hono/secure-headers';
import type { AppDeps } from '../deps.js';
import type { UiEnv } from './env.js';
import { requireCsrf, requireSession } from './guard.js';
import { SESSION_TTL_MS, SessionStore } from './session.js';
import { staticRoutes } from './static.js';
import { authRoutes, logoutRoutes } from './auth-routes.js';
import { applyRoutes, confirmRoutes } from './apply-routes.js';
import { changesRoutes } from './changes-routes.js';
import { editorRoutes } from './editor-routes.js';
import { editorCompileRoutes } from './editor-compile.js';
import { policyRoutes } from './policy-routes.js';
import { statusRoutes } from './status-routes.js';
import { systemRoutes } from './system-routes.js';
import { testerRoutes } from './tester-routes.js';

export function uiRoutes(deps: AppDeps): Hono<UiEnv> {
  const sessions = new SessionStore(deps.db, deps.clock, SESSION_TTL_MS, deps.config.sessionLifetime * 1000);
  const ui = new Hono<UiEnv>();
  ui.use(
    '*',
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'self'"],
        scriptSrc: ["'self'"],
        styleSrc: ["'self'"],
        imgSrc: ["'self'", 'data:'],
        connectSrc: ["'self'"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'self'"],
        objectSrc: ["'none'"],
      },
      referrerPolicy: 'same-origin',
    }),
  );
  ui.route('/', staticRoutes());
  // Origin / Sec-Fetch-Site check on every form post; the per-session token is checked below.
  ui.use('*', csrf());
  // Before login nothing may post much; after it, a restore or a big domain set may be megabytes.
  const tooLarge = (max: string) => (c: Context) => c.text(`The form is larger than ${max}.`, 413);
  ui.use('/login', bodyLimit({ maxSize: 64 * 1024, onError: tooLarge('64 KiB') }));
  ui.use('/applies/:id/confirm', bodyLimit({ maxSize: 4 * 1024, onError: tooLarge('4 KiB') }));
  ui.route('/', authRoutes(deps, sessions));
  ui.route('/', confirmRoutes(deps, sessions));

  const secured = new Hono<UiEnv>();
  secured.use('*', requireSession(sessions), bodyLimit({ maxSize: 64 * 1024 * 1024, onError: tooLarge('64 MiB') }), requireCsrf());
  secured.route('/', logoutRoutes(sessions));
  secured.route('/', statusRoutes(deps));
  secured.route('/', policyRoutes(deps));
  secured.route('/', editorRoutes(deps));
  secured.route('/', editorCompileRoutes());
  secured.route('/', applyRoutes(deps));
  secured.route('/', changesRoutes(deps));
  secured.route('/', testerRoutes(deps));
  secured.route('/', systemRoutes(deps));
  ui.route('/', secured);
  return ui;
}
