// The Policies page: LuCI grid of policies with enable toggles, up/down order, Edit, Clone, Delete.
import type { Policy } from '../server/policy/schema.js';
import { Layout, type Chrome } from './layout.js';
import { esc, trusted } from './html.js';
import { DeleteConflict, type ConflictView } from './conflict.js';

export interface PolicyRow {
  policy: Policy;
  revision: number;
  /** Differs from what is applied (or not applied at all). */
  changed: boolean;
}

export function hookLabel(p: Policy): string {
  if (p.target === 'xdp') return `XDP on ${(p.interfaces ?? []).join(', ') || '(no interface)'}`;
  const ifs = p.interfaces?.length ? ` (${p.interfaces.join(', ')})` : '';
  return `netfilter ${p.hook ?? '(no hook)'}${ifs}`;
}

/** One row, built as a string (see views/html.ts): the list may hold hundreds of policies. */
export function policyRowHtml(row: PolicyRow, index: number, count: number, csrf: string): string {
  const p = row.policy;
  const n = esc(p.name);
  const id = `policy-${n}`;
  const hidden = `<input type="hidden" name="_csrf" value="${esc(csrf)}">`;
  const move = (dir: 'up' | 'down', text: string, disabled: boolean) =>
    `<button type="submit" name="dir" value="${dir}" class="cbi-button cbi-button-small" aria-label="Move ${n} ${dir}"${disabled ? ' disabled' : ''} hx-post="/policies/${n}/move" hx-target="#policy-table" hx-swap="outerHTML">${text}</button>`;
  return (
    `<tr id="${id}"${p.enabled ? '' : ' class="disabled"'}>` +
    `<td><a href="/policies/${n}/edit"><code>${n}</code></a>${row.changed ? '<span class="label warning" title="Saved but not applied">changed</span>' : ''}</td>` +
    `<td>${p.title ? esc(p.title) : '<span class="muted">—</span>'}</td>` +
    `<td>${esc(hookLabel(p))}</td><td class="num">${p.rules.length}</td>` +
    `<td><form method="post" action="/policies/${n}/toggle" class="inline-form">${hidden}<input type="hidden" name="enabled" value="${p.enabled ? '0' : '1'}">` +
    `<button type="submit" class="cbi-button cbi-button-small${p.enabled ? ' cbi-button-positive' : ''}" aria-label="${p.enabled ? 'Disable' : 'Enable'} ${n}" aria-pressed="${p.enabled}" hx-post="/policies/${n}/toggle" hx-target="#${id}" hx-swap="outerHTML">${p.enabled ? 'Enabled' : 'Disabled'}</button></form></td>` +
    `<td class="actions"><span class="row-actions"><form method="post" action="/policies/${n}/move" class="inline-form">${hidden}${move('up', '▲', index === 0)}${move('down', '▼', index === count - 1)}</form>` +
    `<a class="cbi-button cbi-button-small cbi-button-action" href="/policies/${n}/edit" aria-label="Edit ${n}">Edit</a>` +
    `<a class="cbi-button cbi-button-small" href="/policies/${n}/clone" aria-label="Clone ${n}">Clone</a>` +
    `<a class="cbi-button cbi-button-small cbi-button-remove" href="/policies/${n}/delete" aria-label="Delete ${n}">Delete</a></span></td></tr>`
  );
}

export function PolicyTableRow({ row, index, count, csrf }: { row: PolicyRow; index: number; count: number; csrf: string }) {
  return trusted(policyRowHtml(row, index, count, csrf));
}

export function PolicyTable({ rows, csrf }: { rows: PolicyRow[]; csrf: string }) {
  return (
    <table class="cbi-section-table" id="policy-table">
      <thead>
        <tr>
          <th>Name</th>
          <th>Title</th>
          <th>Target / hook</th>
          <th class="num">Rules</th>
          <th>Enable</th>
          <th class="actions">
            <span class="sr-only">Actions</span>
          </th>
        </tr>
      </thead>
      <tbody>
        {rows.length === 0 ? (
          <tr>
            <td colspan={6}>
              <em>There are no policies yet.</em>
            </td>
          </tr>
        ) : (
          trusted(rows.map((r, i) => policyRowHtml(r, i, rows.length, csrf)).join(''))
        )}
      </tbody>
    </table>
  );
}

export function PoliciesPage({ rows, chrome }: { rows: PolicyRow[]; chrome: Chrome }) {
  return (
    <Layout title="Policies" page="policies" chrome={chrome}>
      <h2>Firewall - Policies</h2>
      <p class="cbi-map-descr">
        Each policy is compiled to a Lua script and loaded into its own Lunatik state. Policies run in this order; inside a policy the
        first matching rule decides.
      </p>
      <div class="cbi-section">
        <PolicyTable rows={rows} csrf={chrome.csrf} />
        <form method="get" action="/policies/new" class="mt">
          <button type="submit" class="cbi-button cbi-button-add">
            Add policy
          </button>
        </form>
      </div>
    </Layout>
  );
}

export function DeletePage({ name, revision, conflict, chrome }: { name: string; revision: number; conflict?: ConflictView; chrome: Chrome }) {
  return (
    <Layout title="Delete policy" page="policies" chrome={chrome}>
      <h2>Delete policy "{name}"?</h2>
      {conflict ? <DeleteConflict conflict={conflict} /> : null}
      <form method="post" action={`/policies/${name}/delete`} class="cbi-section">
        <p>
          The policy is removed from the configuration. Its revisions are kept, and the kernel keeps running it until the next Save &amp;
          Apply.
        </p>
        <input type="hidden" name="_csrf" value={chrome.csrf} />
        <input type="hidden" name="_revision" value={String(revision)} />
        <div class="cbi-page-actions">
          <a class="cbi-button" href="/policies">
            Cancel
          </a>
          <button type="submit" class="cbi-button cbi-button-remove">
            Delete
          </button>
        </div>
      </form>
    </Layout>
  );
}
