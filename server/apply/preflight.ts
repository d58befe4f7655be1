// Preflight: check, compile for the backend's profile, load in a scratch emulator, run packet tests and the anti-lockout check.
import { createHash } from 'node:crypto';
import { checkPolicy } from '../policy/check.js';
import { compilePolicy, syntheticIfindexes } from '../compile/index.js';
import { framesOf, openSimulation, testsOn, type Simulation } from '../simulate.js';
import { hasErrors, type Diagnostic } from '../policy/diagnostics.js';
import type { Policy } from '../policy/schema.js';
import type { TargetProfile } from '../compile/profile.js';
import type { LoadOptions } from '../kernel/backend.js';
import { packetsFor, type LockoutSettings } from './lockout.js';
import type { DraftPolicy } from './policy-source.js';
import type { PlanEntry } from './types.js';

export const scriptHash = (script: string): string => createHash('sha256').update(script).digest('hex');

export interface PreflightInput {
  /** Policies to take from their current drafts. */
  selected: DraftPolicy[];
  /** The set the kernel holds now (last-known-good); entries not selected are kept as they are. */
  base: PlanEntry[];
  /** Names to drop from the set (deleted from the store). */
  removed: string[];
  profile: TargetProfile;
  guard: boolean;
  lockout: LockoutSettings;
  /** Interface name → ifindex as loaded scripts see them; undefined: the emulator's synthetic numbering. */
  ifindexes?: Record<string, number>;
  /** What marks packets on this system (server/apply/mark-setters.ts): policies that list no marks are warned. */
  markSetters?: string[];
}

export interface PreflightFailure {
  policy: string;
  step: 'check' | 'compile' | 'load' | 'tests' | 'anti-lockout';
  message: string;
  diagnostics?: Diagnostic[];
  failures?: { name: string; expect: string; verdict: string; rule?: string; error?: string }[];
}

export type PreflightResult =
  | { ok: true; plan: PlanEntry[]; changed: string[]; unchanged: string[]; disabled: string[]; warnings: string[] }
  | { ok: false; failures: PreflightFailure[] };

const loadOptionsOf = (p: Policy): LoadOptions =>
  p.target === 'xdp' ? { target: 'xdp', interfaces: p.interfaces ?? [] } : { target: 'netfilter', hook: p.hook ?? 'input' };

/** Real ifindexes where the interface exists; names that do not exist get numbers no interface has. */
function ifindexesFor(p: Policy, real: Record<string, number> | undefined, warnings: string[]): Record<string, number> {
  if (!real) return syntheticIfindexes(p);
  const names = new Set<string>([...(p.interfaces ?? []), ...p.rules.flatMap((r) => [r.match.iif, r.match.oif]).filter((x): x is string => !!x)]);
  const out: Record<string, number> = {};
  let spare = 1 << 24;
  for (const n of names) {
    if (real[n] !== undefined) out[n] = real[n]!;
    else {
      out[n] = spare++;
      warnings.push(`${p.name}: interface ${n} does not exist here; its rules match nothing until a re-apply after it appears`);
    }
  }
  return out;
}

/** The policy's own packet tests, then (guard on) the anti-lockout packets, on its loaded simulation. */
function emulatorChecks(sim: Simulation, policy: Policy, input: PreflightInput): PreflightFailure[] {
  const tests = testsOn(sim, policy);
  const bad = tests.filter((t) => !t.passed);
  if (bad.length) {
    return [{
      policy: policy.name,
      step: 'tests',
      message: `${bad.length} of ${tests.length} packet tests fail`,
      failures: bad.map((t) => ({ name: t.name, expect: t.expect, verdict: t.verdict, rule: t.rule, ...(t.error ? { error: t.error } : {}) })),
    }];
  }
  if (!input.guard) return [];
  // packetsFor picks the packets the policy's own hook sees, which is where the simulation runs.
  const { probes } = packetsFor(policy, input.lockout);
  const results = framesOf(probes.map((p) => p.packet)).map((f) => sim.run(f));
  const dropped = results.map((r, i) => ({ r, p: probes[i]! })).filter(({ r }) => r.verdict !== 'accept');
  if (!dropped.length) return [];
  return [{
    policy: policy.name,
    step: 'anti-lockout',
    message: `would lock the LAN out of the management ports (${dropped.length} management packets dropped); apply with guard off to do it anyway`,
    failures: dropped.map(({ r, p }) => ({ name: p.name, expect: 'accept', verdict: r.verdict, rule: r.rule, ...(r.error ? { error: r.error } : {}) })),
  }];
}

