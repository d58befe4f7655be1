// Differential property test: compiled Lua in the emulator agrees with the reference evaluator on verdict and counted rules.
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { compilePolicy, syntheticIfindexes } from '../../server/compile/index.js';
import { targetProfiles, type TargetProfile } from '../../server/compile/profile.js';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { buildFrame, parseFrame } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';
import type { PacketSpecInput } from '../../server/policy/packet-spec.js';
import type { Policy, PolicyInput } from '../../server/policy/schema.js';
import { packetArb, policyArb, shapeArb } from './arbitraries.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator({ callBudget: 200_000 });
});
afterAll(() => emu.close());

/** Lunatik 3.6 netfilter hooks, and every output hook, get no device: the same policy without interfaces, iif and oif. */
function forProfile(input: PolicyInput, profile: TargetProfile): PolicyInput {
  const noDevice = input.target !== 'xdp' && (profile === 'lunatik-3.6' || input.hook === 'output');
  if (!noDevice) return input;
  return {
    ...input,
    interfaces: undefined,
    rules: (input.rules ?? []).map((r) => {
      const { iif: _i, oif: _o, ...match } = r.match ?? {};
      return { ...r, match };
    }),
  };
}

function deviceOf(policy: Policy, spec: PacketSpecInput, profile: TargetProfile): { name?: string; ifindex?: number } {
  if (profile === 'lunatik-3.6' && policy.target === 'netfilter') return {};
  const outputSide = policy.target === 'netfilter' && (policy.hook === 'output' || policy.hook === 'postrouting');
  const name = outputSide ? spec.oif : spec.iif;
  if (name === undefined) return {};
  const map = syntheticIfindexes(policy);
  return { name, ifindex: Object.hasOwn(map, name) ? map[name] : 100 };
}

async function check(input: PolicyInput, packets: PacketSpecInput[], profile: TargetProfile): Promise<void> {
  const { policy, diagnostics } = checkPolicy(forProfile(input, profile));
  if (!policy) throw new Error(`generator made an invalid policy: ${JSON.stringify(diagnostics)}`);
  const { script, diagnostics: cd } = compilePolicy(policy, { profile });
  expect(cd.filter((d) => d.severity === 'error')).toEqual([]);
  await emu.load('diff', script, { profile, target: policy.target });
  for (const spec of packets) {
    const frame = buildFrame(spec);
    const dev = deviceOf(policy, spec, profile);
    const outputSide = policy.target === 'netfilter' && (policy.hook === 'output' || policy.hook === 'postrouting');
    const parsed = { ...parseFrame(frame, 'l2'), ...(dev.name === undefined ? {} : outputSide ? { oif: dev.name } : { iif: dev.name }) };
    const want = evaluate(policy, parsed, { target: policy.target });
    const before = emu.counters('diff');
    const got = emu.run('diff', { frame, hook: policy.hook, ifindex: dev.ifindex });
    const after = emu.counters('diff');
    const counted = Object.keys(after).filter((k) => after[k] !== (before[k] ?? 0)).sort();
    const ctx = { profile, spec, script: script.length };
    expect({ error: got.error, verdict: got.verdict, counted, ctx }).toEqual({ error: undefined, verdict: want.verdict, counted: [...want.counted].sort(), ctx });
  }
}

describe('compiled policies agree with the reference evaluator', () => {
  for (const profile of targetProfiles) {
    it(`${profile}: random policies × random packets (netfilter and xdp, every hook)`, async () => {
      await fc.assert(
        fc.asyncProperty(
          shapeArb.chain((s) => fc.tuple(policyArb(s), fc.array(packetArb, { minLength: 1, maxLength: 12 }))),
          async ([policy, packets]) => check(policy, packets, profile),
        ),
        { numRuns: 300 },
      );
    }, 240_000);
  }
});
