// Route tests for the policy editor: pages, Save with inline diagnostics, the htmx row partials and their no-JS fallbacks.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPolicy } from '../../server/db/policies.js';
import { listApplies } from '../../server/apply/store.js';
import { samplePolicy, uiKit, type Client, type UiKit } from './harness.js';

let kit: UiKit;
let c: Client;
beforeEach(async () => {
  kit = await uiKit();
  c = await kit.login();
});
afterEach(() => kit.close());

const text = async (r: Response | Promise<Response>) => (await r).text();

/** The form the editor posts for a policy with two rules and a domain set. */
const formFor = (over: Record<string, string> = {}): Record<string, string> => ({
  name: 'web',
  title: 'Web',
  description: '',
  enabled: '1',
  target: 'netfilter',
  hook: 'forward',
  interfaces: '',
  family: 'inet',
  priority: '0',
  defaultAction: 'accept',
  'sets[0].name': 'ads',
  'sets[0].type': 'domain',
  'sets[0].elements': 'doubleclick.net\r\nAds.Example.COM.\r\n',
  'rules[0].id': 'r1',
  'rules[0].enabled': '1',
  'rules[0].action': 'drop',
  'rules[0].comment': 'no ssh out',
  'rules[0].match.proto': 'tcp',
  'rules[0].match.dstPorts': '22, 2222-2230',
  'rules[0].match.src': '192.168.1.0/24 10.0.0.0/8',
  'rules[1].id': 'r2',
  'rules[1].action': 'drop',
  'rules[1].match.domains': '@ads',
  'tests[0].name': 'ads dropped',
  'tests[0].expect': 'drop',
  'tests[0].rule': 'r2',
  'tests[0].packet': '{"src":"192.168.1.10","dst":"203.0.113.5","proto":"tcp","dstPort":443,"tls":{"sni":"x.ads.example.com"}}',
  ...over,
});

describe('editor pages', () => {
  it('opens a new policy with every field of the language, labelled', async () => {
    const html = await text(c.get('/policies/new'));
    for (const f of ['name', 'title', 'description', 'enabled', 'target', 'hook', 'interfaces', 'family', 'priority', 'defaultAction']) {
      expect(html, f).toContain(`for="f-${f}"`);
      expect(html, f).toContain(`id="f-${f}"`);
    }
    // Rule fields are wrapped by their labels (no ids: a policy may have hundreds of rules).
    for (const [f, label] of [['proto', 'Protocol'], ['src', 'Source'], ['dst', 'Destination'], ['srcPorts', 'Source ports'], ['dstPorts', 'Destination ports'], ['iif', 'Input interface'], ['oif', 'Output interface'], ['domains', 'Domains'], ['icmpType', 'ICMP type'], ['tcpFlags', 'TCP flags']]) {
      expect(html, f).toContain(`<label class="fld">${label}<input name="rules[0].match.${f}">`);
    }
    for (const b of ['Add rule', 'Add set', 'Add test', 'Run tests', 'Reset', 'Save', 'Save &amp; Apply']) expect(html).toMatch(new RegExp(`>\\s*${b}\\s*</button>`));
  });

  it('edits a stored policy with its sets one element per line and a count', async () => {
    kit.save(samplePolicy());
    const html = await text(c.get('/policies/block-ads/edit'));
    expect(html).toMatch(/<textarea id="f-sets-0-elements"[^>]*>doubleclick.net\nads.example.com<\/textarea>/);
    expect(html).toContain('2 elements');
    expect(html).toContain('value="@ads"');
    expect(html).toContain('readonly');
    expect((await c.get('/policies/nope/edit')).status).toBe(404);
  });

  it('clones under a free name', async () => {
    kit.save(samplePolicy());
    const html = await text(c.get('/policies/block-ads/clone'));
    expect(html).toContain('value="block-ads-copy"');
    expect(html).toContain('action="/policies/new"');
  });
});

