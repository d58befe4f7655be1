// Applies: start, history, one apply's journal, the live dialog (SSE steps, confirm, roll back), revert, dismiss.
import { Hono, type Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { AppDeps } from '../deps.js';
import { ApplyConflictError, ApplyForbiddenError, ApplyNotFoundError, type ApplyView } from '../apply/types.js';
import { isTerminal } from '../apply/states.js';
import { listPolicies } from '../db/policies.js';
import { getRevision } from '../db/revisions.js';
import { syncPolicies } from '../db/sync.js';
import type { Policy } from '../policy/schema.js';
import { AppliesPage, ApplyDetailPage, RevisionPage, type ApplyRow } from '../../views/applies.js';
import { ApplyDialog } from '../../views/apply-dialog.js';
import type { UiEnv } from './env.js';
import { chrome, dialogView } from './chrome.js';
import { engineOf, startApply } from './apply-start.js';
import { refuseStaleChanges } from './changes-routes.js';
import { form, fragment, isHtmx, page, redirect } from './render.js';
import { sessionId, type SessionStore } from './session.js';

const row = (a: Omit<ApplyView, 'journal'>): ApplyRow => ({
  id: a.id,
  state: a.state,
  reason: a.reason,
  startedBy: a.startedBy,
  createdAt: a.createdAt,
  finishedAt: a.finishedAt,
  unchecked: a.unchecked,
  revisions: a.revisions,
});

/** The dialog as a fragment (for ui.js) or a redirect to the apply's page (plain forms). */
async function dialogResponse(c: Context, deps: AppDeps, a: ApplyView, csrf: string, token: string | undefined, status: 200 | 409 = 200) {
  if (!isHtmx(c)) return c.redirect(`/applies/${a.id}`, 303);
  return fragment(c, <ApplyDialog apply={dialogView(a, deps.clock.now(), token)} csrf={csrf} modal={c.req.query('modal') === '1'} />, status);
}

/**
 * Confirm needs the apply's token, not a login session (LuCI's lesson: an address change must not
 * break it), so it is mounted before the session guard. The Origin check still applies.
 */
export function confirmRoutes(deps: AppDeps, sessions: SessionStore): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.post('/applies/:id/confirm', async (c) => {
    const id = c.req.param('id');
    const f = await form(c);
    // The session, if it still exists, only supplies the CSRF token for the dialog's other buttons.
    const session = sessions.touch(sessionId(c));
    const csrf = session?.csrf ?? '';
    try {
      const a = await engineOf(deps).confirm(id, f.token ?? '');
      session?.applyTokens.delete(id);
      return dialogResponse(c, deps, a, csrf, undefined);
    } catch (e) {
      // Anyone may post here: a different answer for a known id would let them list the apply ids.
      if (e instanceof ApplyNotFoundError || e instanceof ApplyForbiddenError) return c.text('No apply with this id and confirm token.', 404);
      if (e instanceof ApplyConflictError) {
        const a = engineOf(deps).get(id)!;
        return dialogResponse(c, deps, a, csrf, undefined, 409);
      }
      throw e;
    }
  });
  return app;
}

