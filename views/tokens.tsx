// API tokens: create with scopes (the secret is shown once), list, revoke.
import { Layout, type Chrome } from './layout.js';
import { fmtTime } from './status.js';

export interface TokenRow {
  name: string;
  scopes: string[];
  prefix: string;
  createdAt: number;
  lastUsedAt: number | null;
}

export function TokensPage(props: { tokens: TokenRow[]; created?: { name: string; token: string }; error?: string; chrome: Chrome }) {
  const { chrome } = props;
  return (
    <Layout title="Tokens" page="tokens" chrome={chrome}>
      <h2>System - API tokens</h2>
      <p class="cbi-map-descr">Bearer tokens for the REST API (e.g. an ISP's provisioning system). "read" reads, "write" edits policies, "apply" loads them.</p>
      {props.created ? (
        <div class="alert-message success" role="status">
          <h4>Token "{props.created.name}" created. Copy it now: it is not shown again.</h4>
          <div class="token-once">
            <code id="new-token">{props.created.token}</code>
          </div>
        </div>
      ) : null}
      <div class="cbi-section">
        <table class="cbi-section-table" id="tokens-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Scopes</th>
              <th>Starts with</th>
              <th>Created</th>
              <th>Last used</th>
              <th class="actions">
                <span class="sr-only">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {props.tokens.length === 0 ? (
              <tr>
                <td colspan={6}>
                  <em>No tokens.</em>
                </td>
              </tr>
            ) : (
              props.tokens.map((t) => (
                <tr>
                  <td>
                    <code>{t.name}</code>
                  </td>
                  <td>{t.scopes.join(', ')}</td>
                  <td>
                    <code>{t.prefix}…</code>
                  </td>
                  <td>{fmtTime(t.createdAt)}</td>
                  <td>{t.lastUsedAt ? fmtTime(t.lastUsedAt) : 'never'}</td>
                  <td class="actions">
                    <form method="post" action={`/tokens/${encodeURIComponent(t.name)}/revoke`} class="inline-form">
                      <input type="hidden" name="_csrf" value={chrome.csrf} />
                      <button type="submit" class="cbi-button cbi-button-small cbi-button-remove" aria-label={`Revoke ${t.name}`}>
                        Revoke
                      </button>
                    </form>
                  </td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>
      <form method="post" action="/tokens" class="cbi-section">
        <h3>New token</h3>
        <input type="hidden" name="_csrf" value={chrome.csrf} />
        {props.error ? (
          <div class="alert-message error" role="alert">
            {props.error}
          </div>
        ) : null}
        <div class="cbi-value">
          <label class="cbi-value-title" for="token-name">
            Name
          </label>
          <div class="cbi-value-field">
            <input type="text" id="token-name" name="name" class="mono" placeholder="isp" required />
          </div>
        </div>
        <div class="cbi-value">
          <span class="cbi-value-title">Scopes</span>
          <div class="cbi-value-field" role="group" aria-label="Scopes">
            {['read', 'write', 'apply'].map((s) => (
              <label class="gap-r">
                <input type="checkbox" name="scopes" value={s} checked={s === 'read'} /> {s}
              </label>
            ))}
          </div>
        </div>
        <div class="cbi-page-actions">
          <button type="submit" class="cbi-button cbi-button-add">
            Create token
          </button>
        </div>
      </form>
    </Layout>
  );
}
