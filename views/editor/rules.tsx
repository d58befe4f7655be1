// The rules of a policy as inline-editable rows; add, remove, reorder swap this section in place via htmx.
import { actions } from '../../server/policy/schema.js';
import { fieldId, matchFields, type DraftRule } from './draft.js';
import type { FieldDiags } from './field-diags.js';
import { Diags, Fld, Select, TextInput } from './fields.js';

/** A button that edits the rule list: htmx swaps #rules; without JavaScript the whole form is posted. */
function OpButton(props: { op: string; label: string; text: string; cls?: string; disabled?: boolean }) {
  return (
    <button
      type="submit"
      name="op"
      value={props.op}
      class={`cbi-button cbi-button-small${props.cls ? ' ' + props.cls : ''}`}
      aria-label={props.label}
      title={props.label}
      disabled={props.disabled}
      formnovalidate
      hx-post="/editor/rules"
      hx-target="#rules"
      hx-swap="outerHTML"
    >
      {props.text}
    </button>
  );
}

function RuleRow({ rule, i, count, diags }: { rule: DraftRule; i: number; count: number; diags: FieldDiags }) {
  const base = `rules[${i}]`;
  const n = (f: string) => `${base}.${f}`;
  const rowDiags = diags.at(base).filter((d) => d.path.length <= 2);
  return (
    <div class={`rule${rule.enabled ? '' : ' disabled'}`} id={`rule-${i}`} data-rule-id={rule.id}>
      <div class="rule-head">
        <span class="pos">#{i + 1}</span>
        <OpButton op={`rule-up:${i}`} label={`Move rule ${i + 1} up`} text="▲" disabled={i === 0} />
        <OpButton op={`rule-down:${i}`} label={`Move rule ${i + 1} down`} text="▼" disabled={i === count - 1} />
        <span class="fld">
          <input type="checkbox" id={fieldId(n('enabled'))} name={n('enabled')} value="1" checked={rule.enabled} />
          <label for={fieldId(n('enabled'))}>Enabled</label>
        </span>
        <Fld name={n('id')} label="ID" diags={diags.at(n('id'))}>
          <TextInput name={n('id')} value={rule.id} cls="mono" />
        </Fld>
        <Fld name={n('action')} label="Action" diags={diags.at(n('action'))}>
          <Select name={n('action')} value={rule.action} options={actions} />
        </Fld>
        <Fld name={n('comment')} label="Comment" diags={diags.at(n('comment'))} cls="grow">
          <TextInput name={n('comment')} value={rule.comment} />
        </Fld>
        <OpButton op={`rule-remove:${i}`} label={`Remove rule ${i + 1}`} text="Remove" cls="cbi-button-remove" />
      </div>
      <div class="rule-body">
        {matchFields.map((f) => (
          <Fld name={n(`match.${f.key}`)} label={f.label} diags={diags.at(n(`match.${f.key}`), 'item')}>
            <TextInput name={n(`match.${f.key}`)} value={rule.match[f.key]} placeholder={f.hint} cls="mono" />
          </Fld>
        ))}
      </div>
      <Diags diags={rowDiags} />
    </div>
  );
}

export function RulesSection({ rules, diags }: { rules: DraftRule[]; diags: FieldDiags }) {
  return (
    <fieldset class="cbi-section" id="rules">
      <legend>Rules ({rules.length})</legend>
      <p class="cbi-section-descr">
        First match wins. Lists are separated by commas or spaces; "@name" refers to a set. "log" records the packet and goes on to the
        next rule.
      </p>
      {rules.length === 0 ? <p><em>No rules: every packet gets the default action.</em></p> : null}
      {rules.map((r, i) => (
        <RuleRow rule={r} i={i} count={rules.length} diags={diags} />
      ))}
      <Diags diags={diags.at('rules').filter((d) => d.path.length === 1)} />
      <button type="submit" name="op" value="rule-add" class="cbi-button cbi-button-add" formnovalidate hx-post="/editor/rules" hx-target="#rules" hx-swap="outerHTML">
        Add rule
      </button>
    </fieldset>
  );
}
