// /etc/uci-defaults/90-lunawall: the first-boot admin password (root-only file) and enabling the service.
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readAdminPassword } from '../../server/uci/index.js';

const script = new URL('../../openwrt/files/etc/uci-defaults/90-lunawall', import.meta.url).pathname;
const harnessBin = new URL('./harness/bin', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lunawall-uci-defaults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
/** A root for IPKG_INSTROOT whose /etc/init.d/lunawall records how it was called, and UCI values pointing into it. */
function router() {
  const root = join(dir, `root-${n++}`);
  const data = join(root, 'etc', 'lunawall');
  mkdirSync(join(root, 'etc', 'init.d'), { recursive: true });
  const log = join(root, 'init.log');
  writeFileSync(join(root, 'etc', 'init.d', 'lunawall'), `#!/bin/sh\necho "$*" >> '${log}'\n`);
  chmodSync(join(root, 'etc', 'init.d', 'lunawall'), 0o755);
  const values = join(root, 'uci-values');
  writeFileSync(values, `main.data_dir=${data}\nmain.admin_password_file=${data}/admin-password\n`);
  const run = () =>
    execFileSync('sh', [script], { env: { PATH: `${harnessBin}:/usr/bin:/bin`, UCI_VALUES: values, IPKG_INSTROOT: root }, encoding: 'utf8' });
  return { root, data, log, run, password: join(data, 'admin-password') };
}

describe('/etc/uci-defaults/90-lunawall', () => {
  it('writes a random 128-bit admin password into a root-only file and enables the service', () => {
    const r = router();
    r.run();
    expect(statSync(r.password).mode & 0o777).toBe(0o600);
    expect(statSync(r.data).mode & 0o777).toBe(0o700);
    expect(readFileSync(r.password, 'utf8')).toMatch(/^[0-9a-f]{32}\n$/);
    expect(readFileSync(r.log, 'utf8')).toBe('enable\n');
    expect(existsSync(`${r.password}.tmp`)).toBe(false);
  });

  it('the server reads that password on its first start', () => {
    const r = router();
    r.run();
    expect(readAdminPassword(r.password)).toBe(readFileSync(r.password, 'utf8').trim());
  });

  it('keeps an existing password when it runs again (upgrade), and repairs its mode', () => {
    const r = router();
    r.run();
    const first = readFileSync(r.password, 'utf8');
    chmodSync(r.password, 0o644);
    r.run();
    expect(readFileSync(r.password, 'utf8')).toBe(first);
    expect(statSync(r.password).mode & 0o777).toBe(0o600);
  });

  it('gives every router its own password', () => {
    const a = router();
    const b = router();
    a.run();
    b.run();
    expect(readFileSync(a.password, 'utf8')).not.toBe(readFileSync(b.password, 'utf8'));
  });
});
