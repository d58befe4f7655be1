// Destination port dispatch: the script stays small with many port ranges, and packets still try rules in policy order.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { lowerPolicy } from '../../server/compile/lower.js';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';
import type { Policy, PolicyInput } from '../../server/policy/schema.js';

const valid = (input: PolicyInput): Policy => {
  const { policy, diagnostics } = checkPolicy(input);
  if (!policy) throw new Error(JSON.stringify(diagnostics));
  return policy;
};

/** Deterministic spread of range starts, so the sizes below do not depend on a random seed. */
const start = (i: number, width: number): number => 1 + ((i * 7919) % (65534 - width));

function rangePolicy(name: string, widths: number[]): Policy {
  return valid({
    name,
    hook: 'input',
    rules: Array.from({ length: 400 }, (_, i) => {
      const w = widths[i % widths.length];
      const lo = start(i, w);
      return { id: `r${i}`, match: { proto: 'tcp' as const, src: [`10.${i % 256}.0.0/16`], dstPorts: [`${lo}-${lo + w}`] }, action: i % 2 ? ('accept' as const) : ('drop' as const) };
    }),
  });
}

const classesOf = (p: Policy) => lowerPolicy(p, { profile: 'lunatik-4', ifindexes: { lo: 1 } }).ir.families.flatMap((f) => f.classes);
const scanOf = (p: Policy) => classesOf(p).flatMap((c) => (c.scan ? [c.scan] : []));

describe('script size with many port ranges', () => {
  it('400 rules of a few hundred ports each stay below 300 KB (each port used to list every rule on it: 2.7 MB)', () => {
    const { script } = compilePolicy(rangePolicy('medium', [450, 300, 200, 400]), { profile: 'lunatik-4' });
    expect(script.length).toBeLessThan(300 * 1024);
  });

  it('400 rules of wide and narrow ranges, single ports among them, stay below 300 KB', () => {
    const p = rangePolicy('wide', [59000, 1000, 5000, 64, 20000, 0, 100, 40000]);
    const { script } = compilePolicy(p, { profile: 'lunatik-4' });
    expect(script.length).toBeLessThan(300 * 1024);
    // The scan is split by port and the table holds the small port lists: both paths below are real.
    expect(scanOf(p).some((s) => s.buckets.length > 1 && s.table.size > 0)).toBe(true);
  });
});

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator({ callBudget: 2_000_000 });
});
afterAll(() => emu.close());

const srcs = ['10.0.0.1', '10.1.0.1', '10.2.0.1', '10.3.0.1'];
/** Most ranges start low, so that single ports, small, medium and wide ranges overlap and order matters. */
const startArb = fc.oneof({ arbitrary: fc.integer({ min: 1, max: 3000 }), weight: 3 }, { arbitrary: fc.integer({ min: 1, max: 65535 }), weight: 1 });
const span = (min: number, max: number) => fc.tuple(startArb, fc.integer({ min, max })).map(([lo, w]) => `${lo}-${Math.min(65535, lo + w)}`);
const ports = fc.oneof(startArb.map((p) => String(p)), span(1, 63), span(64, 5000), span(10000, 65535));
const ruleArb = fc.record({
  proto: fc.constantFrom(undefined, 'tcp', 'tcp', 'udp'),
  src: fc.option(fc.constantFrom('10.0.0.0/16', '10.1.0.0/16', '10.2.0.0/16'), { nil: undefined }),
  dstPorts: fc.option(fc.uniqueArray(ports, { minLength: 1, maxLength: 3 }), { nil: undefined, freq: 6 }),
  action: fc.constantFrom('accept', 'drop', 'log'),
});
const policyArb = fc.array(ruleArb, { minLength: 5, maxLength: 300, size: 'max' }).map((rules) =>
  valid({
    name: 'ports',
    hook: 'input',
    defaultAction: 'accept',
    rules: rules.map((r, i) => {
      const match: Record<string, unknown> = {};
      if (r.proto) match.proto = r.proto;
      if (r.src) match.src = [r.src];
      if (r.dstPorts) match.dstPorts = r.dstPorts.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      return { id: `r${i}`, match, action: r.action };
    }),
  }),
);

