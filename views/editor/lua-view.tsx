// The generated Lua of a policy for one target profile, read-only and highlighted, with compiler diagnostics.
import { targetProfiles, type TargetProfile } from '../../server/compile/profile.js';
import type { Diagnostic } from '../../server/policy/diagnostics.js';
import { formatPath } from '../../server/policy/diagnostics.js';
import { highlightLua } from './lua-highlight.js';

export interface LuaResult {
  profile: TargetProfile;
  script?: string;
  diagnostics: Diagnostic[];
  /** Why nothing could be compiled (e.g. the draft does not validate). */
  error?: string;
}

export function LuaPanel({ result }: { result: LuaResult }) {
  return (
    <div id="lua-panel">
      <ul class="cbi-tabmenu" role="tablist" aria-label="Target profile">
        {targetProfiles.map((p) => (
          <li class={p === result.profile ? 'cbi-tab' : 'cbi-tab-disabled'}>
            <button type="submit" name="profile" value={p} class="cbi-button cbi-button-small" role="tab" aria-selected={p === result.profile ? 'true' : 'false'}
              formnovalidate hx-post="/editor/lua" hx-target="#lua-panel" hx-swap="outerHTML">
              {p}
            </button>
          </li>
        ))}
      </ul>
      {result.error ? <div class="alert-message warning">{result.error}</div> : null}
      {result.diagnostics.map((d) => (
        <div class={`diag ${d.severity}`}>
          {formatPath(d.path)}: {d.message}
        </div>
      ))}
      {result.script !== undefined ? (
        <pre class="lua" aria-label={`Generated Lua for ${result.profile}`} tabindex={0}>
          <code>{highlightLua(result.script)}</code>
        </pre>
      ) : null}
    </div>
  );
}
