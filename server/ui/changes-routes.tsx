// The pending-changes page behind the "Unsaved changes" badge: a diff per policy, Save & Apply, Reset.
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { getPolicy, listPolicies } from '../db/policies.js';
import { getRevision } from '../db/revisions.js';
import { syncPolicies } from '../db/sync.js';
import type { Policy } from '../policy/schema.js';
import { ChangesPage } from '../../views/changes.js';
import type { UiEnv } from './env.js';
import { chrome } from './chrome.js';
import { pendingChanges } from '../apply/pending.js';
import { changeViews, pendingFingerprint } from './changes.js';
import { form, page, redirect } from './render.js';

/**
 * Save & Apply and Reset act on every pending change: refused (the Changes page again, as things are
 * now, 409) unless the changes are still the ones the page showed when the button was pressed.
 */
export function refuseStaleChanges(c: Context<UiEnv>, deps: AppDeps, f: Record<string, string>, verb: string): Response | Promise<Response> | undefined {
  if (f._pending === pendingFingerprint(pendingChanges(deps.db))) return undefined;
  const changes = changeViews(deps.db);
  const why = f._pending === undefined ? `${verb} did not say which changes it was shown.` : `Someone saved or applied since this page was shown, so ${verb} was not done.`;
  return page(c, <ChangesPage changes={changes} pending={pendingFingerprint(changes)} stale={why} chrome={chrome(c, deps)} />, 409);
}

export function changesRoutes(deps: AppDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  app.get('/changes', (c) => {
    const changes = changeViews(deps.db);
    return page(c, <ChangesPage changes={changes} pending={pendingFingerprint(changes)} chrome={chrome(c, deps)} />);
  });

  /**
   * Reset: every pending draft goes back to the revision the kernel runs (a new policy is deleted,
   * a deleted one comes back, a disabled-but-loaded one is enabled again), atomically.
   */
  app.post('/changes/reset', async (c) => {
    const refused = refuseStaleChanges(c, deps, await form(c), 'Reset');
    if (refused) return refused;
    const pending = new Map(pendingChanges(deps.db).map((p) => [p.name, p]));
    if (pending.size === 0) return redirect(c, '/changes?done=reset');
    const desired: Policy[] = [];
    for (const s of listPolicies(deps.db)) {
      const p = pending.get(s.name);
      if (!p) desired.push(s.policy);
      else if (p.appliedRevision !== undefined) desired.push({ ...getRevision(deps.db, s.name, p.appliedRevision)!.policy, enabled: true });
    }
    for (const p of pending.values()) {
      if (p.kind === 'deleted' && !getPolicy(deps.db, p.name)) desired.push(getRevision(deps.db, p.name, p.appliedRevision!)!.policy);
    }
    syncPolicies(deps.db, desired, { author: c.get('principal').name, now: deps.clock.now(), dryRun: false });
    return redirect(c, '/changes?done=reset');
  });

  return app;
}
