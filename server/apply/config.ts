// The apply engine's settings as it uses them, built from the service config (or given directly by tests).
import type { Config } from '../config.js';
import type { ProbeSpec } from './probes/types.js';

export interface ApplyConfig {
  /** Default confirm window, seconds. */
  confirmWindow: number;
  probeIntervalMs: number;
  probes: ProbeSpec[];
  /** Anti-lockout guard default; an apply may turn it off for itself. */
  guard: boolean;
  /** TCP ports that must stay reachable from the LAN (the service port included). */
  managementPorts: number[];
  /** Router LAN addresses with prefix, e.g. 192.168.1.1/24. */
  lanAddresses: string[];
  lanInterface: string;
  /** Attempts per runtime when a rollback meets load errors, and the pause between them. */
  rollbackAttempts: number;
  rollbackRetryDelayMs: number;
  testPauseAt?: string;
}

export const applyDefaults: ApplyConfig = {
  confirmWindow: 90,
  probeIntervalMs: 2_000,
  probes: [{ kind: 'health', timeoutMs: 2_000 }],
  guard: true,
  managementPorts: [8080, 22, 80, 443],
  lanAddresses: ['192.168.1.1/24', 'fd00::1/64'],
  lanInterface: 'br-lan',
  rollbackAttempts: 3,
  rollbackRetryDelayMs: 500,
};

export function applyConfigOf(c: Config): ApplyConfig {
  return {
    ...applyDefaults,
    confirmWindow: c.confirmWindow,
    probeIntervalMs: c.probeIntervalMs,
    probes: c.probes,
    guard: c.antiLockout === 'on',
    managementPorts: [...new Set([c.port, ...c.managementPorts])].filter((p) => p > 0),
    lanAddresses: c.lanAddresses,
    lanInterface: c.lanInterface,
    testPauseAt: c.testPauseAt,
  };
}
