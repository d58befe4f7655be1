// Small labelled form controls for the editor, each showing the diagnostics that belong to it.
import type { PlacedDiagnostic } from './field-diags.js';
import { fieldId } from './draft.js';

export function Diags({ diags }: { diags: PlacedDiagnostic[] }) {
  return (
    <>
      {diags.map((d) => (
        <div class={`diag ${d.severity}`} data-code={d.code}>
          {d.where ? `${d.where}: ` : ''}
          {d.message}
        </div>
      ))}
    </>
  );
}

const hasError = (diags: PlacedDiagnostic[]) => diags.some((d) => d.severity === 'error');

/** A LuCI "cbi-value" row: title on the left, control and description on the right. */
export function ValueRow(props: { name: string; label: string; diags: PlacedDiagnostic[]; descr?: string; children?: unknown }) {
  return (
    <div class={`cbi-value${hasError(props.diags) ? ' has-error' : ''}`}>
      <label class="cbi-value-title" for={fieldId(props.name)}>
        {props.label}
      </label>
      <div class="cbi-value-field">
        {props.children}
        {props.descr ? <div class="cbi-value-description">{props.descr}</div> : null}
        <Diags diags={props.diags} />
      </div>
    </div>
  );
}

export function TextInput(props: { name: string; value: string; cls?: string; placeholder?: string; readonly?: boolean }) {
  return <input type="text" id={fieldId(props.name)} name={props.name} value={props.value} class={props.cls} placeholder={props.placeholder} readonly={props.readonly} />;
}

export function Select(props: { name: string; value: string; options: readonly string[] | readonly [string, string][] }) {
  return (
    <select id={fieldId(props.name)} name={props.name}>
      {props.options.map((o) => {
        const [value, text] = typeof o === 'string' ? [o, o] : o;
        return (
          <option value={value} selected={value === props.value}>
            {text}
          </option>
        );
      })}
    </select>
  );
}

/** A small field with its label above it (used inside rule, set and test rows). */
export function Fld(props: { name: string; label: string; diags: PlacedDiagnostic[]; cls?: string; children?: unknown }) {
  return (
    <div class={`fld${props.cls ? ' ' + props.cls : ''}${hasError(props.diags) ? ' has-error' : ''}`}>
      <label for={fieldId(props.name)}>{props.label}</label>
      {props.children}
      <Diags diags={props.diags} />
    </div>
  );
}
