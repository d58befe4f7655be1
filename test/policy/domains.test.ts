// Domain normalisation: Unicode, case, trailing dot, underscores, rejections, and two real lists imported as sets.
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../server/policy/check.js';
import { domainMatches, normalizeDomain } from '../../server/policy/domains.js';

const require = createRequire(import.meta.url);

describe('normalizeDomain', () => {
  it.each([
    ['Example.COM', 'example.com'],
    ['example.com.', 'example.com'],
    ['_dmarc.example.com', '_dmarc.example.com'],
    ['ether_promo.kissr.com', 'ether_promo.kissr.com'],
    ['bücher.de', 'xn--bcher-kva.de'],
    ['BÜCHER.de.', 'xn--bcher-kva.de'],
    ['xn--bcher-kva.de', 'xn--bcher-kva.de'],
    ['ＥＸＡＭＰＬＥ.com', 'example.com'],
    ['例え.テスト', 'xn--r8jz45g.xn--zckzah'],
    ['faß.de', 'xn--fa-hia.de'],
    ['-edge-.com', '-edge-.com'],
    ['1.2.3.4', '1.2.3.4'],
    ['xn--a.com', 'xn--a.com'],
    ['a'.repeat(63) + '.com', 'a'.repeat(63) + '.com'],
  ])('%s → %s', (input, value) => {
    expect(normalizeDomain(input)).toEqual({ ok: true, value });
  });

  it.each([
    ['', 'empty'],
    ['.', 'empty'],
    ['a..b', 'label 2 is empty'],
    ['.example.com', 'label 1 is empty'],
    ['example.com..', 'empty'],
    ['a'.repeat(64) + '.com', '64 bytes'],
    [Array.from({ length: 64 }, () => 'abc').join('.'), 'at most 253'],
    ['*.example.com', 'wildcards'],
    ['foo bar.com', '" "'],
    ['example.com:8080', '":"'],
    ['a/b', '"/"'],
    ['bü/cher.de', '"/"'],
    ['bad\u0000.com', 'no host name'],
  ])('%j is rejected (%s)', (input, reason) => {
    const r = normalizeDomain(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain(reason);
  });

  it('never turns a name into an address or cuts it short', () => {
    expect(normalizeDomain('0x7f.1')).toEqual({ ok: true, value: '0x7f.1' });
    expect(normalizeDomain('０x7f.1')).toEqual({ ok: true, value: '0x7f.1' });
    expect(normalizeDomain('１２７.0.0.1')).toEqual({ ok: true, value: '127.0.0.1' });
    expect(normalizeDomain('ｂü.com／x')).toEqual({ ok: false, reason: expect.stringContaining('IDNA') });
  });
});

describe('domainMatches', () => {
  it('is a label-exact suffix match', () => {
    expect(domainMatches('ads.example.com', 'ads.example.com')).toBe(true);
    expect(domainMatches('x.ads.example.com', 'ads.example.com')).toBe(true);
    expect(domainMatches('badads.example.com', 'ads.example.com')).toBe(false);
    expect(domainMatches('example.com', 'ads.example.com')).toBe(false);
  });
});

/** Import a real list as a domain set: every element is normalised or reported by its index. */
function importList(elements: string[]) {
  const { policy, diagnostics } = checkPolicy({
    name: 'reallist',
    hook: 'forward',
    sets: { list: { type: 'domain', elements } },
    rules: [{ id: 'block', action: 'drop', match: { domains: '@list' } }],
  });
  const bad = new Map(diagnostics.filter((d) => d.code === 'domain.invalid').map((d) => [d.path[3] as number, d]));
  for (const d of bad.values()) expect(d.path.slice(0, 3)).toEqual(['sets', 'list', 'elements']);
  expect(diagnostics.filter((d) => d.code !== 'domain.invalid')).toEqual([]);
  expect(policy === undefined).toBe(bad.size > 0);
  for (let i = 0; i < elements.length; i++) {
    const r = normalizeDomain(elements[i]);
    expect(r.ok, elements[i]).toBe(!bad.has(i));
    if (policy && r.ok) expect(policy.sets.list.elements[i]).toBe(r.value);
  }
  return { policy, bad };
}

describe('real lists as domain sets', () => {
  it('eth-phishing-detect blacklist', () => {
    const config = require('eth-phishing-detect/src/config.json') as { blacklist: string[] };
    expect(config.blacklist.length).toBeGreaterThan(10_000);
    const { policy, bad } = importList(config.blacklist);
    expect(bad.size).toBe(0);
    expect(policy!.sets.list.elements).toContain('ether_promo.kissr.com');
  });

  it('disposable-email-domains (120k, with Unicode entries)', () => {
    const list = require('disposable-email-domains/index.json') as string[];
    expect(list.length).toBeGreaterThan(100_000);
    const { policy, bad } = importList(list);
    expect(bad.size).toBe(0);
    const els = policy!.sets.list.elements as string[];
    expect(els).toContain('xn--instgram-cza.com');
    expect(els.every((e) => /^[a-z0-9_.-]+$/.test(e))).toBe(true);
  });

  it('a real list with hostile lines mixed in reports exactly those lines', () => {
    const list = (require('disposable-email-domains/index.json') as string[]).slice(0, 2000);
    const hostile = new Map<number, string>([[3, 'bad..name'], [700, '*.wild.com'], [1999, 'x'.repeat(64) + '.com'], [1000, 'host name.com']]);
    for (const [i, v] of hostile) list[i] = v;
    const { bad } = importList(list);
    expect([...bad.keys()].sort((a, b) => a - b)).toEqual([...hostile.keys()].sort((a, b) => a - b));
  });
});
