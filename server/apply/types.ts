// Public types of the apply engine: requests, views, events, plan entries, the clock and the errors it throws.
import type { LoadOptions } from '../kernel/backend.js';
import type { ApplyState } from './states.js';
import type { ProbeResult } from './probes/types.js';

export interface ApplyRequest {
  /** Policy names to (re)load from their current drafts, or "all" for the whole stored set. */
  policies: string[] | 'all';
  /** Seconds; default from config (90), at most 3600. Counted from the request. */
  confirmWindow?: number;
  /** Skip probes and the confirm window: confirmed as soon as it is loaded. */
  unchecked?: boolean;
  /** Anti-lockout check; only `false` turns it off, for this apply only. */
  guard?: boolean;
  /** Who asked: "token:<name>", "admin", "cli". */
  startedBy: string;
}

export interface ApplyStarted {
  id: string;
  /** Shown once; confirming needs it (no login session). */
  token: string;
  /** Epoch ms when an unconfirmed apply rolls back; null for an unchecked apply. */
  deadline: number | null;
  state: ApplyState;
}

/** One runtime as it will be loaded once the apply is confirmed. */
export interface PlanEntry {
  name: string;
  revision: number;
  scriptHash: string;
  script: string;
  loadOptions: LoadOptions;
}

export interface JournalEntry {
  at: number;
  state: ApplyState;
  kind: 'transition' | 'note' | 'error';
  message: string;
  detail?: unknown;
}

export interface ApplyView {
  id: string;
  state: ApplyState;
  reason: string | null;
  startedBy: string;
  policies: string[] | 'all';
  confirmWindow: number;
  unchecked: boolean;
  guard: boolean;
  deadline: number | null;
  createdAt: number;
  updatedAt: number;
  finishedAt: number | null;
  /** The set this apply loads (name → policy revision); empty until preflight has built it. */
  revisions: { name: string; revision: number; scriptHash: string }[];
  journal: JournalEntry[];
}

export type ApplySummary = Omit<ApplyView, 'journal'>;

/** Progress for the UI: every journal entry, plus each round of probe results. */
export type ApplyEvent =
  | ({ type: 'journal'; applyId: string; deadline: number | null } & JournalEntry)
  | { type: 'probes'; applyId: string; at: number; state: ApplyState; results: ProbeResult[] };

/** Time and timers, injected so tests drive them (test/apply/manual-clock.ts). */
export interface ApplyClock {
  now(): number;
  setTimeout(fn: () => void, ms: number): () => void;
}

export const systemClock: ApplyClock = {
  now: () => Date.now(),
  setTimeout(fn, ms) {
    const t = setTimeout(fn, ms);
    t.unref?.();
    return () => clearTimeout(t);
  },
};

/** Errors the API maps to HTTP statuses. */
export class ApplyConflictError extends Error {
  constructor(
    message: string,
    readonly activeId: string | null,
    readonly state?: ApplyState,
  ) {
    super(message);
    this.name = 'ApplyConflictError';
  }
}
export class ApplyNotFoundError extends Error {
  constructor(readonly id: string) {
    super(`no apply ${id}`);
    this.name = 'ApplyNotFoundError';
  }
}
export class ApplyForbiddenError extends Error {
  constructor() {
    super('wrong confirm token');
    this.name = 'ApplyForbiddenError';
  }
}
export class ApplyRequestError extends Error {
  constructor(
    message: string,
    readonly path: (string | number)[],
  ) {
    super(message);
    this.name = 'ApplyRequestError';
  }
}
