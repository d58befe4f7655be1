// Packet simulation: a policy compiled for a Lunatik profile, run in the emulator, verdict and deciding rule per packet.
import { compilePolicy, syntheticIfindexes } from './compile/index.js';
import type { TargetProfile } from './compile/profile.js';
import { createEmulator, type Emulator } from './emulator/index.js';
import { buildFrame } from './packet/index.js';
import { formatPath, hasErrors, type Diagnostic } from './policy/diagnostics.js';
import type { PacketSpec } from './policy/packet-spec.js';
import type { Hook, Policy, Verdict } from './policy/schema.js';

export interface SimOptions {
  profile?: TargetProfile;
  /** netfilter: simulate at this hook instead of the policy's own (the script is compiled for it). */
  hook?: Hook;
  /** netfilter: whether frames reach the hook with a MAC header (default: all but `output`). */
  hookInput?: 'l2' | 'l3';
  /** Interface name → ifindex as the script sees them (default: syntheticIfindexes). */
  ifindexes?: Record<string, number>;
  /** The script already compiled from this policy with these options: run exactly it, no second compile. */
  script?: string;
}

export interface SimResult {
  verdict: Verdict;
  /** The non-log rule whose counter rose, "default", or "none" (nothing counted, packet accepted). */
  rule: string;
  /** Hook errors this packet caused (0 or 1): the kernel would have accepted it and logged the error. */
  errors: number;
  error?: string;
}

export interface TestResult {
  name: string;
  expect: Verdict;
  verdict: Verdict;
  rule: string;
  passed: boolean;
  error?: string;
}

/** One frame with the interfaces it arrives on / leaves by (names, as in a policy). */
export interface SimFrame {
  frame: Uint8Array;
  iif?: string;
  oif?: string;
  /** skb->mark at the hook (netfilter only); default 0. */
  mark?: number;
}

/** The policy does not compile for the profile: the compiler's diagnostics. */
export class SimulationError extends Error {
  constructor(
    message: string,
    readonly diagnostics: Diagnostic[] = [],
  ) {
    super(message);
    this.name = 'SimulationError';
  }
}

// One emulator for the process; each simulation loads its own runtime and unloads it afterwards.
let shared: Promise<Emulator> | undefined;
let serial = 0;
const emulator = (): Promise<Emulator> => (shared ??= createEmulator());

/** A loaded simulation: frames in, results out. Close it when done. */
export interface Simulation {
  run(f: SimFrame): SimResult;
  close(): void;
}

export async function openSimulation(policy: Policy, opts: SimOptions = {}): Promise<Simulation> {
  const profile = opts.profile ?? 'lunatik-4';
  const netfilter = policy.target === 'netfilter';
  const hook: Hook = opts.hook ?? policy.hook ?? 'input';
  const compiled = netfilter ? { ...policy, hook } : policy;
  // A copy: devices the policy never names get numbers below, which must not leak to the caller.
  const ifindexes = { ...(opts.ifindexes ?? syntheticIfindexes(compiled)) };
  const script = opts.script ?? compileFor(compiled, profile, ifindexes);
  const emu = await emulator();
  const name = `sim-${process.pid}-${++serial}`;
  await emu.load(name, script, { profile, target: policy.target });
  // Start the deltas from the counters as loaded.
  emu.countersDelta(name);
  const logRules = new Set(policy.rules.filter((r) => r.action === 'log').map((r) => r.id));
  // A device the policy never names still has an ifindex, one that matches nothing.
  let nextIfindex = Math.max(0, ...Object.values(ifindexes)) + 1;
  const ifindexOf = (dev: string | undefined): number => {
    if (dev === undefined) return 0;
    ifindexes[dev] ??= nextIfindex++;
    return ifindexes[dev];
  };
  const outputSide = netfilter && (hook === 'output' || hook === 'postrouting');
  let closed = false;

  return {
    run(f: SimFrame): SimResult {
      const r = emu.run(name, {
        frame: f.frame,
        hook: netfilter ? hook : undefined,
        ifindex: netfilter && hook === 'output' ? undefined : ifindexOf(outputSide ? f.oif : f.iif),
        layer: netfilter ? opts.hookInput : undefined,
        mark: netfilter ? f.mark : undefined,
      });
      const risen = Object.keys(emu.countersDelta(name));
      const decider = risen.find((k) => k !== 'default' && !logRules.has(k)) ?? (risen.includes('default') ? 'default' : undefined);
      const res: SimResult = { verdict: r.verdict, rule: decider ?? 'none', errors: r.error === undefined ? 0 : 1 };
      if (r.error !== undefined) res.error = r.error;
      return res;
    },
    close() {
      if (closed) return;
      closed = true;
      emu.unload(name);
    },
  };
}

function compileFor(policy: Policy, profile: TargetProfile, ifindexes: Record<string, number>): string {
  const { script, diagnostics } = compilePolicy(policy, { profile, ifindexes });
  if (hasErrors(diagnostics)) {
    const first = diagnostics.find((d) => d.severity === 'error')!;
    throw new SimulationError(`policy does not compile for ${profile}: ${formatPath(first.path)}: ${first.message}`, diagnostics);
  }
  return script;
}

/** Runs JSON packets through a compiled policy; a packet that cannot be built is a SimulationError naming it. */
export async function simulatePolicy(policy: Policy, packets: PacketSpec[], opts: SimOptions = {}): Promise<SimResult[]> {
  const frames = framesOf(packets);
  const sim = await openSimulation(policy, opts);
  try {
    return frames.map((f) => sim.run(f));
  } finally {
    sim.close();
  }
}

/** JSON packets as frames; a packet that cannot be built is a SimulationError naming it. */
export function framesOf(packets: PacketSpec[]): SimFrame[] {
  return packets.map((p, i) => {
    try {
      return { frame: buildFrame(p), iif: p.iif, oif: p.oif, mark: p.mark };
    } catch (err) {
      throw new SimulationError(`packets[${i}]: ${(err as Error).message}`);
    }
  });
}

/** Runs the policy's own tests; a test passes when the verdict (and the rule, if given) match and no hook error occurred. */
export async function runPolicyTests(policy: Policy, opts: SimOptions = {}): Promise<TestResult[]> {
  if (policy.tests.length === 0) return [];
  const sim = await openSimulation(policy, opts);
  try {
    return testsOn(sim, policy);
  } finally {
    sim.close();
  }
}

/** The policy's own tests on a simulation already open for it. */
export function testsOn(sim: Simulation, policy: Policy): TestResult[] {
  return policy.tests.map((t): TestResult => {
    let frame: Uint8Array;
    try {
      frame = buildFrame(t.packet);
    } catch (err) {
      return { name: t.name, expect: t.expect, verdict: 'accept', rule: 'none', passed: false, error: `packet: ${(err as Error).message}` };
    }
    const r = sim.run({ frame, iif: t.packet.iif, oif: t.packet.oif, mark: t.packet.mark });
    const passed = r.error === undefined && r.verdict === t.expect && (t.rule === undefined || t.rule === r.rule);
    const out: TestResult = { name: t.name, expect: t.expect, verdict: r.verdict, rule: r.rule, passed };
    if (r.error !== undefined) out.error = r.error;
    return out;
  });
}
