// Marks: the compiled script registers once per listed mark, so the emulator and the reference evaluator agree for any skb mark.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { targetProfiles } from '../../server/compile/profile.js';
import { createEmulator } from '../../server/emulator/index.js';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';
import { hooks, type Policy } from '../../server/policy/schema.js';
import { openSimulation } from '../../server/simulate.js';

const pool = [0, 1, 0x100, 0x200, 0x3f00, 0x7fffffff, 0xffffffff];

function policyOf(marks: number[] | undefined, hook: (typeof hooks)[number]): Policy {
  const { policy, diagnostics } = checkPolicy({
    name: 'marked',
    hook,
    marks,
    defaultAction: 'drop',
    rules: [
      { id: 'count', action: 'log', match: { proto: 'tcp' } },
      { id: 'web', action: 'accept', match: { proto: 'tcp', dstPorts: [80, 443] } },
    ],
  });
  if (!policy) throw new Error(JSON.stringify(diagnostics));
  return policy;
}

describe('marks', () => {
  for (const profile of targetProfiles) {
    it(`${profile}: a packet meets the policy once when its mark is listed, never otherwise`, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.option(fc.uniqueArray(fc.constantFrom(...pool), { minLength: 1, maxLength: 4 }), { nil: undefined }),
          fc.constantFrom(...hooks),
          fc.array(fc.record({ mark: fc.constantFrom(...pool, 0x300), dstPort: fc.constantFrom(22, 80, 443) }), { minLength: 1, maxLength: 8 }),
          async (marks, hook, packets) => {
            const policy = policyOf(marks, hook);
            const sim = await openSimulation(policy, { profile });
            try {
              for (const p of packets) {
                const frame = buildFrame({ src: '192.0.2.1', dst: '198.51.100.2', proto: 'tcp', dstPort: p.dstPort });
                const want = evaluate(policy, parseFrame(frame, 'l2'), { target: 'netfilter', hook, mark: p.mark });
                const got = sim.run({ frame, mark: p.mark });
                expect({ ...got, p }).toEqual({ verdict: want.verdict, rule: want.rule, errors: 0, p });
                expect(want.rule === 'none').toBe(!(marks ?? [0]).includes(p.mark));
              }
            } finally {
              sim.close();
            }
          },
        ),
        { numRuns: 60 },
      );
    }, 120_000);
  }

  it('counts once per packet with several registrations, and an accepted packet is not run again', async () => {
    const policy = policyOf([0, 0x100, 0x200], 'forward');
    const emu = await createEmulator();
    try {
      await emu.load('m', compilePolicy(policy, { profile: 'lunatik-4' }).script, { profile: 'lunatik-4', target: 'netfilter' });
      for (const [dstPort, verdict] of [[22, 'drop'], [443, 'accept']] as const) {
        const before = emu.counters('m');
        const r = emu.run('m', { frame: buildFrame({ src: '192.0.2.1', dst: '198.51.100.2', proto: 'tcp', dstPort }), hook: 'forward', mark: 0x100 });
        const after = emu.counters('m');
        expect(r.verdict).toBe(verdict);
        expect(Object.fromEntries(Object.keys(after).filter((k) => after[k] !== before[k]).map((k) => [k, after[k]! - (before[k] ?? 0)]))).toEqual(
          verdict === 'drop' ? { count: 1, default: 1 } : { count: 1, web: 1 },
        );
      }
    } finally {
      emu.close();
    }
  });
});
