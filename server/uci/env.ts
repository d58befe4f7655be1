// The UCI settings as the LUNAWALL_* variables server/config.ts reads (its configFields and the apply engine's).
import { networkInterfaces, endianness } from 'node:os';
import { readFileSync } from 'node:fs';
import type { LunawallUci } from './lunawall.js';

/**
 * The variables /etc/init.d/lunawall also passes to the service (test/openwrt checks both agree):
 * plain values, one per option.
 */
export function scalarEnv(c: LunawallUci): Record<string, string> {
  const env: Record<string, string> = {
    LUNAWALL_HOST: c.listen,
    LUNAWALL_PORT: String(c.port),
    LUNAWALL_DATA_DIR: c.dataDir,
    LUNAWALL_BACKEND: c.backend,
    LUNAWALL_CONFIRM_WINDOW: String(c.confirmWindow),
    LUNAWALL_SESSION_LIFETIME: String(c.sessionLifetime),
    LUNAWALL_PROBE_INTERVAL_MS: String(c.probes.intervalMs),
    LUNAWALL_ANTI_LOCKOUT: c.guard.enabled ? 'on' : 'off',
    LUNAWALL_LAN_INTERFACE: c.guard.lanInterface,
  };
  if (c.guard.managementPorts.length) env.LUNAWALL_MANAGEMENT_PORTS = c.guard.managementPorts.join(',');
  if (c.guard.lanAddresses.length) env.LUNAWALL_LAN_ADDRESSES = c.guard.lanAddresses.join(',');
  return env;
}

/** What the router itself knows at start: the default gateway and the LAN interface's addresses. */
export interface SystemFacts {
  gateway?: string;
  interfaceAddresses(iface: string): string[];
}

/** The IPv4 default gateway from /proc/net/route (addresses are printed in host byte order). */
export function parseDefaultGateway(procNetRoute: string, order: 'LE' | 'BE' = endianness()): string | undefined {
  for (const line of procNetRoute.split('\n').slice(1)) {
    const [, dest, gw, flags] = line.trim().split(/\s+/);
    if (dest !== '00000000' || !gw || !flags || (parseInt(flags, 16) & 0x2) === 0) continue;
    const n = parseInt(gw, 16);
    const bytes = [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
    return (order === 'LE' ? bytes.reverse() : bytes).join('.');
  }
  return undefined;
}

export function systemFacts(): SystemFacts {
  let gateway: string | undefined;
  try {
    gateway = parseDefaultGateway(readFileSync('/proc/net/route', 'utf8'));
  } catch {
    gateway = undefined;
  }
  return {
    gateway,
    interfaceAddresses: (iface) => (networkInterfaces()[iface] ?? []).filter((a) => !a.address.startsWith('fe80:')).map((a) => a.cidr ?? `${a.address}/${a.family === 'IPv4' ? 32 : 128}`),
  };
}

/**
 * The variables built from several options and the running system: the probe list as the JSON
 * LUNAWALL_PROBES takes, and the LAN addresses when UCI lists none. Notes say what was left out.
 */
export function derivedEnv(c: LunawallUci, sys: SystemFacts): { env: Record<string, string>; notes: string[] } {
  const notes: string[] = [];
  const timeoutMs = c.probes.timeout * 1000;
  const probes: Record<string, unknown>[] = [{ kind: 'health', timeoutMs }];
  const gw = c.probes.gateway === 'auto' ? sys.gateway : c.probes.gateway;
  if (gw) probes.push({ kind: 'ping', name: 'gateway', host: gw, timeoutMs });
  else if (c.probes.gateway === 'auto') notes.push('no IPv4 default route at start: the gateway probe is left out');
  if (c.probes.dnsName && c.probes.dnsServer) probes.push({ kind: 'dns', server: c.probes.dnsServer, query: c.probes.dnsName, timeoutMs });
  if (c.probes.httpUrl) probes.push({ kind: 'http', url: c.probes.httpUrl, timeoutMs });
  const env: Record<string, string> = { LUNAWALL_PROBES: JSON.stringify(probes) };
  if (!c.guard.lanAddresses.length) {
    const found = sys.interfaceAddresses(c.guard.lanInterface);
    if (found.length) env.LUNAWALL_LAN_ADDRESSES = found.join(',');
    else notes.push(`no addresses on ${c.guard.lanInterface} at start: the anti-lockout check uses its default LAN addresses`);
  }
  return { env, notes };
}
