// Crash recovery at start-up: settle every unfinished apply and make the backend hold exactly the last-known-good set.
import type { Engine } from './engine.js';
import * as store from './store.js';
import type { ApplyState } from './states.js';

export interface RecoveryReport {
  /** Applies found unfinished and rolled back (or whose rollback failed again). */
  rolledBack: string[];
  rollbackFailed: string[];
  /** Applies interrupted before anything was loaded: marked failed. */
  failed: string[];
  /** What the start-up sync changed in the backend. */
  loaded: string[];
  unloaded: string[];
  errors: { op: 'load' | 'unload'; name: string; error: string }[];
}

const iso = (ms: number) => new Date(ms).toISOString();

/**
 * Runs before the server listens. An apply interrupted before loading is failed; one interrupted
 * after is rolled back — even if its confirm window is still open: nobody can have confirmed it
 * across the restart, and a restart may itself be the symptom of a bad policy (Junos also rolls back
 * an unconfirmed commit after a reboot). Then the backend is synced to last-known-good, which also
 * reloads an in-process backend after a restart.
 */
export async function recover(engine: Engine): Promise<RecoveryReport> {
  const { db, clock, config } = engine.deps;
  const report: RecoveryReport = { rolledBack: [], rollbackFailed: [], failed: [], loaded: [], unloaded: [], errors: [] };
  const now = clock.now();
  const untrusted = new Set<string>();
  const rolling: string[] = [];
  for (const a of store.unsettledApplies(db)) {
    const was: ApplyState = a.state;
    if (was === 'pending' || was === 'preflighted') {
      const reason = `interrupted by a restart while ${was}; nothing had been loaded`;
      engine.move(a.id, 'failed', reason, { reason });
      report.failed.push(a.id);
      continue;
    }
    const window =
      a.deadline === null ? '' : a.deadline <= now ? `; its confirm window had ended at ${iso(a.deadline)}` : `; its confirm window was still open until ${iso(a.deadline)}, but a restart ends every open window`;
    engine.note(a.id, 'note', `the service restarted while this apply was ${was}${window}`);
    if (was !== 'rolling_back') {
      const reason = was === 'rollback_failed' ? (a.reason ?? 'rollback failed') : a.deadline !== null && a.deadline <= now ? `not confirmed within ${a.confirmWindow} s (deadline passed while the service was down)` : `interrupted by a restart while ${was}`;
      engine.move(a.id, 'rolling_back', `rolling back at start-up: ${reason}`, { reason });
    }
    for (const e of store.planOf(db, a.id)) untrusted.add(e.name);
    rolling.push(a.id);
  }
  const lkg = store.lastKnownGoodSet(db);
  const res = await engine.kernel.sync(lkg, {
    applyId: null,
    untrusted,
    attempts: config.rollbackAttempts,
    retryDelayMs: config.rollbackRetryDelayMs,
    onStep: (s) => {
      const text = s.ok ? `restored at start-up: ${s.op === 'load' ? 'loaded' : 'unloaded'} ${s.name}` : `start-up ${s.op} ${s.name} failed (attempt ${s.attempt}): ${s.error}`;
      for (const id of rolling) engine.note(id, s.ok ? 'note' : 'error', text);
    },
  });
  report.loaded = res.loaded;
  report.unloaded = res.unloaded;
  report.errors = res.errors;
  const detail = { loaded: res.loaded, unloaded: res.unloaded, unchanged: res.unchanged, errors: res.errors };
  for (const id of rolling) {
    if (res.ok) {
      engine.move(id, 'rolled_back', `rolled back at start-up to the last-known-good set (${lkg.length} runtimes)`, { detail });
      report.rolledBack.push(id);
    } else {
      const what = res.errors.map((e) => `${e.op} ${e.name}: ${e.error}`).join('; ');
      const loud = `ROLLBACK INCOMPLETE at start-up: ${what}. The kernel is NOT in the last-known-good state`;
      const prev = engine.get(id)?.reason ?? '';
      engine.move(id, 'rollback_failed', loud, { reason: `${prev}; ${loud}`, detail });
      engine.log(`lunawall: apply ${id}: ${loud}`);
      report.rollbackFailed.push(id);
    }
  }
  if (!res.ok && !rolling.length) engine.log(`lunawall: loading the last-known-good set at start-up failed: ${res.errors.map((e) => `${e.name}: ${e.error}`).join('; ')}`);
  return report;
}

/** What start-up prints about recovery; nothing when there was nothing to do. */
export function recoveryLines(r: RecoveryReport): string[] {
  const out: string[] = [];
  if (r.rolledBack.length) out.push(`recovery: rolled back unfinished applies ${r.rolledBack.join(', ')}`);
  if (r.failed.length) out.push(`recovery: marked failed (interrupted before loading) ${r.failed.join(', ')}`);
  if (r.rollbackFailed.length) out.push(`recovery: ROLLBACK INCOMPLETE for ${r.rollbackFailed.join(', ')}; see their journals`);
  if (r.loaded.length || r.unloaded.length) out.push(`recovery: last-known-good set restored (loaded ${r.loaded.join(', ') || 'none'}; unloaded ${r.unloaded.join(', ') || 'none'})`);
  for (const e of r.errors) out.push(`recovery: ${e.op} ${e.name} failed: ${e.error}`);
  return out;
}
