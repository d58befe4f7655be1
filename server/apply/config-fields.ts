// The apply engine's settings as server/config.ts fields: env var, CLI flag, schema (strings coerced), description.
import ipaddr from 'ipaddr.js';
import { z } from 'zod';
import { probeSpec } from './probes/types.js';

const jsonArray = <T extends z.ZodType>(item: T) =>
  z
    .string()
    .transform((s, ctx) => {
      try {
        return JSON.parse(s) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: 'must be a JSON array' });
        return z.NEVER;
      }
    })
    .pipe(z.array(item).max(32));

const isCidr = (s: string): boolean => {
  try {
    ipaddr.parseCIDR(s);
    return true;
  } catch {
    return false;
  }
};

const commaSplit = (s: string): string[] => s.split(',').map((p) => p.trim()).filter(Boolean);

export const applyConfigFields = {
  confirmWindow: {
    env: 'LUNAWALL_CONFIRM_WINDOW',
    flag: 'confirm-window',
    doc: 'Default confirm window of an apply, seconds (1-3600); an unconfirmed apply rolls back when it ends',
    schema: z.coerce.number().int().min(1).max(3600).default(90),
  },
  probeIntervalMs: {
    env: 'LUNAWALL_PROBE_INTERVAL_MS',
    flag: 'probe-interval-ms',
    doc: 'How often liveness probes repeat through the confirm window, milliseconds',
    schema: z.coerce.number().int().min(100).max(60_000).default(2_000),
  },
  probes: {
    env: 'LUNAWALL_PROBES',
    flag: 'probes',
    doc: 'Liveness probes, a JSON array of {kind: tcp|ping|dns|http|health, ...}; default: every loaded runtime healthy',
    schema: jsonArray(probeSpec).default([{ kind: 'health', timeoutMs: 2_000 }]),
  },
  antiLockout: {
    env: 'LUNAWALL_ANTI_LOCKOUT',
    flag: 'anti-lockout',
    doc: 'on: preflight refuses policies that block LAN access to the management ports (an apply may pass guard:false)',
    schema: z.enum(['on', 'off']).default('on'),
  },
  managementPorts: {
    env: 'LUNAWALL_MANAGEMENT_PORTS',
    flag: 'management-ports',
    doc: 'Comma-separated TCP ports that must stay reachable from the LAN, besides the service port',
    schema: z.string().transform(commaSplit).transform((a) => a.map(Number)).pipe(z.array(z.number().int().min(1).max(65535)).max(16)).default([22, 80, 443]),
  },
  lanAddresses: {
    env: 'LUNAWALL_LAN_ADDRESSES',
    flag: 'lan-addresses',
    doc: "Comma-separated router LAN addresses with prefix (the anti-lockout check's management addresses)",
    schema: z.string().transform(commaSplit).pipe(z.array(z.string().max(64).refine(isCidr, 'each must be an address with prefix, like 192.168.1.1/24')).min(1).max(8)).default(['192.168.1.1/24', 'fd00::1/64']),
  },
  lanInterface: {
    env: 'LUNAWALL_LAN_INTERFACE',
    flag: 'lan-interface',
    doc: 'LAN interface name management traffic arrives on',
    schema: z.string().regex(/^[A-Za-z0-9_.@-]{1,15}$/, 'an interface name').default('br-lan'),
  },
  testPauseAt: {
    env: 'LUNAWALL_TEST_PAUSE_AT',
    flag: 'test-pause-at',
    doc: 'Tests only: the apply engine stops forever at this state (or "loaded-one"), so a crash test can kill it there',
    schema: z.string().max(32).optional(),
  },
} satisfies Record<string, { env: string; flag: string; doc: string; schema: z.ZodType }>;
