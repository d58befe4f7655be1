// Starting an apply from the UI: the session keeps the confirm token so the countdown survives a reload.
import type { Context } from 'hono';
import type { AppDeps } from '../deps.js';
import type { ApplyEngine } from '../apply/index.js';
import { ApplyConflictError, ApplyRequestError } from '../apply/types.js';
import type { UiEnv } from './env.js';
import { redirect } from './render.js';
import { pendingCount } from '../apply/pending.js';

export function engineOf(deps: AppDeps): ApplyEngine {
  if (!deps.engine) throw new Error('this server runs without an apply engine');
  return deps.engine;
}

export async function startApply(c: Context<UiEnv>, deps: AppDeps, opts: { unchecked?: boolean; confirmWindow?: number; force?: boolean }): Promise<Response> {
  if (!opts.force && pendingCount(deps.db) === 0) return redirect(c, '/changes?done=nochanges');
  try {
    const started = await engineOf(deps).start({
      policies: 'all',
      startedBy: c.get('principal').name,
      ...(opts.unchecked ? { unchecked: true } : {}),
      ...(opts.confirmWindow ? { confirmWindow: opts.confirmWindow } : {}),
    });
    c.get('session').applyTokens.set(started.id, started.token);
    return redirect(c, `/applies/${started.id}`);
  } catch (e) {
    if (e instanceof ApplyConflictError && e.activeId) return redirect(c, `/applies/${e.activeId}`);
    if (e instanceof ApplyRequestError || e instanceof ApplyConflictError) return c.text(`Cannot apply: ${e.message}`, 409);
    throw e;
  }
}