/** Every range edge and its neighbours, so packets land on both sides of each boundary. */
function edges(p: Policy): number[] {
  const out = new Set<number>([0, 65535]);
  for (const r of p.rules) {
    for (const x of r.match.dstPorts ?? []) {
      const [lo, hi] = String(x).split('-').map(Number);
      for (const q of [lo - 1, lo, hi ?? lo, (hi ?? lo) + 1]) if (q >= 0 && q <= 65535) out.add(q);
    }
  }
  return [...out];
}

/** The loaded script ('ports') decides and counts like the reference evaluator. */
function compare(policy: Policy, spec: PacketSpecInput): void {
  const frame = buildFrame(spec);
  const want = evaluate(policy, parseFrame(frame, 'l2'), { target: 'netfilter' });
  const before = emu.counters('ports');
  const got = emu.run('ports', { frame, hook: 'input' });
  const after = emu.counters('ports');
  const counted = Object.keys(after).filter((key) => after[key] !== (before[key] ?? 0)).sort();
  expect({ error: got.error, verdict: got.verdict, counted, spec }).toEqual({ error: undefined, verdict: want.verdict, counted: [...want.counted].sort(), spec });
}

/**
 * Scanned log rules interleaved with table rules that all match the same packet: the counters show
 * exactly which rules ran before the one that decided, so any slip in the merge order shows.
 */
function interleaved(scanRange: (i: number) => string, tablePort: (i: number) => number): Policy {
  return valid({
    name: 'interleaved',
    family: 'ipv4',
    hook: 'input',
    rules: Array.from({ length: 40 }, (_, i) => [
      { id: `scan${i}`, match: { proto: 'tcp' as const, dstPorts: [scanRange(i)] }, action: 'log' as const },
      { id: `table${i}`, match: { proto: 'tcp' as const, src: [`10.${i}.0.0/16`], dstPorts: [tablePort(i), 7] }, action: i % 2 ? ('accept' as const) : ('drop' as const) },
    ]).flat(),
  });
}

describe('port table and scan agree with the reference evaluator', () => {
  it.each([
    ['one bucket', interleaved(() => '1-65535', () => 80)],
    ['many buckets', interleaved((i) => `${i * 1500 + 1}-${i * 1500 + 200}`, (i) => i * 1500 + 100)],
    ['envelopes that miss', interleaved((i) => `${i * 1500 + 150}-${i * 1500 + 900}`, (i) => i * 1500 + 100)],
  ])('merge order: %s', async (_label, policy) => {
    expect(scanOf(policy).length).toBe(1);
    await emu.load('ports', compilePolicy(policy, { profile: 'lunatik-4' }).script, { profile: 'lunatik-4', target: 'netfilter' });
    for (let i = 0; i < 40; i++) {
      for (const dstPort of [80, i * 1500 + 100, 7]) compare(policy, { src: `10.${i}.0.1`, dst: '192.168.1.1', proto: 'tcp', srcPort: 40000, dstPort });
    }
  });

  it('random range-heavy policies × packets on every range edge, fragments and IPv6 too', async () => {
    // Both ways of merging groups outside the table must be exercised: repeated in each port's list, and scanned.
    let split = 0;
    let repeated = 0;
    await fc.assert(
      fc.asyncProperty(policyArb, fc.integer(), async (policy, seed) => {
        const { script, diagnostics } = compilePolicy(policy, { profile: 'lunatik-4' });
        expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        if (scanOf(policy).some((s) => s.buckets.length > 1 && s.table.size > 0)) split++;
        if (classesOf(policy).some((c) => c.byPort && c.any.length > 0)) repeated++;
        await emu.load('ports', script, { profile: 'lunatik-4', target: 'netfilter' });
        const edge = edges(policy);
        for (let k = 0; k < 40; k++) {
          const n = Math.abs(seed + k * 2654435761) >>> 0;
          const spec: PacketSpecInput = {
            src: k % 9 === 8 ? '2001:db8::1' : srcs[n % srcs.length],
            dst: k % 9 === 8 ? '2001:db8::2' : '192.168.1.1',
            proto: n % 3 ? 'tcp' : 'udp',
            srcPort: 40000,
            dstPort: edge[n % edge.length],
            ...(k % 13 === 12 ? { fragment: { offset: 8, more: false } } : {}),
          };
          compare(policy, spec);
        }
      }),
      { numRuns: 100 },
    );
    expect([split > 0, repeated > 0]).toEqual([true, true]);
  }, 240_000);
});
