// Picks and builds the kernel backend: lunatik on a router, the emulator elsewhere, nfqueue for real packets.
import { existsSync } from 'node:fs';
import type { KernelBackend } from './backend.js';
import { EmulatorBackend, type EmulatorBackendOptions } from './emulator.js';
import { LunatikBackend, type LunatikBackendOptions } from './lunatik.js';
import { NfqueueBackend, type NfqueueBackendOptions } from './nfqueue.js';

export type BackendKind = 'auto' | 'emulator' | 'lunatik' | 'nfqueue';

export interface BackendOptions {
  lunatik?: LunatikBackendOptions;
  emulator?: EmulatorBackendOptions;
  nfqueue?: NfqueueBackendOptions;
}

/** `auto` means lunatik when the Lunatik device exists, otherwise the emulator. */
export function createBackend(kind: BackendKind, opts: BackendOptions = {}): KernelBackend {
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

export { LoadError } from './backend.js';
export type { BackendInfo, Counters, Health, KernelBackend, LoadOptions } from './backend.js';
export { EmulatorBackend, LunatikBackend, NfqueueBackend };
