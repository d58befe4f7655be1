// The admin's whole path in a real Chromium: log in, build a policy, fix a validation error, apply and confirm,
// watch an unconfirmed apply roll back, revert from history, test a packet, export and import. No console errors.
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { chromium, type Browser, type Page } from 'playwright-core';
import { PASSWORD, startUi, type Running } from './server.js';
import { buildFrame } from '../../server/packet/index.js';

const CHROMIUM = '/usr/bin/chromium';
const SHOTS = 'test-output/screenshots';

const missing = !existsSync(CHROMIUM);
if (missing) console.warn(`test/browser skipped: ${CHROMIUM} is not installed (.ci/run installs it)`);

describe.skipIf(missing)('admin UI in Chromium', () => {
  let ui: Running;
  let browser: Browser;
  let page: Page;
  const consoleErrors: string[] = [];
  /** While a test cuts the router off on purpose, the refused requests it causes are expected. */
  let outage = false;

  const shot = (name: string) => page.screenshot({ path: `${SHOTS}/${name}.png`, fullPage: true });
  const go = (path: string) => page.goto(ui.url + path);

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    ui = await startUi();
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
    });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    page = await context.newPage();
    page.on('console', (m) => {
      if (m.type() !== 'error') return;
      if (outage && m.text().includes('ERR_CONNECTION_REFUSED')) return;
      consoleErrors.push(m.text());
    });
    page.on('pageerror', (e) => consoleErrors.push(String(e)));
  });

  afterAll(async () => {
    await browser?.close();
    await ui?.close();
  });

  it('logs in', async () => {
    await go('/');
    await expect.poll(() => page.url()).toContain('/login');
    await shot('01-login');
    await page.getByLabel('Password').fill(PASSWORD);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.waitForURL('**/status');
    expect(await page.locator('header .brand').textContent()).toBeTruthy();
    await shot('02-status-empty');
  });

  it('adds a policy with two rules and a domain set, shows a validation error inline and takes the fix', async () => {
    await go('/policies');
    await page.getByRole('button', { name: 'Add policy' }).click();
    await page.waitForURL(/\/policies\/new\??$/);
    // A marker on window survives only if the row buttons swap sections in place (htmx) instead of reloading.
    await page.evaluate(() => ((window as unknown as { marker: number }).marker = 1));
    await page.locator('#f-name').fill('block-ads');
    await page.locator('#f-title').fill('Block ads and SSH out');
    await page.getByRole('button', { name: 'Add set' }).click();
    await page.locator('#f-sets-0-name').waitFor();
    await page.locator('#f-sets-0-name').fill('ads');
    await page.locator('#f-sets-0-type').selectOption('domain');
    await page.locator('#f-sets-0-elements').fill('doubleclick.net\nads.example.com\n');
    await expect.poll(() => page.locator('#set-count-0').textContent()).toBe('2 elements');
    await page.locator('[name="rules[0].action"]').selectOption('drop');
    await page.locator('[name="rules[0].match.proto"]').fill('tcp');
    await page.locator('[name="rules[0].match.dstPorts"]').fill('99999');
    // Checked as you go: the summary names the problem before anything is saved.
    await page.locator('[name="rules[0].match.dstPorts"]').press('Tab');
    await expect.poll(() => page.locator('#diagnostics').textContent(), { timeout: 10_000 }).toContain('99999');
    await page.getByRole('button', { name: 'Add rule' }).click();
    await page.locator('[name="rules[1].id"]').waitFor();
    await page.locator('[name="rules[1].action"]').selectOption('drop');
    await page.locator('[name="rules[1].match.domains"]').fill('@ads');
    await page.locator('[name="rules[1].comment"]').fill('ad domains by DNS, SNI and Host');
    expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(1);
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    // The error is shown at the field that caused it, and nothing was saved.
    const fieldError = page.locator('.fld.has-error:has([name="rules[0].match.dstPorts"]) .diag.error');
    await fieldError.waitFor();
    expect(await fieldError.textContent()).toMatch(/65535|port/i);
    await shot('03-editor-validation-error');
    await page.locator('[name="rules[0].match.dstPorts"]').fill('22');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL('**/policies/block-ads/edit?done=saved');
    expect(await page.locator('.rule').count()).toBe(2);
    expect(await page.locator('#unsaved').textContent()).toBe('Unsaved changes: 1');
    await page.getByRole('button', { name: 'Show generated Lua' }).click();
    await page.locator('pre.lua').waitFor();
    await shot('04-editor');
    await go('/policies');
    await shot('05-policies');
  });

  it('Save & Apply shows the steps, then Confirm keeps the change (retrying while the router is unreachable)', async () => {
    await go('/changes');
    await shot('06-changes');
    let dropped = 0;
    outage = true;
    await page.route('**/applies/*/confirm', (route) => (dropped++ === 0 ? route.abort('connectionrefused') : route.continue()));
    await page.getByRole('button', { name: 'Save & Apply' }).click();
    await page.waitForURL(/\/applies\/[^/]+$/);
    await page.getByRole('button', { name: 'Confirm' }).waitFor();
    await expect.poll(() => page.locator('#apply-steps li').count()).toBeGreaterThan(2);
    await shot('07-apply-countdown');
    // The countdown survives a reload, on any page: the server rehydrates it.
    await go('/policies');
    await page.getByRole('button', { name: 'Confirm' }).waitFor();
    const left = Number(await page.locator('#apply-title [data-countdown]').textContent());
    expect(left).toBeGreaterThan(0);
    expect(left).toBeLessThanOrEqual(90);
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Configuration changes applied.').waitFor();
    await shot('08-apply-confirmed');
    expect(dropped).toBeGreaterThanOrEqual(2);
    await page.unroute('**/applies/*/confirm');
    outage = false;
    // The page reloads after a moment (as LuCI does) and the badge follows.
    await expect.poll(() => page.locator('#unsaved').textContent(), { timeout: 10_000 }).toBe('No unsaved changes');
  });

  it('an apply left unconfirmed is rolled back when its window ends, and the page says so with the reason', async () => {
    await go('/policies/block-ads/edit');
    await page.locator('[name="rules[0].match.dstPorts"]').fill('22, 23');
    await page.getByRole('button', { name: 'Save', exact: true }).click();
    await page.waitForURL('**/policies/block-ads/edit?done=saved');
    await page.getByRole('link', { name: 'Unsaved changes: 1' }).click();
    await page.getByText('More apply options').click();
    await page.getByLabel('Confirm window (seconds)').fill('3');
    await page.getByRole('button', { name: 'Save & Apply' }).click();
    await page.getByRole('button', { name: 'Roll back now' }).waitFor();
    await page.getByText('Configuration changes have been rolled back!').waitFor({ timeout: 20_000 });
    expect(await page.locator('[data-reason]').first().textContent()).toMatch(/confirm|window|deadline|time/i);
    await shot('09-rolled-back');
    // It survives a reload until dismissed, and the edit is still pending.
    await page.reload();
    await page.getByText('Configuration changes have been rolled back!').waitFor();
    expect(await page.locator('#unsaved').textContent()).toBe('Unsaved changes: 1');
    await page.getByRole('button', { name: 'Dismiss' }).click();
    await page.locator('#apply-dialog').waitFor({ state: 'detached' });
  });

  it('reverts to a confirmed apply from the history', async () => {
    await go('/applies');
    await shot('10-applies');
    await page.getByRole('button', { name: /^Revert to apply/ }).first().click();
    await page.getByRole('button', { name: 'Confirm' }).waitFor();
    await page.getByRole('button', { name: 'Confirm' }).click();
    await page.getByText('Configuration changes applied.').waitFor();
    await expect.poll(() => page.locator('#unsaved').textContent(), { timeout: 10_000 }).toBe('No unsaved changes');
    await go('/policies/block-ads/edit');
    expect(await page.locator('[name="rules[0].match.dstPorts"]').inputValue()).toBe('22');
    await page.getByRole('link', { name: 'Applies' }).first().click();
    await page.locator('#applies-table a').first().click();
    await page.locator('#journal').waitFor();
    await page.getByRole('link', { name: /^revision \d+$/ }).first().click();
    await page.waitForURL(/\/policies\/block-ads\/revisions\/\d+$/);
    await shot('11-revision');
  });

  it('the status page shows the loaded state, its hit counters and, as it refreshes, a chart', async () => {
    await go('/status');
    expect(await page.locator('#status-live').textContent()).toContain('healthy');
    // Real packets through the loaded script: SSH is dropped by r1, an ad SNI by r2.
    const ssh = buildFrame({ src: '192.168.1.10', dst: '203.0.113.5', proto: 'tcp', srcPort: 40000, dstPort: 22 });
    const ad = buildFrame({ src: '192.168.1.10', dst: '203.0.113.5', proto: 'tcp', srcPort: 40001, dstPort: 443, tls: { sni: 'ads.example.com' } });
    for (let i = 0; i < 5; i++) expect(ui.backend.runPacket('block-ads', { frame: ssh, hook: 'forward' })).toBe('drop');
    for (let i = 0; i < 3; i++) expect(ui.backend.runPacket('block-ads', { frame: ad, hook: 'forward' })).toBe('drop');
    await page.locator('svg.chart polyline').waitFor({ timeout: 15_000 });
    expect(await page.locator('#status-live').textContent()).toMatch(/r1\s*5/);
    await shot('12-status');
  });

  it('the packet tester gives the verdict and the rule that matched', async () => {
    await go('/tester');
    await page.getByLabel('Policy').selectOption('block-ads');
    await page.getByLabel('Protocol').selectOption('tcp');
    await page.getByLabel('Destination port').fill('443');
    await page.getByLabel('Payload').selectOption('tls');
    await page.getByLabel('SNI / DNS name / HTTP Host').fill('x.ads.example.com');
    await page.getByRole('button', { name: 'Test packet' }).click();
    await page.locator('#verdict').waitFor();
    expect(await page.locator('#verdict').textContent()).toBe('DROP');
    expect(await page.locator('#verdict-rule').textContent()).toBe('r2');
    await shot('13-tester');
  });

  it('creates a token that is shown once', async () => {
    await go('/tokens');
    await page.getByLabel('Name').fill('isp');
    await page.getByRole('checkbox', { name: 'write' }).check();
    await page.getByRole('button', { name: 'Create token' }).click();
    expect(await page.locator('#new-token').textContent()).toMatch(/^lw_/);
    await shot('14-tokens');
  });

  it('exports all policies, deletes one after confirming, then imports the backup with a preview', async () => {
    await go('/backup');
    const download = page.waitForEvent('download');
    await page.getByRole('link', { name: 'Download backup' }).click();
    const file = await (await download).path();
    const doc = JSON.parse(readFileSync(file, 'utf8')) as { policies: { name: string }[] };
    expect(doc.policies.map((p) => p.name)).toEqual(['block-ads']);
    await go('/policies');
    await page.getByRole('link', { name: 'Delete block-ads' }).click();
    await shot('15-delete-confirm');
    await page.getByRole('button', { name: 'Delete', exact: true }).click();
    await page.waitForURL('**/policies?done=deleted');
    expect(await page.locator('#policy-table').textContent()).toContain('There are no policies yet.');
    await go('/backup');
    await page.getByLabel('Backup file').setInputFiles(file);
    await page.getByRole('button', { name: 'Preview restore' }).click();
    await page.locator('#import-preview').waitFor();
    expect(await page.locator('#import-preview tr', { hasText: 'created' }).textContent()).toContain('block-ads');
    await shot('16-backup-preview');
    await page.getByRole('button', { name: 'Restore' }).click();
    await page.locator('#import-done').waitFor();
    expect(await page.locator('#import-done').textContent()).toContain('1 created');
    await shot('17-backup-restored');
    await go('/policies');
    expect(await page.locator('#policy-table').textContent()).toContain('block-ads');
  });

  it('reads every page, and edits rules, with JavaScript turned off', async () => {
    const context = await browser.newContext({ javaScriptEnabled: false, viewport: { width: 1280, height: 900 } });
    const plain = await context.newPage();
    await plain.goto(ui.url + '/login');
    await plain.getByLabel('Password').fill(PASSWORD);
    await plain.getByRole('button', { name: 'Log in' }).click();
    await plain.waitForURL('**/status');
    for (const [path, text] of [
      ['/status', 'Loaded states'],
      ['/policies', 'block-ads'],
      ['/applies', 'confirmed'],
      ['/changes', 'Configuration / Changes'],
      ['/tester', 'Packet tester'],
      ['/tokens', 'isp'],
      ['/backup', 'Download backup'],
    ] as const) {
      await plain.goto(ui.url + path);
      expect(await plain.locator('main').textContent(), path).toContain(text);
    }
    await plain.goto(ui.url + '/policies/block-ads/edit');
    // Without htmx the row buttons post the whole form and the page comes back with the edit, unsaved.
    await plain.getByRole('button', { name: 'Add rule' }).click();
    await plain.locator('[name="rules[2].id"]').waitFor();
    await plain.getByRole('button', { name: 'Move rule 3 up' }).click();
    expect(await plain.locator('[name="rules[1].id"]').inputValue()).toBe('r3');
    await plain.screenshot({ path: `${SHOTS}/18-editor-without-javascript.png`, fullPage: true });
    await context.close();
  });

  it('logs out', async () => {
    await page.getByRole('button', { name: 'Log out' }).click();
    await page.waitForURL('**/login');
  });

  it('printed no console errors', () => {
    expect(consoleErrors).toEqual([]);
  });
});
