// Test kit for the apply engine: a manual clock, a backend wrapper that fails on demand, policies and a set-up.
import { openDb, type Db } from '../../server/db/index.js';
import { savePolicy } from '../../server/db/policies.js';
import { EmulatorBackend } from '../../server/kernel/emulator.js';
import { LoadError, type Health, type KernelBackend, type LoadOptions } from '../../server/kernel/backend.js';
import { createApplyEngine, applyDefaults, type ApplyClock, type ApplyConfig, type ApplyEngine, type CreateApplyEngineDeps } from '../../server/apply/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import type { PolicyInput } from '../../server/policy/schema.js';

/** Timers fire only when a test advances time. */
export class ManualClock implements ApplyClock {
  private t = Date.UTC(2026, 10, 27, 12, 0, 0);
  private timers: { at: number; fn: () => void; seq: number }[] = [];
  private seq = 0;
  now() {
    return this.t;
  }
  setTimeout(fn: () => void, ms: number) {
    const timer = { at: this.t + ms, fn, seq: this.seq++ };
    this.timers.push(timer);
    return () => {
      this.timers = this.timers.filter((x) => x !== timer);
    };
  }
  /** Moves time forward, firing due timers in order (and letting the async work they start run). */
  async advance(ms: number) {
    const end = this.t + ms;
    for (;;) {
      const due = this.timers.filter((x) => x.at <= end).sort((a, b) => a.at - b.at || a.seq - b.seq)[0];
      if (!due) break;
      this.timers = this.timers.filter((x) => x !== due);
      this.t = Math.max(this.t, due.at);
      due.fn();
      await settle();
    }
    this.t = end;
    await settle();
  }
  pending() {
    return this.timers.length;
  }
  /** Moves time without running due timers: an event loop too busy to have fired them yet. */
  jump(ms: number) {
    this.t += ms;
  }
}

/** Lets promise chains and I/O callbacks run. */
export async function settle(rounds = 5) {
  for (let i = 0; i < rounds; i++) await new Promise((r) => setImmediate(r));
}

/** Wraps a backend: loads of chosen runtimes fail (n times or always), health reports chosen errors; every call is recorded. */
export class FlakyBackend implements KernelBackend {
  readonly calls: { op: 'load' | 'unload'; name: string; script?: string }[] = [];
  private loadFailures = new Map<string, { left: number; text: string; when?: (script: string) => boolean }>();
  private sick = new Map<string, string[]>();

  constructor(readonly inner: KernelBackend) {}

  private gates = new Map<string, Promise<void>>();

  /** The next load of `name` waits until the returned function is called. */
  hold(name: string): () => void {
    let release!: () => void;
    this.gates.set(name, new Promise<void>((r) => (release = r)));
    return () => {
      this.gates.delete(name);
      release();
    };
  }

  failLoad(name: string, times: number, text = 'injected load error', when?: (script: string) => boolean) {
    this.loadFailures.set(name, { left: times, text, when });
  }
  clearFailures() {
    this.loadFailures.clear();
    this.sick.clear();
  }
  makeSick(name: string, errors: string[]) {
    this.sick.set(name, errors);
  }

  info() {
    return this.inner.info();
  }
  list() {
    return this.inner.list();
  }
  async load(name: string, script: string, opts: LoadOptions) {
    this.calls.push({ op: 'load', name, script });
    await this.gates.get(name);
    const f = this.loadFailures.get(name);
    if (f && f.left > 0 && (!f.when || f.when(script))) {
      f.left--;
      throw new LoadError(name, f.text);
    }
    await this.inner.load(name, script, opts);
    this.sick.delete(name);
  }
  async unload(name: string) {
    this.calls.push({ op: 'unload', name });
    await this.inner.unload(name);
  }
  async health(name: string): Promise<Health> {
    const errors = this.sick.get(name);
    if (errors) return { ok: false, errors };
    return this.inner.health(name);
  }
  close() {
    return this.inner.close?.() ?? Promise.resolve();
  }
}

export const testApplyConfig = (over: Partial<ApplyConfig> = {}): ApplyConfig => ({
  ...applyDefaults,
  probes: [{ kind: 'health', timeoutMs: 2_000 }],
  managementPorts: [8080, 22],
  lanAddresses: ['10.200.1.1/24'],
  lanInterface: 'lan0',
  rollbackRetryDelayMs: 0,
  ...over,
});

export interface Kit {
  db: Db;
  clock: ManualClock;
  backend: FlakyBackend;
  engine: ApplyEngine;
  /** What the engine logged (test pauses, failed rollbacks). */
  logs: string[];
  save(p: PolicyInput): number;
  close(): Promise<void>;
}

export function makeKit(over: Partial<ApplyConfig> = {}, shared?: { db: Db; backend: FlakyBackend; clock: ManualClock }, deps: Partial<CreateApplyEngineDeps> = {}): Kit {
  const db = shared?.db ?? openDb(':memory:');
  const clock = shared?.clock ?? new ManualClock();
  const backend = shared?.backend ?? new FlakyBackend(new EmulatorBackend());
  const logs: string[] = [];
  const engine = createApplyEngine({ db, backend, clock, config: testApplyConfig(over), log: (l) => logs.push(l), markSetters: () => [], ...deps });
  return {
    db,
    clock,
    backend,
    engine,
    logs,
    save(p) {
      const checked = checkPolicy(p);
      if (!checked.policy) throw new Error(`fixture does not check: ${JSON.stringify(checked.diagnostics)}`);
      return savePolicy(db, checked.policy, { author: 'test', now: clock.now(), mode: 'upsert' }).stored.revision;
    },
    async close() {
      await engine.close();
      await backend.close();
    },
  };
}

/** Accepts everything; its test proves it. `marker` changes the script so a re-apply really loads something. */
export const openPolicy = (name: string, marker = 1): PolicyInput => ({
  name,
  hook: 'input',
  defaultAction: 'accept',
  rules: [{ id: `r${marker}`, action: 'drop', match: { proto: 'tcp', dstPorts: [9000 + marker] } }],
  tests: [{ name: 'web passes', packet: { src: '10.200.1.2', dst: '10.200.1.1', proto: 'tcp', dstPort: 80 }, expect: 'accept' }],
});

/** Drops the management port 8080 from the LAN: the anti-lockout check must refuse it. */
export const lockoutPolicy = (name = 'lockout'): PolicyInput => ({
  name,
  hook: 'input',
  defaultAction: 'accept',
  rules: [{ id: 'no-ui', action: 'drop', match: { proto: 'tcp', dstPorts: [8080] } }],
});

/** Its own packet test fails. */
export const brokenTestPolicy = (name = 'broken'): PolicyInput => ({
  name,
  hook: 'input',
  defaultAction: 'accept',
  rules: [{ id: 'r1', action: 'drop', match: { proto: 'tcp', dstPorts: [25] } }],
  tests: [{ name: 'smtp passes (wrong)', packet: { src: '10.200.1.2', dst: '10.200.1.1', proto: 'tcp', dstPort: 25 }, expect: 'accept' }],
});
