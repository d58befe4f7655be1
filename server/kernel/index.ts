// Picks and builds the kernel backend: lunatik on a router, the emulator elsewhere, nfqueue for real packets.
import { existsSync } from 'node:fs';
import type { KernelBackend } from './backend.js';
import type { KernelConfig } from './config-fields.js';
import { EmulatorBackend, type EmulatorBackendOptions } from './emulator.js';
import { LunatikBackend, type LunatikBackendOptions } from './lunatik.js';
import { NfqueueBackend, type NfqueueBackendOptions } from './nfqueue.js';

export type BackendKind = 'auto' | 'emulator' | 'lunatik' | 'nfqueue';

export interface BackendOptions {
  lunatik?: LunatikBackendOptions;
  emulator?: EmulatorBackendOptions;
  nfqueue?: NfqueueBackendOptions;
}

/** The service config (server/config.ts); the kernel fields are optional so an older config still works. */
export type BackendConfig = { backend: BackendKind } & Partial<KernelConfig>;

/**
 * `auto` means lunatik when the Lunatik device exists, otherwise the emulator. Also takes the
 * service config (what server/main.ts passes).
 */
export function createBackend(kind: BackendKind | BackendConfig, opts: BackendOptions = {}): KernelBackend {
  if (typeof kind === 'object') return createBackend(kind.backend, optionsFromConfig(kind));
  switch (kind) {
    case 'auto':
      return createBackend(existsSync(opts.lunatik?.device ?? '/dev/lunatik') ? 'lunatik' : 'emulator', opts);
    case 'lunatik':
      return new LunatikBackend(opts.lunatik);
    case 'emulator':
      return new EmulatorBackend(opts.emulator);
    case 'nfqueue':
      return new NfqueueBackend(opts.nfqueue);
  }
}

export function optionsFromConfig(c: Partial<KernelConfig>): BackendOptions {
  const log = c.kernelLog === undefined || c.kernelLog === 'dmesg' ? { command: ['dmesg'] } : { file: c.kernelLog };
  return {
    lunatik: { bin: c.lunatikBin, luaRoot: c.lunatikRoot, device: c.lunatikDevice, kernelLog: log, xdp: { object: c.xdpObject } },
    emulator: { profile: c.emulatorProfile },
    nfqueue: { profile: c.emulatorProfile, iptables: c.iptables, queueBase: c.nfqueueBase },
  };
}

export { LoadError } from './backend.js';
export type { BackendInfo, Counters, Health, KernelBackend, LoadOptions } from './backend.js';
export { EmulatorBackend, LunatikBackend, NfqueueBackend };
