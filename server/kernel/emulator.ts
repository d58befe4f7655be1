// The emulator backend: scripts run in-process on the Lunatik emulator (wasmoon), same contract as the kernel.
import type { TargetProfile } from '../compile/profile.js';
import { createEmulator, type Emulator } from '../emulator/index.js';
import { LoadError, type BackendInfo, type Counters, type Health, type KernelBackend, type LoadOptions } from './backend.js';
import { checkRuntimeName } from './names.js';
import { SerialQueue } from './serial.js';

export interface EmulatorBackendOptions {
  /** Which Lunatik release to behave like; default lunatik-4. */
  profile?: TargetProfile;
}

/** What the emulator's `run` takes for one packet. */
export interface EmulatedPacket {
  /** Full Ethernet frame. */
  frame: Uint8Array;
  hook?: NonNullable<LoadOptions['hook']>;
  ifindex?: number;
  mark?: number;
}

export interface LoadedRuntime {
  name: string;
  target: LoadOptions['target'];
  hook?: LoadOptions['hook'];
  interfaces: string[];
}

export class EmulatorBackend implements KernelBackend {
  private readonly queue = new SerialQueue();
  private readonly runtimes = new Map<string, LoadedRuntime>();
  private emulator?: Promise<Emulator>;
  /** The same emulator once created, for the synchronous per-packet path. */
  private ready?: Emulator;
  readonly profile: TargetProfile;

  constructor(opts: EmulatorBackendOptions = {}) {
    this.profile = opts.profile ?? 'lunatik-4';
  }

  async info(): Promise<BackendInfo> {
    const release = this.profile === 'lunatik-4' ? '4.4' : '3.6';
    return { kind: 'emulator', version: `emulator (Lunatik ${release} semantics)`, profile: this.profile };
  }

  async list(): Promise<string[]> {
    return [...this.runtimes.keys()];
  }

  async load(name: string, script: string, opts: LoadOptions): Promise<void> {
    checkRuntimeName(name);
    return this.queue.run(async () => {
      const emu = await this.emu();
      try {
        // The emulator swaps atomically: the old runtime answers until the new one has loaded.
        await emu.load(name, script, { profile: this.profile, target: opts.target });
      } catch (err) {
        throw new LoadError(name, err instanceof LoadError ? err.text : (err as Error).message);
      }
      this.runtimes.set(name, { name, target: opts.target, hook: opts.hook, interfaces: opts.interfaces ?? [] });
    });
  }

  unload(name: string): Promise<void> {
    return this.queue.run(async () => {
      const inst = this.runtimes.get(name);
      if (!inst) return;
      this.runtimes.delete(name);
      (await this.emu()).unload(name);
    });
  }

  async health(name: string): Promise<Health> {
    const inst = this.runtimes.get(name);
    if (!inst) return { ok: false, errors: [`${name} is not running`] };
    const h = (await this.emu()).health(name);
    return { ok: h.ok && h.errors.length === 0, errors: [...h.errors] };
  }

  async counters(name: string): Promise<Counters | undefined> {
    const inst = this.runtimes.get(name);
    return inst ? { ...(await this.emu()).counters(name) } : undefined;
  }

  /** The loaded runtimes with what they were loaded for, in load order. */
  loaded(): LoadedRuntime[] {
    return [...this.runtimes.values()].map((r) => ({ ...r }));
  }

  /** Runs one packet through a loaded runtime, synchronously; undefined when it is not loaded. */
  runPacket(name: string, pkt: EmulatedPacket): 'accept' | 'drop' | undefined {
    const inst = this.runtimes.get(name);
    if (!inst || !this.ready) return undefined;
    return this.ready.run(name, pkt).verdict;
  }

  private emu(): Promise<Emulator> {
    this.emulator ??= createEmulator().then((e) => (this.ready = e));
    return this.emulator;
  }

  async close(): Promise<void> {
    const emu = this.emulator;
    this.emulator = undefined;
    this.ready = undefined;
    this.runtimes.clear();
    if (emu) (await emu).close();
  }
}
