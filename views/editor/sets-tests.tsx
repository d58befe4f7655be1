// Sets (one element per line, with counts) and the policy's own packet tests, runnable in place.
import { setTypes, verdicts } from '../../server/policy/schema.js';
import { lineCount, type DraftSet, type DraftTest } from './draft.js';
import type { FieldDiags } from './field-diags.js';
import { Diags, Fld, Select, TextInput } from './fields.js';

export interface TestResultView {
  name: string;
  expect: string;
  verdict: string;
  rule: string;
  passed: boolean;
  error?: string;
}

function SetRow({ set, i, diags }: { set: DraftSet; i: number; diags: FieldDiags }) {
  const n = (f: string) => `sets[${i}].${f}`;
  const key = `sets.${set.name}`;
  const count = lineCount(set.elements);
  const nameDiags = diags.at(key).filter((d) => d.path.length <= 2);
  return (
    <div class="set-row" id={`set-${i}`}>
      <Fld name={n('name')} label="Set name" diags={nameDiags}>
        <TextInput name={n('name')} value={set.name} cls="mono" />
      </Fld>
      <Fld name={n('type')} label="Type" diags={diags.at(`${key}.type`)}>
        <Select name={n('type')} value={set.type} options={setTypes} />
      </Fld>
      <Fld name={n('elements')} label={`Elements, one per line`} diags={diags.at(`${key}.elements`, 'line')}>
        <textarea id={`f-sets-${i}-elements`} name={n('elements')} class="mono" rows={Math.min(12, Math.max(3, count + 1))} data-count-target={`set-count-${i}`}>
          {set.elements}
        </textarea>
        <span class="count" id={`set-count-${i}`} aria-live="polite">
          {count} {count === 1 ? 'element' : 'elements'}
        </span>
      </Fld>
      <div>
        <button type="submit" name="op" value={`set-remove:${i}`} class="cbi-button cbi-button-small cbi-button-remove" aria-label={`Remove set ${set.name || i + 1}`}
          formnovalidate hx-post="/editor/sets" hx-target="#sets" hx-swap="outerHTML">
          Remove
        </button>
      </div>
    </div>
  );
}

export function SetsSection({ sets, diags }: { sets: DraftSet[]; diags: FieldDiags }) {
  return (
    <fieldset class="cbi-section" id="sets">
      <legend>Sets ({sets.length})</legend>
      <p class="cbi-section-descr">Named lists that rules refer to as "@name": CIDRs, ports and ranges, or domain suffixes.</p>
      {sets.map((s, i) => (
        <SetRow set={s} i={i} diags={diags} />
      ))}
      <Diags diags={diags.at('sets').filter((d) => d.path.length === 1)} />
      <button type="submit" name="op" value="set-add" class="cbi-button cbi-button-add" formnovalidate hx-post="/editor/sets" hx-target="#sets" hx-swap="outerHTML">
        Add set
      </button>
    </fieldset>
  );
}

function TestRow({ t, i, diags }: { t: DraftTest; i: number; diags: FieldDiags }) {
  const n = (f: string) => `tests[${i}].${f}`;
  return (
    <div class="test-row" id={`test-${i}`}>
      <Fld name={n('name')} label="Test name" diags={diags.at(n('name'))}>
        <TextInput name={n('name')} value={t.name} />
      </Fld>
      <Fld name={n('expect')} label="Expect" diags={diags.at(n('expect'))}>
        <Select name={n('expect')} value={t.expect} options={verdicts} />
      </Fld>
      <Fld name={n('rule')} label="Deciding rule" diags={diags.at(n('rule'))}>
        <TextInput name={n('rule')} value={t.rule} placeholder="optional" cls="mono" />
      </Fld>
      <Fld name={n('packet')} label="Packet (JSON)" diags={diags.at(n('packet'))}>
        <textarea id={`f-tests-${i}-packet`} name={n('packet')} class="mono" rows={2}>
          {t.packet}
        </textarea>
      </Fld>
      <div>
        <button type="submit" name="op" value={`test-remove:${i}`} class="cbi-button cbi-button-small cbi-button-remove" aria-label={`Remove test ${i + 1}`}
          formnovalidate hx-post="/editor/tests" hx-target="#tests" hx-swap="outerHTML">
          Remove
        </button>
      </div>
    </div>
  );
}

export function TestResults({ results, error }: { results?: TestResultView[]; error?: string }) {
  if (error)
    return (
      <div id="test-results" class="alert-message error" role="alert">
        {error}
      </div>
    );
  if (!results) return <div id="test-results"></div>;
  const failed = results.filter((r) => !r.passed).length;
  return (
    <div id="test-results">
      <div class={`alert-message ${failed ? 'error' : 'success'}`} role="status">
        {results.length === 0 ? 'This policy has no tests.' : failed ? `${failed} of ${results.length} tests failed.` : `All ${results.length} tests passed.`}
      </div>
      {results.length ? (
        <table class="cbi-section-table">
          <thead>
            <tr>
              <th>Test</th>
              <th>Expected</th>
              <th>Verdict</th>
              <th>Rule</th>
              <th>Result</th>
            </tr>
          </thead>
          <tbody>
            {results.map((r) => (
              <tr>
                <td>{r.name}</td>
                <td>{r.expect}</td>
                <td class={`verdict-${r.verdict}`}>{r.verdict}</td>
                <td>
                  <code>{r.rule}</code>
                </td>
                <td class={r.passed ? 'verdict-accept' : 'verdict-drop'}>
                  {r.passed ? 'passed' : 'FAILED'}
                  {r.error ? ` (${r.error})` : ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
    </div>
  );
}

export function TestsSection({ tests, diags, results }: { tests: DraftTest[]; diags: FieldDiags; results?: TestResultView[] }) {
  return (
    <fieldset class="cbi-section" id="tests">
      <legend>Packet tests ({tests.length})</legend>
      <p class="cbi-section-descr">
        Run before every load. A packet is JSON such as {'{"src":"192.168.1.10","dst":"1.1.1.1","proto":"tcp","dstPort":443,"tls":{"sni":"ads.example.com"}}'}.
      </p>
      {tests.map((t, i) => (
        <TestRow t={t} i={i} diags={diags} />
      ))}
      <Diags diags={diags.at('tests').filter((d) => d.path.length === 1)} />
      <div class="row-actions">
        <button type="submit" name="op" value="test-add" class="cbi-button cbi-button-add" formnovalidate hx-post="/editor/tests" hx-target="#tests" hx-swap="outerHTML">
          Add test
        </button>
        <button type="submit" name="op" value="run-tests" class="cbi-button cbi-button-action" formnovalidate hx-post="/editor/run-tests" hx-target="#test-results" hx-swap="outerHTML">
          Run tests
        </button>
      </div>
      <TestResults results={results} />
    </fieldset>
  );
}