export function applyRoutes(deps: AppDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const get = (id: string) => engineOf(deps).get(id);

  app.post('/apply', async (c) => {
    const f = await form(c);
    const refused = refuseStaleChanges(c, deps, f, 'Save & Apply');
    if (refused) return refused;
    const window = Number(f.window);
    return startApply(c, deps, { unchecked: f.unchecked === '1', confirmWindow: Number.isInteger(window) && window > 0 ? window : undefined });
  });

  app.get('/applies', (c) => page(c, <AppliesPage rows={engineOf(deps).list(50).map(row)} chrome={chrome(c, deps)} />));

  app.get('/applies/:id', (c) => {
    const a = get(c.req.param('id'));
    if (!a) return c.notFound();
    const session = c.get('session');
    const ch = chrome(c, deps, undefined, { dialog: false });
    const mine = session.applyTokens.has(a.id);
    const show = !isTerminal(a.state) || mine;
    return page(c, <ApplyDetailPage apply={row(a)} journal={a.journal} dialog={show ? dialogView(a, deps.clock.now(), session.applyTokens.get(a.id)) : undefined} chrome={ch} />);
  });

  app.get('/applies/:id/dialog', (c) => {
    const a = get(c.req.param('id'));
    if (!a) return c.notFound();
    const token = c.get('session').applyTokens.get(a.id);
    return fragment(c, <ApplyDialog apply={dialogView(a, deps.clock.now(), token)} csrf={c.get('session').csrf} modal={c.req.query('modal') === '1'} />);
  });

  /** Steps as they happen: the journal so far, then live entries until the apply settles or awaits confirmation. */
  app.get('/applies/:id/events', (c) => {
    const id = c.req.param('id');
    const engine = engineOf(deps);
    const first = engine.get(id);
    if (!first) return c.notFound();
    return streamSSE(c, async (s) => {
      const queue: { state: string; kind: string; message: string }[] = [];
      let wake: (() => void) | undefined;
      const unsubscribe = engine.subscribe(id, (e) => {
        if (e.type !== 'journal') return;
        queue.push({ state: e.state, kind: e.kind, message: e.message });
        wake?.();
      });
      s.onAbort(() => {
        unsubscribe();
        wake?.();
      });
      try {
        const now = engine.get(id)!;
        await s.writeSSE({ event: 'reset', data: '{}' });
        let n = 0;
        for (const j of now.journal) await s.writeSSE({ event: 'step', data: JSON.stringify({ state: j.state, kind: j.kind, message: j.message }), id: String(++n) });
        let state = now.state;
        while (!s.aborted && !isTerminal(state) && state !== 'awaiting_confirm') {
          if (queue.length === 0) {
            // Woken by the next event; the timeout re-reads the state in case an event was missed.
            let timer: NodeJS.Timeout | undefined;
            await new Promise<void>((r) => {
              wake = r;
              timer = setTimeout(r, 15_000);
            });
            clearTimeout(timer);
          }
          wake = undefined;
          while (queue.length) {
            const step = queue.shift()!;
            state = step.state as typeof state;
            await s.writeSSE({ event: 'step', data: JSON.stringify(step), id: String(++n) });
          }
          state = engine.get(id)?.state ?? state;
        }
        await s.writeSSE({ event: 'end', data: JSON.stringify({ state }) });
      } finally {
        unsubscribe();
      }
    });
  });

  app.post('/applies/:id/rollback', async (c) => {
    const id = c.req.param('id');
    if (!get(id)) return c.notFound();
    try {
      const a = await engineOf(deps).rollback(id, 'rolled back by the admin ("Roll back now")');
      return dialogResponse(c, deps, a, c.get('session').csrf, c.get('session').applyTokens.get(id));
    } catch (e) {
      if (e instanceof ApplyConflictError) return dialogResponse(c, deps, get(id)!, c.get('session').csrf, undefined, 409);
      throw e;
    }
  });

  app.post('/applies/:id/dismiss', (c) => {
    c.get('session').applyTokens.delete(c.req.param('id'));
    // Back to the page the dialog was on; only a plain local path ("//host" would leave the site).
    const back = c.req.header('referer');
    let path = '/status';
    try {
      if (back) path = new URL(back).pathname;
    } catch {
      path = '/status';
    }
    if (!/^\/(?!\/)/.test(path)) path = '/status';
    return redirect(c, path.startsWith('/applies/') ? '/applies' : path);
  });

  /**
   * Revert to a confirmed apply: its revisions become the drafts again (policies it did not load stay,
   * disabled, so no work is lost), then a normal Save & Apply with its confirm window.
   */
  app.post('/applies/:id/revert', async (c) => {
    const a = get(c.req.param('id'));
    if (!a) return c.notFound();
    if (a.state !== 'confirmed') return c.text('Only a confirmed apply can be reverted to.', 409);
    const desired: Policy[] = [];
    for (const r of a.revisions) {
      const rev = getRevision(deps.db, r.name, r.revision);
      if (!rev) return c.text(`Revision ${r.revision} of ${r.name} is missing.`, 409);
      desired.push(rev.policy);
    }
    const inPlan = new Set(desired.map((p) => p.name));
    for (const p of listPolicies(deps.db)) if (!inPlan.has(p.name)) desired.push({ ...p.policy, enabled: false });
    syncPolicies(deps.db, desired, { author: c.get('principal').name, now: deps.clock.now(), dryRun: false });
    return startApply(c, deps, { force: true });
  });

  app.get('/policies/:name/revisions/:n{[0-9]+}', (c) => {
    const name = c.req.param('name');
    const rev = getRevision(deps.db, name, Number(c.req.param('n')));
    if (!rev) return c.notFound();
    return page(c, <RevisionPage name={name} revision={rev.n} json={JSON.stringify(rev.policy, null, 2)} author={rev.author} createdAt={rev.createdAt} chrome={chrome(c, deps)} />);
  });

  return app;
}
