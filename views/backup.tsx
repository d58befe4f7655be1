// Backup / Restore: export every policy as JSON; import with validation and a preview of what would change.
import { formatPath, type Diagnostic } from '../server/policy/diagnostics.js';
import { Layout, type Chrome } from './layout.js';

export interface ImportPreview {
  created: string[];
  changed: string[];
  deleted: string[];
  unchanged: string[];
}

export interface ImportProblem {
  /** Which policy in the file, when known. */
  policy?: string;
  diagnostics: Diagnostic[];
}

export function BackupPage(props: {
  chrome: Chrome;
  json?: string;
  preview?: ImportPreview;
  problems?: ImportProblem[];
  error?: string;
  done?: ImportPreview;
}) {
  const { chrome, preview } = props;
  return (
    <Layout title="Backup/Restore" page="backup" chrome={chrome}>
      <h2>System - Backup / Restore</h2>
      <fieldset class="cbi-section">
        <legend>Backup</legend>
        <p class="cbi-section-descr">Download every policy (the current drafts) as one JSON file.</p>
        <a class="cbi-button cbi-button-action" href="/backup/export" download="lunawall-policies.json">
          Download backup
        </a>
      </fieldset>
      <form method="post" action="/backup/import" class="cbi-section" enctype="multipart/form-data">
        <h3>Restore</h3>
        <p class="cbi-section-descr">
          Replaces the whole set of policies with the file's: policies not in the file are deleted. Nothing changes until you confirm the
          preview; the result is saved as drafts, to be applied with Save &amp; Apply.
        </p>
        <input type="hidden" name="_csrf" value={chrome.csrf} />
        {props.error ? (
          <div class="alert-message error" role="alert">
            {props.error}
          </div>
        ) : null}
        {props.problems?.length ? (
          <div class="alert-message error" role="alert" id="import-problems">
            <h4>The file is not valid; nothing was changed.</h4>
            <ul>
              {props.problems.flatMap((p) =>
                p.diagnostics.map((d) => (
                  <li>
                    {p.policy ? <code>{p.policy}</code> : null} <code>{formatPath(d.path)}</code>: {d.message}
                  </li>
                )),
              )}
            </ul>
          </div>
        ) : null}
        {props.done ? (
          <div class="alert-message success" role="status" id="import-done">
            Restored: {props.done.created.length} created, {props.done.changed.length} changed, {props.done.deleted.length} deleted. Review
            them under <a href="/changes">pending changes</a> and Save &amp; Apply.
          </div>
        ) : null}
        {preview ? (
          <div class="alert-message notice" id="import-preview">
            <h4>Preview: what the restore changes</h4>
            <table class="kv">
              <tbody>
                {(['created', 'changed', 'deleted', 'unchanged'] as const).map((k) => (
                  <tr>
                    <th>{k}</th>
                    <td>{preview[k].length ? preview[k].map((n) => <code class="gap-r">{n}</code>) : <span class="muted">none</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
        {preview ? (
          <>
            <input type="hidden" name="json" value={props.json ?? ''} />
            <div class="cbi-page-actions">
              <a class="cbi-button" href="/backup">
                Cancel
              </a>
              <button type="submit" name="op" value="restore" class="cbi-button cbi-button-apply">
                Restore
              </button>
            </div>
          </>
        ) : (
          <>
            <div class="cbi-value">
              <label class="cbi-value-title" for="import-file">
                Backup file
              </label>
              <div class="cbi-value-field">
                <input type="file" id="import-file" name="file" accept="application/json,.json" />
              </div>
            </div>
            <div class="cbi-page-actions">
              <button type="submit" name="op" value="preview" class="cbi-button cbi-button-action">
                Preview restore
              </button>
            </div>
          </>
        )}
      </form>
    </Layout>
  );
}
