// openwrt/Makefile as make sees it, with stand-ins for the SDK's rules.mk, package.mk and bpf.mk.
import { describe, expect, it } from 'vitest';
import { hasMake, packageInfo, sdkMake } from './sdk.js';

if (!hasMake && process.env.CI !== 'true') console.warn('skipping the Makefile checks: make is not installed');

describe.skipIf(!hasMake && process.env.CI !== 'true')('openwrt/Makefile', () => {
  it('defines lunawall under Network with node and the Lunatik packages of both feeds', () => {
    const info = packageInfo();
    expect(Object.keys(info)).toEqual(['lunawall', 'lunawall-xdp', 'luci-app-lunawall']);
    const lw = info.lunawall;
    expect(lw.SECTION).toBe('net');
    expect(lw.CATEGORY).toBe('Network');
    const deps = lw.DEPENDS.split(' ');
    expect(deps).toEqual(expect.arrayContaining(['+node', '+kmod-lunatik', '+LUNAWALL_LUNATIK_2305:lunatik-scripts']));
    for (const m of ['netfilter', 'linux', 'byteorder', 'skb', 'data']) expect(deps).toContain(`+LUNAWALL_LUNATIK_SPLIT:kmod-lunatik-${m}`);
    expect(lw.Config).toBe('yes');
    expect(lw.Conffiles).toBe('/etc/config/lunawall');
  });

  it('keeps XDP in its own package, so the main one needs no BPF toolchain', () => {
    const info = packageInfo();
    expect(info['lunawall-xdp'].DEPENDS.split(' ')).toEqual(['+lunawall', '+bpftool-minimal', '@HAS_BPF_TOOLCHAIN']);
    expect(info.lunawall.DEPENDS).not.toContain('BPF');
    expect(info['luci-app-lunawall']).toMatchObject({ SECTION: 'luci', CATEGORY: 'LuCI', DEPENDS: '+lunawall +luci-base', PKGARCH: 'all' });
  });

  it('bundles with esbuild and builds better-sqlite3 with the target toolchain and node headers', () => {
    const steps = sdkMake(['-n', 'compile', 'PKG_BUILD_DIR=/build/lunawall']).split('\n');
    const bundle = steps.find((s) => s.includes('build-bundle.mjs --out'));
    expect(bundle).toBe('cd /build/lunawall && /sdk/staging_dir/hostpkg/bin/node openwrt/build-bundle.mjs --out /build/lunawall/dist --native none');
    const gyp = steps.find((s) => s.includes('node-gyp.js rebuild'));
    expect(gyp).toContain('cd /build/lunawall/node_modules/better-sqlite3 && ');
    expect(gyp).toContain('CC="mipsel-openwrt-linux-musl-gcc" CXX="mipsel-openwrt-linux-musl-g++"');
    expect(gyp).toContain('--arch=mipsel --nodedir=/sdk/staging_dir/target-mipsel_24kc_musl/usr');
    expect(steps).toContain(
      'cp -fpR /build/lunawall/node_modules/better-sqlite3/build/Release/better_sqlite3.node /build/lunawall/dist/node_modules/better-sqlite3/build/Release/better_sqlite3.node',
    );
    expect(steps.some((s) => s.includes('lunawall_xdp'))).toBe(false);
  });

  it('maps OpenWrt ARCH names to node-gyp --arch', () => {
    for (const [arch, cpu] of [['aarch64', 'arm64'], ['x86_64', 'x64'], ['i386', 'ia32'], ['arm', 'arm'], ['mips', 'mips']]) {
      expect(sdkMake(['-n', 'compile', `ARCH=${arch}`])).toContain(`--arch=${cpu} `);
    }
  });

  it('compiles the XDP program only when lunawall-xdp is selected', () => {
    const steps = sdkMake(['-n', 'compile', 'PKG_BUILD_DIR=/build/lunawall', 'CONFIG_PACKAGE_lunawall-xdp=y']);
    expect(steps).toMatch(/clang .*-target bpf .*-c \/build\/lunawall\/openwrt\/xdp\/lunawall_xdp\.c -o \/build\/lunawall\/openwrt\/xdp\/lunawall_xdp\.o/);
  });
});
