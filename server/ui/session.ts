// UI login sessions: random ids in an HttpOnly SameSite=Strict cookie, kept hashed in SQLite, sliding expiry under an absolute cap, a CSRF token each.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { desc, eq, inArray, lte } from 'drizzle-orm';
import type { Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { Clock } from '../clock.js';
import type { Db } from '../db/index.js';
import { uiSessions } from '../db/schema/sessions.js';

export const SESSION_COOKIE = 'lunawall_session';
/** Before login there is no session: the login form's CSRF token is a double-submit cookie. */
export const LOGIN_CSRF_COOKIE = 'lunawall_login_csrf';
/** LuCI's default luci.sauth.sessiontime. */
export const SESSION_TTL_MS = 3600_000;
/** However active, a login ends this long after it began: a stolen cookie that is used regularly still dies. */
export const SESSION_MAX_AGE_MS = 12 * 3600_000;
/** Sessions kept at most; the least recently used go first, so a flood cannot fill the disk. */
const MAX_SESSIONS = 1000;

export interface Session {
  id: string;
  user: string;
  csrf: string;
  createdAt: number;
  /** The idle expiry, never later than createdAt + the store's maxAgeMs. */
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

/** A Map that writes itself back to the session's row on every change. */
class PersistedTokens extends Map<string, string> {
  private save?: () => void;

  static of(json: string, save: (m: PersistedTokens) => void): PersistedTokens {
    const m = new PersistedTokens();
    for (const [k, v] of Object.entries(JSON.parse(json) as Record<string, string>)) Map.prototype.set.call(m, k, v);
    m.save = () => save(m);
    return m;
  }

  override set(k: string, v: string): this {
    super.set(k, v);
    this.save?.();
    return this;
  }

  override delete(k: string): boolean {
    const had = super.delete(k);
    if (had) this.save?.();
    return had;
  }
}

const hashId = (id: string) => createHash('sha256').update(id).digest('hex');

/** Sessions in SQLite: they survive a restart, as an apply's countdown and its outcome must. */
export class SessionStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
    readonly ttlMs = SESSION_TTL_MS,
    readonly maxAgeMs = SESSION_MAX_AGE_MS,
  ) {}

  /** The idle expiry of a session used at `now`, cut at its absolute end. */
  private expiryAt(createdAt: number, now: number): number {
    return Math.min(now + this.ttlMs, createdAt + this.maxAgeMs);
  }

  create(user: string): Session {
    const now = this.clock.now();
    const id = randomToken();
    const row = { idHash: hashId(id), user, csrf: randomToken(), createdAt: now, expiresAt: this.expiryAt(now, now), applyTokens: '{}' };
    this.db.transaction((tx) => {
      tx.delete(uiSessions).where(lte(uiSessions.expiresAt, now)).run();
      tx.insert(uiSessions).values(row).run();
      // A flood of logins cannot grow the table without bound: the least recently used go first.
      const extra = tx.select({ h: uiSessions.idHash }).from(uiSessions).orderBy(desc(uiSessions.expiresAt)).limit(100).offset(MAX_SESSIONS).all();
      if (extra.length) tx.delete(uiSessions).where(inArray(uiSessions.idHash, extra.map((e) => e.h))).run();
    });
    return this.toSession(id, row);
  }

  /** The live session with this id, its expiry pushed out (sliding, like LuCI) up to its absolute end; undefined if either has passed. */
  touch(id: string | undefined): Session | undefined {
    if (!id) return undefined;
    const h = hashId(id);
    const row = this.db.select().from(uiSessions).where(eq(uiSessions.idHash, h)).get();
    if (!row) return undefined;
    const now = this.clock.now();
    // Checked on createdAt too: rows written before the cap existed (or under a longer one) may expire beyond it.
    if (row.expiresAt <= now || row.createdAt + this.maxAgeMs <= now) {
      this.db.delete(uiSessions).where(eq(uiSessions.idHash, h)).run();
      return undefined;
    }
    const expiresAt = this.expiryAt(row.createdAt, now);
    // Written at most once a minute per session: every page view need not be a database write.
    if (expiresAt - row.expiresAt > 60_000) {
      row.expiresAt = expiresAt;
      this.db.update(uiSessions).set({ expiresAt: row.expiresAt }).where(eq(uiSessions.idHash, h)).run();
    }
    return this.toSession(id, row);
  }

  destroy(id: string | undefined): void {
    if (id) this.db.delete(uiSessions).where(eq(uiSessions.idHash, hashId(id))).run();
  }

  private toSession(id: string, row: typeof uiSessions.$inferSelect): Session {
    const h = row.idHash;
    const applyTokens = PersistedTokens.of(row.applyTokens, (m) =>
      this.db.update(uiSessions).set({ applyTokens: JSON.stringify(Object.fromEntries(m)) }).where(eq(uiSessions.idHash, h)).run(),
    );
    return { id, user: row.user, csrf: row.csrf, createdAt: row.createdAt, expiresAt: row.expiresAt, applyTokens };
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
