// Route tests for the reading pages and the policy list's actions, with and without htmx.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPolicy, listPolicies } from '../../server/db/policies.js';
import { samplePolicy, uiKit, type Client, type UiKit, pendingOf } from './harness.js';

let kit: UiKit;
let c: Client;
beforeEach(async () => {
  kit = await uiKit();
  c = await kit.login();
});
afterEach(() => kit.close());

const text = async (r: Response | Promise<Response>) => (await r).text();

describe('layout', () => {
  it('has the hostname, the LuCI menu, the unsaved-changes badge and a Log out button', async () => {
    const html = await text(c.get('/status'));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    for (const s of ['>Status<', '>Firewall<', '>Policies<', '>Applies<', '>System<', '>Tokens<', '>Backup/Restore<', 'Log out', 'No unsaved changes']) expect(html).toContain(s);
    kit.save(samplePolicy());
    expect(await text(c.get('/status'))).toContain('Unsaved changes: 1');
  });

  it('redirects / to the status page', async () => {
    const r = await c.get('/');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/status');
  });
});

describe('status', () => {
  it('shows backend kind, Lunatik version and profile, and nothing loaded yet', async () => {
    const html = await text(c.get('/status'));
    expect(html).toContain('emulator');
    expect(html).toContain('lunatik-4');
    expect(html).toContain('Nothing is loaded');
    expect(html).toContain('Nothing has been applied yet');
  });

  it('lists loaded states with health, hit counters and the last apply once something is applied', async () => {
    kit.save(samplePolicy());
    const started = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(started.id, ['awaiting_confirm']);
    await kit.engine.confirm(started.id, started.token);
    const html = await text(c.get('/status'));
    expect(html).toContain('<code>block-ads</code>');
    expect(html).toContain('healthy');
    expect(html).toMatch(/<code>r2<\/code><\/td><td class="num">0<\/td>/);
    expect(html).toContain('confirmed');
    // The live part refreshes itself as a fragment; two samples draw the chart.
    // Hook errors the backend reports are shown at their state.
    const backend = kit.deps.backend;
    const health = backend.health.bind(backend);
    backend.health = async () => ({ ok: false, errors: ['hook error: attempt to index a nil value'] });
    const sick = await text(c.get('/status'));
    expect(sick).toContain('hook errors');
    expect(sick).toContain('<div class="diag error">hook error: attempt to index a nil value</div>');
    backend.health = health;
    const live = await text(c.get('/status/live', { htmx: true }));
    expect(live.startsWith('<div id="status-live"')).toBe(true);
    expect(live).toContain('<polyline');
  });
});

