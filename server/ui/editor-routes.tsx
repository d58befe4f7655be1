// The policy editor: new / edit / clone pages, Save and Save & Apply, and the htmx partials for rule, set and test rows.
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { etagOf, getPolicy, savePolicy, StoreError } from '../db/policies.js';
import { getRevision, listRevisions } from '../db/revisions.js';
import { checkPolicy } from '../policy/check.js';
import { error, hasErrors, type Diagnostic } from '../policy/diagnostics.js';
import { emptyDraft, emptyRule, type Draft } from '../../views/editor/draft.js';
import { FieldDiags } from '../../views/editor/field-diags.js';
import { EditorPage } from '../../views/editor/page.js';
import type { ConflictView } from '../../views/conflict.js';
import { RulesSection } from '../../views/editor/rules.js';
import { SetsSection, TestsSection } from '../../views/editor/sets-tests.js';
import type { LuaResult } from '../../views/editor/lua-view.js';
import type { TestResultView } from '../../views/editor/sets-tests.js';
import type { Flash } from '../../views/layout.js';
import type { UiEnv } from './env.js';
import { chrome } from './chrome.js';
import { applyOp, sectionOf, type OpResult, type Section } from './editor-ops.js';
import { draftFromForm, draftFromPolicy, inputFromDraft, mergeDiagnostics } from './policy-form.js';
import { form, fragment, page, redirect } from './render.js';
import { startApply } from './apply-start.js';
import { compileDraft, runDraftTests } from './editor-compile.js';
import { revisionField, staleness } from './conflict.js';

type Mode = 'new' | 'edit';

interface Extras {
  diags?: Diagnostic[];
  lua?: LuaResult;
  results?: TestResultView[];
  revision?: number;
  flash?: Flash;
  conflict?: ConflictView;
}

