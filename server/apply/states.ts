// The apply state machine (DESIGN.md §6): which states exist and which transitions are allowed.

export const applyStates = [
  'pending',
  'preflighted',
  'loading',
  'probing',
  'awaiting_confirm',
  'confirmed',
  'rolling_back',
  'rolled_back',
  /** A rollback that still met load errors after its retries: the kernel is NOT known to be last-known-good. */
  'rollback_failed',
  'failed',
] as const;
export type ApplyState = (typeof applyStates)[number];

/** Finished applies; `rollback_failed` is finished too but is retried by recover() and by an explicit rollback. */
export const terminalStates: readonly ApplyState[] = ['confirmed', 'rolled_back', 'rollback_failed', 'failed'];

/** States in which this apply may have changed the kernel and not yet been settled. */
export const kernelTouchedStates: readonly ApplyState[] = ['loading', 'probing', 'awaiting_confirm', 'rolling_back'];

const allowed: Record<ApplyState, readonly ApplyState[]> = {
  pending: ['preflighted', 'failed'],
  preflighted: ['loading', 'failed'],
  loading: ['probing', 'confirmed', 'rolling_back'],
  probing: ['awaiting_confirm', 'rolling_back'],
  awaiting_confirm: ['confirmed', 'rolling_back'],
  confirmed: [],
  rolling_back: ['rolled_back', 'rollback_failed'],
  rolled_back: [],
  rollback_failed: ['rolling_back'],
  failed: [],
};

export const isTerminal = (s: ApplyState): boolean => terminalStates.includes(s);
/** An apply in one of these blocks a second one (409). */
export const isActive = (s: ApplyState): boolean => !isTerminal(s);
export const canTransition = (from: ApplyState, to: ApplyState): boolean => allowed[from].includes(to);
