// Login and logout: the admin password (server/auth), the shared failed-login limiter, session cookie and CSRF.
import { Hono } from 'hono';
import { hostname } from 'node:os';
import type { AppDeps } from '../deps.js';
import { checkAdminPassword, ADMIN_USER } from '../auth/password.js';
import { loginLimiter } from '../auth/limiter.js';
import { clientKey } from '../auth/middleware.js';
import { LoginPage } from '../../views/login.js';
import type { UiEnv } from './env.js';
import { form, page } from './render.js';
import { clearSessionCookie, loginCsrf, loginCsrfCookie, sameToken, sessionId, setSessionCookie, type SessionStore } from './session.js';

/** Only local paths: an open redirect after login would be a phishing aid. No backslash: browsers read "/\host" as "//host". */
const safeNext = (next: string | undefined) => (next && /^\/(?!\/)[\x21-\x5b\x5d-\x7e]*$/.test(next) && !next.startsWith('/login') ? next : '/status');

export function authRoutes(deps: AppDeps, sessions: SessionStore): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const limiter = loginLimiter(deps);
  const host = hostname();

  app.get('/login', async (c) => {
    if (sessions.touch(sessionId(c))) return c.redirect(safeNext(c.req.query('next')), 303);
    return page(c, <LoginPage hostname={host} csrf={loginCsrf(c)} next={c.req.query('next')} expired={c.req.query('expired') === '1'} />);
  });

  app.post('/login', async (c) => {
    const f = await form(c);
    const next = f.next;
    const again = (error: string, status: 403 | 429) => page(c, <LoginPage hostname={host} csrf={loginCsrf(c)} error={error} next={next} />, status);
    if (!sameToken(f._csrf, loginCsrfCookie(c))) return again('The login form expired. Please try again.', 403);
    const key = clientKey(c);
    const gate = limiter.check(key);
    if (!gate.allowed) return again(`Too many failed logins. Try again in ${Math.ceil(gate.retryAfterMs / 1000)} seconds.`, 429);
    // Counted as a failure before the slow check (a success forgets it): parallel guesses cannot all pass the gate above.
    limiter.fail(key);
    const ok = await checkAdminPassword(deps.db, f.username || ADMIN_USER, f.password ?? '');
    if (!ok) return again('Invalid username and/or password! Please try again.', 403);
    limiter.succeed(key);
    sessions.destroy(sessionId(c));
    const s = sessions.create(f.username || ADMIN_USER);
    setSessionCookie(c, s, sessions.ttlMs);
    return c.redirect(safeNext(next), 303);
  });

  return app;
}

/** Mounted behind requireSession + requireCsrf. */
export function logoutRoutes(sessions: SessionStore): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.post('/logout', (c) => {
    sessions.destroy(c.get('session').id);
    clearSessionCookie(c);
    return c.redirect('/login', 303);
  });
  return app;
}
