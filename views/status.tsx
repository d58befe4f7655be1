// Status overview: backend, Lunatik version and profile, loaded states and their health, last apply, hit counters.
import { Layout, type Chrome } from './layout.js';
import { CounterChart, type Series } from './chart.js';

export interface StateView {
  name: string;
  loaded: boolean;
  /** Applied revision, when known. */
  revision?: number;
  ok: boolean;
  errors: string[];
  counters?: Record<string, number>;
}

export interface StatusView {
  backend: { kind: string; version: string; profile: string } | { error: string };
  states: StateView[];
  lastApply?: { id: string; state: string; reason?: string | null; startedBy: string; createdAt: number; finishedAt?: number | null };
  series: Series[];
  policies: number;
}

export const fmtTime = (ms: number) => new Date(ms).toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC');

export function StatusLive({ view }: { view: StatusView }) {
  return (
    <div id="status-live" hx-get="/status/live" hx-trigger="every 5s" hx-swap="outerHTML">
      <div class="grid2">
        <fieldset class="cbi-section">
          <legend>Loaded states</legend>
          {view.states.length === 0 ? (
            <p>
              <em>Nothing is loaded. Add a policy and Save &amp; Apply.</em>
            </p>
          ) : (
            <table class="cbi-section-table">
              <thead>
                <tr>
                  <th>State</th>
                  <th>Revision</th>
                  <th>Health</th>
                  <th class="num">Hits</th>
                </tr>
              </thead>
              <tbody>
                {view.states.map((s) => (
                  <tr>
                    <td>
                      <code>{s.name}</code>
                    </td>
                    <td>{s.revision ?? '—'}</td>
                    <td>
                      {!s.loaded ? (
                        <span class="label important">not loaded</span>
                      ) : s.ok ? (
                        <span class="label success">healthy</span>
                      ) : (
                        <span class="label important">hook errors</span>
                      )}
                      {s.errors.map((e) => (
                        <div class="diag error">{e}</div>
                      ))}
                    </td>
                    <td class="num">{s.counters ? Object.values(s.counters).reduce((a, b) => a + b, 0) : '—'}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </fieldset>
        <fieldset class="cbi-section">
          <legend>Hits over time</legend>
          <CounterChart series={view.series} />
        </fieldset>
      </div>
      <fieldset class="cbi-section">
        <legend>Hit counters per rule</legend>
        {view.states.some((s) => s.counters) ? (
          <table class="cbi-section-table">
            <thead>
              <tr>
                <th>Policy</th>
                <th>Rule</th>
                <th class="num">Hits</th>
              </tr>
            </thead>
            <tbody>
              {view.states.flatMap((s) =>
                Object.entries(s.counters ?? {})
                  .sort(([a], [b]) => Number(a === 'default') - Number(b === 'default'))
                  .map(([rule, n]) => (
                  <tr>
                    <td>
                      <code>{s.name}</code>
                    </td>
                    <td>
                      <code>{rule}</code>
                    </td>
                    <td class="num">{n}</td>
                  </tr>
                )),
              )}
            </tbody>
          </table>
        ) : (
          <p class="muted">The backend does not report counters for the loaded states.</p>
        )}
      </fieldset>
    </div>
  );
}

export function StatusPage({ view, chrome }: { view: StatusView; chrome: Chrome }) {
  const b = view.backend;
  const a = view.lastApply;
  return (
    <Layout title="Status" page="status" chrome={chrome}>
      <h2>Status</h2>
      <div class="grid2">
        <fieldset class="cbi-section">
          <legend>Kernel backend</legend>
          <table class="kv">
            <tbody>
              <tr>
                <th>Hostname</th>
                <td>{chrome.hostname}</td>
              </tr>
              {'error' in b ? (
                <tr>
                  <th>Backend</th>
                  <td class="verdict-drop">{b.error}</td>
                </tr>
              ) : (
                <>
                  <tr>
                    <th>Backend</th>
                    <td>{b.kind}</td>
                  </tr>
                  <tr>
                    <th>Lunatik version</th>
                    <td>{b.version}</td>
                  </tr>
                  <tr>
                    <th>Target profile</th>
                    <td>
                      <code>{b.profile}</code>
                    </td>
                  </tr>
                </>
              )}
              <tr>
                <th>Policies</th>
                <td>{view.policies}</td>
              </tr>
            </tbody>
          </table>
        </fieldset>
        <fieldset class="cbi-section">
          <legend>Last apply</legend>
          {a ? (
            <table class="kv">
              <tbody>
                <tr>
                  <th>Outcome</th>
                  <td>
                    <a href={`/applies/${a.id}`} class={`state-${a.state}`}>
                      {a.state.replace('_', ' ')}
                    </a>
                  </td>
                </tr>
                {a.reason ? (
                  <tr>
                    <th>Reason</th>
                    <td>{a.reason}</td>
                  </tr>
                ) : null}
                <tr>
                  <th>Started</th>
                  <td>
                    {fmtTime(a.createdAt)} by {a.startedBy}
                  </td>
                </tr>
              </tbody>
            </table>
          ) : (
            <p class="muted">Nothing has been applied yet.</p>
          )}
        </fieldset>
      </div>
      <StatusLive view={view} />
    </Layout>
  );
}
