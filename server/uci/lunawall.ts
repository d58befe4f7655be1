// The lunawall UCI package (/etc/config/lunawall): its options, their checks, defaults and env names.
import { isIP } from 'node:net';
import { isAbsolute } from 'node:path';
import ipaddr from 'ipaddr.js';
import type { UciPackage, UciSection } from './parse.js';

export const backends = ['auto', 'emulator', 'lunatik', 'nfqueue'] as const;
export const xdpModes = ['skb', 'native'] as const;

export interface LunawallUci {
  enabled: boolean;
  listen: string;
  port: number;
  dataDir: string;
  backend: (typeof backends)[number];
  confirmWindow: number;
  adminPasswordFile: string;
  probes: { gateway: boolean; dnsName: string; httpUrl: string; timeout: number };
  guard: { enabled: boolean; sources: string[] };
  xdp: { mode: (typeof xdpModes)[number]; object: string };
}

/** The values of the shipped /etc/config/lunawall; an option that is absent or invalid keeps its default. */
export function uciDefaults(): LunawallUci {
  return {
    enabled: true,
    listen: '0.0.0.0',
    port: 8080,
    dataDir: '/etc/lunawall',
    backend: 'auto',
    confirmWindow: 90,
    adminPasswordFile: '/etc/lunawall/admin-password',
    probes: { gateway: true, dnsName: 'openwrt.org', httpUrl: '', timeout: 3 },
    guard: { enabled: true, sources: ['192.168.1.0/24', 'fd00::/8'] },
    xdp: { mode: 'skb', object: '/usr/lib/lunawall/xdp/lunawall_xdp.o' },
  };
}

type Check<T> = (raw: string) => { ok: true; value: T } | { ok: false; why: string };

const truthy = ['1', 'yes', 'on', 'true', 'enabled'];
const falsy = ['0', 'no', 'off', 'false', 'disabled'];
const bool: Check<boolean> = (raw) =>
  truthy.includes(raw) ? { ok: true, value: true } : falsy.includes(raw) ? { ok: true, value: false } : { ok: false, why: "expected a boolean ('1' or '0')" };

const int = (min: number, max: number): Check<number> => (raw) =>
  /^\d+$/.test(raw) && Number(raw) >= min && Number(raw) <= max
    ? { ok: true, value: Number(raw) }
    : { ok: false, why: `expected an integer from ${min} to ${max}` };

const oneOf = <T extends string>(values: readonly T[]): Check<T> => (raw) =>
  (values as readonly string[]).includes(raw) ? { ok: true, value: raw as T } : { ok: false, why: `expected one of ${values.join(', ')}` };

const address: Check<string> = (raw) => (isIP(raw) ? { ok: true, value: raw } : { ok: false, why: 'expected an IPv4 or IPv6 address' });

const absPath: Check<string> = (raw) => (isAbsolute(raw) ? { ok: true, value: raw } : { ok: false, why: 'expected an absolute path' });

const hostName: Check<string> = (raw) =>
  raw === '' || (raw.length <= 253 && /^(?!-)[A-Za-z0-9_-]{1,63}(\.(?!-)[A-Za-z0-9_-]{1,63})*\.?$/.test(raw))
    ? { ok: true, value: raw }
    : { ok: false, why: 'expected a DNS name or an empty string' };

const httpUrl: Check<string> = (raw) => {
  if (raw === '') return { ok: true, value: raw };
  try {
    const u = new URL(raw);
    if (u.protocol === 'http:' || u.protocol === 'https:') return { ok: true, value: raw };
  } catch {
    // falls through to the error below
  }
  return { ok: false, why: 'expected an http:// or https:// URL or an empty string' };
};

const cidr: Check<string> = (raw) => {
  const text = raw.includes('/') ? raw : `${raw}/${raw.includes(':') ? 128 : 32}`;
  return ipaddr.isValidCIDR(text) ? { ok: true, value: text } : { ok: false, why: 'expected an address or CIDR' };
};

interface Reader {
  errors: { line: number; text: string }[];
  warnings: string[];
}

/** Reads one option of a section, keeping the default (and recording why) when it is invalid. */
function opt<T>(r: Reader, file: string, s: UciSection | undefined, name: string, check: Check<T>, fallback: T): T {
  const o = s?.options.get(name);
  if (!o) return fallback;
  if (Array.isArray(o.value)) {
    r.errors.push({ line: o.line, text: `${file}:${o.line}: option '${name}' must be a single value, not a list; keeping '${String(fallback)}'` });
    return fallback;
  }
  const res = check(o.value);
  if (res.ok) return res.value;
  r.errors.push({ line: o.line, text: `${file}:${o.line}: option '${name}' has invalid value '${o.value}': ${res.why}; keeping '${String(fallback)}'` });
  return fallback;
}

