// UI login sessions: random ids in an HttpOnly SameSite=Strict cookie, sliding expiry, a CSRF token each.
import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Clock } from '../deps.js';

export const SESSION_COOKIE = 'lunawall_session';
/** Before login there is no session: the login form's CSRF token is a double-submit cookie. */
export const LOGIN_CSRF_COOKIE = 'lunawall_login_csrf';
/** LuCI's default luci.sauth.sessiontime. */
export const SESSION_TTL_MS = 3600_000;
/** Sessions kept at most; the least recently used go first, so a flood cannot exhaust memory. */
const MAX_SESSIONS = 1000;

export interface Session {
  id: string;
  user: string;
  csrf: string;
  createdAt: number;
  expiresAt: number;
  /** Confirm tokens of the applies this session started, so the countdown survives a reload. */
  applyTokens: Map<string, string>;
}

export const randomToken = () => randomBytes(32).toString('base64url');

export function sameToken(a: string | undefined, b: string | undefined): boolean {
  if (!a || !b) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Cookies get `Secure` when the request came over TLS (directly or via a TLS-terminating proxy). */
export function isTls(c: Context): boolean {
  return new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';
}

export class SessionStore {
  private readonly sessions = new Map<string, Session>();

  constructor(
    private readonly clock: Clock,
    readonly ttlMs = SESSION_TTL_MS,
  ) {}

  create(user: string): Session {
    const now = this.clock.now();
    const s: Session = { id: randomToken(), user, csrf: randomToken(), createdAt: now, expiresAt: now + this.ttlMs, applyTokens: new Map() };
    this.sessions.set(s.id, s);
    if (this.sessions.size > MAX_SESSIONS) this.sessions.delete(this.sessions.keys().next().value!);
    return s;
  }

  /** The live session with this id, its expiry pushed out (sliding, like LuCI); undefined if expired. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const s = this.sessions.get(id);
    if (!s) return undefined;
    const now = this.clock.now();
    this.sessions.delete(id);
    if (s.expiresAt <= now) return undefined;
    s.expiresAt = now + this.ttlMs;
    this.sessions.set(id, s);
    return s;
  }

  destroy(id: string | undefined): void {
    if (id) this.sessions.delete(id);
  }
}

export function setSessionCookie(c: Context, s: Session, ttlMs: number): void {
  setCookie(c, SESSION_COOKIE, s.id, { httpOnly: true, sameSite: 'Strict', secure: isTls(c), path: '/', maxAge: Math.floor(ttlMs / 1000) });
}

export function clearSessionCookie(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, { path: '/', secure: isTls(c) });
}

export const sessionId = (c: Context) => getCookie(c, SESSION_COOKIE);

/** The login form's token: reuse the cookie's if present so several tabs keep working. */
export function loginCsrf(c: Context): string {
  const existing = getCookie(c, LOGIN_CSRF_COOKIE);
  const token = existing && existing.length >= 32 ? existing : randomToken();
  setCookie(c, LOGIN_CSRF_COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure: isTls(c), path: '/login', maxAge: 3600 });
  return token;
}

export const loginCsrfCookie = (c: Context) => getCookie(c, LOGIN_CSRF_COOKIE);
