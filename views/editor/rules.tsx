// The rules of a policy as inline-editable rows; add, remove, reorder swap this section in place via htmx.
// Rows are built as strings (see views/html.ts): a policy may have hundreds of rules.
import { actions } from '../../server/policy/schema.js';
import { esc, trusted } from '../html.js';
import { matchFields, type DraftRule } from './draft.js';
import type { FieldDiags, PlacedDiagnostic } from './field-diags.js';
import { Diags } from './fields.js';

const diagHtml = (ds: PlacedDiagnostic[]) =>
  ds.map((d) => `<div class="diag ${d.severity}" data-code="${esc(d.code)}">${d.where ? esc(d.where) + ': ' : ''}${esc(d.message)}</div>`).join('');

const hasError = (ds: PlacedDiagnostic[]) => ds.some((d) => d.severity === 'error');

/**
 * A button that edits the rule list: htmx posts the form to /editor/rules (target and swap are inherited
 * from #rules). Kept small on purpose: a submit button by default, styled by `.rule-head button`.
 */
const opButton = (op: string, label: string, text: string, cls = '', disabled = false) =>
  `<button name="op" value="${op}"${cls ? ` class="${cls}"` : ''} aria-label="${esc(label)}"${disabled ? ' disabled' : ''} hx-post="/editor/rules">${text}</button>`;

/** A labelled field; the label wraps its control, so no ids are needed. Only a field with messages needs a wrapper. */
function field(label: string, control: string, ds: PlacedDiagnostic[], cls = 'fld'): string {
  if (ds.length === 0) return `<label class="${cls}">${esc(label)}${control}</label>`;
  return `<div class="${cls}${hasError(ds) ? ' has-error' : ''}"><label>${esc(label)}${control}</label>${diagHtml(ds)}</div>`;
}

const input = (name: string, value: string, ds: PlacedDiagnostic[]) =>
  `<input name="${name}"${value ? ` value="${esc(value)}"` : ''}${hasError(ds) ? ' class="has-error" aria-invalid="true"' : ''}>`;

// reject is offered only to show an imported policy's value: no profile can emit it yet (action.reject-unsupported).
const actionOptions = (value: string) => actions.filter((a) => a !== 'reject' || a === value).map((a) => `<option${a === value ? ' selected' : ''}>${a}</option>`).join('');

export function ruleRowHtml(rule: DraftRule, i: number, count: number, diags: FieldDiags): string {
  const base = `rules[${i}]`;
  const d = (f: string, item?: 'item') => diags.at(`${base}.${f}`, item);
  const rowDiags = diags.at(base).filter((x) => x.path.length <= 2);
  const n = i + 1;
  const idD = d('id');
  const actD = d('action');
  const comD = d('comment');
  let body = '';
  for (const f of matchFields) {
    const ds = d(`match.${f.key}`, 'item');
    body += field(f.label, input(`${base}.match.${f.key}`, rule.match[f.key], ds), ds);
  }
  return (
    `<div class="rule${rule.enabled ? '' : ' disabled'}"><div class="rule-head">` +
    `<span class="pos">#${n}</span>` +
    opButton(`rule-up:${i}`, `Move rule ${n} up`, '▲', '', i === 0) +
    opButton(`rule-down:${i}`, `Move rule ${n} down`, '▼', '', i === count - 1) +
    `<label class="fld inline"><input type="checkbox" name="${base}.enabled" value="1"${rule.enabled ? ' checked' : ''}> Enabled</label>` +
    field('ID', input(`${base}.id`, rule.id, idD), idD, 'fld inline') +
    field('Action', `<select name="${base}.action">${actionOptions(rule.action)}</select>`, actD, 'fld inline') +
    field('Comment', input(`${base}.comment`, rule.comment, comD), comD, 'fld inline grow') +
    opButton(`rule-remove:${i}`, `Remove rule ${n}`, 'Remove', 'remove') +
    `</div><div class="rule-body">${body}</div>${diagHtml(rowDiags)}</div>`
  );
}

export function RulesSection({ rules, diags }: { rules: DraftRule[]; diags: FieldDiags }) {
  let rows = '';
  for (let i = 0; i < rules.length; i++) rows += ruleRowHtml(rules[i]!, i, rules.length, diags);
  return (
    <fieldset class="cbi-section" id="rules" hx-target:inherited="#rules" hx-swap:inherited="outerHTML">
      <legend>Rules ({rules.length})</legend>
      <p class="cbi-section-descr">
        First match wins. Lists are separated by commas or spaces; "@name" refers to a set. Protocol: tcp udp icmp icmpv6 (empty = any);
        addresses: CIDRs; ports: 22, 8000-8100; TCP flags: syn,!ack. "log" records the packet and goes on to the next rule.
      </p>
      {rules.length === 0 ? (
        <p>
          <em>No rules: every packet gets the default action.</em>
        </p>
      ) : null}
      {trusted(rows)}
      <Diags diags={diags.at('rules').filter((d) => d.path.length === 1)} />
      <button type="submit" name="op" value="rule-add" class="cbi-button cbi-button-add" formnovalidate hx-post="/editor/rules">
        Add rule
      </button>
    </fieldset>
  );
}
