// Brings the backend to a wanted set of runtimes, swapping only what changed; one kernel operation at a time.
import type { Db } from '../db/index.js';
import type { KernelBackend } from '../kernel/backend.js';
import { forgetLoaded, loadedSet, recordLoaded } from './store.js';
import type { ApplyClock, PlanEntry } from './types.js';

export interface SyncStep {
  op: 'load' | 'unload';
  name: string;
  revision?: number;
  ok: boolean;
  attempt: number;
  error?: string;
}

export interface SyncOptions {
  applyId: string | null;
  /** Names whose loaded text is not trusted (an interrupted apply may have changed them): reloaded regardless. */
  untrusted?: Set<string>;
  /** Tries per operation (1 = no retry) and the pause between tries. */
  attempts?: number;
  retryDelayMs?: number;
  onStep?(s: SyncStep): void | Promise<void>;
  /** Checked between operations; true stops the sync (an explicit rollback arrived). */
  stop?(): boolean;
}

export interface SyncResult {
  ok: boolean;
  stopped: boolean;
  loaded: string[];
  unloaded: string[];
  unchanged: string[];
  errors: { op: 'load' | 'unload'; name: string; error: string }[];
}

const message = (e: unknown): string => (e instanceof Error ? e.message : String(e));

export class KernelSync {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly db: Db,
    private readonly backend: KernelBackend,
    private readonly clock: ApplyClock,
  ) {}

  /** Runs `fn` after every earlier kernel operation of this engine has finished. */
  serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private wait(ms: number): Promise<void> {
    return new Promise((res) => this.clock.setTimeout(res, ms));
  }

  /**
   * Makes the backend hold exactly `wanted`: loads entries whose script differs from what is loaded
   * (or that are untrusted or not running), unloads running runtimes not wanted. With attempts = 1 it
   * stops at the first error; with retries it goes on and reports every runtime that still failed.
   */
  async sync(wanted: PlanEntry[], o: SyncOptions): Promise<SyncResult> {
    const attempts = o.attempts ?? 1;
    const res: SyncResult = { ok: true, stopped: false, loaded: [], unloaded: [], unchanged: [], errors: [] };
    const running = new Set(await this.serial(() => this.backend.list()));
    const believed = loadedSet(this.db);
    forgetLoaded(this.db, [...believed.keys()].filter((n) => !running.has(n)));
    const wantedNames = new Set(wanted.map((e) => e.name));
    const ops: { op: 'load' | 'unload'; name: string; entry?: PlanEntry }[] = [];
    for (const e of wanted) {
      const same = running.has(e.name) && believed.get(e.name)?.scriptHash === e.scriptHash && !o.untrusted?.has(e.name);
      if (same) res.unchanged.push(e.name);
      else ops.push({ op: 'load', name: e.name, entry: e });
    }
    for (const n of running) if (!wantedNames.has(n)) ops.push({ op: 'unload', name: n });

    for (const step of ops) {
      if (o.stop?.()) {
        res.stopped = true;
        res.ok = false;
        return res;
      }
      let last = '';
      let done = false;
      for (let attempt = 1; attempt <= attempts && !done; attempt++) {
        if (attempt > 1 && o.retryDelayMs) await this.wait(o.retryDelayMs);
        try {
          if (step.op === 'load') {
            const e = step.entry!;
            await this.serial(() => this.backend.load(e.name, e.script, e.loadOptions));
            recordLoaded(this.db, e.name, { revision: e.revision, scriptHash: e.scriptHash }, o.applyId, this.clock.now());
          } else {
            await this.serial(() => this.backend.unload(step.name));
            recordLoaded(this.db, step.name, null, o.applyId, this.clock.now());
          }
          done = true;
          await o.onStep?.({ op: step.op, name: step.name, revision: step.entry?.revision, ok: true, attempt });
        } catch (e) {
          last = message(e);
          // A failed load may have left the old runtime stopped or half-replaced: trust nothing about it.
          if (step.op === 'load') recordLoaded(this.db, step.name, null, o.applyId, this.clock.now());
          await o.onStep?.({ op: step.op, name: step.name, revision: step.entry?.revision, ok: false, attempt, error: last });
        }
      }
      if (done) (step.op === 'load' ? res.loaded : res.unloaded).push(step.name);
      else {
        res.ok = false;
        res.errors.push({ op: step.op, name: step.name, error: last });
        if (attempts === 1) return res;
      }
    }
    return res;
  }
}
