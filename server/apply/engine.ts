// The apply engine: drives each apply through preflight, loading, probes and the confirm window, and rolls back.
import { createHash, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { Db } from '../db/index.js';
import type { KernelBackend } from '../kernel/backend.js';
import { policyName } from '../policy/schema.js';
import type { ApplyConfig } from './config.js';
import { ApplyEvents } from './events.js';
import { KernelSync, type SyncResult, type SyncStep } from './kernel-sync.js';
import { preflight } from './preflight.js';
import { storedPolicies } from './policy-source.js';
import { runProbes, type ProbeResult } from './probes/index.js';
import { isTerminal, type ApplyState } from './states.js';
import * as store from './store.js';
import {
  ApplyConflictError,
  ApplyForbiddenError,
  ApplyNotFoundError,
  ApplyRequestError,
  type ApplyClock,
  type ApplyEvent,
  type ApplyRequest,
  type ApplyStarted,
  type ApplySummary,
  type ApplyView,
  type JournalEntry,
  type PlanEntry,
} from './types.js';
import { markSetters } from './mark-setters.js';

export interface ApplyEngineDeps {
  db: Db;
  backend: KernelBackend;
  clock: ApplyClock;
  config: ApplyConfig;
  /** Interface name → ifindex for compiled scripts; default: the backend's ifindexes(), if it has one. */
  ifindexes?: () => Promise<Record<string, number>>;
  /** What marks packets on this system (mwan3, fw4 MARK rules); default: read from /etc/config. */
  markSetters?: () => string[];
  /** Where loud problems go besides the journal (a failed rollback); default stderr. */
  log?: (line: string) => void;
}

/** In-memory companion of an apply this process drives. */
export interface Run {
  id: string;
  /** Set by a rollback: the driver stops at its next step. */
  abort?: string;
  /** Resolves when the driver's current kernel sync has stopped. */
  syncing?: Promise<unknown>;
  cancels: (() => void)[];
  rollingBack?: Promise<ApplyView>;
}

export const MAX_CONFIRM_WINDOW = 3600;
const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');
const errText = (e: unknown) => (e instanceof Error ? e.message : String(e));

export class Engine {
  readonly events = new ApplyEvents();
  readonly kernel: KernelSync;
  private readonly runs = new Map<string, Run>();
  private closed = false;

  constructor(readonly deps: ApplyEngineDeps) {
    this.kernel = new KernelSync(deps.db, deps.backend, deps.clock);
  }

  private get db() {
    return this.deps.db;
  }
  private now() {
    return this.deps.clock.now();
  }
  log(line: string) {
    (this.deps.log ?? ((l: string) => process.stderr.write(`${l}\n`)))(line);
  }

  private publish(id: string, entry: JournalEntry, deadline: number | null) {
    this.events.emit({ type: 'journal', applyId: id, deadline, ...entry });
  }

  /** Transition + journal + event; returns false if the apply moved on meanwhile (a rollback won the race). */
  move(id: string, to: ApplyState, message: string, extra: Parameters<typeof store.transition>[5] = {}): boolean {
    try {
      const r = store.transition(this.db, id, to, this.now(), message, extra);
      this.publish(id, r.entry, r.deadline);
      return true;
    } catch (e) {
      if (e instanceof store.TransitionError) return false;
      throw e;
    }
  }

  note(id: string, kind: 'note' | 'error', message: string, detail?: unknown) {
    const entry = store.note(this.db, id, this.now(), kind, message, detail);
    this.publish(id, entry, this.get(id)?.deadline ?? null);
  }

  get(id: string): ApplyView | undefined {
    return store.getApply(this.db, id);
  }

  list(limit?: number): ApplySummary[] {
    return store.listApplies(this.db, limit);
  }

  active(): ApplySummary | undefined {
    return store.activeApply(this.db);
  }

  lastKnownGoodSet(): PlanEntry[] {
    return store.lastKnownGoodSet(this.db);
  }

  subscribe(id: string, listener: (e: ApplyEvent) => void): () => void {
    return this.events.subscribe(id, listener);
  }

  /** Resolves with the apply once it is in one of `states` (or finished). */
  waitFor(id: string, states: ApplyState[]): Promise<ApplyView> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const v = this.get(id);
        if (!v) {
          off();
          reject(new ApplyNotFoundError(id));
        } else if (states.includes(v.state) || isTerminal(v.state)) {
          off();
          resolve(v);
        }
      };
      const off = this.subscribe(id, check);
      check();
    });
  }

  /** Test hook (config.testPauseAt): stops this driver forever at the named point. */
  private async pause(id: string, point: string) {
    if (this.deps.config.testPauseAt !== point) return;
    this.log(`lunawall: test pause at ${point} (apply ${id})`);
    await new Promise<never>(() => undefined);
  }

  async start(req: ApplyRequest): Promise<ApplyStarted> {
    if (this.closed) throw new ApplyConflictError('the service is shutting down', null);
    const window = req.confirmWindow ?? this.deps.config.confirmWindow;
    if (!Number.isInteger(window) || window < 1 || window > MAX_CONFIRM_WINDOW) {
      throw new ApplyRequestError(`confirmWindow must be a whole number of seconds from 1 to ${MAX_CONFIRM_WINDOW}`, ['confirmWindow']);
    }
    const selection = req.policies;
    if (selection !== 'all') {
      if (!Array.isArray(selection) || selection.length === 0) throw new ApplyRequestError('policies must be "all" or a non-empty list of names', ['policies']);
      const known = new Set([...storedPolicies(this.db).map((p) => p.name), ...store.lastKnownGoodSet(this.db).map((e) => e.name)]);
      selection.forEach((n, i) => {
        if (!policyName.safeParse(n).success) throw new ApplyRequestError(`"${n}" is not a policy name`, ['policies', i]);
        if (!known.has(n)) throw new ApplyRequestError(`no policy named "${n}" is stored or loaded`, ['policies', i]);
        if (selection.indexOf(n) !== i) throw new ApplyRequestError(`"${n}" is listed twice`, ['policies', i]);
      });
    }
    const unchecked = req.unchecked === true;
    const guard = req.guard === false ? false : this.deps.config.guard;
    const id = randomUUID();
    const token = randomBytes(24).toString('base64url');
    const at = this.now();
    const deadline = unchecked ? null : at + window * 1000;
    const ins = store.insertApply(this.db, { id, tokenHash: sha256(token), startedBy: req.startedBy, selection, confirmWindow: window, unchecked, guard, deadline, at });
    if (!ins.ok) throw new ApplyConflictError(`apply ${ins.activeId} is still running; confirm or roll it back first`, ins.activeId);
    const run: Run = { id, cancels: [] };
    this.runs.set(id, run);
    const first = this.get(id)!.journal[0]!;
    this.publish(id, first, deadline);
    void this.drive(run, selection, guard, unchecked).catch((e) => this.crashed(run, e));
    return { id, token, deadline, state: 'pending' };
  }

  /** An unexpected exception in the driver: settle the apply the safe way. */
  private async crashed(run: Run, e: unknown) {
    this.log(`lunawall: apply ${run.id} driver error: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    const state = this.get(run.id)?.state;
    if (state && !isTerminal(state) && state !== 'rolling_back') await this.rollback(run.id, `internal error: ${errText(e)}`).catch(() => undefined);
  }

  private async drive(run: Run, selection: string[] | 'all', guard: boolean, unchecked: boolean) {
    const id = run.id;
    await this.pause(id, 'pending');
    const stored = storedPolicies(this.db);
    const lkg = store.lastKnownGoodSet(this.db);
    const storedNames = new Set(stored.map((p) => p.name));
    const selected = selection === 'all' ? stored : stored.filter((p) => selection.includes(p.name));
    const removed = (selection === 'all' ? lkg.map((e) => e.name) : selection).filter((n) => !storedNames.has(n));
    let pf: Awaited<ReturnType<typeof preflight>>;
    try {
      const info = await this.deps.backend.info();
      const ifindexes = await this.ifindexes();
      const cfg = this.deps.config;
      const markers = (this.deps.markSetters ?? markSetters)();
      pf = await preflight({ selected, base: lkg, removed, profile: info.profile, guard, ifindexes, markSetters: markers, lockout: { managementPorts: cfg.managementPorts, lanAddresses: cfg.lanAddresses, lanInterface: cfg.lanInterface } });
    } catch (e) {
      this.move(id, 'failed', `preflight error: ${errText(e)}`, { reason: `preflight error: ${errText(e)}` });
      return this.finish(run);
    }
    if (run.abort) return;
    if (!pf.ok) {
      const reason = pf.failures.map((f) => `${f.policy}: ${f.step}: ${f.message}`).join('; ');
      this.move(id, 'failed', `preflight failed: ${reason}`, { reason: `preflight failed: ${reason}`, detail: pf.failures });
      return this.finish(run);
    }
    const summary = `preflight passed: ${pf.changed.length} to load (${pf.changed.join(', ') || 'none'}), ${pf.unchanged.length} unchanged, ${pf.disabled.length + removed.length} to unload`;
    if (!this.move(id, 'preflighted', summary, { plan: pf.plan, detail: { changed: pf.changed, unchanged: pf.unchanged, disabled: pf.disabled, removed, warnings: pf.warnings } })) return;
    await this.pause(id, 'preflighted');
    if (!this.move(id, 'loading', 'loading the changed runtimes')) return;
    await this.pause(id, 'loading');
    let steps = 0;
    const sync = this.kernel.sync(pf.plan, {
      applyId: id,
      attempts: 1,
      stop: () => !!run.abort,
      onStep: async (s: SyncStep) => {
        this.note(id, s.ok ? 'note' : 'error', s.ok ? `${s.op === 'load' ? 'loaded' : 'unloaded'} ${s.name}${s.revision ? ` (revision ${s.revision})` : ''}` : `${s.op} ${s.name} failed: ${s.error}`);
        if (s.ok && ++steps === 1) await this.pause(id, 'loaded-one');
      },
    });
    run.syncing = sync.catch(() => undefined);
    let res: SyncResult;
    try {
      res = await sync;
    } catch (e) {
      res = { ok: false, stopped: false, loaded: [], unloaded: [], unchanged: [], errors: [{ op: 'load', name: '?', error: errText(e) }] };
    }
    run.syncing = undefined;
    if (run.abort) return;
    if (!res.ok) {
      const err = res.errors[0]!;
      await this.rollback(id, `load error: ${err.op} ${err.name}: ${err.error}`);
      return;
    }
    if (unchecked) {
      this.move(id, 'confirmed', `loaded (${res.loaded.length} loaded, ${res.unloaded.length} unloaded, ${res.unchanged.length} unchanged); unchecked apply: confirmed without probes or window`, { confirmLkg: pf.plan });
      return this.finish(run);
    }
    if (!this.move(id, 'probing', `loaded (${res.loaded.length} loaded, ${res.unloaded.length} unloaded, ${res.unchanged.length} unchanged); running probes`)) return;
    await this.pause(id, 'probing');
    const results = await this.probeRound(id, pf.plan);
    if (run.abort) return;
    if (results.some((r) => !r.ok)) return void (await this.rollback(id, this.probeReason(results)));
    const view = this.get(id)!;
    if (!this.move(id, 'awaiting_confirm', `probes passed; waiting for confirmation until ${new Date(view.deadline!).toISOString()}`, { detail: results })) return;
    await this.pause(id, 'awaiting_confirm');
    // A confirm or rollback may have come in while this driver was resuming.
    if (run.abort || this.get(id)?.state !== 'awaiting_confirm') return;
    this.arm(run, view.deadline!, pf.plan);
  }

  /** Injected, else the backend's own view; undefined (the emulator) means each policy's synthetic numbering. */
  private async ifindexes(): Promise<Record<string, number> | undefined> {
    if (this.deps.ifindexes) return this.deps.ifindexes();
    return this.deps.backend.ifindexes?.();
  }

  private probeReason(results: ProbeResult[]): string {
    const bad = results.find((r) => !r.ok)!;
    return `probe failed: ${bad.name}: ${bad.error ?? 'failed'}`;
  }

  private async probeRound(id: string, plan: PlanEntry[]): Promise<ProbeResult[]> {
    const results = await runProbes(this.deps.config.probes, {
      runtimes: plan.map((e) => e.name),
      health: (n) => this.deps.backend.health(n),
    });
    this.events.emit({ type: 'probes', applyId: id, at: this.now(), state: this.get(id)?.state ?? 'probing', results });
    return results;
  }

  /** The deadline timer and the repeating probes of the confirm window. */
  private arm(run: Run, deadline: number, plan: PlanEntry[]) {
    const { clock, config } = this.deps;
    run.cancels.push(clock.setTimeout(() => void this.rollback(run.id, `not confirmed within ${this.get(run.id)?.confirmWindow} s`).catch(() => undefined), Math.max(0, deadline - clock.now())));
    const tick = async () => {
      if (run.abort || this.get(run.id)?.state !== 'awaiting_confirm') return;
      const results = await this.probeRound(run.id, plan);
      if (run.abort || this.get(run.id)?.state !== 'awaiting_confirm') return;
      if (results.some((r) => !r.ok)) return void (await this.rollback(run.id, this.probeReason(results)).catch(() => undefined));
      run.cancels.push(clock.setTimeout(() => void tick(), config.probeIntervalMs));
    };
    run.cancels.push(clock.setTimeout(() => void tick(), config.probeIntervalMs));
  }

  private finish(run: Run) {
    for (const c of run.cancels.splice(0)) c();
    this.runs.delete(run.id);
  }

  /** Hashes and compares for an unknown id too, so the public confirm route takes as long either way. */
  private checkToken(id: string, token: unknown) {
    const given = Buffer.from(sha256(typeof token === 'string' ? token : ''), 'hex');
    const hash = store.tokenHashOf(this.db, id);
    const match = timingSafeEqual(given, hash === undefined ? Buffer.alloc(given.length) : Buffer.from(hash, 'hex'));
    if (hash === undefined) throw new ApplyNotFoundError(id);
    if (!match) throw new ApplyForbiddenError();
  }

  async confirm(id: string, token: string): Promise<ApplyView> {
    this.checkToken(id, token);
    const v = this.get(id)!;
    if (v.state !== 'awaiting_confirm') throw new ApplyConflictError(`apply ${id} is ${v.state}, not awaiting confirmation`, this.active()?.id ?? null, v.state);
    // The deadline, not the timer, decides: a confirm that arrives late (timer not yet run) is refused.
    if (v.deadline !== null && this.deps.clock.now() >= v.deadline) {
      void this.rollback(id, `not confirmed within ${v.confirmWindow} s`).catch(() => undefined);
      throw new ApplyConflictError(`apply ${id}'s confirm window has ended; it is being rolled back`, id, v.state);
    }
    const plan = store.planOf(this.db, id);
    if (!this.move(id, 'confirmed', 'confirmed; this set is now the last-known-good', { confirmLkg: plan })) {
      const now = this.get(id)!;
      throw new ApplyConflictError(`apply ${id} is ${now.state}, not awaiting confirmation`, this.active()?.id ?? null, now.state);
    }
    const run = this.runs.get(id);
    if (run) this.finish(run);
    return this.get(id)!;
  }

  /**
   * Undoes an apply: before loading it simply fails; after, the backend is brought back to the
   * last-known-good set, retrying load errors, and ends rolled_back or (loudly) rollback_failed.
   */
  async rollback(id: string, reason = 'rolled back on request'): Promise<ApplyView> {
    const v = this.get(id);
    if (!v) throw new ApplyNotFoundError(id);
    const run = this.runs.get(id) ?? { id, cancels: [] };
    if (run.rollingBack) return run.rollingBack;
    if (v.state === 'pending' || v.state === 'preflighted') {
      run.abort = reason;
      this.move(id, 'failed', `cancelled before anything was loaded: ${reason}`, { reason });
      this.finish(run);
      return this.get(id)!;
    }
    if (v.state === 'rolling_back' && !this.runs.has(id)) {
      // Left over from a crash: recover() owns it.
      throw new ApplyConflictError(`apply ${id} is already rolling back`, id, v.state);
    }
    if (!['loading', 'probing', 'awaiting_confirm', 'rollback_failed'].includes(v.state)) {
      throw new ApplyConflictError(`apply ${id} is ${v.state}; only an apply that is loading, probing, awaiting confirmation or whose rollback failed can be rolled back`, this.active()?.id ?? null, v.state);
    }
    const other = this.active();
    if (v.state === 'rollback_failed' && other && other.id !== id) {
      // Restoring now would pull the kernel out from under the running apply; that apply ends at a set of its own anyway.
      throw new ApplyConflictError(`apply ${other.id} is running; its confirmation or rollback settles the kernel`, other.id, v.state);
    }
    run.abort = reason;
    for (const c of run.cancels.splice(0)) c();
    this.runs.set(id, run);
    if (!this.move(id, 'rolling_back', `rolling back: ${reason}`, { reason })) return this.get(id)!;
    run.rollingBack = this.restore(run, reason, new Set()).finally(() => {
      run.rollingBack = undefined;
      this.finish(run);
    });
    return run.rollingBack;
  }

  /** Brings the backend back to last-known-good for an apply already in rolling_back. */
  async restore(run: Run, reason: string, untrusted: Set<string>): Promise<ApplyView> {
    const id = run.id;
    await this.pause(id, 'rolling_back');
    await run.syncing;
    const lkg = store.lastKnownGoodSet(this.db);
    const { config } = this.deps;
    let res: SyncResult;
    try {
      res = await this.kernel.sync(lkg, {
        applyId: null,
        untrusted,
        attempts: config.rollbackAttempts,
        retryDelayMs: config.rollbackRetryDelayMs,
        onStep: (s) => this.note(id, s.ok ? 'note' : 'error', s.ok ? `restored: ${s.op === 'load' ? 'loaded' : 'unloaded'} ${s.name}${s.revision ? ` (revision ${s.revision})` : ''}` : `rollback ${s.op} ${s.name} failed (attempt ${s.attempt} of ${config.rollbackAttempts}): ${s.error}`),
      });
    } catch (e) {
      // The backend could not even list its runtimes: rollback_failed, so a retry (or a restart) can finish it.
      res = { ok: false, stopped: false, loaded: [], unloaded: [], unchanged: [], errors: [{ op: 'load', name: '*', error: errText(e) }] };
    }
    const detail = { loaded: res.loaded, unloaded: res.unloaded, unchanged: res.unchanged, errors: res.errors };
    if (res.ok) {
      this.move(id, 'rolled_back', `rolled back to the last-known-good set (${lkg.length} runtimes): ${reason}`, { detail });
    } else {
      const what = res.errors.map((e) => `${e.op} ${e.name}: ${e.error}`).join('; ');
      const loud = `ROLLBACK INCOMPLETE after ${config.rollbackAttempts} attempts: ${what}. The kernel is NOT in the last-known-good state; fix the cause and roll back again (POST /api/v1/applies/${id}/rollback or lunawall rollback ${id}), or restart the service`;
      this.move(id, 'rollback_failed', loud, { reason: `${reason}; ${loud}`, detail });
      this.log(`lunawall: apply ${id}: ${loud}`);
    }
    return this.get(id)!;
  }

  /**
   * Stops timers; an apply still open is rolled back now (or failed, before loading), since nobody can
   * confirm it while the service is down, and its driver must not go on loading after close().
   */
  async close(): Promise<void> {
    this.closed = true;
    const open = [...this.runs.values()];
    await Promise.all(
      open.map(async (run) => {
        const state = this.get(run.id)?.state;
        if (state && !isTerminal(state)) await this.rollback(run.id, 'the service stopped before the apply was confirmed').catch(() => undefined);
        else this.finish(run);
      }),
    );
  }

  /** For recover(): settle an apply found unfinished at start-up. */
  adopt(id: string): Run {
    const run: Run = { id, cancels: [] };
    this.runs.set(id, run);
    return run;
  }
}
