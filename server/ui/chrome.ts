// What every page's frame shows: hostname, CSRF token, "Unsaved changes: N", and the apply dialog to rehydrate.
import type { Context } from 'hono';
import { hostname } from 'node:os';
import type { AppDeps } from '../deps.js';
import { activeApply, getApply } from '../apply/store.js';
import type { ApplyView } from '../apply/types.js';
import type { ApplyDialogView } from '../../views/apply-dialog.js';
import type { Chrome, Flash } from '../../views/layout.js';
import type { UiEnv } from './env.js';
import { pendingCount } from '../apply/pending.js';
import type { Session } from './session.js';

export function dialogView(a: ApplyView, now: number, token?: string): ApplyDialogView {
  return {
    id: a.id,
    state: a.state,
    reason: a.reason,
    deadline: a.deadline,
    confirmWindow: a.confirmWindow,
    unchecked: a.unchecked,
    token,
    steps: a.journal.map((j) => ({ at: j.at, state: j.state, kind: j.kind, message: j.message })),
    now,
  };
}

/**
 * The dialog to show: any apply still open (from any session), else the newest apply this session
 * started and has not dismissed — so a rollback is reported even if it happened while the page was away.
 */
export function currentDialog(deps: AppDeps, session: Session): ApplyDialogView | undefined {
  const now = deps.clock.now();
  const open = activeApply(deps.db);
  if (open) {
    const full = getApply(deps.db, open.id);
    if (full) return dialogView(full, now, session.applyTokens.get(open.id));
  }
  const mine = [...session.applyTokens.keys()].reverse();
  for (const id of mine) {
    const a = getApply(deps.db, id);
    if (!a) {
      session.applyTokens.delete(id);
      continue;
    }
    // A confirmed apply needs no more attention: the dialog said so when it was confirmed.
    if (a.state === 'confirmed') {
      session.applyTokens.delete(id);
      continue;
    }
    return dialogView(a, now, session.applyTokens.get(id));
  }
  return undefined;
}

export function chrome(c: Context<UiEnv>, deps: AppDeps, flash?: Flash, opts: { dialog?: boolean } = {}): Chrome {
  const session = c.get('session');
  return {
    hostname: hostname(),
    csrf: session.csrf,
    unsaved: pendingCount(deps.db),
    activeApply: opts.dialog === false ? undefined : currentDialog(deps, session),
    flash: flash ?? flashFromQuery(c),
  };
}

const flashes: Record<string, Flash> = {
  saved: { kind: 'success', text: 'Saved. The change is pending until you Save & Apply.' },
  deleted: { kind: 'success', text: 'Policy deleted. The kernel runs it until the next Save & Apply.' },
  reset: { kind: 'success', text: 'Pending changes reset to what the kernel runs.' },
  nochanges: { kind: 'notice', text: 'There are no changes to apply.' },
};

/**
 * Post-redirect-get flashes are named in the query string (?done=saved), never free text. Only the
 * table's own keys count: ?done=constructor would otherwise find Object.prototype's and render an empty alert.
 */
function flashFromQuery(c: Context): Flash | undefined {
  const k = c.req.query('done');
  return k !== undefined && Object.hasOwn(flashes, k) ? flashes[k] : undefined;
}
