// The apply engine's public surface: createApplyEngine(deps) and the types callers use (API, UI, CLI, main).
import { Engine, type ApplyEngineDeps } from './engine.js';
import { recover, type RecoveryReport } from './recover.js';
import type { ApplyState } from './states.js';
import { systemClock, type ApplyEvent, type ApplyRequest, type ApplyStarted, type ApplySummary, type ApplyView, type PlanEntry } from './types.js';
import type { Clock } from '../clock.js';

export interface ApplyEngine {
  /** Starts an apply (pending); resolves at once with the confirm token. Throws ApplyConflictError (409) or ApplyRequestError (400). */
  start(req: ApplyRequest): Promise<ApplyStarted>;
  /** ApplyNotFoundError (404), ApplyForbiddenError (403, wrong token), ApplyConflictError (409, not awaiting confirmation). */
  confirm(id: string, token: string): Promise<ApplyView>;
  /** Resolves once the rollback has finished (rolled_back, rollback_failed, or failed if nothing was loaded yet). */
  rollback(id: string, reason?: string): Promise<ApplyView>;
  get(id: string): ApplyView | undefined;
  /** Newest first. */
  list(limit?: number): ApplySummary[];
  /** The apply that is not finished, if any. */
  active(): ApplySummary | undefined;
  /** Live progress of one apply; returns the unsubscribe function. */
  subscribe(id: string, listener: (e: ApplyEvent) => void): () => void;
  /** Resolves when the apply reaches one of `states` or finishes. */
  waitFor(id: string, states: ApplyState[]): Promise<ApplyView>;
  /** The set a rollback restores (name, revision, hash, script, load options). */
  lastKnownGood(): PlanEntry[];
  /** Crash recovery; call once at start-up before listening. */
  recover(): Promise<RecoveryReport>;
  /** Stops timers and rolls back (or fails, before loading) an apply still open. */
  close(): Promise<void>;
}

export type CreateApplyEngineDeps = Omit<ApplyEngineDeps, 'clock'> & { clock?: Clock | ApplyEngineDeps['clock'] };

/** `clock` may be the app's plain Clock (now only); timers then use the system's. */
export function createApplyEngine(deps: CreateApplyEngineDeps): ApplyEngine {
  const c = deps.clock;
  const clock = c && 'setTimeout' in c ? c : { now: c ? () => c.now() : systemClock.now, setTimeout: systemClock.setTimeout };
  const engine = new Engine({ ...deps, clock });
  return {
    start: (r) => engine.start(r),
    confirm: (id, t) => engine.confirm(id, t),
    rollback: (id, reason) => engine.rollback(id, reason),
    get: (id) => engine.get(id),
    list: (limit) => engine.list(limit),
    active: () => engine.active(),
    subscribe: (id, l) => engine.subscribe(id, l),
    waitFor: (id, s) => engine.waitFor(id, s),
    lastKnownGood: () => engine.lastKnownGoodSet(),
    recover: () => recover(engine),
    close: () => engine.close(),
  };
}

export { applyStates, isTerminal, type ApplyState } from './states.js';
export { applyConfigOf, applyDefaults, type ApplyConfig } from './config.js';
export { recoveryLines, type RecoveryReport } from './recover.js';
export type { ProbeResult, ProbeSpec } from './probes/index.js';
export {
  ApplyConflictError,
  ApplyForbiddenError,
  ApplyNotFoundError,
  ApplyRequestError,
  systemClock as systemApplyClock,
  type ApplyClock,
  type ApplyEvent,
  type ApplyRequest,
  type ApplyStarted,
  type ApplySummary,
  type ApplyView,
  type JournalEntry,
  type PlanEntry,
} from './types.js';
