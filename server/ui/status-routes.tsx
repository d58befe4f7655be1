// Status overview: backend info, loaded states with health and counters, last apply, and counters over time.
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { listPolicyRows } from '../db/policies.js';
import { StatusLive, StatusPage, type StateView, type StatusView } from '../../views/status.js';
import type { Series } from '../../views/chart.js';
import type { UiEnv } from './env.js';
import { chrome } from './chrome.js';
import { engineOf } from './apply-start.js';
import { fragment, page } from './render.js';

const MAX_POINTS = 120;

/** Total hits per state, sampled whenever the status is shown (the page refreshes every 5 s, like LuCI's). */
class CounterHistory {
  private readonly series = new Map<string, [number, number][]>();

  record(at: number, states: StateView[]): void {
    for (const s of states) {
      if (!s.counters) continue;
      const total = Object.values(s.counters).reduce((a, b) => a + b, 0);
      const pts = this.series.get(s.name) ?? [];
      pts.push([at, total]);
      if (pts.length > MAX_POINTS) pts.shift();
      this.series.set(s.name, pts);
    }
    const live = new Set(states.map((s) => s.name));
    for (const name of this.series.keys()) if (!live.has(name)) this.series.delete(name);
  }

  all(): Series[] {
    return [...this.series].map(([name, points]) => ({ name, points }));
  }
}

async function collect(deps: AppDeps, history: CounterHistory): Promise<StatusView> {
  const engine = engineOf(deps);
  let backend: StatusView['backend'];
  try {
    backend = await deps.backend.info();
  } catch (e) {
    backend = { error: `the kernel backend does not answer: ${(e as Error).message}` };
  }
  const lkg = new Map(engine.lastKnownGood().map((e) => [e.name, e.revision]));
  let running: string[] = [];
  try {
    running = await deps.backend.list();
  } catch {
    running = [];
  }
  const names = [...new Set([...lkg.keys(), ...running])].sort();
  const states: StateView[] = await Promise.all(
    names.map(async (name): Promise<StateView> => {
      const loaded = running.includes(name);
      const health = loaded ? await deps.backend.health(name).catch((e: Error) => ({ ok: false, errors: [e.message] })) : { ok: false, errors: [] };
      const counters = loaded && deps.backend.counters ? await deps.backend.counters(name).catch(() => undefined) : undefined;
      return { name, loaded, revision: lkg.get(name), ok: health.ok, errors: health.errors, counters };
    }),
  );
  history.record(deps.clock.now(), states);
  const last = engine.list(1)[0];
  return { backend, states, lastApply: last, series: history.all(), policies: listPolicyRows(deps.db).length };
}

export function statusRoutes(deps: AppDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  const history = new CounterHistory();
  app.get('/', (c) => c.redirect('/status', 303));
  app.get('/status', async (c) => page(c, <StatusPage view={await collect(deps, history)} chrome={chrome(c, deps)} />));
  app.get('/status/live', async (c) => fragment(c, <StatusLive view={await collect(deps, history)} />));
  return app;
}
