// Apply history and one apply's details: state, reason, who, when, duration, journal, revisions, Revert to this.
import { Layout, type Chrome } from './layout.js';
import { fmtTime } from './status.js';
import { ApplyDialog, type ApplyDialogView } from './apply-dialog.js';

export interface ApplyRow {
  id: string;
  state: string;
  reason: string | null;
  startedBy: string;
  createdAt: number;
  finishedAt: number | null;
  unchecked: boolean;
  revisions: { name: string; revision: number }[];
}

export interface JournalRow {
  at: number;
  state: string;
  kind: string;
  message: string;
  detail?: unknown;
}

export const duration = (a: { createdAt: number; finishedAt: number | null }) =>
  a.finishedAt === null ? 'running' : `${((a.finishedAt - a.createdAt) / 1000).toFixed(1)} s`;

const stateText = (s: string) => s.replace(/_/g, ' ');
const settled = (s: string) => ['confirmed', 'rolled_back', 'rollback_failed', 'failed'].includes(s);

function RevertForm({ id, csrf }: { id: string; csrf: string }) {
  return (
    <form method="post" action={`/applies/${id}/revert`} class="inline-form">
      <input type="hidden" name="_csrf" value={csrf} />
      <button type="submit" class="cbi-button cbi-button-small cbi-button-action" aria-label={`Revert to apply ${id}`}>
        Revert to this
      </button>
    </form>
  );
}

export function AppliesPage({ rows, chrome }: { rows: ApplyRow[]; chrome: Chrome }) {
  return (
    <Layout title="Applies" page="applies" chrome={chrome}>
      <h2>Firewall - Applies</h2>
      <p class="cbi-map-descr">
        Every Save &amp; Apply is a transaction: it ends confirmed, or the previous configuration comes back by itself. "Revert to this"
        makes a confirmed apply's revisions the drafts again and applies them. The latest 50 are listed.
      </p>
      <div class="cbi-section">
        <table class="cbi-section-table" id="applies-table">
          <thead>
            <tr>
              <th>When</th>
              <th>State</th>
              <th>Reason</th>
              <th>Who</th>
              <th>Duration</th>
              <th>Revisions</th>
              <th class="actions">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {rows.length === 0 ? (
              <tr>
                <td colspan={7}>
                  <em>Nothing has been applied yet.</em>
                </td>
              </tr>
            ) : (
              rows.map((a) => (
                <tr data-apply-id={a.id}>
                  <td>
                    <a href={`/applies/${a.id}`}>{fmtTime(a.createdAt)}</a>
                  </td>
                  <td class={`state-${a.state}`}>
                    {stateText(a.state)}
                    {a.unchecked ? ' (unchecked)' : ''}
                  </td>
                  <td>{a.reason ?? ''}</td>
                  <td>{a.startedBy}</td>
                  <td>{duration(a)}</td>
                  <td>
                    {a.revisions.map((r) => (
                      <div>
                        <code>{r.name}</code> r{r.revision}
                      </div>
                    ))}
                  </td>
                  <td class="actions">
                    <a class="cbi-button cbi-button-small" href={`/applies/${a.id}`} aria-label={`Journal of apply ${a.id}`}>
                      Journal
                    </a>{' '}
                    {a.state === 'confirmed' ? <RevertForm id={a.id} csrf={chrome.csrf} /> : null}
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
    </Layout>
  );
}

export function ApplyDetailPage(props: { apply: ApplyRow; journal: JournalRow[]; dialog?: ApplyDialogView; chrome: Chrome }) {
  const a = props.apply;
  return (
    <Layout title={`Apply ${a.id}`} page="applies" chrome={props.chrome} refresh={settled(a.state) ? undefined : 3}>
      <h2>Apply {a.id}</h2>
      {props.dialog ? <ApplyDialog apply={props.dialog} csrf={props.chrome.csrf} modal={false} /> : null}
      <div class="grid2 mt">
        <fieldset class="cbi-section">
          <legend>Summary</legend>
          <table class="kv">
            <tbody>
              <tr>
                <th>State</th>
                <td class={`state-${a.state}`} id="apply-state">
                  {stateText(a.state)}
                </td>
              </tr>
              {a.reason ? (
                <tr>
                  <th>Reason</th>
                  <td id="apply-reason">{a.reason}</td>
                </tr>
              ) : null}
              <tr>
                <th>Started by</th>
                <td>{a.startedBy}</td>
              </tr>
              <tr>
                <th>Started</th>
                <td>{fmtTime(a.createdAt)}</td>
              </tr>
              <tr>
                <th>Duration</th>
                <td>{duration(a)}</td>
              </tr>
            </tbody>
          </table>
          {a.state === 'confirmed' ? (
            <div class="mt">
              <RevertForm id={a.id} csrf={props.chrome.csrf} />
            </div>
          ) : null}
        </fieldset>
        <fieldset class="cbi-section">
          <legend>Revisions applied</legend>
          {a.revisions.length === 0 ? (
            <p class="muted">None (nothing got past preflight, or the set was empty).</p>
          ) : (
            <table class="cbi-section-table">
              <tbody>
                {a.revisions.map((r) => (
                  <tr>
                    <td>
                      <code>{r.name}</code>
                    </td>
                    <td>
                      <a href={`/policies/${r.name}/revisions/${r.revision}`}>revision {r.revision}</a>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </fieldset>
      </div>
      <fieldset class="cbi-section">
        <legend>Journal</legend>
        <table class="cbi-section-table" id="journal">
          <thead>
            <tr>
              <th>Time</th>
              <th>State</th>
              <th>Event</th>
            </tr>
          </thead>
          <tbody>
            {props.journal.map((j) => (
              <tr>
                <td>{fmtTime(j.at)}</td>
                <td class={`state-${j.state}`}>{stateText(j.state)}</td>
                <td class={j.kind === 'error' ? 'verdict-drop' : ''}>
                  {j.message}
                  {j.detail !== undefined && j.detail !== null ? (
                    <details class="more">
                      <summary>detail</summary>
                      <pre class="diff">{JSON.stringify(j.detail, null, 2)}</pre>
                    </details>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </fieldset>
    </Layout>
  );
}

export function RevisionPage(props: { name: string; revision: number; json: string; author: string; createdAt: number; chrome: Chrome }) {
  return (
    <Layout title={`${props.name} revision ${props.revision}`} page="applies" chrome={props.chrome}>
      <h2>
        Policy <code>{props.name}</code>, revision {props.revision}
      </h2>
      <p class="cbi-map-descr">
        Saved {fmtTime(props.createdAt)} by {props.author}.
      </p>
      <pre class="diff">{props.json}</pre>
    </Layout>
  );
}
