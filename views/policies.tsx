// The Policies page: LuCI grid of policies with enable toggles, up/down order, Edit, Clone, Delete.
import type { Policy } from '../server/policy/schema.js';
import { Layout, type Chrome } from './layout.js';

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

export function PolicyTableRow({ row, index, count, csrf }: { row: PolicyRow; index: number; count: number; csrf: string }) {
  const p = row.policy;
  const id = `policy-${p.name}`;
  return (
    <tr id={id} class={p.enabled ? '' : 'disabled'}>
      <td>
        <a href={`/policies/${p.name}/edit`}>
          <code>{p.name}</code>
        </a>
        {row.changed ? (
          <span class="label warning" title="Saved but not applied">
            changed
          </span>
        ) : null}
      </td>
      <td>{p.title || <span class="muted">—</span>}</td>
      <td>{hookLabel(p)}</td>
      <td class="num">{p.rules.length}</td>
      <td>
        <form method="post" action={`/policies/${p.name}/toggle`} class="inline-form">
          <input type="hidden" name="_csrf" value={csrf} />
          <input type="hidden" name="enabled" value={p.enabled ? '0' : '1'} />
          <button
            type="submit"
            class={`cbi-button cbi-button-small ${p.enabled ? 'cbi-button-positive' : ''}`}
            aria-label={`${p.enabled ? 'Disable' : 'Enable'} ${p.name}`}
            aria-pressed={p.enabled ? 'true' : 'false'}
            hx-post={`/policies/${p.name}/toggle`}
            hx-target={`#${id}`}
            hx-swap="outerHTML"
          >
            {p.enabled ? 'Enabled' : 'Disabled'}
          </button>
        </form>
      </td>
      <td class="actions">
        <span class="row-actions">
          <form method="post" action={`/policies/${p.name}/move`} class="inline-form">
            <input type="hidden" name="_csrf" value={csrf} />
            <button type="submit" name="dir" value="up" class="cbi-button cbi-button-small" aria-label={`Move ${p.name} up`}
              disabled={index === 0} hx-post={`/policies/${p.name}/move`} hx-target="#policy-table" hx-swap="outerHTML">
              ▲
            </button>
            <button type="submit" name="dir" value="down" class="cbi-button cbi-button-small" aria-label={`Move ${p.name} down`}
              disabled={index === count - 1} hx-post={`/policies/${p.name}/move`} hx-target="#policy-table" hx-swap="outerHTML">
              ▼
            </button>
          </form>
          <a class="cbi-button cbi-button-small cbi-button-action" href={`/policies/${p.name}/edit`} aria-label={`Edit ${p.name}`}>
            Edit
          </a>
          <a class="cbi-button cbi-button-small" href={`/policies/${p.name}/clone`} aria-label={`Clone ${p.name}`}>
            Clone
          </a>
          <a class="cbi-button cbi-button-small cbi-button-remove" href={`/policies/${p.name}/delete`} aria-label={`Delete ${p.name}`}>
            Delete
          </a>
        </span>
      </td>
    </tr>
  );
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
          rows.map((r, i) => <PolicyTableRow row={r} index={i} count={rows.length} csrf={csrf} />)
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
        <div class="mt">
          <a class="cbi-button cbi-button-add" href="/policies/new">
            Add policy
          </a>
        </div>
      </div>
    </Layout>
  );
}

export function DeletePage({ name, chrome }: { name: string; chrome: Chrome }) {
  return (
    <Layout title="Delete policy" page="policies" chrome={chrome}>
      <h2>Delete policy "{name}"?</h2>
      <form method="post" action={`/policies/${name}/delete`} class="cbi-section">
        <p>
          The policy is removed from the configuration. Its revisions are kept, and the kernel keeps running it until the next Save &amp;
          Apply.
        </p>
        <input type="hidden" name="_csrf" value={chrome.csrf} />
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