function list<T>(r: Reader, file: string, s: UciSection | undefined, name: string, check: Check<T>, fallback: T[]): T[] {
  const o = s?.options.get(name);
  if (!o) return fallback;
  const raws = Array.isArray(o.value) ? o.value : o.value.split(/\s+/).filter(Boolean);
  const out: T[] = [];
  for (const raw of raws) {
    const res = check(raw);
    if (res.ok) out.push(res.value);
    else r.errors.push({ line: o.line, text: `${file}:${o.line}: ${name} '${raw}' is invalid: ${res.why}; ignored` });
  }
  return out;
}

const known: Record<string, string[]> = {
  lunawall: ['enabled', 'listen', 'port', 'data_dir', 'backend', 'confirm_window', 'admin_password_file'],
  probes: ['gateway', 'dns_name', 'http_url', 'timeout'],
  guard: ['enabled', 'source'],
  xdp: ['mode', 'object'],
};

/** Turns a parsed lunawall package into settings; invalid options are reported and keep their defaults. */
export function interpretLunawall(pkg: UciPackage): { config: LunawallUci; errors: string[]; warnings: string[] } {
  const r: Reader = { errors: [], warnings: [] };
  const f = pkg.file;
  const d = uciDefaults();
  const first = (type: string) => pkg.sections.find((s) => s.type === type);
  for (const s of pkg.sections) {
    const names = known[s.type];
    if (!names) {
      r.warnings.push(`${f}:${s.line}: unknown section type '${s.type}' ignored`);
      continue;
    }
    if (s !== first(s.type)) r.warnings.push(`${f}:${s.line}: second '${s.type}' section ignored; only the first one is read`);
    for (const o of s.options.values()) {
      if (!names.includes(o.name)) r.warnings.push(`${f}:${o.line}: unknown option '${o.name}' in '${s.type}' ignored`);
    }
  }
  const main = first('lunawall');
  const probes = first('probes');
  const guard = first('guard');
  const xdp = first('xdp');
  const config: LunawallUci = {
    enabled: opt(r, f, main, 'enabled', bool, d.enabled),
    listen: opt(r, f, main, 'listen', address, d.listen),
    port: opt(r, f, main, 'port', int(1, 65535), d.port),
    dataDir: opt(r, f, main, 'data_dir', absPath, d.dataDir),
    backend: opt(r, f, main, 'backend', oneOf(backends), d.backend),
    confirmWindow: opt(r, f, main, 'confirm_window', int(10, 3600), d.confirmWindow),
    adminPasswordFile: opt(r, f, main, 'admin_password_file', absPath, d.adminPasswordFile),
    probes: {
      gateway: opt(r, f, probes, 'gateway', bool, d.probes.gateway),
      dnsName: opt(r, f, probes, 'dns_name', hostName, d.probes.dnsName),
      httpUrl: opt(r, f, probes, 'http_url', httpUrl, d.probes.httpUrl),
      timeout: opt(r, f, probes, 'timeout', int(1, 60), d.probes.timeout),
    },
    guard: {
      enabled: opt(r, f, guard, 'enabled', bool, d.guard.enabled),
      sources: list(r, f, guard, 'source', cidr, d.guard.sources),
    },
    xdp: {
      mode: opt(r, f, xdp, 'mode', oneOf(xdpModes), d.xdp.mode),
      object: opt(r, f, xdp, 'object', absPath, d.xdp.object),
    },
  };
  const errors = r.errors.sort((a, b) => a.line - b.line).map((e) => e.text);
  return { config, errors, warnings: r.warnings };
}

/**
 * The settings as the environment variables the server reads; /etc/init.d/lunawall passes the same
 * names (test/openwrt checks that both agree).
 */
export function lunawallEnv(c: LunawallUci): Record<string, string> {
  const b = (v: boolean) => (v ? '1' : '0');
  return {
    LUNAWALL_HOST: c.listen,
    LUNAWALL_PORT: String(c.port),
    LUNAWALL_DATA_DIR: c.dataDir,
    LUNAWALL_BACKEND: c.backend,
    LUNAWALL_CONFIRM_WINDOW: String(c.confirmWindow),
    LUNAWALL_ADMIN_PASSWORD_FILE: c.adminPasswordFile,
    LUNAWALL_PROBE_GATEWAY: b(c.probes.gateway),
    LUNAWALL_PROBE_DNS: c.probes.dnsName,
    LUNAWALL_PROBE_HTTP: c.probes.httpUrl,
    LUNAWALL_PROBE_TIMEOUT: String(c.probes.timeout),
    LUNAWALL_GUARD: b(c.guard.enabled),
    LUNAWALL_GUARD_SOURCES: c.guard.sources.join(','),
    LUNAWALL_XDP_MODE: c.xdp.mode,
    LUNAWALL_XDP_OBJECT: c.xdp.object,
  };
}
