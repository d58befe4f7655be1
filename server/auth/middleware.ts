// Who is calling: bearer tokens (scoped) or the admin's Basic credentials; 401/403 as problem+json.
import type { Context, MiddlewareHandler } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import type { AppDeps } from '../deps.js';
import { problemResponse } from '../api/problem.js';
import { createHmac, randomBytes } from 'node:crypto';
import { ADMIN_USER, checkAdminPassword, passwordHashOf } from './password.js';
import { loginLimiter } from './limiter.js';
import { scopes, verifyToken, type Scope } from './tokens.js';

export interface Principal {
  /** 'token': an API token; 'admin': the admin password (Basic auth, or a UI session). */
  kind: 'token' | 'admin';
  name: string;
  scopes: Scope[];
  /** Only the admin may manage tokens. */
  admin: boolean;
}

export type AuthEnv = { Variables: { principal: Principal } };

export const adminPrincipal = (): Principal => ({ kind: 'admin', name: ADMIN_USER, scopes: [...scopes], admin: true });

const challenge = { 'www-authenticate': 'Bearer realm="lunawall", Basic realm="lunawall", charset="UTF-8"' };

/** The peer address; app.request() in tests has no socket, so fall back to a fixed key. */
export function clientKey(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown';
  }
}

/**
 * Basic auth sends the password with every request, and scrypt costs ~0.1 s each time. A success is
 * remembered for a few minutes under an HMAC (random per-process key) of the credentials and the
 * stored hash, so a password change ends it at once and the memory never holds the password.
 */
function basicSuccessCache(ttlMs = 5 * 60_000, max = 64) {
  const key = randomBytes(32);
  const until = new Map<string, number>();
  const tag = (credentials: string, stored: string) => createHmac('sha256', key).update(`${stored}\0${credentials}`).digest('base64');
  return {
    has: (credentials: string, stored: string, now: number) => (until.get(tag(credentials, stored)) ?? 0) > now,
    add(credentials: string, stored: string, now: number) {
      until.set(tag(credentials, stored), now + ttlMs);
      for (const [k, t] of until) if (t <= now || until.size > max) until.delete(k);
    },
  };
}

/**
 * A browser replays cached Basic credentials on another site's form post, so an unsafe request with
 * Basic auth must come from this origin. Non-browser clients send neither header and are not affected.
 */
function crossSiteBrowserWrite(c: Context): boolean {
  if (['GET', 'HEAD', 'OPTIONS'].includes(c.req.method)) return false;
  const site = c.req.header('sec-fetch-site');
  if (site !== undefined) return site !== 'same-origin' && site !== 'none';
  const origin = c.req.header('origin');
  return origin !== undefined && origin !== new URL(c.req.url).origin;
}

/**
 * Sets `principal` or answers 401. A principal set by an earlier middleware (the UI's session) is
 * kept. Failed Basic logins count in the shared loginLimiter (429 with Retry-After when exceeded).
 */
export function authenticate(deps: AppDeps): MiddlewareHandler<AuthEnv> {
  const limiter = loginLimiter(deps);
  const remembered = basicSuccessCache();
  return async (c, next) => {
    if (c.get('principal')) return next();
    const header = c.req.header('authorization') ?? '';
    const [scheme, value] = [header.slice(0, header.indexOf(' ')).toLowerCase(), header.slice(header.indexOf(' ') + 1).trim()];
    if (scheme === 'bearer' && value) {
      const t = verifyToken(deps.db, value, deps.clock.now());
      if (!t) return problemResponse(401, { code: 'auth.token-invalid', detail: 'the bearer token is unknown or revoked', headers: challenge });
      c.set('principal', { kind: 'token', name: t.name, scopes: t.scopes, admin: false });
      return next();
    }
    if (scheme === 'basic' && value) {
      if (crossSiteBrowserWrite(c)) {
        return problemResponse(403, { code: 'auth.cross-site', detail: 'a write with Basic credentials must come from this site (a browser sent them along with another site\'s request)' });
      }
      const key = clientKey(c);
      const gate = limiter.check(key);
      if (!gate.allowed) {
        const secs = Math.ceil(gate.retryAfterMs / 1000);
        return problemResponse(429, { code: 'auth.rate-limited', detail: `too many failed logins; retry in ${secs} s`, headers: { 'retry-after': String(secs) } });
      }
      const decoded = Buffer.from(value, 'base64').toString('utf8');
      const colon = decoded.indexOf(':');
      const user = decoded.slice(0, Math.max(colon, 0));
      const stored = colon > 0 ? passwordHashOf(deps.db, user) : undefined;
      const now = deps.clock.now();
      const cached = colon > 0 && stored !== undefined && remembered.has(decoded, stored, now);
      // Counted as a failure before the slow check (a success forgets it): parallel guesses cannot all pass the gate above.
      if (!cached) limiter.fail(key);
      // Unknown users go through checkAdminPassword too: it spends the same time, so names do not leak.
      const ok = cached || (colon > 0 && (await checkAdminPassword(deps.db, user, decoded.slice(colon + 1))));
      if (!ok || stored === undefined) {
        return problemResponse(401, { code: 'auth.password-invalid', detail: 'wrong user name or password', headers: challenge });
      }
      remembered.add(decoded, stored, now);
      limiter.succeed(key);
      c.set('principal', adminPrincipal());
      return next();
    }
    return problemResponse(401, { code: 'auth.required', detail: 'send "Authorization: Bearer <token>" (or the admin\'s Basic credentials)', headers: challenge });
  };
}

/** 403 unless the principal holds `scope`. Mount after authenticate(). */
export function requireScope(scope: Scope): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    const p = c.get('principal');
    if (!p.scopes.includes(scope)) {
      return problemResponse(403, { code: 'auth.scope-missing', detail: `this needs the "${scope}" scope; the credentials have: ${p.scopes.join(', ') || 'none'}` });
    }
    return next();
  };
}

export function requireAdmin(): MiddlewareHandler<AuthEnv> {
  return async (c, next) => {
    if (!c.get('principal').admin) return problemResponse(403, { code: 'auth.admin-required', detail: 'only the admin may do this (use the admin password, not a token)' });
    return next();
  };
}
