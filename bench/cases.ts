// The benchmark policies shared by bench/render.ts and bench/filter.ts: 10 rules, 1,000 rules, 100k CIDRs, 100k real domains.
import { createRequire } from 'node:module';
import { checkPolicy } from '../server/policy/check.js';
import type { PacketSpecInput } from '../server/policy/packet-spec.js';
import type { Policy, PolicyInput } from '../server/policy/schema.js';

export interface BenchCase {
  name: string;
  policy: Policy;
  /** Set elements in the policy (for render's per-element figure). */
  elements: number;
  packets: PacketSpecInput[];
}

/** Deterministic pseudo-random numbers (xorshift32) so every run measures the same packets. */
export function rng(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
}

const ip4 = (n: number): string => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');

function valid(input: PolicyInput): Policy {
  const { policy, diagnostics } = checkPolicy(input);
  if (!policy) throw new Error(`bench policy invalid: ${JSON.stringify(diagnostics.slice(0, 3))}`);
  return policy;
}

function tenRules(): BenchCase {
  const policy = valid({
    name: 'ten',
    hook: 'input',
    defaultAction: 'drop',
    sets: { admins: { type: 'cidr', elements: ['10.0.0.0/8', '192.168.1.0/24'] } },
    rules: [
      { id: 'ssh', match: { proto: 'tcp', dstPorts: [22], src: '@admins' }, action: 'accept' },
      { id: 'web', match: { proto: 'tcp', dstPorts: [80, 443] }, action: 'accept' },
      { id: 'smtp', match: { proto: 'tcp', dstPorts: [25], src: ['203.0.113.0/24'] }, action: 'accept' },
      { id: 'imap', match: { proto: 'tcp', dstPorts: [993] }, action: 'accept' },
      { id: 'dns', match: { proto: 'udp', dstPorts: [53] }, action: 'accept' },
      { id: 'ntp', match: { proto: 'udp', dstPorts: [123], src: ['10.0.0.0/8'] }, action: 'accept' },
      { id: 'ping', match: { proto: 'icmp', icmpType: 8 }, action: 'accept' },
      { id: 'high', match: { proto: 'tcp', dstPorts: ['30000-40000'] }, action: 'drop' },
      { id: 'syslog', match: { proto: 'udp', dstPorts: [514], src: ['192.168.1.0/24'] }, action: 'accept' },
      { id: 'vpn', match: { proto: 'udp', dstPorts: [51820] }, action: 'accept' },
    ],
  });
  const r = rng(10);
  const ports = [22, 80, 443, 25, 993, 8080, 35000, 3389];
  const packets: PacketSpecInput[] = Array.from({ length: 64 }, (_, i) => ({
    src: i % 3 ? '10.1.2.3' : '198.51.100.9',
    dst: '192.168.1.1',
    proto: 'tcp',
    srcPort: 40000 + i,
    dstPort: ports[r() % ports.length],
  }));
  return { name: '10 rules', policy, elements: 4, packets };
}

/** 1,000 rules, each one destination address and port; half accept, half drop, in runs of 10. */
function thousandRules(): BenchCase {
  const rules = Array.from({ length: 1000 }, (_, i) => ({
    id: `r${i}`,
    match: { proto: 'tcp' as const, dst: [ip4((10 << 24) | (i << 8) | 1)], dstPorts: [1000 + i] },
    action: Math.floor(i / 10) % 2 ? ('accept' as const) : ('drop' as const),
  }));
  const policy = valid({ name: 'thousand', hook: 'forward', defaultAction: 'accept', rules });
  const r = rng(1000);
  const packets: PacketSpecInput[] = Array.from({ length: 64 }, () => {
    const i = r() % 1100;
    return { src: '192.0.2.1', dst: ip4((10 << 24) | ((i % 1000) << 8) | 1), proto: 'tcp', srcPort: 40000, dstPort: 1000 + i };
  });
  return { name: '1000 rules', policy, elements: 2000, packets };
}

function cidrSet(): BenchCase {
  const r = rng(100_000);
  const lens = [16, 20, 24, 24, 24, 28, 32, 32];
  const elements = new Set<string>();
  while (elements.size < 100_000) {
    const len = lens[r() % lens.length];
    const addr = len === 32 ? r() : (r() & ((0xffffffff << (32 - len)) >>> 0)) >>> 0;
    elements.add(`${ip4(addr)}/${len}`);
  }
  const list = [...elements];
  const policy = valid({ name: 'cidrs', hook: 'input', defaultAction: 'accept', sets: { blocked: { type: 'cidr', elements: list } }, rules: [{ id: 'blocked', match: { src: '@blocked' }, action: 'drop' }] });
  const packets: PacketSpecInput[] = Array.from({ length: 64 }, (_, i) => ({
    src: i % 2 ? list[r() % list.length].split('/')[0] : ip4(r()),
    dst: '192.168.1.1',
    proto: 'tcp',
    srcPort: 40000,
    dstPort: 443,
  }));
  return { name: '100k CIDR set', policy, elements: list.length, packets };
}

function domainSet(): BenchCase {
  const all = createRequire(import.meta.url)('disposable-email-domains') as string[];
  const list = all.slice(0, 100_000);
  const policy = valid({ name: 'domains', hook: 'output', defaultAction: 'accept', sets: { disposable: { type: 'domain', elements: list } }, rules: [{ id: 'disposable', match: { domains: '@disposable' }, action: 'drop' }] });
  const r = rng(7);
  const packets: PacketSpecInput[] = Array.from({ length: 64 }, (_, i) => {
    const name = i % 2 ? `mail.${list[r() % list.length]}` : `www.example${r() % 1000}.org`;
    return { src: '192.168.1.10', dst: '192.168.1.1', proto: 'udp', srcPort: 40000 + i, dns: { qname: name } };
  });
  return { name: '100k domain set', policy, elements: list.length, packets };
}

export function benchCases(): BenchCase[] {
  return [tenRules(), thousandRules(), cidrSet(), domainSet()];
}
