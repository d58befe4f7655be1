// Malformed-packet fuzz over random policy shapes: hostile frames never raise a Lua error or run out of budget,
// and the compiled script still agrees with the reference evaluator on them.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { targetProfiles } from '../../server/compile/profile.js';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';
import type { Policy, PolicyInput } from '../../server/policy/schema.js';
import { startsAtL2 } from '../../server/compile/target.js';
import { frameLayout } from '../../server/emulator/frame.js';
import { openSimulation } from '../../server/simulate.js';
import { devices, packetArb, policyArb, shapeArb } from '../compile/arbitraries.js';

/** Lunatik 3.6 hands netfilter hooks no device: drop device matches there (they do not compile). */
function forProfile(p: PolicyInput, profile: string): PolicyInput {
  if (profile !== 'lunatik-3.6' || p.target === 'xdp') return p;
  return { ...p, interfaces: undefined, rules: (p.rules ?? []).map((r) => ({ ...r, match: { ...r.match, iif: undefined, oif: undefined } })) };
}

const etherTypes = [0x0800, 0x86dd, 0x8100, 0x88a8, 0x0806];

/** Frames built to get past the first checks and then lie: random L3 bytes, cuts, byte edits, trailing junk. */
const hostileFrame: fc.Arbitrary<Uint8Array> = fc.oneof(
  fc.tuple(fc.constantFrom(...etherTypes), fc.uint8Array({ maxLength: 120 })).map(([t, body]) =>
    Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, t >> 8, t & 0xff, ...body]),
  ),
  fc.tuple(packetArb, fc.nat()).map(([spec, cut]) => {
    const f = buildFrame(spec);
    return f.slice(0, 14 + (cut % Math.max(1, f.length - 13)));
  }),
  fc.tuple(packetArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 8 })).map(([spec, edits]) => {
    const f = buildFrame(spec).slice();
    // Keep the EtherType: edits land in the IP header and above, where the script's parsers work.
    const l3 = f[12] === 0x81 || f[12] === 0x88 ? (f[16] === 0x81 ? 22 : 18) : 14;
    for (const [at, b] of edits) if (f.length > l3) f[l3 + (at % (f.length - l3))] = b;
    return f;
  }),
  fc.tuple(packetArb, fc.uint8Array({ minLength: 1, maxLength: 64 })).map(([spec, junk]) => Uint8Array.from([...buildFrame(spec), ...junk])),
);

/** What ip_rcv / ipv6_rcv would pass on: a header the lengths agree with (lunatik-3.6 scripts probe for it). */
function kernelConsistent(ip: Uint8Array, family: number): boolean {
  if (family === 4) {
    const declared = ip.length >= 4 ? (ip[2]! << 8) | ip[3]! : 0;
    return ip.length >= 20 && ip[0]! >> 4 === 4 && (ip[0]! & 15) >= 5 && declared >= (ip[0]! & 15) * 4 && declared <= ip.length;
  }
  return ip.length >= 40 && ip[0]! >> 4 === 6 && 40 + ((ip[4]! << 8) | ip[5]!) <= ip.length;
}

const cases = fc.record({
  shape: shapeArb,
  seed: fc.integer(),
  frames: fc.array(fc.tuple(hostileFrame, fc.constantFrom(undefined, ...devices)), { minLength: 5, maxLength: 25 }),
  // POST_ROUTING sees forwarded packets with a MAC header and local ones without (lunatik.md §2.4);
  // on lunatik-3.6 that moves the buffer start. Other hooks always see one kind.
  layer: fc.constantFrom('l2' as const, 'l3' as const),
});

describe.each(targetProfiles)('hostile frames on %s', (profile) => {
  it('no Lua error, no budget overrun, same verdict and rule as the evaluator', async () => {
    await fc.assert(
      fc.asyncProperty(cases, async ({ shape, seed, frames, layer }) => {
        const input = forProfile(fc.sample(policyArb(shape), { seed, numRuns: 1 })[0]!, profile);
        const { policy } = checkPolicy(input);
        if (!policy) return;
        const hookInput = policy.target === 'netfilter' && policy.hook === 'postrouting' ? layer : undefined;
        const sim = await openSimulation(policy as Policy, { profile, hookInput });
        try {
          for (const [frame, dev] of frames) {
            const r = sim.run({ frame, iif: dev, oif: dev });
            expect(r.errors, r.error).toBe(0);
            // The oracle parses what the hook is handed: the frame from L2, or the IP packet alone.
            const l2 = startsAtL2({ profile, target: policy.target, hook: policy.hook }) && hookInput !== 'l3';
            const layout = frameLayout(frame);
            const ip = frame.subarray(layout.l2len);
            // An IP packet whose version nibble contradicts its EtherType never reaches an inet hook
            // (ip_rcv/ipv6_rcv drop it), so there is nothing to compare where the hook sees L3 only.
            if (!l2 && layout.family !== 0 && (ip.length === 0 || ip[0] >> 4 !== layout.family)) continue;
            // A lunatik-3.6 script handed L3 where it may also get L2 (POST_ROUTING) has to probe where
            // the IP header is; only packets the kernel could deliver are unambiguous.
            if (profile === 'lunatik-3.6' && hookInput === 'l3' && !kernelConsistent(ip, layout.family)) continue;
            const seen = l2 || layout.family === 0 ? parseFrame(frame, 'l2') : parseFrame(ip, 'l3');
            const want = evaluate(policy, { ...seen, iif: dev, oif: dev }, { target: policy.target });
            expect({ verdict: r.verdict, rule: r.rule }).toEqual({ verdict: want.verdict, rule: want.rule });
          }
        } finally {
          sim.close();
        }
      }),
      { numRuns: 40 },
    );
  });
});
