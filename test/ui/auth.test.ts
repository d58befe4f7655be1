// Login, logout, session cookie attributes and expiry, the failed-login limit, and CSRF on every form.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Hono } from 'hono';
import { createApp } from '../../server/app.js';
import { uiSessions } from '../../server/db/schema/sessions.js';
import { setAdminPassword } from '../../server/auth/password.js';
import { csrfOf, encode, ORIGIN, PASSWORD, uiKit, type UiKit } from './harness.js';

let kit: UiKit;
beforeEach(async () => {
  kit = await uiKit();
});
afterEach(() => kit.close());

async function loginForm(path = '/login') {
  const res = await kit.app.request(path);
  return { cookie: res.headers.getSetCookie()[0]!.split(';')[0]!, token: csrfOf(await res.text()), res };
}

const postLogin = (f: { cookie: string; token: string }, password: string, headers: Record<string, string> = {}, url = '/login') =>
  kit.app.request(url, {
    method: 'POST',
    headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie, ...headers },
    body: encode({ _csrf: f.token, username: 'admin', password }),
  });

describe('login page', () => {
  it('is served without a session, labelled, with a DOCTYPE and a strict CSP', async () => {
    const { res } = await loginForm();
    expect(res.status).toBe(200);
    const html = await (await kit.app.request('/login')).text();
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('<label class="cbi-value-title" for="password">');
    expect(html).toMatch(/<button[^>]*>\s*Log in\s*<\/button>/);
    expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
  });

  it('serves the stylesheet, our script, htmx 4 and a favicon locally', async () => {
    for (const [path, type] of [
      ['/static/ui.css', 'text/css'],
      ['/static/ui.js', 'text/javascript'],
      ['/static/htmx.min.js', 'text/javascript'],
      ['/favicon.ico', 'image/svg+xml'],
    ]) {
      const r = await kit.app.request(path!);
      expect(r.status, path).toBe(200);
      expect(r.headers.get('content-type')).toContain(type!);
    }
    expect((await kit.app.request('/static/nope.js')).status).toBe(404);
  });

  it('sends pages to the login form, and htmx requests a 401 with HX-Redirect', async () => {
    const r = await kit.app.request('/policies');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toBe('/login?next=%2Fpolicies');
    const h = await kit.app.request('/policies', { headers: { 'hx-request': 'true' } });
    expect(h.status).toBe(401);
    expect(h.headers.get('hx-redirect')).toContain('/login');
  });
});

