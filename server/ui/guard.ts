// Access control for UI routes: a live session for everything but login, and the session's CSRF token on every write.
import type { Context, MiddlewareHandler } from 'hono';
import { adminPrincipal } from '../auth/middleware.js';
import type { UiEnv } from './env.js';
import { isHtmx } from './render.js';
import { clearSessionCookie, sameToken, sessionId, setSessionCookie, type SessionStore } from './session.js';

const unsafe = (m: string) => !['GET', 'HEAD', 'OPTIONS'].includes(m);

function loginRedirect(c: Context, expired: boolean): Response {
  const next = c.req.method === 'GET' && !isHtmx(c) ? c.req.path : '/status';
  const to = `/login?next=${encodeURIComponent(next)}${expired ? '&expired=1' : ''}`;
  // Like LuCI's "X-LuCI-Login-Required": htmx and ui.js fetches get a status they can act on.
  if (isHtmx(c)) return c.body('Session expired', 401, { 'HX-Redirect': to, 'X-Login-Required': 'yes' });
  if (unsafe(c.req.method)) return c.text('Session expired: log in again.', 403, { 'X-Login-Required': 'yes' });
  return c.redirect(to, 303);
}

/** Requires a live session; refreshes its cookie (sliding expiry) and sets the admin principal. */
export function requireSession(store: SessionStore): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    const id = sessionId(c);
    const s = store.touch(id);
    if (!s) {
      if (id) clearSessionCookie(c);
      return loginRedirect(c, Boolean(id));
    }
    c.set('session', s);
    c.set('principal', adminPrincipal());
    setSessionCookie(c, s, store.ttlMs);
    return next();
  };
}

/** The per-session token, from the form field `_csrf` or the X-CSRF-Token header ui.js adds to htmx requests. */
export function requireCsrf(): MiddlewareHandler<UiEnv> {
  return async (c, next) => {
    if (!unsafe(c.req.method)) return next();
    let sent = c.req.header('x-csrf-token');
    if (!sent) {
      const type = c.req.header('content-type') ?? '';
      if (type.includes('form')) {
        const body = await c.req.parseBody({ all: true });
        const v = body._csrf;
        sent = typeof v === 'string' ? v : Array.isArray(v) && typeof v[0] === 'string' ? v[0] : undefined;
      }
    }
    if (!sameToken(sent, c.get('session').csrf)) return c.text('Forbidden: the form is stale or was not sent by this site (CSRF token mismatch). Reload the page and try again.', 403);
    return next();
  };
}
