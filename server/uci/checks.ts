// Value checks for UCI options: each returns the value or why it was refused.
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

export type Check<T> = (raw: string) => { ok: true; value: T } | { ok: false; why: string };

const truthy = ['1', 'yes', 'on', 'true', 'enabled'];
const falsy = ['0', 'no', 'off', 'false', 'disabled'];

export const bool: Check<boolean> = (raw) =>
  truthy.includes(raw) ? { ok: true, value: true } : falsy.includes(raw) ? { ok: true, value: false } : { ok: false, why: "expected a boolean ('1' or '0')" };

export const int =
  (min: number, max: number): Check<number> =>
  (raw) =>
    /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max ? { ok: true, value: Number(raw) } : { ok: false, why: `expected an integer from ${min} to ${max}` };

export const oneOf =
  <T extends string>(values: readonly T[]): Check<T> =>
  (raw) =>
    (values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : { ok: false, why: `expected one of ${values.join(', ')}` };

export const address: Check<string> = (raw) => (isIP(raw) ? { ok: true, value: raw } : { ok: false, why: 'expected an IPv4 or IPv6 address' });

export const hostName: Check<string> = (raw) =>
  raw === '' || (raw.length <= 253 && /^(?!-)[A-Za-z0-9_-]{1,63}(\.(?!-)[A-Za-z0-9_-]{1,63})*\.?$/.test(raw))
    ? { ok: true, value: raw }
    : { ok: false, why: 'expected a DNS name or an empty string' };

export const httpUrl: Check<string> = (raw) => {
  if (raw === '') return { ok: true, value: raw };
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return { ok: true, value: raw };
  } catch {
    // not a URL at all: the error below says what is expected
  }
  return { ok: false, why: 'expected an http:// or https:// URL or an empty string' };
};

/** An address with its prefix (the router's own address in its subnet), e.g. 192.168.1.1/24. */
export const cidr: Check<string> = (raw) =>
  raw.includes('/') && ipaddr.isValidCIDR(raw) ? { ok: true, value: raw } : { ok: false, why: 'expected an address with prefix, e.g. 192.168.1.1/24' };
