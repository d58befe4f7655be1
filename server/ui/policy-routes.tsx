// The Policies page and its row actions: enable toggle, up/down order, delete with confirmation.
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { deletePolicy, getPolicy, listPolicies, reorderPolicies, savePolicy, StoreError } from '../db/policies.js';
import { checkPolicy } from '../policy/check.js';
import { DeletePage, PoliciesPage, PolicyTable, PolicyTableRow, type PolicyRow } from '../../views/policies.js';
import type { UiEnv } from './env.js';
import { chrome } from './chrome.js';
import { pendingChanges } from '../apply/pending.js';
import { form, fragment, isHtmx, page, redirect } from './render.js';
import { UnsavedBadge } from '../../views/layout.js';
import { revisionField, staleness } from './conflict.js';

export function policyRows(deps: AppDeps): PolicyRow[] {
  const pending = new Set(pendingChanges(deps.db).map((p) => p.name));
  return listPolicies(deps.db).map((s) => ({ policy: s.policy, revision: s.revision, changed: pending.has(s.name) }));
}

/** htmx swaps the row or table; the badge is updated out of band since its count may change. */
async function withBadge(c: Context<UiEnv>, deps: AppDeps, main: Promise<Response> | Response) {
  const res = await main;
  const badge = await (<UnsavedBadge count={pendingChanges(deps.db).length} oob />).toString();
  return c.html((await res.text()) + badge);
}

export function policyRoutes(deps: AppDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  app.get('/policies', (c) => page(c, <PoliciesPage rows={policyRows(deps)} chrome={chrome(c, deps)} />));

  app.post('/policies/:name/toggle', async (c) => {
    const stored = getPolicy(deps.db, c.req.param('name'));
    if (!stored) return c.notFound();
    const f = await form(c);
    const enabled = f.enabled === undefined ? !stored.policy.enabled : f.enabled === '1';
    // Through checkPolicy like every other write, so the stored document stays normalised.
    const checked = checkPolicy({ ...stored.policy, enabled });
    if (!checked.policy) return c.text('The stored policy no longer validates; open it in the editor.', 409);
    savePolicy(deps.db, checked.policy, { author: c.get('principal').name, now: deps.clock.now(), mode: 'update' });
    if (!isHtmx(c)) return redirect(c, '/policies');
    const rows = policyRows(deps);
    const i = rows.findIndex((r) => r.policy.name === stored.name);
    return withBadge(c, deps, fragment(c, <PolicyTableRow row={rows[i]!} index={i} count={rows.length} csrf={c.get('session').csrf} />));
  });

  app.post('/policies/:name/move', async (c) => {
    const name = c.req.param('name');
    const f = await form(c);
    const names = listPolicies(deps.db).map((p) => p.name);
    const i = names.indexOf(name);
    if (i < 0) return c.notFound();
    const j = f.dir === 'up' ? i - 1 : i + 1;
    if (j >= 0 && j < names.length) {
      [names[i], names[j]] = [names[j]!, names[i]!];
      reorderPolicies(deps.db, names, deps.clock.now());
    }
    if (!isHtmx(c)) return redirect(c, '/policies');
    return withBadge(c, deps, fragment(c, <PolicyTable rows={policyRows(deps)} csrf={c.get('session').csrf} />));
  });

  app.get('/policies/:name/delete', (c) => {
    const stored = getPolicy(deps.db, c.req.param('name'));
    if (!stored) return c.notFound();
    return page(c, <DeletePage name={stored.name} revision={stored.revision} chrome={chrome(c, deps)} />);
  });

  // The confirmation names the revision it showed; if the policy moved on since, the page comes back saying so, and a second Delete deletes what it now shows.
  app.post('/policies/:name/delete', async (c) => {
    const name = c.req.param('name');
    const f = await form(c);
    const stale = () => {
      const conflict = staleness(deps.db, name, revisionField(f._revision));
      const stored = getPolicy(deps.db, name);
      if (!conflict || !stored) return undefined;
      return page(c, <DeletePage name={name} revision={stored.revision} conflict={conflict} chrome={chrome(c, deps)} />);
    };
    const refused = stale();
    if (refused) return refused;
    const stored = getPolicy(deps.db, name);
    if (!stored) return c.notFound();
    try {
      // Re-checked inside the store's transaction: another process may write between these lines.
      deletePolicy(deps.db, name, { author: c.get('principal').name, now: deps.clock.now(), ifMatch: stored.etag });
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      const again = stale();
      if (again) return again;
      if (e.code === 'policy.not-found') return c.notFound();
      throw e;
    }
    return redirect(c, '/policies?done=deleted');
  });

  return app;
}
