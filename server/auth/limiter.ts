// Failed-login rate limit, shared by the API's Basic auth and the UI's login form of the same app.
import ipaddr from 'ipaddr.js';
import type { Clock } from '../clock.js';
import type { Db } from '../db/index.js';

export interface LoginLimiter {
  /** Whether `key` (the client address; see limiterKey) may try now; if not, how long until it may. */
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

/**
 * The bucket a client's failures count in. An IPv6 client usually holds a whole /64 and picks new
 * addresses in it at will (privacy extensions, RFC 8981), so it is counted per /64; an IPv4 client
 * per address (NAT puts many people behind one, and they would lock each other out sooner). An
 * IPv4-mapped address (::ffff:a.b.c.d, how a dual-stack socket reports IPv4 peers) is IPv4: as a
 * /64 all IPv4 clients would share one bucket. Anything that is not an address is kept as given.
 */
export function limiterKey(key: string): string {
  if (!ipaddr.isValid(key)) return key;
  const addr = ipaddr.process(key);
  if (!(addr instanceof ipaddr.IPv6)) return addr.toString();
  return `${new ipaddr.IPv6([...addr.parts.slice(0, 4), 0, 0, 0, 0]).toString()}/64`;
}

export function createLoginLimiter(clock: Clock, opts: LimiterOptions = defaultLimiterOptions): LoginLimiter {
  const failures = new Map<string, number[]>();
  /** The failures of `bucket` (a limiterKey) still inside the window. */
  const recent = (bucket: string): number[] => {
    const now = clock.now();
    const list = (failures.get(bucket) ?? []).filter((t) => now - t < opts.windowMs);
    if (list.length === 0) failures.delete(bucket);
    else failures.set(bucket, list);
    return list;
  };
  return {
    check(key) {
      const list = recent(limiterKey(key));
      if (list.length < opts.maxFailures) return { allowed: true };
      return { allowed: false, retryAfterMs: Math.max(1, list[list.length - opts.maxFailures]! + opts.windowMs - clock.now()) };
    },
    fail(key) {
      const bucket = limiterKey(key);
      const list = recent(bucket);
      list.push(clock.now());
      failures.delete(bucket);
      failures.set(bucket, list);
      if (failures.size > opts.maxKeys) failures.delete(failures.keys().next().value!);
    },
    succeed(key) {
      failures.delete(limiterKey(key));
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
