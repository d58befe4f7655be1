// The policy editor page: general settings, sets, rules, packet tests, generated Lua, and Save / Save & Apply / Reset.
import { families, hooks, targets } from '../../server/policy/schema.js';
import { formatPath } from '../../server/policy/diagnostics.js';
import { Layout, type Chrome } from '../layout.js';
import { fieldId, type Draft } from './draft.js';
import type { FieldDiags } from './field-diags.js';
import { Select, TextInput, ValueRow } from './fields.js';
import { LuaPanel, type LuaResult } from './lua-view.js';
import { EditorConflict, type ConflictView } from '../conflict.js';
import { RulesSection } from './rules.js';
import { SetsSection, TestsSection, type TestResultView } from './sets-tests.js';

export interface EditorProps {
  chrome: Chrome;
  draft: Draft;
  diags: FieldDiags;
  /** Editing an existing policy (name fixed) or creating one. */
  mode: 'new' | 'edit';
  /** The revision the editor was opened at; Save refuses if the policy has moved on since. */
  revision?: number;
  /** Save found the policy changed (or deleted) since `revision`: nothing was saved. */
  conflict?: ConflictView;
  lua?: LuaResult;
  results?: TestResultView[];
  /** The profile of the router's kernel, shown first. */
  profile: string;
}

/**
 * Every diagnostic, by path. After Save it explains why nothing was saved; while editing (`live`),
 * htmx re-checks the form on every change and swaps this box.
 */
