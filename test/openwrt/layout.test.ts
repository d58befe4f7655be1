// The package's install tree, assembled by openwrt/Makefile's install rules into a temporary root:
// every file the init script, the CLI wrapper, uci-defaults and the LuCI entry reference, with its mode.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xdpCommands } from '../../server/kernel/xdp-loader.js';
import { readLunawallUci } from '../../server/uci/index.js';
import { buildBundle, hasMake, packageInfo, repo, sdkMake } from './sdk.js';

const hasClang = spawnSync('clang', ['--version']).status === 0 && existsSync('/usr/include/bpf/bpf_helpers.h');
const skip = !hasMake && process.env.CI !== 'true';
if (skip) console.warn('skipping the package layout test: make is not installed');

const dir = mkdtempSync(join(tmpdir(), 'lunawall-layout-'));
const build = join(dir, 'build');
const root = join(dir, 'root');
const at = (p: string) => join(root, p);
const mode = (p: string) => statSync(at(p)).mode & 0o7777;

/** Absolute paths a shell script names (outside comments). */
function pathsIn(file: string): string[] {
  const code = readFileSync(file, 'utf8')
    .split('\n')
    .filter((l) => !l.trim().startsWith('#'))
    .join('\n');
  return [...new Set([...code.matchAll(/(?<![\w$}])\/(?:usr|etc|lib|www|sbin|bin)\/[\w./-]+/g)].map((m) => m[0]))];
}

/** Files other packages provide, and the dependency that brings each. */
const provided: Record<string, string> = { '/usr/bin/node': '+node' };

describe.skipIf(skip)('package layout', () => {
  beforeAll(() => {
    buildBundle(join(build, 'dist'));
    const packages = ['install-lunawall', 'install-luci-app-lunawall'];
    if (hasClang) {
      mkdirSync(join(build, 'openwrt', 'xdp'), { recursive: true });
      const asm = readdirSync('/usr/include').map((d) => `/usr/include/${d}`).filter((d) => existsSync(`${d}/asm/types.h`)).map((d) => `-I${d}`);
      execFileSync('clang', ['-target', 'bpf', '-O2', '-g', ...asm, '-c', `${repo}openwrt/xdp/lunawall_xdp.c`, '-o', join(build, 'openwrt', 'xdp', 'lunawall_xdp.o')]);
      packages.push('install-lunawall-xdp');
    }
    sdkMake([`PKG_BUILD_DIR=${build}`, `DESTDIR=${root}`, ...packages]);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('installs the service files with OpenWrt modes', () => {
    expect(mode('etc/init.d/lunawall')).toBe(0o755);
    expect(mode('etc/uci-defaults/90-lunawall')).toBe(0o755);
    expect(mode('usr/bin/lunawall')).toBe(0o755);
    expect(mode('etc/config/lunawall')).toBe(0o600);
    expect(mode('lib/upgrade/keep.d/lunawall')).toBe(0o644);
    expect(mode('usr/lib/lunawall/lunawall.mjs')).toBe(0o644);
    expect(mode('usr/lib/lunawall/node_modules/better-sqlite3/build/Release/better_sqlite3.node') & 0o444).toBe(0o444);
  });

  it.each(['openwrt/files/etc/init.d/lunawall', 'openwrt/files/usr/bin/lunawall', 'openwrt/files/etc/uci-defaults/90-lunawall'])(
    'every path %s names is installed or comes from a dependency',
    (script) => {
      const deps = packageInfo().lunawall.DEPENDS.split(' ');
      // The data directory and the password file in it are made at first boot by 90-lunawall (uci-defaults.test.ts).
      const { dataDir } = readLunawallUci(at('etc/config/lunawall'), { env: { PATH: '' } }).config;
      const paths = pathsIn(join(repo, script));
      expect(paths.length).toBeGreaterThan(0);
      for (const p of paths) {
        if (p === dataDir || p.startsWith(`${dataDir}/`)) continue;
        if (provided[p]) expect(deps, p).toContain(provided[p]);
        else expect(existsSync(at(p)), `${p} (named in ${script})`).toBe(true);
      }
    },
  );

  it('keeps the configured data directory across sysupgrade, and the UCI file as a conffile', () => {
    const { config } = readLunawallUci(at('etc/config/lunawall'), { env: { PATH: '' } });
    const keep = readFileSync(at('lib/upgrade/keep.d/lunawall'), 'utf8').trim().split('\n');
    expect(keep).toContain(`${config.dataDir}/`);
    expect(keep.some((k) => config.adminPasswordFile.startsWith(k))).toBe(true);
    expect(packageInfo().lunawall.Conffiles.split(' ')).toContain('/etc/config/lunawall');
  });

  it('gives LuCI a menu entry whose view, ACL and UCI config all exist', () => {
    const menu = JSON.parse(readFileSync(at('usr/share/luci/menu.d/luci-app-lunawall.json'), 'utf8')) as Record<
      string,
      { title: string; action: { type: string; path: string }; depends: { acl: string[]; uci: Record<string, boolean> } }
    >;
    const entry = menu['admin/network/lunawall'];
    expect(entry.title).toBe('Lua firewall');
    expect(entry.action.type).toBe('view');
    const view = `www/luci-static/resources/view/${entry.action.path}.js`;
    expect(mode(view)).toBe(0o644);
    expect(readFileSync(at(view), 'utf8')).toContain("uci.get('lunawall', 'main', 'port')");
    const acls = readdirSync(at('usr/share/rpcd/acl.d')).map((f) => JSON.parse(readFileSync(at(`usr/share/rpcd/acl.d/${f}`), 'utf8')) as Record<string, { read?: { uci?: string[] } }>);
    for (const name of entry.depends.acl) {
      const acl = acls.find((a) => a[name])?.[name];
      expect(acl, name).toBeDefined();
      for (const cfg of Object.keys(entry.depends.uci)) expect(acl?.read?.uci).toContain(cfg);
    }
    for (const cfg of Object.keys(entry.depends.uci)) expect(existsSync(at(`etc/config/${cfg}`))).toBe(true);
  });

  it.skipIf(!hasClang && process.env.CI !== 'true')('puts the XDP object where the lunatik backend loads it from', () => {
    const [load] = xdpCommands({ op: 'load' });
    const object = load[3];
    expect(object).toBe('/usr/lib/lunawall/lunawall_xdp.o');
    expect(mode(object.slice(1))).toBe(0o644);
    expect(readFileSync(at(object.slice(1))).subarray(0, 4).toString('latin1')).toBe('\x7fELF');
  });

  it('the installed tree runs on its own', () => {
    const help = execFileSync(process.execPath, ['--no-liftoff', at('usr/lib/lunawall/lunawall.mjs'), '--help'], { cwd: dir, encoding: 'utf8', env: { PATH: process.env.PATH ?? '' } });
    expect(help).toContain('usage: lunawall');
  });
});