export function editorRoutes(deps: AppDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  // The generated Lua opens on the profile of the kernel this router runs.
  let profile: string | undefined;
  const kernelProfile = async () => (profile ??= await deps.backend.info().then((i) => i.profile, () => 'lunatik-4'));
  const show = async (c: Context<UiEnv>, mode: Mode, draft: Draft, x: Extras = {}) =>
    page(
      c,
      <EditorPage
        chrome={chrome(c, deps, x.flash)}
        draft={draft}
        diags={new FieldDiags(x.diags ?? [])}
        mode={mode}
        revision={x.revision}
        conflict={x.conflict}
        lua={x.lua}
        results={x.results}
        profile={await kernelProfile()}
      />,
    );

  app.get('/policies/new', (c) => {
    const d = emptyDraft();
    d.rules.push(emptyRule(d.rules));
    return show(c, 'new', d);
  });

  app.get('/policies/:name/edit', (c) => {
    const stored = getPolicy(deps.db, c.req.param('name'));
    if (!stored) return c.notFound();
    return show(c, 'edit', draftFromPolicy(stored.policy), { revision: stored.revision });
  });

  app.get('/policies/:name/clone', (c) => {
    const stored = getPolicy(deps.db, c.req.param('name'));
    if (!stored) return c.notFound();
    const d = draftFromPolicy(stored.policy);
    let n = 1;
    const base = d.name.slice(0, 26);
    while (getPolicy(deps.db, n === 1 ? `${base}-copy` : `${base}-copy${n}`)) n++;
    d.name = n === 1 ? `${base}-copy` : `${base}-copy${n}`;
    d.title = d.title ? `${d.title} (copy)` : '';
    return show(c, 'new', d);
  });

  async function submit(c: Context<UiEnv>, mode: Mode, fixedName?: string) {
    const f = await form(c);
    const draft = draftFromForm(f);
    if (fixedName !== undefined) draft.name = fixedName;
    // The revision the editor was opened at rides along in every re-render, so Save can tell a stale form.
    const opened = mode === 'edit' ? revisionField(f._revision) : undefined;
    const again = (d: Draft, x: Extras = {}) => show(c, mode, d, { revision: opened, ...x });
    let op = f.op ?? (f.profile ? 'lua' : 'save');
    // "Save mine over revision N", offered by the conflict alert: a save against N, knowingly.
    const overwrite = mode === 'edit' ? /^overwrite:(\d{1,15})$/.exec(op) : null;
    const base = overwrite ? revisionField(overwrite[1]) : opened;
    if (overwrite) op = 'save';
    if (op === 'reset') return redirect(c, mode === 'new' ? '/policies/new' : `/policies/${fixedName}/edit`);
    if (op === 'lua') return again(draft, { lua: await compileDraft(draft, f.profile) });
    if (op === 'run-tests') {
      const r = await runDraftTests(draft);
      return again(draft, { results: r.results, diags: r.diagnostics });
    }
    if (op !== 'save' && op !== 'save-apply') {
      // Without JavaScript the row buttons post the whole form here: apply the edit and show the form again.
      const r = applyOp(draft, op);
      return again(draft, r.error === undefined ? {} : { flash: { kind: 'error', text: r.error } });
    }
    if (fixedName !== undefined) {
      const conflict = staleness(deps.db, fixedName, base);
      if (conflict) return again(draft, { conflict });
    }
    const { input, diagnostics: formDiags } = inputFromDraft(draft);
    const checked = checkPolicy(input);
    const diags = mergeDiagnostics(formDiags, checked.diagnostics);
    if (!checked.policy || hasErrors(formDiags)) return again(draft, { diags });
    let saved;
    try {
      // The store re-checks the base revision inside its transaction (another process may have saved since
      // staleness() looked); a deleted policy the user chose to save again is created, only if still absent.
      const at = fixedName === undefined || base === undefined ? undefined : getRevision(deps.db, fixedName, base);
      const write = at?.kind === 'save' ? ({ mode: 'update', ifMatch: etagOf(at.n, at.hash) } as const) : ({ mode: 'create' } as const);
      saved = savePolicy(deps.db, checked.policy, { author: c.get('principal').name, now: deps.clock.now(), ...write });
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      const conflict = fixedName === undefined ? undefined : staleness(deps.db, fixedName, base);
      if (conflict) return again(draft, { conflict });
      const at = e.code === 'policy.exists' ? ['name'] : [];
      return again(draft, { diags: [...diags, error(e.code, at, e.message)] });
    }
    if (op === 'save-apply') return startApply(c, deps, {});
    const name = saved.stored.name;
    if (diags.length === 0) return redirect(c, `/policies/${name}/edit?done=saved`);
    return show(c, 'edit', draftFromPolicy(saved.stored.policy), { diags, revision: saved.stored.revision, flash: { kind: 'success', text: 'Saved, with warnings.' } });
  }

  app.post('/policies/new', (c) => submit(c, 'new'));
  // A policy deleted since the editor opened still gets its form back, with the conflict, not a 404.
  app.post('/policies/:name/edit', (c) => {
    if (listRevisions(deps.db, c.req.param('name')).length === 0) return c.notFound();
    return submit(c, 'edit', c.req.param('name'));
  });

  // htmx partials: the form is posted as it is, one section comes back.
  // A bad op comes back as the section unchanged, with the reason under it.
  const partial = async (c: Context<UiEnv>, section: Section) => {
    const f = await form(c);
    const draft = draftFromForm(f);
    const op = f.op ?? '';
    const r: OpResult = sectionOf(op) === section ? applyOp(draft, op) : { section, error: `"${op}" is not an edit of the ${section}; nothing was changed.` };
    return { draft, diags: new FieldDiags(r.error === undefined ? [] : [error('form.op', [section], r.error)]) };
  };
  app.post('/editor/rules', async (c) => {
    const { draft, diags } = await partial(c, 'rules');
    return fragment(c, <RulesSection rules={draft.rules} diags={diags} />);
  });
  app.post('/editor/sets', async (c) => {
    const { draft, diags } = await partial(c, 'sets');
    return fragment(c, <SetsSection sets={draft.sets} diags={diags} />);
  });
  app.post('/editor/tests', async (c) => {
    const { draft, diags } = await partial(c, 'tests');
    return fragment(c, <TestsSection tests={draft.tests} diags={diags} />);
  });

  return app;
}