describe('policies', () => {
  it('lists name, title, hook, rule count, enable toggle and row actions', async () => {
    kit.save(samplePolicy());
    const html = await text(c.get('/policies'));
    expect(html).toContain('block-ads');
    expect(html).toContain('Block ad domains');
    expect(html).toContain('netfilter forward');
    expect(html).toMatch(/<td class="num">2<\/td>/);
    for (const s of ['Add policy', 'aria-label="Edit block-ads"', 'aria-label="Clone block-ads"', 'aria-label="Delete block-ads"', 'aria-label="Disable block-ads"']) expect(html).toContain(s);
  });

  it('toggles enabled: a row fragment plus the badge for htmx, a redirect without', async () => {
    kit.save(samplePolicy());
    const h = await c.post('/policies/block-ads/toggle', { enabled: '0' }, { htmx: true });
    expect(h.status).toBe(200);
    const frag = await h.text();
    expect(frag.startsWith('<tr id="policy-block-ads" class="disabled"')).toBe(true);
    expect(frag).toContain('hx-swap-oob="true"');
    expect(getPolicy(kit.db, 'block-ads')!.policy.enabled).toBe(false);
    const p = await c.post('/policies/block-ads/toggle', { enabled: '1' });
    expect(p.status).toBe(303);
    expect(getPolicy(kit.db, 'block-ads')!.policy.enabled).toBe(true);
    expect((await c.post('/policies/nope/toggle')).status).toBe(404);
  });

  it('moves policies up and down', async () => {
    kit.save(samplePolicy('one'));
    kit.save(samplePolicy('two'));
    kit.save(samplePolicy('three'));
    const order = () => listPolicies(kit.db).map((p) => p.name);
    const h = await c.post('/policies/three/move', { dir: 'up' }, { htmx: true });
    expect((await h.text()).startsWith('<table class="cbi-section-table" id="policy-table"')).toBe(true);
    expect(order()).toEqual(['one', 'three', 'two']);
    expect((await c.post('/policies/one/move', { dir: 'down' })).status).toBe(303);
    expect(order()).toEqual(['three', 'one', 'two']);
    await c.post('/policies/three/move', { dir: 'up' });
    expect(order()).toEqual(['three', 'one', 'two']);
  });

  it('deletes only after a confirmation page', async () => {
    kit.save(samplePolicy());
    const confirm = await text(c.get('/policies/block-ads/delete'));
    expect(confirm).toMatch(/<button type="submit" class="cbi-button cbi-button-remove">\s*Delete\s*<\/button>/);
    expect(getPolicy(kit.db, 'block-ads')).toBeDefined();
    expect(confirm).toContain('<input type="hidden" name="_revision" value="1"/>');
    const r = await c.post('/policies/block-ads/delete', { _revision: '1' });
    expect(r.headers.get('location')).toBe('/policies?done=deleted');
    expect(getPolicy(kit.db, 'block-ads')).toBeUndefined();
    expect((await c.get('/policies/block-ads/delete')).status).toBe(404);
  });

  it('refuses row actions without the CSRF token', async () => {
    kit.save(samplePolicy());
    expect((await c.post('/policies/block-ads/delete', {}, { csrf: false })).status).toBe(403);
    expect((await c.post('/policies/block-ads/move', { dir: 'up' }, { csrf: false, htmx: true })).status).toBe(403);
    expect(getPolicy(kit.db, 'block-ads')).toBeDefined();
  });
});

describe('pending changes', () => {
  it('shows a diff per policy against what is applied, and Reset puts the drafts back', async () => {
    kit.save(samplePolicy());
    const started = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(started.id, ['awaiting_confirm']);
    await kit.engine.confirm(started.id, started.token);
    expect(await text(c.get('/changes'))).toContain('There are no pending changes');
    kit.save({ ...samplePolicy(), title: 'Changed title' });
    kit.save(samplePolicy('another'));
    const html = await text(c.get('/changes'));
    expect(html).toContain('~ title: &quot;Block ad domains&quot; → &quot;Changed title&quot;');
    expect(html).toMatch(/<code>another<\/code> <span class="label success">added<\/span>/);
    expect(html).toContain('Unsaved changes: 2');
    expect(html).toContain('<input type="checkbox" id="apply-unchecked" name="unchecked" value="1" form="apply-form"/>');
    const r = await c.post('/changes/reset', { _pending: await pendingOf(c) });
    expect(r.headers.get('location')).toBe('/changes?done=reset');
    expect(getPolicy(kit.db, 'block-ads')!.policy.title).toBe('Block ad domains');
    expect(getPolicy(kit.db, 'another')).toBeUndefined();
    expect(await text(c.get('/changes'))).toContain('No unsaved changes');
  });

  it('refuses Save & Apply and Reset when the pending changes differ from the ones the page showed', async () => {
    kit.save(samplePolicy());
    const shown = await pendingOf(c);
    kit.save(samplePolicy('another'));
    for (const [path, verb] of [['/apply', 'Save &amp; Apply'], ['/changes/reset', 'Reset']] as const) {
      const r = await c.post(path, { _pending: shown });
      expect(r.status).toBe(409);
      const html = await r.text();
      expect(html).toContain(`Someone saved or applied since this page was shown, so ${verb} was not done.`);
      // The page as things are now, with a fingerprint that works.
      expect(html).toMatch(/<code>another<\/code> <span class="label success">added<\/span>/);
      expect(html).toContain(`name="_pending" value="${await pendingOf(c)}"`);
      const missing = await c.post(path, {});
      expect([missing.status, (await missing.text()).includes(`${verb} did not say which changes it was shown.`)]).toEqual([409, true]);
    }
    expect(kit.engine.list(10)).toEqual([]);
    expect(getPolicy(kit.db, 'another')).toBeDefined();
    expect((await c.post('/apply', { _pending: await pendingOf(c) })).status).toBe(303);
  });

  it('says there is nothing to apply when nothing is pending', async () => {
    const r = await c.post('/apply', { _pending: await pendingOf(c) });
    expect(r.headers.get('location')).toBe('/changes?done=nochanges');
    expect(await text(c.get('/changes?done=nochanges'))).toContain('There are no changes to apply.');
  });

  it('shows only the named flashes: ?done= naming an Object.prototype member renders no alert', async () => {
    expect(await text(c.get('/policies?done=deleted'))).toMatch(/<div class="alert-message success" role="status">Policy deleted\./);
    for (const k of ['constructor', '__proto__', 'toString', 'hasOwnProperty', 'valueOf', 'nosuch', '']) {
      const html = await text(c.get(`/policies?done=${encodeURIComponent(k)}`));
      expect(html, k).not.toContain('alert-message');
    }
  });
});