export function Summary({ diags, live = false }: { diags: FieldDiags; live?: boolean }) {
  if (diags.all.length === 0) return <div id="diagnostics" aria-live="polite"></div>;
  const errors = diags.errorCount;
  const n = `${errors} ${errors === 1 ? 'error' : 'errors'}`;
  const title = live ? (errors ? `The policy has ${n}; Save will refuse it until they are fixed.` : 'Warnings:') : errors ? `The policy has ${n}; nothing was saved.` : 'Saved, with warnings:';
  return (
    <div class={`alert-message ${errors ? 'error' : 'warning'}`} role="alert" id="diagnostics" aria-live="polite">
      <h4>{title}</h4>
      <ul>
        {diags.all.map((d) => (
          <li>
            <code>{formatPath(d.path)}</code>: {d.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function General({ draft, diags, mode }: { draft: Draft; diags: FieldDiags; mode: 'new' | 'edit' }) {
  return (
    <fieldset class="cbi-section" id="general">
      <legend>General Settings</legend>
      <ValueRow name="name" label="Name" diags={diags.at('name')} descr={mode === 'edit' ? 'The name cannot change; use Clone to copy under a new name.' : 'a-z, 0-9, _ and -; starts with a letter; at most 32'}>
        <TextInput name="name" value={draft.name} cls="mono" readonly={mode === 'edit'} />
      </ValueRow>
      <ValueRow name="title" label="Title" diags={diags.at('title')}>
        <TextInput name="title" value={draft.title} cls="w-wide" />
      </ValueRow>
      <ValueRow name="description" label="Description" diags={diags.at('description')}>
        <textarea id={fieldId('description')} name="description" class="w-wide" rows={2}>
          {draft.description}
        </textarea>
      </ValueRow>
      <ValueRow name="enabled" label="Enabled" diags={diags.at('enabled')}>
        <input type="checkbox" id={fieldId('enabled')} name="enabled" value="1" checked={draft.enabled} />
      </ValueRow>
      <ValueRow name="target" label="Target" diags={diags.at('target')} descr="netfilter hook (NFLua) or XDP callback (XDPLua)">
        <Select name="target" value={draft.target} options={targets} />
      </ValueRow>
      <ValueRow name="hook" label="Hook" diags={diags.at('hook')} descr="netfilter only">
        <Select name="hook" value={draft.hook} options={[['', '(none)'], ...hooks.map((h): [string, string] => [h, h])]} />
      </ValueRow>
      <ValueRow name="interfaces" label="Interfaces" diags={diags.at('interfaces', 'item')} descr="XDP: required, the interfaces to attach to; netfilter: optional restriction">
        <TextInput name="interfaces" value={draft.interfaces} cls="mono w-wide" placeholder="br-lan wan" />
      </ValueRow>
      <ValueRow name="family" label="Family" diags={diags.at('family')}>
        <Select name="family" value={draft.family} options={families} />
      </ValueRow>
      <ValueRow name="priority" label="Priority" diags={diags.at('priority')} descr="netfilter hook priority; fw4's filter chains sit at 0">
        <input type="text" inputmode="numeric" id={fieldId('priority')} name="priority" value={draft.priority} class="w-small mono" />
      </ValueRow>
      <ValueRow name="marks" label="Packet marks" diags={diags.at('marks', 'item')} descr="netfilter: Lunatik runs the hook only for these skb marks; empty = unmarked packets only. List the marks mwan3 or fw4 MARK rules set (0x100, 0x200) or they pass untouched">
        <TextInput name="marks" value={draft.marks} cls="mono w-wide" placeholder="0x0, 0x100, 0x200" />
      </ValueRow>
      <ValueRow name="defaultAction" label="Default action" diags={diags.at('defaultAction')} descr="when no rule matches">
        <Select name="defaultAction" value={draft.defaultAction} options={['accept', 'drop']} />
      </ValueRow>
    </fieldset>
  );
}

export function EditorPage(props: EditorProps) {
  const { draft, diags, mode, chrome } = props;
  const action = mode === 'new' ? '/policies/new' : `/policies/${draft.name}/edit`;
  return (
    <Layout title={mode === 'new' ? 'Add policy' : `Edit ${draft.name}`} page="policies" chrome={chrome}>
      <h2>{mode === 'new' ? 'Firewall - Policies - Add policy' : `Firewall - Policies - ${draft.name}`}</h2>
      {props.revision ? <p class="cbi-map-descr">Editing revision {props.revision}. Save stores a new revision; Save &amp; Apply also loads it.</p> : null}
      {props.conflict ? <EditorConflict conflict={props.conflict} /> : null}
      <Summary diags={diags} />
      <form method="post" action={action} id="editor" novalidate hx-post="/editor/validate" hx-trigger="change delay:300ms" hx-target="#diagnostics" hx-swap="outerHTML">
        {/* Enter in a text field submits the first button in the form: make that Save. */}
        <button type="submit" name="op" value="save" class="sr-only" tabindex={-1} aria-hidden="true"></button>
        <input type="hidden" name="_csrf" value={chrome.csrf} />
        <input type="hidden" name="_mode" value={mode} />
        {mode === 'edit' && props.revision ? <input type="hidden" name="_revision" value={String(props.revision)} /> : null}
        <General draft={draft} diags={diags} mode={mode} />
        <SetsSection sets={draft.sets} diags={diags} />
        <RulesSection rules={draft.rules} diags={diags} />
        <TestsSection tests={draft.tests} diags={diags} results={props.results} />
        <fieldset class="cbi-section" id="lua">
          <legend>Generated Lua</legend>
          <p class="cbi-section-descr">What the kernel will run, per Lunatik version. Read-only; generated from the form as it is now.</p>
          {props.lua ? (
            <LuaPanel result={props.lua} />
          ) : (
            <div id="lua-panel">
              <button type="submit" name="profile" value={props.profile} class="cbi-button" formnovalidate hx-post="/editor/lua" hx-target="#lua-panel" hx-swap="outerHTML">
                Show generated Lua
              </button>
            </div>
          )}
        </fieldset>
        <div class="cbi-page-actions">
          <button type="submit" name="op" value="reset" class="cbi-button cbi-button-reset" formnovalidate>
            Reset
          </button>
          <button type="submit" name="op" value="save" class="cbi-button cbi-button-save">
            Save
          </button>
          <button type="submit" name="op" value="save-apply" class="cbi-button cbi-button-apply">
            Save &amp; Apply
          </button>
        </div>
      </form>
    </Layout>
  );
}
