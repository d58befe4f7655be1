// The UCI reader: the shipped /etc/config/lunawall, the format's corners, malformed files, and `uci`.
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  derivedEnv,
  parseDefaultGateway,
  parseUci,
  readLunawallUci,
  scalarEnv,
  uciDefaults,
  uciEnvironment,
  uciExportArgv,
  UciParseError,
} from '../../server/uci/index.js';
import { loadConfig } from '../../server/config.js';

const shipped = new URL('../../openwrt/files/etc/config/lunawall', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lunawall-uci-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let n = 0;
function file(text: string): string {
  const f = join(dir, `lunawall-${n++}`);
  writeFileSync(f, text);
  return f;
}
const noUci = { env: { PATH: '' } };

describe('the shipped config', () => {
  it('reads without errors or warnings, and the defaults are its values', () => {
    const r = readLunawallUci(shipped, noUci);
    expect(r.errors).toEqual([]);
    expect(r.warnings).toEqual([]);
    expect(r.source).toBe('file');
    expect(r.config).toEqual(uciDefaults());
  });

  it('keeps the data on persistent storage, not in /tmp', () => {
    const { config } = readLunawallUci(shipped, noUci);
    expect(config.dataDir.startsWith('/tmp')).toBe(false);
    expect(config.dataDir.startsWith('/var')).toBe(false);
    expect(config.adminPasswordFile.startsWith(config.dataDir + '/')).toBe(true);
  });

  it('maps to the LUNAWALL_* variables, which server/config.ts accepts', () => {
    const { config } = readLunawallUci(shipped, noUci);
    const sys = { gateway: '192.0.2.1', interfaceAddresses: (i: string) => (i === 'br-lan' ? ['192.168.1.1/24'] : []) };
    const env = { ...scalarEnv(config), ...derivedEnv(config, sys).env };
    expect(env).toEqual({
      LUNAWALL_HOST: '0.0.0.0',
      LUNAWALL_PORT: '8080',
      LUNAWALL_DATA_DIR: '/etc/lunawall',
      LUNAWALL_BACKEND: 'auto',
      LUNAWALL_CONFIRM_WINDOW: '90',
      LUNAWALL_SESSION_LIFETIME: '43200',
      LUNAWALL_PROBE_INTERVAL_MS: '2000',
      LUNAWALL_ANTI_LOCKOUT: 'on',
      LUNAWALL_LAN_INTERFACE: 'br-lan',
      LUNAWALL_MANAGEMENT_PORTS: '22,80,443',
      LUNAWALL_LAN_ADDRESSES: '192.168.1.1/24',
      LUNAWALL_PROBES: JSON.stringify([
        { kind: 'health', timeoutMs: 3000 },
        { kind: 'ping', name: 'gateway', host: '192.0.2.1', timeoutMs: 3000 },
        { kind: 'dns', server: '127.0.0.1', query: 'openwrt.org', timeoutMs: 3000 },
      ]),
    });
    const c = loadConfig(env);
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', dataDir: '/etc/lunawall', backend: 'auto', confirmWindow: 90 });
    expect(c).toMatchObject({ antiLockout: 'on', lanInterface: 'br-lan', managementPorts: [22, 80, 443], lanAddresses: ['192.168.1.1/24'] });
    expect(c.probes.map((p) => p.kind)).toEqual(['health', 'ping', 'dns']);
  });

  it('leaves out what the system cannot tell, and says so', () => {
    const { config } = readLunawallUci(shipped, noUci);
    const d = derivedEnv(config, { interfaceAddresses: () => [] });
    expect(JSON.parse(d.env.LUNAWALL_PROBES).map((p: { kind: string }) => p.kind)).toEqual(['health', 'dns']);
    expect(d.env.LUNAWALL_LAN_ADDRESSES).toBeUndefined();
    expect(d.notes).toEqual([
      'no IPv4 default route at start: the gateway probe is left out',
      'no addresses on br-lan at start: the anti-lockout check uses its default LAN addresses',
    ]);
  });

  it('reads the default gateway from /proc/net/route in either byte order', () => {
    const route = [
      'Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT',
      'br-lan\t0001A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0',
      'wan\t00000000\t0102000A\t0003\t0\t0\t0\t00000000\t0\t0\t0',
    ].join('\n');
    expect(parseDefaultGateway(route, 'LE')).toBe('10.0.2.1');
    expect(parseDefaultGateway(route, 'BE')).toBe('1.2.0.10');
    expect(parseDefaultGateway(route.split('\n').slice(0, 2).join('\n'), 'LE')).toBeUndefined();
  });
});

describe('the UCI format', () => {
  it('reads quoting, escapes, concatenation, comments and anonymous sections', () => {
    const pkg = parseUci(
      [
        'package lunawall',
        '# a comment',
        "config rule",
        "\toption name 'it''s'",
        '\toption path "a \\"b\\" c"   # trailing comment',
        '\toption bare plain#hash',
        "\tlist port '80'",
        '\tlist port 443',
        "config lunawall 'main'",
        "\toption port '1'",
        "config lunawall 'main'",
        "\toption port '2'",
      ].join('\n'),
      'f',
    );
    expect(pkg.sections).toHaveLength(2);
    const [rule, main] = pkg.sections;
    expect(rule.name).toBeUndefined();
    expect(rule.options.get('name')?.value).toBe('its');
    expect(rule.options.get('path')?.value).toBe('a "b" c');
    expect(rule.options.get('bare')?.value).toBe('plain#hash');
    expect(rule.options.get('port')?.value).toEqual(['80', '443']);
    expect(main.options.get('port')).toMatchObject({ value: '2', line: 12 });
  });

  it('reads a quoted value that spans lines and counts the lines after it', () => {
    const pkg = parseUci("config a 'x'\n\toption text 'one\ntwo'\n\toption after '1'\n", 'f');
    expect(pkg.sections[0].options.get('text')?.value).toBe('one\ntwo');
    expect(pkg.sections[0].options.get('after')?.line).toBe(4);
  });

  it.each([
    ["config lunawall 'main'\n\toption port '8080\n", 2, 'unterminated single quote'],
    ["option port '8080'\n", 1, "'option' before the first 'config' section"],
    ["config lunawall 'main'\n\toptoin port '1'\n", 2, "unknown command 'optoin'"],
    ["config lunawall 'main'\n\toption port '1' '2'\n", 2, 'too many arguments'],
    ["config lunawall 'main'\n\n\toption port\n", 3, 'missing argument'],
    ["config lunawall 'ma in'\n", 1, "invalid section name 'ma in'"],
    ["config lunawall 'main'\n\toption 'po-rt' '1'\n", 2, "invalid option name 'po-rt'"],
    ["config lunawall 'main'\nconfig probes 'main'\n", 2, "section 'main' redefined"],
  ])('rejects %j at line %i', (text, line, reason) => {
    let caught: unknown;
    try {
      parseUci(text, '/etc/config/lunawall');
    } catch (err) {
      caught = err;
    }
    expect(caught).toBeInstanceOf(UciParseError);
    expect((caught as UciParseError).line).toBe(line);
    expect((caught as UciParseError).message).toContain(`/etc/config/lunawall:${line}: ${reason}`);
  });
});

describe('malformed files keep the defaults', () => {
  it('a syntax error: one error naming file and line, every setting at its default', () => {
    const f = file("config lunawall 'main'\n\toption port '9000'\n\toption listen \"127.0.0.1\n");
    const r = readLunawallUci(f, noUci);
    expect(r.errors).toEqual([`${f}:3: unterminated double quote; using the default settings`]);
    expect(r.config).toEqual(uciDefaults());
  });

  it('invalid values: each named with its line, the rest of the file still applies', () => {
    const f = file(
      [
        "config lunawall 'main'",
        "\toption port '70000'",
        "\toption listen '127.0.0.1'",
        "\toption backend 'iptables'",
        "\toption data_dir 'relative/dir'",
        "\toption confirm_window '5'",
        "config probes 'probes'",
        "\toption http_url 'ftp://x'",
        "\toption gateway 'maybe'",
        "config guard 'guard'",
        "\tlist lan_address '10.0.0.1/8'",
        "\tlist lan_address '300.1.1.1/8'",
        "\toption color 'red'",
      ].join('\n'),
    );
    const r = readLunawallUci(f, noUci);
    expect(r.config.listen).toBe('127.0.0.1');
    expect(r.config.port).toBe(8080);
    expect(r.config.backend).toBe('auto');
    expect(r.config.dataDir).toBe('/etc/lunawall');
    expect(r.config.confirmWindow).toBe(90);
    expect(r.config.probes.httpUrl).toBe('');
    expect(r.config.probes.gateway).toBe('auto');
    expect(r.config.guard.lanAddresses).toEqual(['10.0.0.1/8']);
    expect(r.errors).toEqual([
      `${f}:2: option 'port' has invalid value '70000': expected an integer from 1 to 65535; keeping '8080'`,
      `${f}:4: option 'backend' has invalid value 'iptables': expected one of auto, emulator, lunatik, nfqueue; keeping 'auto'`,
      `${f}:5: option 'data_dir' has invalid value 'relative/dir': expected an absolute path; keeping '/etc/lunawall'`,
      `${f}:6: option 'confirm_window' has invalid value '5': expected an integer from 10 to 3600; keeping '90'`,
      `${f}:8: option 'http_url' has invalid value 'ftp://x': expected an http:// or https:// URL or an empty string; keeping ''`,
      `${f}:9: option 'gateway' has invalid value 'maybe': expected an IPv4 or IPv6 address; keeping 'auto'`,
      `${f}:12: lan_address '300.1.1.1/8' is invalid: expected an address with prefix, e.g. 192.168.1.1/24; ignored`,
    ]);
    expect(r.warnings).toEqual([`${f}:13: unknown option 'color' in 'guard' ignored`]);
  });

  it('a list where a single value belongs is an error', () => {
    const f = file("config lunawall 'main'\n\tlist port '1'\n\tlist port '2'\n");
    const r = readLunawallUci(f, noUci);
    expect(r.config.port).toBe(8080);
    expect(r.errors[0]).toContain(`${f}:3: option 'port' must be a single value`);
  });

  it('a missing file is an error, not a crash', () => {
    const f = join(dir, 'absent');
    const r = readLunawallUci(f, noUci);
    expect(r.errors).toEqual([`${f}: no such file; using the default settings`]);
    expect(r.config).toEqual(uciDefaults());
  });
});

describe('through the uci command', () => {
  const bin = mkdtempSync(join(dir, 'bin-'));
  const log = join(bin, 'argv');
  // A stand-in with uci's observable behaviour for `export`: prints the package in UCI syntax.
  writeFileSync(
    join(bin, 'uci'),
    `#!/bin/sh\nprintf '%s\\n' "$@" > '${log}'\nprintf "config lunawall 'main'\\n\\toption port '9090'\\n"\n`,
  );
  chmodSync(join(bin, 'uci'), 0o755);

  it('runs uci export (strict, /var/state included, anonymous sections named) and reads its output', () => {
    const f = file("config lunawall 'main'\n\toption port '1234'\n");
    const r = readLunawallUci(f, { env: { PATH: bin } });
    expect(r.source).toBe('uci');
    expect(r.config.port).toBe(9090);
    expect(readFileSync(log, 'utf8').trim().split('\n')).toEqual(uciExportArgv(f));
    expect(uciExportArgv('/etc/config/lunawall')).toEqual(['-c', '/etc/config', '-P', '/var/state', '-n', 'export', 'lunawall']);
  });

  it('falls back to its own reader when uci fails, and names the bad line', () => {
    const failing = mkdtempSync(join(dir, 'bin-'));
    writeFileSync(join(failing, 'uci'), '#!/bin/sh\necho "uci: Parse error" >&2\nexit 1\n');
    chmodSync(join(failing, 'uci'), 0o755);
    const f = file("config lunawall 'main'\n\tbogus\n");
    const r = readLunawallUci(f, { env: { PATH: failing } });
    expect(r.source).toBe('file');
    expect(r.errors).toEqual([`${f}:2: unknown command 'bogus' (expected package, config, option or list); using the default settings`]);
  });
});

describe('uciEnvironment', () => {
  it('is undefined without a UCI file', () => {
    expect(uciEnvironment({ LUNAWALL_UCI_CONFIG: '', PATH: '' })).toBeUndefined();
  });

  it('gives the settings as variables and the first-boot password from its root-only file', () => {
    const pw = join(dir, 'admin-password');
    writeFileSync(pw, 'f00dfeedf00dfeedf00dfeedf00dfeed\n', { mode: 0o600 });
    const f = file(`config lunawall 'main'\n\toption port '8443'\n\toption admin_password_file '${pw}'\n`);
    const got = uciEnvironment({ LUNAWALL_UCI_CONFIG: f, PATH: '' }, { interfaceAddresses: () => ['192.168.1.1/24'] });
    expect(got?.errors).toEqual([]);
    expect(got?.warnings).toEqual(['no IPv4 default route at start: the gateway probe is left out']);
    expect(got?.env.LUNAWALL_PORT).toBe('8443');
    expect(got?.env.LUNAWALL_ADMIN_PASSWORD).toBe('f00dfeedf00dfeedf00dfeedf00dfeed');
  });

  it('leaves the password out when the file does not exist yet', () => {
    const f = file(`config lunawall 'main'\n\toption admin_password_file '${join(dir, 'none')}'\n`);
    expect(uciEnvironment({ LUNAWALL_UCI_CONFIG: f, PATH: '' }, { interfaceAddresses: () => [] })?.env.LUNAWALL_ADMIN_PASSWORD).toBeUndefined();
  });
});

describe('server/config.ts on OpenWrt', () => {
  it('reads UCI when LUNAWALL_UCI_CONFIG is set; the environment still wins', () => {
    const f = file("config lunawall 'main'\n\toption port '8443'\n\toption backend 'emulator'\n\toption data_dir '/srv/lw'\n");
    const c = loadConfig({ LUNAWALL_UCI_CONFIG: f, PATH: '', LUNAWALL_BACKEND: 'nfqueue' });
    expect(c.port).toBe(8443);
    expect(c.dataDir).toBe('/srv/lw');
    expect(c.backend).toBe('nfqueue');
  });

  it('is unchanged without a UCI file', () => {
    expect(loadConfig({ PATH: '' }).port).toBe(8080);
  });
});

describe('README "On OpenWrt"', () => {
  it('documents every option of the shipped config', () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const section = readme.slice(readme.indexOf('## On OpenWrt'));
    expect(section.startsWith('## On OpenWrt')).toBe(true);
    for (const s of parseUci(readFileSync(shipped, 'utf8'), shipped).sections) {
      for (const o of s.options.keys()) expect(section, `${s.name}.${o}`).toContain(`\`${s.name}.${o}\``);
    }
  });
});
