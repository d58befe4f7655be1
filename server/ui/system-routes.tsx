// System pages: API tokens (create with scopes, shown once; revoke) and Backup/Restore of all policies.
import { Hono } from 'hono';
import type { AppDeps } from '../deps.js';
import { createToken, listTokens, parseScopes, revokeToken, TokenError } from '../auth/tokens.js';
import { listPolicies } from '../db/policies.js';
import { syncPolicies } from '../db/sync.js';
import { checkPolicy } from '../policy/check.js';
import { error } from '../policy/diagnostics.js';
import type { Policy } from '../policy/schema.js';
import { BackupPage, type ImportProblem } from '../../views/backup.js';
import { TokensPage } from '../../views/tokens.js';
import type { UiEnv } from './env.js';
import { chrome } from './chrome.js';
import { form, formAll, page, redirect } from './render.js';

/** The backup format: what export writes; import also takes a bare array of policies. */
export interface Backup {
  format: 'lunawall-policies';
  version: 1;
  exportedAt: string;
  policies: Policy[];
}

/** Every policy in the file checked; the desired set only if all of them are valid. */
export function readBackup(text: string): { policies?: Policy[]; problems: ImportProblem[] } {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    return { problems: [{ diagnostics: [error('import.json', [], `the file is not JSON: ${(e as Error).message}`)] }] };
  }
  const list = Array.isArray(doc) ? doc : (doc as { policies?: unknown })?.policies;
  if (!Array.isArray(list)) return { problems: [{ diagnostics: [error('import.shape', [], 'expected a lunawall backup ({"policies": [...]}) or an array of policies')] }] };
  const problems: ImportProblem[] = [];
  const policies: Policy[] = [];
  const seen = new Set<string>();
  list.forEach((item, i) => {
    const name = typeof (item as { name?: unknown })?.name === 'string' ? (item as { name: string }).name : `#${i + 1}`;
    const r = checkPolicy(item);
    const errors = r.diagnostics.filter((d) => d.severity === 'error');
    if (seen.has(name)) errors.push(error('import.duplicate', ['name'], `"${name}" appears twice in the file`));
    seen.add(name);
    if (errors.length || !r.policy) problems.push({ policy: name, diagnostics: errors });
    else policies.push(r.policy);
  });
  return problems.length ? { problems } : { policies, problems };
}

export function systemRoutes(deps: AppDeps): Hono<UiEnv> {
  const app = new Hono<UiEnv>();

  app.get('/tokens', (c) => page(c, <TokensPage tokens={listTokens(deps.db)} chrome={chrome(c, deps)} />));

  app.post('/tokens', async (c) => {
    const all = await formAll(c);
    const name = String(all.name?.[0] ?? '').trim();
    const scopes = (all.scopes ?? []).filter((s): s is string => typeof s === 'string');
    try {
      const { token, info } = createToken(deps.db, name, parseScopes(scopes.join(',')), deps.clock.now());
      return page(c, <TokensPage tokens={listTokens(deps.db)} created={{ name: info.name, token }} chrome={chrome(c, deps)} />, 201);
    } catch (e) {
      if (!(e instanceof TokenError)) throw e;
      return page(c, <TokensPage tokens={listTokens(deps.db)} error={e.message} chrome={chrome(c, deps)} />);
    }
  });

  app.post('/tokens/:name/revoke', (c) => {
    try {
      revokeToken(deps.db, c.req.param('name'));
    } catch (e) {
      if (e instanceof TokenError) return c.notFound();
      throw e;
    }
    return redirect(c, '/tokens');
  });

  app.get('/backup', (c) => page(c, <BackupPage chrome={chrome(c, deps)} />));

  app.get('/backup/export', (c) => {
    const body: Backup = { format: 'lunawall-policies', version: 1, exportedAt: new Date(deps.clock.now()).toISOString(), policies: listPolicies(deps.db).map((p) => p.policy) };
    const day = body.exportedAt.slice(0, 10);
    return c.body(JSON.stringify(body, null, 2) + '\n', 200, {
      'content-type': 'application/json; charset=utf-8',
      'content-disposition': `attachment; filename="lunawall-policies-${day}.json"`,
    });
  });

  /** Preview (a dry run of the foundation's declarative sync), then Restore with the same text. */
  app.post('/backup/import', async (c) => {
    const all = await formAll(c);
    const f = await form(c);
    const file = all.file?.[0];
    const text = typeof file === 'object' && file ? await file.text() : (f.json ?? '');
    if (!text.trim()) return page(c, <BackupPage chrome={chrome(c, deps)} error="Choose a backup file first." />);
    const { policies, problems } = readBackup(text);
    if (!policies) return page(c, <BackupPage chrome={chrome(c, deps)} problems={problems} />);
    const dryRun = f.op !== 'restore';
    const result = syncPolicies(deps.db, policies, { author: c.get('principal').name, now: deps.clock.now(), dryRun });
    if (dryRun) return page(c, <BackupPage chrome={chrome(c, deps)} preview={result} json={text} />);
    return page(c, <BackupPage chrome={chrome(c, deps)} done={result} />);
  });

  return app;
}
