// Malformed-packet fuzz: truncated, mutated, random and hostile frames never raise a Lua error or exhaust the budget.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { targetProfiles } from '../../server/compile/profile.js';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { buildFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import type { Hook, Policy } from '../../server/policy/schema.js';
import { packetArb } from './arbitraries.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator({ callBudget: 100_000 });
});
afterAll(() => emu.close());

const golden = (name: string): Policy => checkPolicy(JSON.parse(readFileSync(new URL(`../golden/${name}/policy.json`, import.meta.url), 'utf8'))).policy!;

/** Domain rules on every hook so the DNS, TLS and HTTP parsers see the hostile bytes too. */
function fuzzPolicies(): { label: string; policy: Policy; hooks: (Hook | undefined)[] }[] {
  const web = golden('web-input');
  const edge = golden('xdp-edge');
  const v6 = golden('ipv6-forward');
  const merged = golden('merged-postrouting');
  const withNames = { ...edge, rules: [...edge.rules, ...web.rules.filter((r) => r.match.domains !== undefined).map((r) => ({ ...r, match: { domains: ['example.com', 'a.b'] } }))] };
  return [
    { label: 'web', policy: web, hooks: ['input', 'output', 'prerouting'] },
    { label: 'v6', policy: v6, hooks: ['forward', 'output'] },
    { label: 'merged', policy: merged, hooks: ['postrouting', 'output'] },
    { label: 'xdp', policy: withNames, hooks: [undefined] },
  ];
}

const hostileFrames: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.uint8Array({ maxLength: 160 }),
  // A valid frame cut short anywhere.
  fc.tuple(packetArb, fc.nat()).map(([spec, cut]) => {
    const f = buildFrame(spec);
    return f.subarray(0, cut % (f.length + 1));
  }),
  // A valid frame with bytes overwritten (lengths, offsets, label lengths …).
  fc.tuple(packetArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 })).map(([spec, edits]) => {
    const f = buildFrame(spec).slice();
    for (const [at, b] of edits) f[14 + (at % Math.max(1, f.length - 14))] = b;
    return f;
  }),
  // A valid frame followed by junk the IP length does not cover.
  fc.tuple(packetArb, fc.uint8Array({ maxLength: 40 })).map(([spec, junk]) => Uint8Array.from([...buildFrame(spec), ...junk])),
);

describe('malformed packets', () => {
  for (const profile of targetProfiles) {
    for (const { label, policy, hooks } of fuzzPolicies()) {
      for (const hook of hooks) {
        it(`${profile} ${label} ${hook ?? 'xdp'}`, async () => {
          const p = profile === 'lunatik-3.6' && policy.target === 'netfilter' ? { ...policy, interfaces: undefined, rules: policy.rules.map((r) => ({ ...r, match: { ...r.match, iif: undefined, oif: undefined } })) } : policy;
          const { script, diagnostics } = compilePolicy(p, { profile });
          expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
          await emu.load('fuzz', script, { profile, target: p.target });
          fc.assert(
            fc.property(hostileFrames, (frame) => {
              const r = emu.run('fuzz', { frame, hook, ifindex: 2 });
              expect(r.error).toBeUndefined();
              expect(r.fatal).toBeFalsy();
            }),
            { numRuns: 400 },
          );
          expect(emu.health('fuzz')).toMatchObject({ errorCount: 0, fatalCount: 0 });
        });
      }
    }
  }
});

const hexOf = (s: string | Uint8Array): string => Buffer.from(s as string).toString('hex');

/** Worst cases for the name parsers: the longest walks the semantics allow. */
function worstPayloads(): { label: string; proto: 'tcp' | 'udp'; dstPort: number; payloadHex: string }[] {
  const spaces = ' '.repeat(1800);
  const http = `GET / HTTP/1.1\r\n${'x: y\r\n'.repeat(300)}Host:${spaces}a${spaces}\r\n\r\n`;
  const dns = Uint8Array.from([0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, ...Array.from({ length: 126 }, () => [1, 0x61]).flat(), 0, 0, 1, 0, 1]);
  const ext = Array.from({ length: 40 }, () => [0, 21, 0, 0]).flat();
  const tls = Uint8Array.from([0x16, 3, 1, 0, 0, 1, 0, 0, 0, 3, 3, ...new Array(32).fill(0), 0, 0, 2, 0x13, 1, 1, 0, (ext.length >> 8) & 0xff, ext.length & 0xff, ...ext]);
  return [
    { label: 'http', proto: 'tcp', dstPort: 80, payloadHex: hexOf(http) },
    { label: 'dns', proto: 'udp', dstPort: 53, payloadHex: hexOf(dns) },
    { label: 'tls', proto: 'tcp', dstPort: 443, payloadHex: hexOf(tls) },
  ];
}

describe('longest parser walks stay far inside the instruction budget', () => {
  it.each(worstPayloads().map((w) => [w.label, w] as const))('%s', async (_l, w) => {
    const { script } = compilePolicy(fuzzPolicies()[0].policy, { profile: 'lunatik-4' });
    await emu.load('worst', script, { profile: 'lunatik-4', target: 'netfilter' });
    const frame = buildFrame({ src: '10.0.0.1', dst: '10.0.0.2', proto: w.proto, srcPort: 1234, dstPort: w.dstPort, payloadHex: w.payloadHex });
    const r = emu.run('worst', { frame, hook: 'input' });
    expect(r.error).toBeUndefined();
    expect(r.fatal).toBeFalsy();
  });
});