describe('logging in', () => {
  it('sets an HttpOnly SameSite=Strict session cookie with an expiry and goes to the page asked for', async () => {
    const f = await loginForm('/login?next=%2Fpolicies');
    const res = await kit.app.request('/login', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
      body: encode({ _csrf: f.token, username: 'admin', password: PASSWORD, next: '/policies' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/policies');
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lunawall_session='))!;
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    expect(cookie).toContain('Max-Age=3600');
    expect(cookie).not.toContain('Secure');
  });

  it('marks the cookie Secure under TLS', async () => {
    const f = await loginForm();
    const res = await postLogin(f, PASSWORD, { origin: 'https://router.lan' }, 'https://router.lan/login');
    expect(res.status).toBe(303);
    expect(res.headers.getSetCookie().find((c) => c.startsWith('lunawall_session='))).toContain('Secure');
  });

  it('never redirects off the site after login', async () => {
    const f = await loginForm();
    const res = await kit.app.request('/login', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
      body: encode({ _csrf: f.token, password: PASSWORD, next: '//evil.example/' }),
    });
    expect(res.headers.get('location')).toBe('/status');
  });

  it('treats a backslash in ?next= as leaving the site (browsers read "/\\host" as "//host")', async () => {
    for (const next of ['/\\evil.example/', '/\\/evil.example/', '/x/../\\evil.example']) {
      const f = await loginForm();
      const res = await kit.app.request('/login', {
        method: 'POST',
        headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
        body: encode({ _csrf: f.token, password: PASSWORD, next }),
      });
      expect(res.headers.get('location'), next).toBe('/status');
      const cookie = res.headers.getSetCookie().find((c) => c.startsWith('lunawall_session='))!.split(';')[0]!;
      const again = await kit.app.request(`/login?next=${encodeURIComponent(next)}`, { headers: { cookie } });
      expect(again.headers.get('location'), next).toBe('/status');
    }
  });

  it('refuses a wrong password with a message, and rate-limits repeated failures', async () => {
    const f = await loginForm();
    const bad = await postLogin(f, 'wrong');
    expect(bad.status).toBe(403);
    expect(await bad.text()).toContain('Invalid username and/or password');
    for (let i = 0; i < 4; i++) expect((await postLogin(f, 'wrong')).status).toBe(403);
    const limited = await postLogin(f, PASSWORD);
    expect(limited.status).toBe(429);
    expect(await limited.text()).toContain('Too many failed logins');
  });

  it('counts parallel login attempts before checking them, so they cannot all slip past the limit', async () => {
    const f = await loginForm();
    const rs = await Promise.all(Array.from({ length: 20 }, (_, i) => postLogin(f, `wrong-${i}`)));
    const statuses = rs.map((r) => r.status);
    expect(statuses.filter((s) => s === 403)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
  });

  it('refuses an oversized login post before reading it', async () => {
    const f = await loginForm();
    const r = await kit.app.request('/login', {
      method: 'POST',
      headers: { origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded', cookie: f.cookie },
      body: encode({ _csrf: f.token, password: 'x'.repeat(100_000) }),
    });
    expect(r.status).toBe(413);
  });

  it('rejects a login post without the form token or from another origin', async () => {
    const f = await loginForm();
    expect((await postLogin({ ...f, token: 'x'.repeat(43) }, PASSWORD)).status).toBe(403);
    expect((await postLogin(f, PASSWORD, { origin: 'http://evil.example' })).status).toBe(403);
  });
});

describe('session', () => {
  it('logs out with the CSRF token and the session is gone', async () => {
    const c = await kit.login();
    expect((await c.get('/status')).status).toBe(200);
    const out = await c.post('/logout');
    expect(out.status).toBe(303);
    expect(out.headers.get('location')).toBe('/login');
    expect((await c.get('/status')).status).toBe(303);
  });

  it('expires after an hour without activity and says so', async () => {
    const c = await kit.login();
    kit.clock.advance(3600_001);
    const r = await c.get('/status');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toContain('expired=1');
    const page = await (await kit.app.request(r.headers.get('location')!)).text();
    expect(page).toContain('Session expired');
  });

  it('ends when the admin password changes (sessions outlive restarts, so only this logs out a stolen one)', async () => {
    const c = await kit.login();
    expect((await c.get('/status')).status).toBe(200);
    await setAdminPassword(kit.db, 'a-new-password', kit.clock.now());
    const r = await c.get('/status');
    expect(r.status).toBe(303);
    expect(r.headers.get('location')).toContain('/login');
  });

  it('survives a restart (a new app on the same database), and keeps only a hash of the cookie', async () => {
    const c = await kit.login();
    const again = createApp(kit.deps) as unknown as Hono;
    const r = await again.request('/status', { headers: { cookie: c.cookie } });
    expect(r.status).toBe(200);
    const id = c.cookie.split('=')[1]!;
    const rows = kit.db.select().from(uiSessions).all();
    expect(rows).toHaveLength(1);
    expect(rows[0]!.idHash).not.toBe(id);
    expect(JSON.stringify(rows)).not.toContain(id);
    await c.post('/logout');
    expect(kit.db.select().from(uiSessions).all()).toHaveLength(0);
  });

  it('answers 403 to a form post without, or with a wrong, CSRF token, and to a foreign Origin', async () => {
    const c = await kit.login();
    kit.save({ name: 'p1', hook: 'forward' });
    expect((await c.post('/policies/p1/toggle', {}, { csrf: false })).status).toBe(403);
    expect((await c.post('/policies/p1/toggle', {}, { csrf: 'wrong' })).status).toBe(403);
    expect((await c.post('/policies/p1/toggle', {}, { origin: 'http://evil.example' })).status).toBe(403);
    expect((await c.post('/policies/p1/toggle', {}, { origin: null })).status).toBe(403);
    expect((await c.post('/policies/p1/toggle')).status).toBe(303);
  });

  it('accepts the token in the X-CSRF-Token header (what ui.js adds to htmx requests)', async () => {
    const c = await kit.login();
    kit.save({ name: 'p1', hook: 'forward' });
    const r = await kit.app.request('/policies/p1/toggle', {
      method: 'POST',
      headers: { cookie: c.cookie, origin: ORIGIN, 'hx-request': 'true', 'x-csrf-token': c.csrf, 'content-type': 'application/x-www-form-urlencoded' },
      body: '',
    });
    expect(r.status).toBe(200);
  });
});
