// Pending changes: drafts that differ from what is applied, a diff per policy, and Save & Apply / Reset.
import { Layout, type Chrome } from './layout.js';

export interface DiffLine {
  op: 'add' | 'remove' | 'change';
  /** One change, as server/db/json-diff.ts formats it. */
  text: string;
}

export interface ChangeView {
  name: string;
  kind: 'added' | 'changed' | 'deleted';
  appliedRevision?: number;
  draftRevision?: number;
  lines: DiffLine[];
}

export function DiffBlock({ lines }: { lines: DiffLine[] }) {
  return (
    <pre class="diff">
      {lines.map((l) => (
        <span class={l.op === 'add' ? 'add' : l.op === 'remove' ? 'del' : 'chg'}>{l.text}</span>
      ))}
    </pre>
  );
}

/**
 * "Apply unchecked" only after a second, deliberate choice: open "More apply options", tick the box,
 * then Save & Apply. The options sit outside the button bar and join the form by its id.
 */
export function ApplyOptions() {
  return (
    <details class="more cbi-section">
      <summary>More apply options</summary>
      <p>
        An unchecked apply loads the changes with no liveness probes and no confirm window: if they cut you off, nothing brings the old
        rules back.
      </p>
      <div class="cbi-value">
        <label class="cbi-value-title" for="apply-unchecked">
          Apply unchecked
        </label>
        <div class="cbi-value-field">
          <input type="checkbox" id="apply-unchecked" name="unchecked" value="1" form="apply-form" />
          <div class="cbi-value-description">no automatic rollback</div>
        </div>
      </div>
      <div class="cbi-value">
        <label class="cbi-value-title" for="apply-window">
          Confirm window (seconds)
        </label>
        <div class="cbi-value-field">
          <input type="number" id="apply-window" name="window" min="1" max="3600" placeholder="90" class="w-small" form="apply-form" />
        </div>
      </div>
    </details>
  );
}

export function ApplyForm({ csrf, pending, disabled }: { csrf: string; pending: string; disabled?: boolean }) {
  return (
    <form method="post" action="/apply" class="inline-form" id="apply-form">
      <input type="hidden" name="_csrf" value={csrf} />
      <input type="hidden" name="_pending" value={pending} />
      <button type="submit" class="cbi-button cbi-button-apply" disabled={disabled}>
        Save &amp; Apply
      </button>
    </form>
  );
}

export interface ChangesProps {
  changes: ChangeView[];
  /** pendingFingerprint of what this page shows; Save & Apply and Reset send it back. */
  pending: string;
  /** The page a stale Save & Apply or Reset gets back, with what it refused. */
  stale?: string;
  chrome: Chrome;
}

export function ChangesPage({ changes, pending, stale, chrome }: ChangesProps) {
  return (
    <Layout title="Changes" page="changes" chrome={chrome}>
      <h2>Configuration / Changes</h2>
      <p class="cbi-map-descr">Saved drafts that differ from what the kernel runs. Save &amp; Apply loads them; Reset throws them away.</p>
      {stale ? (
        <div class="alert-message warning" role="alert">
          {stale} The pending changes are different from the ones you were shown: they are below as they are now. Nothing was applied or reset.
        </div>
      ) : null}
      {changes.length === 0 ? (
        <div class="alert-message notice">There are no pending changes.</div>
      ) : (
        changes.map((ch) => (
          <fieldset class="cbi-section" id={`change-${ch.name}`}>
            <legend>
              <code>{ch.name}</code>{' '}
              <span class={`label ${ch.kind === 'deleted' ? 'important' : ch.kind === 'added' ? 'success' : 'warning'}`}>{ch.kind}</span>{' '}
              <span class="muted">
                {ch.appliedRevision ? `applied r${ch.appliedRevision}` : 'not applied'} → {ch.draftRevision ? `draft r${ch.draftRevision}` : 'deleted'}
              </span>
            </legend>
            <DiffBlock lines={ch.lines} />
          </fieldset>
        ))
      )}
      {changes.length ? <ApplyOptions /> : null}
      <div class="cbi-page-actions">
        <form method="post" action="/changes/reset" class="inline-form">
          <input type="hidden" name="_csrf" value={chrome.csrf} />
          <input type="hidden" name="_pending" value={pending} />
          <button type="submit" class="cbi-button cbi-button-reset" disabled={changes.length === 0}>
            Reset
          </button>
        </form>
        <ApplyForm csrf={chrome.csrf} pending={pending} disabled={changes.length === 0} />
      </div>
    </Layout>
  );
}
