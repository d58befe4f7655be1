// Route tests for Save & Apply: the dialog and its rehydration, SSE steps, Confirm by token, Roll back now,
// rollback on timeout reported plainly, Apply unchecked, history, journal and Revert to this.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { getPolicy } from '../../server/db/policies.js';
import { ORIGIN, encode, samplePolicy, uiKit, type Client, type UiKit, pendingOf } from './harness.js';

let kit: UiKit;
let c: Client;
beforeEach(async () => {
  kit = await uiKit();
  c = await kit.login();
});
afterEach(() => kit.close());

const text = async (r: Response | Promise<Response>) => (await r).text();

async function applyAll(form: Record<string, string> = {}): Promise<string> {
  const r = await c.post('/apply', { _pending: await pendingOf(c), ...form });
  expect(r.status).toBe(303);
  const id = /^\/applies\/([^/]+)$/.exec(r.headers.get('location') ?? '')?.[1];
  expect(id).toBeDefined();
  return id!;
}

const tokenIn = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1];

describe('Save & Apply', () => {
  it('from the editor saves, starts an apply and shows its steps, countdown, Confirm and Roll back now', async () => {
    kit.save(samplePolicy());
    const form = encode({ _csrf: c.csrf, _revision: '1', op: 'save-apply', name: 'block-ads', title: 'New title', target: 'netfilter', hook: 'forward', family: 'inet', priority: '0', defaultAction: 'accept', enabled: '1' });
    const r = await kit.app.request('/policies/block-ads/edit', { method: 'POST', headers: { cookie: c.cookie, origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    expect(r.status).toBe(303);
    const id = r.headers.get('location')!.split('/').pop()!;
    expect(getPolicy(kit.db, 'block-ads')!.policy.title).toBe('New title');
    await kit.engine.waitFor(id, ['awaiting_confirm']);
    const html = await text(c.get(`/applies/${id}`));
    expect(html).toContain('Applying configuration changes…');
    expect(html).toMatch(/data-state="awaiting_confirm"/);
    expect(html).toMatch(/data-deadline="\d+"/);
    expect(html).toMatch(/>\s*Confirm\s*<\/button>/);
    expect(html).toMatch(/>\s*Roll back now\s*<\/button>/);
    expect(html).toContain('probes passed');
    expect(tokenIn(html)).toBeTruthy();
    // Without JavaScript the page refreshes itself until the apply settles.
    expect(html).toContain('<noscript><meta http-equiv="refresh" content="3"/></noscript>');
  });

  it('the countdown survives a reload on any page, and other sessions see it without the token', async () => {
    kit.save(samplePolicy());
    const id = await applyAll();
    await kit.engine.waitFor(id, ['awaiting_confirm']);
    const page = await text(c.get('/policies'));
    expect(page).toContain('id="apply-backdrop"');
    expect(page).toContain(`data-apply-id="${id}"`);
    expect(tokenIn(page)).toBeTruthy();
    const other = await kit.login();
    const theirs = await text(other.get('/status'));
    expect(theirs).toContain(`data-apply-id="${id}"`);
    expect(tokenIn(theirs)).toBeUndefined();
    expect(theirs).toContain('Started in another session');
  });

  it('streams the steps as server-sent events until the apply waits for confirmation', async () => {
    kit.save(samplePolicy());
    const id = await applyAll();
    const r = await c.get(`/applies/${id}/events`);
    expect(r.headers.get('content-type')).toContain('text/event-stream');
    const body = await r.text();
    expect(body.startsWith('event: reset\n')).toBe(true);
    expect(body).toMatch(/event: step\ndata: \{"state":"pending"/);
    expect(body).toContain('"state":"awaiting_confirm"');
    expect(body.trimEnd().split('\n\n').pop()).toBe('event: end\ndata: {"state":"awaiting_confirm"}');
  });

  it('confirms with the token alone (no session), answering a fragment to ui.js and a redirect to a form', async () => {
    kit.save(samplePolicy());
    const id = await applyAll();
    await kit.engine.waitFor(id, ['awaiting_confirm']);
    const token = tokenIn(await text(c.get(`/applies/${id}/dialog`, { htmx: true })))!;
    const post = (t: string, htmx: boolean) =>
      kit.app.request(`/applies/${id}/confirm`, {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', ...(htmx ? { 'hx-request': 'true' } : {}) },
        body: encode({ token: t }),
      });
    const wrong = await post('wrong', true);
    expect([wrong.status, await wrong.text()]).toEqual([404, 'No apply with this id and confirm token.']);
    const unknown = await kit.app.request('/applies/00000000-0000-4000-8000-000000000000/confirm', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
      body: encode({ token: 'wrong' }),
    });
    expect([unknown.status, await unknown.text()]).toEqual([404, 'No apply with this id and confirm token.']);
    const ok = await post(token, true);
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain('Configuration changes applied.');
    expect(kit.engine.get(id)!.state).toBe('confirmed');
    const again = await post(token, false);
    expect(again.status).toBe(303);
    expect(await text(c.get('/status'))).toContain('No unsaved changes');
  });

  it('Roll back now rolls back at once and says so with the reason', async () => {
    kit.save(samplePolicy());
    const id = await applyAll();
    await kit.engine.waitFor(id, ['awaiting_confirm']);
    expect((await c.post(`/applies/${id}/rollback`, {}, { csrf: false })).status).toBe(403);
    const r = await c.post(`/applies/${id}/rollback`, {}, { htmx: true });
    const html = await r.text();
    expect(html).toContain('Configuration changes have been rolled back!');
    expect(html).toContain('Roll back now');
    expect(kit.engine.get(id)!.state).toBe('rolled_back');
    expect(await text(c.get('/status'))).toContain('Unsaved changes: 1');
  });

  it('an apply nobody confirms is rolled back when its window ends; every page says so until dismissed', async () => {
    kit.save(samplePolicy());
    const id = await applyAll({ window: '1' });
    const done = await kit.engine.waitFor(id, ['rolled_back']);
    expect(done.state).toBe('rolled_back');
    const page = await text(c.get('/policies'));
    expect(page).toContain('Configuration changes have been rolled back!');
    expect(page).toMatch(/<span data-reason[^>]*>[^<]*1 s/);
    const dismissed = await kit.app.request(`/applies/${id}/dismiss`, {
      method: 'POST',
      headers: { cookie: c.cookie, origin: ORIGIN, referer: `${ORIGIN}/policies`, 'content-type': 'application/x-www-form-urlencoded' },
      body: encode({ _csrf: c.csrf }),
    });
    expect(dismissed.headers.get('location')).toBe('/policies');
    expect(await text(c.get('/policies'))).not.toContain('apply-dialog');
    const offsite = await kit.app.request(`/applies/${id}/dismiss`, {
      method: 'POST',
      headers: { cookie: c.cookie, origin: ORIGIN, referer: 'http://localhost//evil.example/', 'content-type': 'application/x-www-form-urlencoded' },
      body: encode({ _csrf: c.csrf }),
    });
    expect(offsite.headers.get('location')).toBe('/status');
  });

  it('Apply unchecked needs its own choice and confirms without a window', async () => {
    kit.save(samplePolicy());
    const id = await applyAll({ unchecked: '1' });
    const a = await kit.engine.waitFor(id, ['confirmed']);
    expect(a.state).toBe('confirmed');
    expect(a.unchecked).toBe(true);
    expect(await text(c.get('/applies'))).toContain('confirmed (unchecked)');
  });

  it('refuses to start an apply without the CSRF token', async () => {
    kit.save(samplePolicy());
    expect((await c.post('/apply', {}, { csrf: false })).status).toBe(403);
    expect(kit.engine.list()).toEqual([]);
  });
});

describe('history', () => {
  async function confirmedApply(): Promise<string> {
    const id = await applyAll();
    await kit.engine.waitFor(id, ['awaiting_confirm']);
    const token = tokenIn(await text(c.get(`/applies/${id}/dialog`, { htmx: true })))!;
    await kit.engine.confirm(id, token);
    return id;
  }

  it('lists state, reason, who, when, duration and revisions; the journal and revisions open from it', async () => {
    kit.save(samplePolicy());
    const first = await confirmedApply();
    kit.save({ ...samplePolicy(), title: 'second' });
    const second = await applyAll();
    await kit.engine.waitFor(second, ['awaiting_confirm']);
    await c.post(`/applies/${second}/rollback`);
    const list = await text(c.get('/applies'));
    expect(list).toMatch(/class="state-confirmed">confirmed/);
    expect(list).toMatch(/class="state-rolled_back">rolled back/);
    expect(list).toContain('rolled back by the admin');
    expect(list).toContain('<td>admin</td>');
    expect(list).toMatch(/<td>\d+\.\d s<\/td>/);
    expect(list).toContain('<code>block-ads</code> r1');
    expect(list.match(/>\s*Revert to this\s*<\/button>/g)).toHaveLength(1);
    const journal = await text(c.get(`/applies/${first}`));
    expect(journal).toContain('id="journal"');
    expect(journal).toContain('awaiting confirm');
    expect(journal).toContain(`href="/policies/block-ads/revisions/1"`);
    const rev = await text(c.get('/policies/block-ads/revisions/1'));
    expect(rev).toContain('&quot;title&quot;: &quot;Block ad domains&quot;');
    expect((await c.get('/applies/nope')).status).toBe(404);
  });

  it('Revert to this makes the confirmed revisions the drafts again and applies them', async () => {
    kit.save(samplePolicy());
    const first = await confirmedApply();
    kit.save({ ...samplePolicy(), title: 'later' });
    kit.save(samplePolicy('extra'));
    await confirmedApply();
    const r = await c.post(`/applies/${first}/revert`);
    expect(r.status).toBe(303);
    const id = r.headers.get('location')!.split('/').pop()!;
    await kit.engine.waitFor(id, ['awaiting_confirm']);
    expect(getPolicy(kit.db, 'block-ads')!.policy.title).toBe('Block ad domains');
    expect(getPolicy(kit.db, 'extra')!.policy.enabled).toBe(false);
    expect(kit.engine.get(id)!.startedBy).toBe('admin');
  });
});