/**
 * The XDP loader maps each interface to one runtime, so a second XDP policy on an interface would
 * silently replace the first (both reporting healthy): the set is refused instead.
 */
function sharedXdpInterfaces(plan: Iterable<PlanEntry>): PreflightFailure[] {
  const owner = new Map<string, string>();
  const out: PreflightFailure[] = [];
  for (const e of plan) {
    if (e.loadOptions.target !== 'xdp') continue;
    for (const i of e.loadOptions.interfaces ?? []) {
      const first = owner.get(i);
      if (first === undefined) owner.set(i, e.name);
      else out.push({ policy: e.name, step: 'check', message: `xdp interface ${i} is already used by policy ${first}; one XDP policy per interface` });
    }
  }
  return out;
}

/** Runs every check on the selected policies; stops at nothing, so the caller sees all failures at once. */
export async function preflight(input: PreflightInput): Promise<PreflightResult> {
  const failures: PreflightFailure[] = [];
  const warnings: string[] = [];
  const base = new Map(input.base.map((e) => [e.name, e]));
  const next = new Map<string, PlanEntry>();
  for (const e of input.base) if (!input.removed.includes(e.name)) next.set(e.name, e);
  const changed: string[] = [];
  const unchanged: string[] = [];
  const disabled: string[] = [];
  for (const sp of input.selected) {
    const checked = checkPolicy(sp.json);
    if (!checked.policy || hasErrors(checked.diagnostics)) {
      failures.push({ policy: sp.name, step: 'check', message: 'the stored policy does not pass its checks', diagnostics: checked.diagnostics.filter((d) => d.severity === 'error') });
      continue;
    }
    const policy = checked.policy;
    if (!policy.enabled) {
      next.delete(sp.name);
      disabled.push(sp.name);
      continue;
    }
    if (policy.target === 'netfilter' && policy.marks === undefined && input.markSetters?.length) {
      warnings.push(`${policy.name}: sees only unmarked packets (Lunatik skips a hook for other marks), and here ${input.markSetters.join('; ')}; list those marks in the policy's marks to filter them too`);
    }
    const ifindexes = ifindexesFor(policy, input.ifindexes, warnings);
    const compiled = compilePolicy(policy, { profile: input.profile, revision: sp.revision, ifindexes });
    if (hasErrors(compiled.diagnostics)) {
      failures.push({ policy: sp.name, step: 'compile', message: `cannot compile for ${input.profile}`, diagnostics: compiled.diagnostics.filter((d) => d.severity === 'error') });
      continue;
    }
    const entry: PlanEntry = { name: sp.name, revision: sp.revision, scriptHash: scriptHash(compiled.script), script: compiled.script, loadOptions: loadOptionsOf(policy) };
    next.set(sp.name, entry);
    // What is loaded already passed preflight when it was confirmed.
    if (base.get(sp.name)?.scriptHash === entry.scriptHash) {
      unchanged.push(sp.name);
      continue;
    }
    changed.push(sp.name);
    // The packet tests and the lockout check run the very script that will be loaded.
    let sim: Simulation;
    try {
      sim = await openSimulation(policy, { profile: input.profile, ifindexes, script: compiled.script });
    } catch (e) {
      failures.push({ policy: sp.name, step: 'load', message: `the script does not load: ${e instanceof Error ? e.message : String(e)}` });
      continue;
    }
    try {
      failures.push(...emulatorChecks(sim, policy, input));
    } finally {
      sim.close();
    }
  }
  failures.push(...sharedXdpInterfaces(next.values()));
  if (failures.length) return { ok: false, failures };
  return { ok: true, plan: [...next.values()], changed, unchanged, disabled, warnings };
}
