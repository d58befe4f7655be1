// Domain name normalisation for domain sets: lowercase punycode without a trailing dot, or a reason it can never match.
import { domainToASCII } from 'node:url';

export type DomainResult = { ok: true; value: string } | { ok: false; reason: string };

const MAX_NAME = 253;
const MAX_LABEL = 63;
/** Bytes a host name can carry in DNS, SNI and HTTP Host: letters, digits, hyphen, and underscore (SRV, DKIM, real lists). */
const LABEL = /^[a-z0-9_-]+$/;
const ASCII_NAME = /^[A-Za-z0-9_.-]*$/;
// A suffix label that is never numeric keeps the WHATWG host parser from reading the name as an IPv4 address.
const GUARD = '.lunawall-guard';

/**
 * Normalise one domain: Unicode → punycode (node:url's UTS #46), ASCII lowercased, one trailing dot
 * dropped, underscores kept. Rejected only when it can never match a name on the wire: empty labels,
 * labels over 63 bytes, names over 253 bytes, or bytes no host name carries.
 */
export function normalizeDomain(input: string): DomainResult {
  let s = input.endsWith('.') ? input.slice(0, -1) : input;
  if (s === '') return { ok: false, reason: 'empty name' };
  if (s.startsWith('*.')) {
    return { ok: false, reason: 'wildcards are implicit: "example.com" already matches every name under it' };
  }
  if (ASCII_NAME.test(s)) {
    s = s.toLowerCase();
  } else {
    // Reject ASCII punctuation up front: the URL host parser would cut the name at "/" or ":" instead.
    const bad = /[^\u0080-\uffffA-Za-z0-9_.-]/.exec(s);
    if (bad) return { ok: false, reason: `contains ${JSON.stringify(bad[0])}, which no host name carries` };
    const ascii = domainToASCII(s + GUARD);
    if (!ascii.endsWith(GUARD)) return { ok: false, reason: 'not a valid internationalised name (IDNA conversion failed)' };
    s = ascii.slice(0, -GUARD.length);
    if (s.endsWith('.')) s = s.slice(0, -1);
    if (s === '') return { ok: false, reason: 'empty name' };
  }
  return checkAscii(s);
}

function checkAscii(s: string): DomainResult {
  if (s.length > MAX_NAME) return { ok: false, reason: `name is ${s.length} bytes; at most ${MAX_NAME}` };
  const labels = s.split('.');
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i];
    if (l === '') return { ok: false, reason: `label ${i + 1} is empty` };
    if (l.length > MAX_LABEL) return { ok: false, reason: `label ${i + 1} is ${l.length} bytes; at most ${MAX_LABEL}` };
    if (!LABEL.test(l)) return { ok: false, reason: `label ${i + 1} (${JSON.stringify(l)}) has characters other than a-z 0-9 _ -` };
  }
  return { ok: true, value: s };
}

/** SEMANTICS.md: `name` matches `domain` when equal or ending in "." + domain (both lowercase ASCII). */
export function domainMatches(name: string, domain: string): boolean {
  if (name.length === domain.length) return name === domain;
  return name.length > domain.length && name.endsWith(domain) && name.charCodeAt(name.length - domain.length - 1) === 0x2e;
}
