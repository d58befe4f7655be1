// The lunatik backend: scripts under /lib/modules/lua/lunawall, started and stopped with the `lunatik` CLI.
import { rm } from 'node:fs/promises';
import { LoadError, UnloadError, type BackendInfo, type Health, type KernelBackend, type LoadOptions } from './backend.js';
import { checkRuntimeName } from './names.js';
import { sysfsIfindexes } from './ifindex.js';
import { hookError, openKernelLog, type KernelLogSource } from './kernel-log.js';
import { LunatikCli } from './lunatik-cli.js';
import { replace, type ReplaceParts } from './lunatik-replace.js';
import { detachAll, rewire } from './lunatik-rewire.js';
import { settle, SlotFiles, type Loaded, type Slot } from './lunatik-slots.js';
import { detectLunatikVersion, parseLunatikVersion, type LunatikVersion } from './lunatik-version.js';
import { SerialQueue } from './serial.js';
import { XdpLoader, type XdpLoaderOptions } from './xdp-loader.js';

export interface LunatikBackendOptions {
  /** The `lunatik` executable. */
  bin?: string;
  /** Lunatik's script root (LUA_ROOT); runtime names are paths relative to it. */
  luaRoot?: string;
  /** Our directory under the root: scripts are `<luaRoot>/<dir>/<name>.lua`, runtimes `<dir>/<name>`. */
  dir?: string;
  /** The control device used to read `_LUNATIK_VERSION`. */
  device?: string;
  /** Skips detection, e.g. "Lunatik 3.6". */
  version?: string;
  /** Where hook errors are read; default `dmesg`. */
  kernelLog?: KernelLogSource;
  /** Extra environment for the CLI. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
  xdp?: XdpLoaderOptions;
  /** sysfs directory for `ifindexes()`. */
  sysClassNet?: string;
}

/** One lock per Lunatik device in this process, however many backend objects talk to it. */
const deviceQueues = new Map<string, SerialQueue>();

export class LunatikBackend implements KernelBackend {
  private readonly queue: SerialQueue;
  private readonly parts: ReplaceParts;
  private version?: LunatikVersion;

  constructor(private readonly opts: LunatikBackendOptions = {}) {
    const device = opts.device ?? '/dev/lunatik';
    if (!deviceQueues.has(device)) deviceQueues.set(device, new SerialQueue());
    this.queue = deviceQueues.get(device)!;
    this.parts = {
      cli: new LunatikCli(opts),
      slots: new SlotFiles(opts),
      xdp: new XdpLoader({ sysClassNet: opts.sysClassNet, ...opts.xdp }),
      log: openKernelLog(opts.kernelLog ?? { command: ['dmesg'] }),
      loaded: new Map<string, Loaded>(),
    };
  }

  info(): Promise<BackendInfo> {
    return this.queue.run(async () => {
      const v = await this.detect();
      return { kind: 'lunatik', version: v.text, profile: v.profile };
    });
  }

  list(): Promise<string[]> {
    return this.queue.run(async () => {
      const slots = this.parts.slots.slotsByName(await this.parts.cli.list());
      // Both slots of a name running means a swap was cut short (a crash): settle it on sight. A
      // failure is left for load, unload and health to report; the name is listed once either way.
      for (const [name, running] of slots) if (running.length > 1) await settle(this.parts, name, running);
      return [...slots.keys()];
    });
  }

  /** Where a load or replace can fail, and what each failure puts back: lunatik-replace.ts. */
  async load(name: string, script: string, opts: LoadOptions): Promise<void> {
    checkRuntimeName(name);
    return this.queue.run(() =>
      this.detect()
        .then((v) => replace(this.parts, v, name, script, opts))
        .catch((err: unknown) => {
          // Reading the state before anything changes can fail too (device, `list`, disk): same error type.
          throw err instanceof LoadError ? err : new LoadError(name, (err as Error).message);
        }),
    );
  }

  async unload(name: string): Promise<void> {
    checkRuntimeName(name);
    const { cli, slots, xdp, loaded } = this.parts;
    return this.queue.run(async () => {
      const running = slots.runningSlots(name, await cli.list());
      const interfaces = (loaded.get(name) ?? (await slots.readSidecar(name)))?.interfaces ?? [];
      await detachAll(xdp, interfaces);
      for (const slot of running) {
        const runtime = slots.runtime(name, slot);
        const stopped = await cli.stopChecked(runtime);
        if (stopped === undefined) continue;
        // Still running without its interfaces, their traffic would pass it by: give them back.
        const back = await rewire(xdp, { interfaces: [] }, { runtime, interfaces }).then(
          () => (interfaces.length > 0 ? '; its XDP interfaces were attached again' : ''),
          (e: Error) => `; attaching its XDP interfaces again failed: ${e.message}`,
        );
        throw new UnloadError(name, `stopping ${runtime} failed: ${stopped}${back}`);
      }
      loaded.delete(name);
      for (const slot of ['a', 'b'] as const) await rm(slots.scriptPath(name, slot), { force: true });
      await rm(slots.sidecarPath(name), { force: true });
    });
  }

  async health(name: string): Promise<Health> {
    checkRuntimeName(name);
    const { cli, slots, log, loaded } = this.parts;
    return this.queue.run(async () => {
      const settled = await settle(this.parts, name, slots.runningSlots(name, await cli.list()));
      const slot = settled.slot;
      let meta = loaded.get(name);
      if (!meta || (slot && meta.slot !== slot)) {
        // Started by an earlier process (or swapped by one): errors count from the first time we look.
        const side = await slots.readSidecar(name);
        meta = {
          target: side?.target ?? 'netfilter',
          interfaces: side?.interfaces ?? [],
          slot: slot ?? side?.slot ?? 'a',
          since: await log.cursor(),
        };
        if (slot) loaded.set(name, meta);
      }
      const errors = this.attribute(name, meta.slot, meta.target, await log.since(meta.since));
      if (settled.problem !== undefined) errors.unshift(settled.problem);
      if (!slot) errors.unshift(`${slots.runtime(name, meta.slot)} is not running`);
      return { ok: errors.length === 0, errors };
    });
  }

  ifindexes(): Promise<Record<string, number>> {
    return sysfsIfindexes(this.opts.sysClassNet);
  }

  private async detect(): Promise<LunatikVersion> {
    this.version ??= this.opts.version
      ? parseLunatikVersion(this.opts.version)
      : await detectLunatikVersion(this.opts.device ?? '/dev/lunatik', this.opts.timeoutMs);
    return this.version;
  }

  /**
   * Hook errors that concern this runtime: lines naming its script, plus lines naming no script
   * (e.g. "bad argument #2 to '?' (out of bounds)"), which could come from any loaded runtime.
   */
  private attribute(name: string, slot: Slot, target: 'netfilter' | 'xdp', lines: string[]): string[] {
    // The current slot's file only: the other slot's lines are the old version's, from the overlap.
    const own = `${this.parts.slots.scriptPath(name, slot)}:`;
    const out: string[] = [];
    for (const line of lines) {
      const e = hookError(line);
      if (!e || e.source !== target) continue;
      if (e.message.includes(own) || !/\.lua:\d+:/.test(e.message)) out.push(e.message);
    }
    return out;
  }
}