describe('saving', () => {
  it('saves a valid form as a normalised policy and redirects', async () => {
    const r = await c.post('/policies/new', { ...formFor(), op: 'save' });
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/policies/web/edit?done=saved');
    const p = getPolicy(kit.db, 'web')!.policy;
    expect(p.sets.ads).toEqual({ type: 'domain', elements: ['doubleclick.net', 'ads.example.com'] });
    expect(p.rules[0]!.match).toEqual({ proto: 'tcp', src: ['192.168.1.0/24', '10.0.0.0/8'], dstPorts: [22, '2222-2230'] });
    expect(p.rules[1]).toMatchObject({ id: 'r2', enabled: false, match: { domains: '@ads' } });
    expect(p.tests[0]).toMatchObject({ name: 'ads dropped', expect: 'drop', rule: 'r2' });
  });

  it('saves packet marks typed in hex or decimal, shows them back in hex, and puts a bad one at its field', async () => {
    expect((await c.post('/policies/new', { ...formFor({ marks: '0x0, 0x100 512' }), op: 'save' })).status).toBe(303);
    expect(getPolicy(kit.db, 'web')!.policy.marks).toEqual([0, 256, 512]);
    expect(await text(c.get('/policies/web/edit'))).toMatch(/id="f-marks"[^>]*value="0x0, 0x100, 0x200"/);
    const html = await text(c.post('/policies/new', { ...formFor({ name: 'web2', marks: '0x100, wan' }), op: 'save' }));
    expect(html).toMatch(/id="f-marks"[^>]*\/>.*?<div class="diag error"[^>]*>item 2: /s);
    expect(getPolicy(kit.db, 'web2')).toBeUndefined();
  });

  it('saves sets named like Object.prototype members (toString, constructor) without calling them duplicates', async () => {
    const r = await c.post('/policies/new', {
      ...formFor({ 'sets[0].name': 'toString', 'rules[1].match.domains': '@toString', 'sets[1].name': 'constructor', 'sets[1].type': 'cidr', 'sets[1].elements': '10.0.0.0/8', 'rules[0].match.src': '@constructor' }),
      op: 'save',
    });
    expect(r.status).toBe(303);
    expect(Object.keys(getPolicy(kit.db, 'web')!.policy.sets)).toEqual(['toString', 'constructor']);
  });

  it('shows each diagnostic at its field and saves nothing', async () => {
    const html = await text(
      c.post('/policies/new', { ...formFor({ 'rules[0].match.dstPorts': '22, 99999', 'rules[1].match.domains': '@nosuch', 'sets[0].elements': 'ok.example\nbad..name' }), op: 'save' }),
    );
    expect(getPolicy(kit.db, 'web')).toBeUndefined();
    expect(html).toContain('nothing was saved');
    const at = (name: string) => new RegExp(`<div class="fld has-error"><label>[^<]*<input name="${name.replace(/[[\].]/g, '\\$&')}"[^>]*></label><div class="diag error"`);
    expect(html).toMatch(at('rules[0].match.dstPorts'));
    expect(html).toMatch(/item 2: [^<]*99999/);
    expect(html).toMatch(at('rules[1].match.domains'));
    expect(html).toMatch(/line 2: [^<]*bad\.\.name/);
    // What was typed is kept.
    expect(html).toContain('value="22, 99999"');
  });

  it('shows shape errors at their fields too, a broken packet once', async () => {
    const html = await text(c.post('/policies/new', { ...formFor({ priority: 'high', 'tests[0].packet': '{oops' }), op: 'save' }));
    expect(html).toMatch(/id="f-priority"[^>]*\/>.*?<div class="diag error"/s);
    expect(html).toMatch(/id="f-tests-0-packet"[^>]*>\{oops<\/textarea><div class="diag error" data-code="form.packet-json">[^<]*<\/div><\/div>/);
    expect(getPolicy(kit.db, 'web')).toBeUndefined();
  });

  it('checks the form as it is edited and answers the summary box (htmx, on change)', async () => {
    const bad = await text(c.post('/editor/validate', formFor({ 'rules[0].match.dstPorts': '99999' }), { htmx: true }));
    expect(bad.startsWith('<div class="alert-message error" role="alert" id="diagnostics"')).toBe(true);
    expect(bad).toContain('Save will refuse it');
    expect(bad).toContain('<code>rules[0].match.dstPorts[0]</code>');
    const good = await text(c.post('/editor/validate', formFor(), { htmx: true }));
    expect(good).toBe('<div id="diagnostics" aria-live="polite"></div>');
    expect(getPolicy(kit.db, 'web')).toBeUndefined();
    expect((await c.post('/editor/validate', formFor(), { htmx: true, csrf: false })).status).toBe(403);
  });

  it('refuses a duplicate name for a new policy at the name field', async () => {
    kit.save(samplePolicy('web'));
    const html = await text(c.post('/policies/new', { ...formFor(), op: 'save' }));
    expect(html).toMatch(/id="f-name"[^>]*\/>.*?already exists/s);
  });

  it('Reset goes back to the stored policy; Save without CSRF token is refused', async () => {
    kit.save(samplePolicy());
    const r = await c.post('/policies/block-ads/edit', { ...formFor({ name: 'block-ads' }), op: 'reset' });
    expect(r.headers.get('location')).toBe('/policies/block-ads/edit');
    expect((await c.post('/policies/block-ads/edit', { ...formFor({ name: 'block-ads' }), op: 'save' }, { csrf: false })).status).toBe(403);
    expect(getPolicy(kit.db, 'block-ads')!.revision).toBe(1);
  });

  it('keeps the name of an existing policy whatever the form says', async () => {
    kit.save(samplePolicy());
    await c.post('/policies/block-ads/edit', { ...formFor({ name: 'renamed', title: 'T2' }), _revision: '1', op: 'save' });
    expect(getPolicy(kit.db, 'block-ads')!.policy.title).toBe('T2');
    expect(getPolicy(kit.db, 'renamed')).toBeUndefined();
  });
});

describe('row partials (htmx) and their fallbacks (no JavaScript)', () => {
  it('adds, moves and removes rules, returning only the rules section', async () => {
    const add = await text(c.post('/editor/rules', { ...formFor(), op: 'rule-add' }, { htmx: true }));
    expect(add.startsWith('<fieldset class="cbi-section" id="rules" hx-target:inherited="#rules" hx-swap:inherited="outerHTML">')).toBe(true);
    expect(add).toContain('Rules (3)');
    expect(add).toContain('value="r3"');
    const up = await text(c.post('/editor/rules', { ...formFor(), op: 'rule-up:1' }, { htmx: true }));
    expect(up.indexOf('value="r2"')).toBeLessThan(up.indexOf('value="r1"'));
    const removed = await text(c.post('/editor/rules', { ...formFor(), op: 'rule-remove:0' }, { htmx: true }));
    expect(removed).toContain('Rules (1)');
    expect(removed).not.toContain('value="r1"');
    expect(removed).toContain('name="rules[0].id" value="r2"');
  });

  it('adds and removes sets and tests', async () => {
    const sets = await text(c.post('/editor/sets', { ...formFor(), op: 'set-add' }, { htmx: true }));
    expect(sets.startsWith('<fieldset class="cbi-section" id="sets">')).toBe(true);
    expect(sets).toContain('value="set2"');
    expect(await text(c.post('/editor/sets', { ...formFor(), op: 'set-remove:0' }, { htmx: true }))).toContain('Sets (0)');
    const tests = await text(c.post('/editor/tests', { ...formFor(), op: 'test-add' }, { htmx: true }));
    expect(tests).toContain('Packet tests (2)');
    expect(await text(c.post('/editor/tests', { ...formFor(), op: 'test-remove:0' }, { htmx: true }))).toContain('Packet tests (0)');
  });

  it('without JavaScript the same buttons post the whole form and get the whole page back, unsaved', async () => {
    const html = await text(c.post('/policies/new', { ...formFor(), op: 'rule-add' }));
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('Rules (3)');
    expect(getPolicy(kit.db, 'web')).toBeUndefined();
  });

  it('changes nothing for an op with a missing, malformed or out-of-range index, or an unknown op, and says so at the section', async () => {
    const ids = (html: string) => [...html.matchAll(/name="rules\[\d+\]\.id" value="([^"]*)"/g)].map((m) => m[1]);
    for (const op of ['rule-remove', 'rule-remove:', 'rule-remove:x', 'rule-remove:-1', 'rule-remove:1.5', 'rule-remove:0x1', 'rule-remove: 1', 'rule-remove:2', 'rule-remove:99999999999', 'rule-up', 'rule-up:NaN', 'rule-up:0', 'rule-down:1', 'rule-down:7', 'rule-add:0', 'rule-frob:0', 'set-remove:0', 'bogus', '']) {
      const html = await text(c.post('/editor/rules', { ...formFor(), op }, { htmx: true }));
      expect(html.startsWith('<fieldset class="cbi-section" id="rules"'), op).toBe(true);
      expect(ids(html), op).toEqual(['r1', 'r2']);
      expect(html, op).toMatch(/<div class="diag error" data-code="form.op">[^<]*nothing was changed\.<\/div>/);
    }
    for (const op of ['set-remove', 'set-remove:abc', 'set-remove:1', 'set-up:0', 'rule-remove:0']) {
      const html = await text(c.post('/editor/sets', { ...formFor(), op }, { htmx: true }));
      expect(html, op).toContain('Sets (1)');
      expect(html, op).toContain('data-code="form.op"');
    }
    for (const op of ['test-remove', 'test-remove:', 'test-remove:1', 'test-down:0']) {
      const html = await text(c.post('/editor/tests', { ...formFor(), op }, { htmx: true }));
      expect(html, op).toContain('Packet tests (1)');
      expect(html, op).toContain('data-code="form.op"');
    }
    // Valid ops still say nothing.
    expect(await text(c.post('/editor/rules', { ...formFor(), op: 'rule-down:0' }, { htmx: true }))).not.toContain('data-code="form.op"');
  });

  it('without JavaScript a bad or unknown op shows the form as typed with an error at the top, and saves nothing', async () => {
    kit.save(samplePolicy('web'));
    for (const op of ['rule-remove', 'rule-remove:abc', 'set-remove:5', 'test-remove:', 'bogus']) {
      const html = await text(c.post('/policies/web/edit', { ...formFor({ title: 'typed' }), op }));
      expect(html, op).toMatch(/<div class="alert-message error" role="alert">[^<]*nothing was changed\.<\/div>/);
      expect(html, op).toContain('Rules (2)');
      expect(html, op).toContain('Sets (1)');
      expect(html, op).toContain('Packet tests (1)');
      expect(html, op).toContain('value="typed"');
    }
    expect(getPolicy(kit.db, 'web')!.revision).toBe(1);
    expect(getPolicy(kit.db, 'web')!.policy.title).toBe('Block ad domains');
  });

  it('refuses partials without the CSRF token', async () => {
    expect((await c.post('/editor/rules', { ...formFor(), op: 'rule-add' }, { htmx: true, csrf: false })).status).toBe(403);
  });
});

describe('generated Lua and packet tests in place', () => {
  it('shows the generated script highlighted, per profile', async () => {
    const l4 = await text(c.post('/editor/lua', { ...formFor(), profile: 'lunatik-4' }, { htmx: true }));
    expect(l4.startsWith('<div id="lua-panel">')).toBe(true);
    expect(l4).toContain('<span class="kw">local</span>');
    expect(l4).toContain('<span class="str">&quot;netfilter&quot;</span>');
    expect(l4).toMatch(/aria-selected="true"[^>]*>lunatik-4</);
    const l36 = await text(c.post('/editor/lua', { ...formFor(), profile: 'lunatik-3.6' }, { htmx: true }));
    expect(l36).toMatch(/aria-selected="true"[^>]*>lunatik-3.6</);
    expect(l36).not.toEqual(l4);
    const bad = await text(c.post('/editor/lua', { ...formFor({ 'rules[0].match.dstPorts': '99999' }), profile: 'lunatik-4' }, { htmx: true }));
    expect(bad).toContain('Fix the policy first');
    // No JavaScript: the page comes back with the panel filled in.
    expect(await text(c.post('/policies/new', { ...formFor(), profile: 'lunatik-4' }))).toContain('<pre class="lua"');
  });

  it("runs the policy's own tests on the form as it is", async () => {
    const on = { 'rules[1].enabled': '1' };
    const ok = await text(c.post('/editor/run-tests', formFor(on), { htmx: true }));
    expect(ok).toContain('All 1 tests passed.');
    // With the domain rule switched off, the ad packet is accepted by default: the test says so.
    const failing = await text(c.post('/editor/run-tests', formFor(), { htmx: true }));
    expect(failing).toContain('1 of 1 tests failed.');
    expect(failing).toMatch(/<td class="verdict-accept">accept<\/td><td><code>default<\/code><\/td><td class="verdict-drop">FAILED/);
    const page = await text(c.post('/policies/new', { ...formFor(on), op: 'run-tests' }));
    expect(page).toContain('All 1 tests passed.');
  });
});

describe('two tabs on one policy (lost-update protection)', () => {
  const revisionIn = (html: string) => /<input type="hidden" name="_revision" value="([^"]*)"\/>/.exec(html)?.[1];
  const when = /at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC/;

  /** Tab A and tab B both open the editor at revision 1; B saves first. */
  async function bSavesFirst(): Promise<string> {
    kit.save(samplePolicy('web'));
    const a = revisionIn(await text(c.get('/policies/web/edit')));
    const b = revisionIn(await text(c.get('/policies/web/edit')));
    expect([a, b]).toEqual(['1', '1']);
    expect((await c.post('/policies/web/edit', { ...formFor({ title: 'from B' }), _revision: b!, op: 'save' })).status).toBe(303);
    expect(getPolicy(kit.db, 'web')!.revision).toBe(2);
    return a!;
  }

  it("refuses the second Save, says who saved which revision when, and gives back the typed form", async () => {
    const a = await bSavesFirst();
    const r = await c.post('/policies/web/edit', { ...formFor({ title: 'from A', 'rules[0].match.dstPorts': '2222' }), _revision: a, op: 'save' });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(getPolicy(kit.db, 'web')!.revision).toBe(2);
    expect(getPolicy(kit.db, 'web')!.policy.title).toBe('from B');
    const alert = html.slice(html.indexOf('<div class="alert-message warning" role="alert" id="conflict">'), html.indexOf('<form method="post"', html.indexOf('id="conflict"')));
    expect(alert).toContain('nothing was saved');
    expect(alert).toContain('Someone else saved revision 2');
    expect(alert).toMatch(when);
    expect(alert).toContain('<code>admin</code>');
    expect(alert).toContain('You opened revision 1.');
    expect(alert).toContain('href="/policies/web/edit"');
    expect(alert).toContain('href="/policies/web/revisions/2"');
    // What B changed, from revision 1 to 2.
    expect(alert).toMatch(/<span class="chg">~ title: [^<]*from B[^<]*<\/span>/);
    // A's edits are all still there, and the form still says it was opened at revision 1.
    expect(html).toContain('value="from A"');
    expect(html).toContain('value="2222"');
    expect(revisionIn(html)).toBe('1');
    // Save again from the same form: refused again.
    await c.post('/policies/web/edit', { ...formFor({ title: 'from A' }), _revision: a, op: 'save' });
    expect(getPolicy(kit.db, 'web')!.policy.title).toBe('from B');
  });

  it('saves over the newer revision only when asked to, and only over the revision the alert showed', async () => {
    const a = await bSavesFirst();
    const html = await text(c.post('/policies/web/edit', { ...formFor({ title: 'from A' }), _revision: a, op: 'save' }));
    expect(html).toMatch(/<button type="submit" form="editor" name="op" value="overwrite:2"[^>]*>Save mine over revision 2<\/button>/);
    // Yet another save lands before A decides: overwriting revision 2 is refused too.
    kit.save({ ...samplePolicy('web'), title: 'from C' });
    const again = await text(c.post('/policies/web/edit', { ...formFor({ title: 'from A' }), _revision: a, op: 'overwrite:2' }));
    expect(again).toContain('Someone else saved revision 3');
    expect(getPolicy(kit.db, 'web')!.policy.title).toBe('from C');
    const r = await c.post('/policies/web/edit', { ...formFor({ title: 'from A' }), _revision: a, op: 'overwrite:3' });
    expect(r.headers.get('location')).toBe('/policies/web/edit?done=saved');
    expect(getPolicy(kit.db, 'web')!).toMatchObject({ revision: 4, policy: { title: 'from A' } });
  });

  it('refuses Save & Apply from a stale editor: nothing saved, no apply started', async () => {
    const a = await bSavesFirst();
    const r = await c.post('/policies/web/edit', { ...formFor({ title: 'from A' }), _revision: a, op: 'save-apply' });
    expect(r.status).toBe(200);
    expect(await r.text()).toContain('id="conflict"');
    expect(getPolicy(kit.db, 'web')!.revision).toBe(2);
    expect(listApplies(kit.db)).toEqual([]);
  });

  it('refuses a Save that does not say which revision it was opened at', async () => {
    kit.save(samplePolicy('web'));
    for (const _revision of [undefined, '', 'abc', '0', '1.0', '-1']) {
      const html = await text(c.post('/policies/web/edit', { ...formFor({ title: 'typed' }), ...(_revision === undefined ? {} : { _revision }), op: 'save' }));
      expect(html, _revision).toContain('This page did not say which revision it was opened at.');
      expect(html, _revision).toContain('value="typed"');
    }
    expect(getPolicy(kit.db, 'web')!).toMatchObject({ revision: 1, policy: { title: 'Block ad domains' } });
  });

  it('keeps the opened revision through row edits, Lua and test runs without JavaScript', async () => {
    kit.save(samplePolicy('web'));
    expect(revisionIn(await text(c.post('/policies/web/edit', { ...formFor(), _revision: '1', op: 'rule-add' })))).toBe('1');
    expect(revisionIn(await text(c.post('/policies/web/edit', { ...formFor(), _revision: '1', op: 'rule-remove:x' })))).toBe('1');
    expect(revisionIn(await text(c.post('/policies/web/edit', { ...formFor(), _revision: '1', profile: 'lunatik-4' })))).toBe('1');
    expect(revisionIn(await text(c.post('/policies/web/edit', { ...formFor(), _revision: '1', op: 'run-tests' })))).toBe('1');
    expect(revisionIn(await text(c.post('/policies/new', { ...formFor({ name: 'other' }), _revision: '1', op: 'rule-add' })))).toBeUndefined();
  });

  it('a policy deleted meanwhile: Save gives the form back with the news; saving it again is a deliberate choice', async () => {
    kit.save(samplePolicy('web'));
    const a = revisionIn(await text(c.get('/policies/web/edit')))!;
    const d = revisionIn(await text(c.get('/policies/web/delete')))!;
    expect((await c.post('/policies/web/delete', { _revision: d })).headers.get('location')).toBe('/policies?done=deleted');
    const r = await c.post('/policies/web/edit', { ...formFor({ title: 'from A' }), _revision: a, op: 'save' });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('Someone else deleted the policy (revision 2)');
    expect(html).toMatch(when);
    expect(html).toContain('value="from A"');
    expect(html).toMatch(/name="op" value="overwrite:2"[^>]*>Save mine as the policy again</);
    expect(getPolicy(kit.db, 'web')).toBeUndefined();
    expect((await c.post('/policies/web/edit', { ...formFor({ title: 'from A' }), _revision: a, op: 'overwrite:2' })).status).toBe(303);
    expect(getPolicy(kit.db, 'web')!).toMatchObject({ revision: 3, policy: { title: 'from A' } });
    // A name that never existed is still not found.
    expect((await c.post('/policies/never/edit', { ...formFor({ name: 'never' }), _revision: '1', op: 'save' })).status).toBe(404);
  });

  it('Delete from a stale confirmation page deletes nothing and says what changed; a second Delete deletes what it shows', async () => {
    kit.save(samplePolicy('web'));
    const d = revisionIn(await text(c.get('/policies/web/delete')))!;
    expect(d).toBe('1');
    kit.save({ ...samplePolicy('web'), title: 'changed meanwhile' });
    const r = await c.post('/policies/web/delete', { _revision: d });
    expect(r.status).toBe(200);
    const html = await r.text();
    expect(html).toContain('nothing was deleted');
    expect(html).toContain('Someone else saved revision 2');
    expect(html).toMatch(/<span class="chg">~ title: [^<]*changed meanwhile[^<]*<\/span>/);
    expect(html).toContain('href="/policies/web/revisions/2"');
    expect(getPolicy(kit.db, 'web')!.revision).toBe(2);
    expect(revisionIn(html)).toBe('2');
    expect(await text(c.post('/policies/web/delete', {}))).toContain('nothing was deleted');
    expect(getPolicy(kit.db, 'web')).toBeDefined();
    expect((await c.post('/policies/web/delete', { _revision: '2' })).headers.get('location')).toBe('/policies?done=deleted');
    expect(getPolicy(kit.db, 'web')).toBeUndefined();
  });
});
