// Failed-login rate limit, shared by the API's Basic auth and the UI's login form of the same app.
import type { Clock } from '../clock.js';
import type { Db } from '../db/index.js';

export interface LoginLimiter {
  /** Whether `key` (e.g. the client address) may try now; if not, how long until it may. */
  check(key: string): { allowed: true } | { allowed: false; retryAfterMs: number };
  /** Record a failed attempt (callers record it before the slow password check, so parallel guesses count). */
  fail(key: string): void;
  /** A success forgets earlier failures. */
  succeed(key: string): void;
}

export interface LimiterOptions {
  /** Failures allowed within `windowMs` before further attempts are refused. */
  maxFailures: number;
  windowMs: number;
  /** Keys tracked at most (the oldest are forgotten), so a flood cannot exhaust memory. */
  maxKeys: number;
}

export const defaultLimiterOptions: LimiterOptions = { maxFailures: 5, windowMs: 60_000, maxKeys: 10_000 };

export function createLoginLimiter(clock: Clock, opts: LimiterOptions = defaultLimiterOptions): LoginLimiter {
  const failures = new Map<string, number[]>();
  const recent = (key: string): number[] => {
    const now = clock.now();
    const list = (failures.get(key) ?? []).filter((t) => now - t < opts.windowMs);
    if (list.length === 0) failures.delete(key);
    else failures.set(key, list);
    return list;
  };
  return {
    check(key) {
      const list = recent(key);
      if (list.length < opts.maxFailures) return { allowed: true };
      return { allowed: false, retryAfterMs: Math.max(1, list[list.length - opts.maxFailures]! + opts.windowMs - clock.now()) };
    },
    fail(key) {
      const list = recent(key);
      list.push(clock.now());
      failures.delete(key);
      failures.set(key, list);
      if (failures.size > opts.maxKeys) failures.delete(failures.keys().next().value!);
    },
    succeed(key) {
      failures.delete(key);
    },
  };
}

const shared = new WeakMap<Db, LoginLimiter>();

/** The limiter of the app using `deps.db`: the API and the UI count failures together. */
export function loginLimiter(deps: { db: Db; clock: Clock }): LoginLimiter {
  let l = shared.get(deps.db);
  if (!l) {
    l = createLoginLimiter(deps.clock);
    shared.set(deps.db, l);
  }
  return l;
}
