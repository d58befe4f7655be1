// The editor's live checks on the form as it is now: diagnostics, generated Lua, and the policy's packet tests.
import { Hono } from 'hono';
import { compilePolicy } from '../compile/index.js';
import { targetProfiles, type TargetProfile } from '../compile/profile.js';
import { checkPolicy } from '../policy/check.js';
import { formatPath, hasErrors, type Diagnostic } from '../policy/diagnostics.js';
import { runPolicyTests } from '../simulate.js';
import type { Draft } from '../../views/editor/draft.js';
import { LuaPanel, type LuaResult } from '../../views/editor/lua-view.js';
import { TestResults, type TestResultView } from '../../views/editor/sets-tests.js';
import { Summary } from '../../views/editor/page.js';
import { FieldDiags } from '../../views/editor/field-diags.js';
import type { UiEnv } from './env.js';
import { draftFromForm, inputFromDraft, mergeDiagnostics } from './policy-form.js';
import { form, fragment } from './render.js';

function checked(draft: Draft): { policy?: ReturnType<typeof checkPolicy>['policy']; diagnostics: Diagnostic[] } {
  const { input, diagnostics } = inputFromDraft(draft);
  const r = checkPolicy(input);
  const all = mergeDiagnostics(diagnostics, r.diagnostics);
  return { policy: hasErrors(diagnostics) ? undefined : r.policy, diagnostics: all };
}

const problemText = (ds: Diagnostic[]) =>
  ds
    .filter((d) => d.severity === 'error')
    .slice(0, 5)
    .map((d) => `${formatPath(d.path)}: ${d.message}`)
    .join('; ');

export async function compileDraft(draft: Draft, profileIn: string | undefined): Promise<LuaResult> {
  const profile: TargetProfile = (targetProfiles as readonly string[]).includes(profileIn ?? '') ? (profileIn as TargetProfile) : 'lunatik-4';
  const r = checked(draft);
  if (!r.policy) return { profile, diagnostics: [], error: `Fix the policy first: ${problemText(r.diagnostics)}` };
  const out = compilePolicy(r.policy, { profile });
  return { profile, script: out.script, diagnostics: out.diagnostics };
}

export async function runDraftTests(draft: Draft): Promise<{ results?: TestResultView[]; error?: string; diagnostics: Diagnostic[] }> {
  const r = checked(draft);
  if (!r.policy) return { error: `The tests cannot run until the policy is valid: ${problemText(r.diagnostics)}`, diagnostics: r.diagnostics };
  try {
    return { results: await runPolicyTests(r.policy), diagnostics: [] };
  } catch (e) {
    return { error: `The tests could not run: ${(e as Error).message}`, diagnostics: [] };
  }
}

export function editorCompileRoutes(): Hono<UiEnv> {
  const app = new Hono<UiEnv>();
  app.post('/editor/lua', async (c) => {
    const f = await form(c);
    return fragment(c, <LuaPanel result={await compileDraft(draftFromForm(f), f.profile)} />);
  });
  /** Live check while editing: the form as it is, through checkPolicy, back as the summary box. */
  app.post('/editor/validate', async (c) => {
    const r = checked(draftFromForm(await form(c)));
    return fragment(c, <Summary diags={new FieldDiags(r.diagnostics)} live />);
  });
  app.post('/editor/run-tests', async (c) => {
    const r = await runDraftTests(draftFromForm(await form(c)));
    return fragment(c, <TestResults results={r.results} error={r.error} />);
  });
  return app;
}
