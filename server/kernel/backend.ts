// The KernelBackend contract (DESIGN.md §5): what every way of loading scripts into a kernel provides.
import type { TargetProfile } from '../compile/profile.js';

export interface BackendInfo {
  kind: 'lunatik' | 'emulator' | 'nfqueue';
  /** e.g. "Lunatik 4.4", or "emulator (Lunatik 4.4 semantics)". */
  version: string;
  profile: TargetProfile;
}

export interface LoadOptions {
  /** Whether the script registers a netfilter hook or an XDP callback. */
  target: 'netfilter' | 'xdp';
  /** XDP: the interfaces the loader program is attached to. */
  interfaces?: string[];
  /** netfilter: the hook, for backends that must route real packets to the script (nfqueue). */
  hook?: 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting';
}

export interface Health {
  ok: boolean;
  /** Hook errors seen since the script was loaded (kernel log lines, or emulator error messages). */
  errors: string[];
}

/** Hit counters by rule id ("default" for the default action), where the backend can read them. */
export type Counters = Record<string, number>;

export class LoadError extends Error {
  constructor(
    readonly runtime: string,
    readonly text: string,
  ) {
    super(`loading ${runtime} failed: ${text}`);
    this.name = 'LoadError';
  }
}

/** An unload that could not take the runtime out; what still runs is said in `text`. */
export class UnloadError extends Error {
  constructor(
    readonly runtime: string,
    readonly text: string,
  ) {
    super(`unloading ${runtime} failed: ${text}`);
    this.name = 'UnloadError';
  }
}

export interface KernelBackend {
  info(): Promise<BackendInfo>;
  /** Running runtime names. */
  list(): Promise<string[]>;
  /** Loads (or replaces) a runtime; throws LoadError with the kernel's text. */
  load(name: string, script: string, opts: LoadOptions): Promise<void>;
  /** Takes a runtime out (nothing to do when it is not loaded); throws UnloadError if it still runs. */
  unload(name: string): Promise<void>;
  health(name: string): Promise<Health>;
  /**
   * Optional: interface name → ifindex as the loaded scripts will see them, for compilePolicy's
   * `ifindexes` (absent on the emulator, which uses syntheticIfindexes).
   */
  ifindexes?(): Promise<Record<string, number>>;
  /** Optional: per-rule hit counters of a loaded runtime. */
  counters?(name: string): Promise<Counters | undefined>;
  /** Releases processes, queues and rules the backend set up. */
  close?(): Promise<void>;
}
