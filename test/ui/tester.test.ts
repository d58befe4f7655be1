// Route tests for the packet tester: verdict and deciding rule from the emulator, field errors, htmx and plain posts.
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { samplePolicy, uiKit, type Client, type UiKit } from './harness.js';

let kit: UiKit;
let c: Client;
beforeEach(async () => {
  kit = await uiKit();
  c = await kit.login();
  kit.save(samplePolicy());
});
afterEach(() => kit.close());

const text = async (r: Response | Promise<Response>) => (await r).text();
const packet = (over: Record<string, string> = {}) => ({
  policy: 'block-ads',
  hook: '',
  proto: 'tcp',
  src: '192.168.1.10',
  dst: '203.0.113.5',
  srcPort: '40000',
  dstPort: '443',
  iif: '',
  oif: '',
  mark: '',
  app: 'tls',
  name: 'x.ads.example.com',
  ...over,
});

describe('packet tester', () => {
  it('has a labelled field for protocol, addresses, ports, interfaces and the SNI / DNS / Host name', async () => {
    const html = await text(c.get('/tester'));
    for (const id of ['t-policy', 't-hook', 't-proto', 't-src', 't-dst', 't-srcPort', 't-dstPort', 't-iif', 't-oif', 't-mark', 't-app', 't-name']) expect(html).toContain(`for="${id}"`);
  });

  it('drops a TLS ClientHello for a blocked SNI by the domain rule (htmx fragment)', async () => {
    const html = await text(c.post('/tester', packet(), { htmx: true }));
    expect(html.startsWith('<div id="tester-result"')).toBe(true);
    expect(html).toContain('<span class="verdict-drop" id="verdict">DROP</span>');
    expect(html).toContain('<code id="verdict-rule">r2</code>');
  });

  it('matches DNS queries and HTTP Host too, and accepts other names by default (plain post: whole page)', async () => {
    expect(await text(c.post('/tester', packet({ proto: 'udp', dstPort: '53', app: 'dns', name: 'doubleclick.net' })))).toContain('id="verdict-rule">r2<');
    expect(await text(c.post('/tester', packet({ dstPort: '80', app: 'http', name: 'ads.example.com' }), { htmx: true }))).toContain('id="verdict">DROP<');
    const ok = await text(c.post('/tester', packet({ name: 'example.org' })));
    expect(ok.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(ok).toContain('id="verdict">ACCEPT<');
    expect(ok).toContain('id="verdict-rule">default<');
    expect(await text(c.post('/tester', packet({ app: 'none', name: '', dstPort: '22' }), { htmx: true }))).toContain('id="verdict-rule">r1<');
  });

  it('takes the packet mark: a mark the policy does not list passes untouched', async () => {
    expect(await text(c.post('/tester', packet(), { htmx: true }))).toContain('id="verdict-rule">r2<');
    const marked = await text(c.post('/tester', packet({ mark: '0x100' }), { htmx: true }));
    expect(marked).toContain('id="verdict">ACCEPT<');
    expect(marked).toContain('id="verdict-rule">none<');
    expect(await text(c.post('/tester', packet({ mark: 'wan' })))).toMatch(/id="t-mark"[^>]*\/><div class="diag error">/);
  });

  it('puts a bad address or port at its field and runs nothing', async () => {
    const html = await text(c.post('/tester', packet({ src: 'not-an-ip' })));
    expect(html).toMatch(/id="t-src"[^>]*\/><div class="diag error">[^<]*not an IPv4 or IPv6 address/);
    expect(html).not.toContain('id="verdict"');
    expect(await text(c.post('/tester', packet({ dstPort: '70000' })))).toMatch(/id="t-dstPort"[^>]*\/><div class="diag error">/);
    expect(await text(c.post('/tester', packet({ src: '::1' }), { htmx: true }))).toContain('IPv6');
  });

  it('refuses a post without the CSRF token', async () => {
    expect((await c.post('/tester', packet(), { csrf: false })).status).toBe(403);
  });
});