describe('tokens', () => {
  it('creates a token with scopes, shows it once, lists and revokes it', async () => {
    const r = await c.post('/tokens', { name: 'isp', scopes: ['read', 'apply'] });
    expect(r.status).toBe(201);
    const html = await r.text();
    const token = /<code id="new-token">([^<]+)<\/code>/.exec(html)?.[1];
    expect(token).toMatch(/^lw_/);
    expect(html).toContain('read, apply');
    const list = await text(c.get('/tokens'));
    expect(list).toContain('<code>isp</code>');
    expect(list).not.toContain(token!);
    const api = await kit.app.request('/api/v1/policies', { headers: { authorization: `Bearer ${token}` } });
    expect(api.status).toBe(200);
    expect((await c.post('/tokens/isp/revoke')).status).toBe(303);
    expect(await text(c.get('/tokens'))).not.toContain('<code>isp</code>');
  });

  it('explains a bad name or missing scope at the form', async () => {
    expect(await text(c.post('/tokens', { name: 'bad name!', scopes: 'read' }))).toContain('must be 1-64');
    expect(await text(c.post('/tokens', { name: 'ok' }))).toContain('at least one scope');
  });
});

describe('backup and restore', () => {
  it('exports every policy as a JSON download', async () => {
    kit.save(samplePolicy());
    const r = await c.get('/backup/export');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="lunawall-policies-\d{4}-\d\d-\d\d\.json"$/);
    const doc = (await r.json()) as { format: string; policies: { name: string }[] };
    expect(doc.format).toBe('lunawall-policies');
    expect(doc.policies.map((p) => p.name)).toEqual(['block-ads']);
  });

  it('previews an import without changing anything, then restores it', async () => {
    kit.save(samplePolicy('old'));
    const file = JSON.stringify({ policies: [samplePolicy('new-one')] });
    const preview = await text(c.post('/backup/import', { json: file, op: 'preview' }));
    expect(preview).toContain('Preview: what the restore changes');
    expect(preview).toMatch(/<th>created<\/th><td><code class="gap-r">new-one<\/code>/);
    expect(preview).toMatch(/<th>deleted<\/th><td><code class="gap-r">old<\/code>/);
    expect(listPolicies(kit.db).map((p) => p.name)).toEqual(['old']);
    const done = await text(c.post('/backup/import', { json: file, op: 'restore' }));
    expect(done).toContain('Restored: 1 created, 0 changed, 1 deleted');
    expect(listPolicies(kit.db).map((p) => p.name)).toEqual(['new-one']);
  });

  it('names every invalid policy in the file and changes nothing', async () => {
    kit.save(samplePolicy('keep'));
    const bad = JSON.stringify([{ ...samplePolicy('x1'), rules: [{ id: 'r1', match: { dstPorts: [70000] }, action: 'drop' }] }, { name: 'Bad Name' }]);
    const html = await text(c.post('/backup/import', { json: bad }));
    expect(html).toContain('The file is not valid; nothing was changed.');
    expect(html).toContain('<code>x1</code> <code>rules[0].match.dstPorts[0]</code>');
    expect(html).toContain('<code>Bad Name</code>');
    expect(await text(c.post('/backup/import', { json: '{not json' }))).toContain('the file is not JSON');
    expect(listPolicies(kit.db).map((p) => p.name)).toEqual(['keep']);
  });

  it('refuses an import post without the CSRF token', async () => {
    expect((await c.post('/backup/import', { json: '[]', op: 'restore' }, { csrf: false })).status).toBe(403);
  });
});
