// The policy editor: new / edit / clone pages, Save and Save & Apply, and the htmx partials for rule, set and test rows.
import { Hono, type Context } from 'hono';
import type { AppDeps } from '../deps.js';
import { getPolicy, savePolicy, StoreError } from '../db/policies.js';
import { checkPolicy } from '../policy/check.js';
import { error, hasErrors, type Diagnostic } from '../policy/diagnostics.js';
import { emptyDraft, emptyRule, type Draft } from '../../views/editor/draft.js';
import { FieldDiags } from '../../views/editor/field-diags.js';
import { EditorPage } from '../../views/editor/page.js';
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

type Mode = 'new' | 'edit';

interface Extras {
  diags?: Diagnostic[];
  lua?: LuaResult;
  results?: TestResultView[];
  revision?: number;
  flash?: Flash;
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
    const op = f.op ?? (f.profile ? 'lua' : 'save');
    if (op === 'reset') return redirect(c, mode === 'new' ? '/policies/new' : `/policies/${fixedName}/edit`);
    if (op === 'lua') return show(c, mode, draft, { lua: await compileDraft(draft, f.profile) });
    if (op === 'run-tests') {
      const r = await runDraftTests(draft);
      return show(c, mode, draft, { results: r.results, diags: r.diagnostics });
    }
    if (op !== 'save' && op !== 'save-apply') {
      // Without JavaScript the row buttons post the whole form here: apply the edit and show the form again.
      const r = applyOp(draft, op);
      return show(c, mode, draft, r.error === undefined ? {} : { flash: { kind: 'error', text: r.error } });
    }
    const { input, diagnostics: formDiags } = inputFromDraft(draft);
    const checked = checkPolicy(input);
    const diags = mergeDiagnostics(formDiags, checked.diagnostics);
    if (!checked.policy || hasErrors(formDiags)) return show(c, mode, draft, { diags });
    let saved;
    try {
      saved = savePolicy(deps.db, checked.policy, { author: c.get('principal').name, now: deps.clock.now(), mode: mode === 'new' ? 'create' : 'update' });
    } catch (e) {
      if (!(e instanceof StoreError)) throw e;
      const at = e.code === 'policy.exists' ? ['name'] : [];
      return show(c, mode, draft, { diags: [...diags, error(e.code, at, e.message)] });
    }
    if (op === 'save-apply') return startApply(c, deps, {});
    const name = saved.stored.name;
    if (diags.length === 0) return redirect(c, `/policies/${name}/edit?done=saved`);
    return show(c, 'edit', draftFromPolicy(saved.stored.policy), { diags, revision: saved.stored.revision, flash: { kind: 'success', text: 'Saved, with warnings.' } });
  }

  app.post('/policies/new', (c) => submit(c, 'new'));
  app.post('/policies/:name/edit', (c) => {
    if (!getPolicy(deps.db, c.req.param('name'))) return c.notFound();
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
