// Loading or replacing a lunatik policy step by step, and what each step's failure puts back.
import { mkdir, rm } from 'node:fs/promises';
import { dirname } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { LoadError, type LoadOptions } from './backend.js';
import type { KernelLog } from './kernel-log.js';
import { rewire } from './lunatik-rewire.js';
import { other, settle, type Loaded, type SavedSidecar, type SettleParts, type Sidecar, type Slot } from './lunatik-slots.js';
import type { LunatikVersion } from './lunatik-version.js';

export interface ReplaceParts extends SettleParts {
  log: KernelLog;
  /** The backend's memory of what it started, kept in step with the sidecar. */
  loaded: Map<string, Loaded>;
}

/** What one replace works with, fixed once the running slots are settled. */
interface Plan {
  name: string;
  /** The running slot; absent on a first load. */
  cur?: Slot;
  /** The free slot the new script goes into. */
  next: Slot;
  oldRt?: string;
  newRt: string;
  /** What the running slot was loaded with; absent on a first load. */
  before?: SavedSidecar;
  prevIfaces: string[];
  interfaces: string[];
  /** The free slot's script file. */
  path: string;
}

/**
 * Starts `script` in the free slot, moves XDP interfaces to it, records it as current, then stops
 * the old slot: there is no moment without a runtime on the hooks. A failure at any step leaves
 * the old slot running with its script, interfaces and sidecar, or says what could not be put back.
 * Where it can fail, in order:
 *
 * 1. `plan`: both slots run and cannot be settled. Nothing changes.
 * 2. `startNew`: writing the script, or `lunatik run`. The new file is removed; the old slot is untouched.
 * 3. `wireNew`: pointing or attaching XDP interfaces. `undo`.
 * 4. `commit`: writing the sidecar. `undo`.
 * 5. `stopOld`: the old slot still runs after `stop`. The sidecar is written back, then `undo`.
 *
 * `undo` gives the XDP interfaces back to the old slot and stops the new one; a failure of either
 * is added to the error. Every failure is a LoadError.
 */
export async function replace(p: ReplaceParts, v: LunatikVersion, name: string, script: string, opts: LoadOptions): Promise<void> {
  const plan = await planReplace(p, name, opts);
  await startNew(p, plan, script, v);
  // Both versions run from here until the old one stops: each packet meets both hooks, and a drop
  // from either drops it (briefly stricter, never looser). XDP interfaces switch in one map update.
  await wireNew(p, plan);
  const side = await commit(p, plan, opts);
  await stopOld(p, plan);
  await finish(p, plan, side);
}

async function planReplace(p: ReplaceParts, name: string, opts: LoadOptions): Promise<Plan> {
  const settled = await settle(p, name, p.slots.runningSlots(name, await p.cli.list()));
  if (settled.problem !== undefined) throw new LoadError(name, settled.problem);
  const cur = settled.slot;
  const next: Slot = cur === 'a' ? 'b' : 'a';
  const before = cur ? (p.loaded.get(name) ?? (await p.slots.readSidecar(name))) : undefined;
  return {
    name,
    cur,
    next,
    oldRt: cur && p.slots.runtime(name, cur),
    newRt: p.slots.runtime(name, next),
    before,
    prevIfaces: before?.interfaces ?? [],
    interfaces: opts.target === 'xdp' ? (opts.interfaces ?? []) : [],
    path: p.slots.scriptPath(name, next),
  };
}

async function startNew(p: ReplaceParts, plan: Plan, script: string, v: LunatikVersion): Promise<void> {
  const { name, path } = plan;
  // The free slot's file: nothing runs it, so it is written in place (a crash leaves a stale file, overwritten next time).
  await mkdir(dirname(path), { recursive: true });
  await writeFileAtomic(path, script).catch((e: Error) => {
    throw new LoadError(name, `writing ${path} failed: ${e.message}`);
  });
  const said = await p.cli.start(plan.newRt, v);
  if (said !== undefined) {
    await rm(path, { force: true }).catch(() => undefined);
    await forget(p, plan);
    throw new LoadError(name, said);
  }
}

async function wireNew(p: ReplaceParts, plan: Plan): Promise<void> {
  try {
    await rewire(p.xdp, { runtime: plan.oldRt, interfaces: plan.prevIfaces }, { runtime: plan.newRt, interfaces: plan.interfaces });
  } catch (err) {
    throw new LoadError(plan.name, `attaching the XDP loader failed: ${(err as Error).message}${await undo(p, plan)}`);
  }
}

/** The commit point: after a crash from here on, the sidecar makes the new slot the one kept. */
async function commit(p: ReplaceParts, plan: Plan, opts: LoadOptions): Promise<Sidecar> {
  const side: Sidecar = { target: opts.target, interfaces: plan.interfaces, slot: plan.next };
  try {
    await p.slots.writeSidecar(plan.name, side);
  } catch (err) {
    throw new LoadError(plan.name, `recording the load failed: ${(err as Error).message}${await undo(p, plan)}`);
  }
  return side;
}

async function stopOld(p: ReplaceParts, plan: Plan): Promise<void> {
  const { name, cur, oldRt } = plan;
  if (!cur || !oldRt) return;
  const stopped = await p.cli.stopChecked(oldRt);
  if (stopped === undefined) return;
  // The old version still runs: it stays, the new one goes, so the kernel is as before the load.
  // The sidecar is put back first, so a crash during the undo keeps the old version too.
  const back: Sidecar = { target: plan.before?.target ?? 'netfilter', interfaces: plan.prevIfaces, slot: cur };
  let note = await p.slots.writeSidecar(name, back).then(
    () => '',
    (e: Error) => `; writing back its sidecar failed: ${e.message}`,
  );
  note += await undo(p, plan);
  throw new LoadError(name, `stopping the running version failed: ${stopped}${note || '; the new version was stopped and the running one is kept'}`);
}

async function finish(p: ReplaceParts, plan: Plan, side: Sidecar): Promise<void> {
  await p.slots.discardScript(plan.name, other(plan.next));
  // Taken after the old version stopped: its errors from the overlap must not count against the
  // new one (a hook that fails logs on every packet, so the new one's first milliseconds are not missed).
  const since = await p.log.cursor().catch(() => undefined);
  if (since) p.loaded.set(plan.name, { ...side, since });
  else p.loaded.delete(plan.name);
}

/** Back to how things were: the old slot wired and running, the new one stopped and its file gone. Returns what could not be put back. */
async function undo(p: ReplaceParts, plan: Plan): Promise<string> {
  const { cur, oldRt, newRt } = plan;
  let note = '';
  try {
    await rewire(p.xdp, { runtime: newRt, interfaces: plan.interfaces }, { runtime: oldRt, interfaces: plan.prevIfaces });
  } catch (err) {
    note += `; giving the XDP interfaces back to ${oldRt} failed: ${(err as Error).message}`;
  }
  const stopped = await p.cli.stopChecked(newRt);
  if (stopped === undefined) await rm(plan.path, { force: true }).catch(() => undefined);
  else note += `; stopping ${newRt} again failed: ${stopped}${cur ? ` (both versions run; the next call keeps ${oldRt} and stops it)` : ''}`;
  await forget(p, plan);
  return note;
}

/** A first load that failed leaves no trace of the name; a replace keeps the old slot's record. */
async function forget(p: ReplaceParts, plan: Plan): Promise<void> {
  if (plan.cur) return;
  p.loaded.delete(plan.name);
  await rm(p.slots.sidecarPath(plan.name), { force: true }).catch(() => undefined);
}
