// The lunawall UCI package (/etc/config/lunawall): its options, their checks and defaults.
import { isAbsolute } from 'node:path';
import type { UciPackage, UciSection } from './parse.js';
import { address, bool, cidr, hostName, httpUrl, int, oneOf, type Check } from './checks.js';

export const backends = ['auto', 'emulator', 'lunatik', 'nfqueue'] as const;

export interface LunawallUci {
  enabled: boolean;
  listen: string;
  port: number;
  dataDir: string;
  backend: (typeof backends)[number];
  confirmWindow: number;
  /** Seconds an admin UI login lasts however active. */
  sessionLifetime: number;
  adminPasswordFile: string;
  probes: {
    intervalMs: number;
    timeout: number;
    /** 'auto' (the default route's gateway at start), an address, or '' (no ping). */
    gateway: string;
    dnsName: string;
    dnsServer: string;
    httpUrl: string;
  };
  guard: { enabled: boolean; lanInterface: string; managementPorts: number[]; lanAddresses: string[] };
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
    sessionLifetime: 43_200,
    adminPasswordFile: '/etc/lunawall/admin-password',
    probes: { intervalMs: 2000, timeout: 3, gateway: 'auto', dnsName: 'openwrt.org', dnsServer: '127.0.0.1', httpUrl: '' },
    guard: { enabled: true, lanInterface: 'br-lan', managementPorts: [22, 80, 443], lanAddresses: [] },
  };
}

const absPath: Check<string> = (raw) => (isAbsolute(raw) ? { ok: true, value: raw } : { ok: false, why: 'expected an absolute path' });
const gateway: Check<string> = (raw) => (raw === 'auto' || raw === '' ? { ok: true, value: raw } : address(raw));
const optionalAddress: Check<string> = (raw) => (raw === '' ? { ok: true, value: raw } : address(raw));
const ifname: Check<string> = (raw) =>
  /^[A-Za-z0-9_.@-]{1,15}$/.test(raw) ? { ok: true, value: raw } : { ok: false, why: 'expected an interface name' };

interface Reader {
  errors: { line: number; text: string }[];
  warnings: string[];
}

/** Reads one option of a section, keeping the default (and recording why) when it is invalid. */
function opt<T>(r: Reader, file: string, s: UciSection | undefined, name: string, check: Check<T>, fallback: T): T {
  const o = s?.options.get(name);
  if (!o) return fallback;
  const keep = `keeping '${String(fallback)}'`;
  if (Array.isArray(o.value)) {
    r.errors.push({ line: o.line, text: `${file}:${o.line}: option '${name}' must be a single value, not a list; ${keep}` });
    return fallback;
  }
  const res = check(o.value);
  if (res.ok) return res.value;
  r.errors.push({ line: o.line, text: `${file}:${o.line}: option '${name}' has invalid value '${o.value}': ${res.why}; ${keep}` });
  return fallback;
}

/** Reads a list (or a space-separated option); invalid entries are reported and left out. */
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
  lunawall: ['enabled', 'listen', 'port', 'data_dir', 'backend', 'confirm_window', 'session_lifetime', 'admin_password_file'],
  probes: ['interval_ms', 'timeout', 'gateway', 'dns_name', 'dns_server', 'http_url'],
  guard: ['enabled', 'lan_interface', 'management_port', 'lan_address'],
};

function unknowns(pkg: UciPackage, r: Reader): void {
  const seen = new Set<string>();
  for (const s of pkg.sections) {
    const names = known[s.type];
    if (!names) {
      r.warnings.push(`${pkg.file}:${s.line}: unknown section type '${s.type}' ignored`);
      continue;
    }
    if (seen.has(s.type)) r.warnings.push(`${pkg.file}:${s.line}: second '${s.type}' section ignored; only the first one is read`);
    seen.add(s.type);
    for (const o of s.options.values()) {
      if (!names.includes(o.name)) r.warnings.push(`${pkg.file}:${o.line}: unknown option '${o.name}' in '${s.type}' ignored`);
    }
  }
}

/** Turns a parsed lunawall package into settings; invalid options are reported and keep their defaults. */
export function interpretLunawall(pkg: UciPackage): { config: LunawallUci; errors: string[]; warnings: string[] } {
  const r: Reader = { errors: [], warnings: [] };
  unknowns(pkg, r);
  const f = pkg.file;
  const d = uciDefaults();
  const first = (type: string) => pkg.sections.find((s) => s.type === type);
  const main = first('lunawall');
  const probes = first('probes');
  const guard = first('guard');
  const config: LunawallUci = {
    enabled: opt(r, f, main, 'enabled', bool, d.enabled),
    listen: opt(r, f, main, 'listen', address, d.listen),
    port: opt(r, f, main, 'port', int(1, 65535), d.port),
    dataDir: opt(r, f, main, 'data_dir', absPath, d.dataDir),
    backend: opt(r, f, main, 'backend', oneOf(backends), d.backend),
    confirmWindow: opt(r, f, main, 'confirm_window', int(10, 3600), d.confirmWindow),
    sessionLifetime: opt(r, f, main, 'session_lifetime', int(60, 31 * 86400), d.sessionLifetime),
    adminPasswordFile: opt(r, f, main, 'admin_password_file', absPath, d.adminPasswordFile),
    probes: {
      intervalMs: opt(r, f, probes, 'interval_ms', int(100, 60_000), d.probes.intervalMs),
      timeout: opt(r, f, probes, 'timeout', int(1, 60), d.probes.timeout),
      gateway: opt(r, f, probes, 'gateway', gateway, d.probes.gateway),
      dnsName: opt(r, f, probes, 'dns_name', hostName, d.probes.dnsName),
      dnsServer: opt(r, f, probes, 'dns_server', optionalAddress, d.probes.dnsServer),
      httpUrl: opt(r, f, probes, 'http_url', httpUrl, d.probes.httpUrl),
    },
    guard: {
      enabled: opt(r, f, guard, 'enabled', bool, d.guard.enabled),
      lanInterface: opt(r, f, guard, 'lan_interface', ifname, d.guard.lanInterface),
      managementPorts: list(r, f, guard, 'management_port', int(1, 65535), d.guard.managementPorts),
      lanAddresses: list(r, f, guard, 'lan_address', cidr, d.guard.lanAddresses),
    },
  };
  const errors = r.errors.sort((a, b) => a.line - b.line).map((e) => e.text);
  return { config, errors, warnings: r.warnings };
}
