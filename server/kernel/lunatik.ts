// The lunatik backend: scripts under /lib/modules/lua/lunawall, started and stopped with the `lunatik` CLI.
import { mkdir, readFile, rm, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import { LoadError, UnloadError, type BackendInfo, type Health, type KernelBackend, type LoadOptions } from './backend.js';
import { run } from './exec.js';
import { checkRuntimeName } from './names.js';
import { sysfsIfindexes } from './ifindex.js';
import { hookError, openKernelLog, type KernelLog, type KernelLogSource, type LogCursor } from './kernel-log.js';
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

/**
 * A policy runs as one of two runtimes, `<dir>/<name>` (slot a) or `<dir>/b/<name>` (slot b): a
 * replace starts the other slot before it stops the running one. Policy names hold no `/`, so no
 * name's slot a can be another name's slot b.
 */
type Slot = 'a' | 'b';

/** What the sidecar file keeps across restarts: which slot is current, and what health and unload need. */
interface Sidecar {
  target: 'netfilter' | 'xdp';
  interfaces: string[];
  slot: Slot;
}

/** What we remember about a runtime we started: the sidecar, plus where its kernel-log errors start. */
interface Loaded extends Sidecar {
  since: LogCursor;
}

const policyNameRe = /^[A-Za-z0-9_-]+$/;

/** One lock per Lunatik device in this process, however many backend objects talk to it. */
const deviceQueues = new Map<string, SerialQueue>();

export class LunatikBackend implements KernelBackend {
  private readonly queue: SerialQueue;
  private readonly log: KernelLog;
  private readonly xdp: XdpLoader;
  private readonly loaded = new Map<string, Loaded>();
  private version?: LunatikVersion;

  constructor(private readonly opts: LunatikBackendOptions = {}) {
    const device = opts.device ?? '/dev/lunatik';
    if (!deviceQueues.has(device)) deviceQueues.set(device, new SerialQueue());
    this.queue = deviceQueues.get(device)!;
    this.log = openKernelLog(opts.kernelLog ?? { command: ['dmesg'] });
    this.xdp = new XdpLoader({ sysClassNet: opts.sysClassNet, ...opts.xdp });
  }

  info(): Promise<BackendInfo> {
    return this.queue.run(async () => {
      const v = await this.detect();
      return { kind: 'lunatik', version: v.text, profile: v.profile };
    });
  }

  list(): Promise<string[]> {
    return this.queue.run(async () => {
      const slots = this.slotsByName(await this.listAll());
      // Both slots of a name running means a swap was cut short (a crash): settle it on sight. A
      // failure is left for load, unload and health to report; the name is listed once either way.
      for (const [name, running] of slots) if (running.length > 1) await this.settle(name, running);
      return [...slots.keys()];
    });
  }

  async load(name: string, script: string, opts: LoadOptions): Promise<void> {
    checkRuntimeName(name);
    return this.queue.run(() =>
      this.replace(name, script, opts).catch((err: unknown) => {
        // Reading the state before anything changes can fail too (device, `list`, disk): same error type.
        throw err instanceof LoadError ? err : new LoadError(name, (err as Error).message);
      }),
    );
  }

  /**
   * Starts `script` in the free slot, moves XDP interfaces to it, records it as current, then stops
   * the old slot: there is no moment without a runtime on the hooks. A failure at any step leaves
   * the old slot running with its script, interfaces and sidecar, or says what could not be put back.
   */
  private async replace(name: string, script: string, opts: LoadOptions): Promise<void> {
    const v = await this.detect();
    const settled = await this.settle(name, this.runningSlots(name, await this.listAll()));
    if (settled.problem !== undefined) throw new LoadError(name, settled.problem);
    const cur = settled.slot;
    const next: Slot = cur === 'a' ? 'b' : 'a';
    const oldRt = cur && this.runtime(name, cur);
    const newRt = this.runtime(name, next);
    const before = cur ? (this.loaded.get(name) ?? (await this.readSidecar(name))) : undefined;
    const prevIfaces = before?.interfaces ?? [];
    const interfaces = opts.target === 'xdp' ? (opts.interfaces ?? []) : [];
    const path = this.scriptPath(name, next);
    const forget = async () => {
      if (cur) return;
      this.loaded.delete(name);
      await rm(this.sidecarPath(name), { force: true }).catch(() => undefined);
    };

    // The free slot's file: nothing runs it, so it is written in place (a crash leaves a stale file, overwritten next time).
    await mkdir(dirname(path), { recursive: true });
    await writeFileAtomic(path, script).catch((e: Error) => {
      throw new LoadError(name, `writing ${path} failed: ${e.message}`);
    });
    const said = await this.start(newRt, v);
    if (said !== undefined) {
      await rm(path, { force: true }).catch(() => undefined);
      await forget();
      throw new LoadError(name, said);
    }

    // Both versions run from here until the old one stops: each packet meets both hooks, and a drop
    // from either drops it (briefly stricter, never looser). XDP interfaces switch in one map update.
    /** Back to how things were: the old slot wired and running, the new one stopped and its file gone. */
    const undo = async (): Promise<string> => {
      let note = '';
      try {
        await this.rewire({ runtime: newRt, interfaces }, { runtime: oldRt, interfaces: prevIfaces });
      } catch (err) {
        note += `; giving the XDP interfaces back to ${oldRt} failed: ${(err as Error).message}`;
      }
      const stopped = await this.stopChecked(newRt);
      if (stopped === undefined) await rm(path, { force: true }).catch(() => undefined);
      else note += `; stopping ${newRt} again failed: ${stopped}${cur ? ` (both versions run; the next call keeps ${oldRt} and stops it)` : ''}`;
      await forget();
      return note;
    };
    try {
      await this.rewire({ runtime: oldRt, interfaces: prevIfaces }, { runtime: newRt, interfaces });
    } catch (err) {
      throw new LoadError(name, `attaching the XDP loader failed: ${(err as Error).message}${await undo()}`);
    }
    // The commit point: after a crash from here on, the sidecar makes the new slot the one kept.
    const side: Sidecar = { target: opts.target, interfaces, slot: next };
    try {
      await this.writeSidecar(name, side);
    } catch (err) {
      throw new LoadError(name, `recording the load failed: ${(err as Error).message}${await undo()}`);
    }
    if (cur && oldRt) {
      const stopped = await this.stopChecked(oldRt);
      if (stopped !== undefined) {
        // The old version still runs: it stays, the new one goes, so the kernel is as before the load.
        // The sidecar is put back first, so a crash during the undo keeps the old version too.
        const back: Sidecar = { target: before?.target ?? 'netfilter', interfaces: prevIfaces, slot: cur };
        let note = await this.writeSidecar(name, back).then(
          () => '',
          (e: Error) => `; writing back its sidecar failed: ${e.message}`,
        );
        note += await undo();
        throw new LoadError(name, `stopping the running version failed: ${stopped}${note || '; the new version was stopped and the running one is kept'}`);
      }
    }
    await rm(this.scriptPath(name, other(next)), { force: true }).catch(() => undefined);
    // Taken after the old version stopped: its errors from the overlap must not count against the
    // new one (a hook that fails logs on every packet, so the new one's first milliseconds are not missed).
    const since = await this.log.cursor().catch(() => undefined);
    if (since) this.loaded.set(name, { ...side, since });
    else this.loaded.delete(name);
  }

  /**
   * If both slots of `name` run, keeps the current one by the sidecar (the newer script file when
   * there is no sidecar) and stops the other. Never throws; `problem` says what could not be done.
   */
  private async settle(name: string, running: Slot[]): Promise<{ slot?: Slot; problem?: string }> {
    if (running.length < 2) return { slot: running[0] };
    const side = await this.readSidecar(name);
    const keep = side?.slot ?? (await this.newerScript(name));
    const stale = this.runtime(name, other(keep));
    const both = `${this.runtime(name, 'a')} and ${this.runtime(name, 'b')} both run (a replace was cut short)`;
    try {
      // The loader may point at either runtime, depending on where the swap stopped.
      for (const iface of side?.target === 'xdp' ? side.interfaces : []) await this.xdp.point(iface, this.runtime(name, keep));
    } catch (err) {
      return { slot: keep, problem: `${both}; pointing the XDP loader at ${this.runtime(name, keep)} failed: ${(err as Error).message}` };
    }
    const stopped = await this.stopChecked(stale);
    if (stopped !== undefined) return { slot: keep, problem: `${both}; stopping ${stale} failed: ${stopped}` };
    await rm(this.scriptPath(name, other(keep)), { force: true }).catch(() => undefined);
    return { slot: keep };
  }

  /** Without a sidecar: the slot whose script was written last; slot a when that cannot tell. */
  private async newerScript(name: string): Promise<Slot> {
    const mtime = (slot: Slot) => stat(this.scriptPath(name, slot)).then((s) => s.mtimeMs, () => -1);
    return (await mtime('b')) > (await mtime('a')) ? 'b' : 'a';
  }

  /**
   * Moves XDP interfaces from one runtime to another: shared interfaces by a map update (atomic per
   * frame), new ones attached, ones `to` does not keep detached (best effort).
   */
  private async rewire(from: { runtime?: string; interfaces: string[] }, to: { runtime?: string; interfaces: string[] }): Promise<void> {
    if (to.runtime) {
      for (const iface of to.interfaces) {
        if (from.runtime && from.interfaces.includes(iface)) await this.xdp.point(iface, to.runtime);
        else await this.xdp.attach(iface, to.runtime);
      }
    }
    const keep = to.runtime ? to.interfaces : [];
    await this.detachAll(from.interfaces.filter((i) => !keep.includes(i)));
  }

  async unload(name: string): Promise<void> {
    checkRuntimeName(name);
    return this.queue.run(async () => {
      const running = this.runningSlots(name, await this.listAll());
      const interfaces = (this.loaded.get(name) ?? (await this.readSidecar(name)))?.interfaces ?? [];
      await this.detachAll(interfaces);
      for (const slot of running) {
        const runtime = this.runtime(name, slot);
        const stopped = await this.stopChecked(runtime);
        if (stopped === undefined) continue;
        // Still running without its interfaces, their traffic would pass it by: give them back.
        const back = await this.rewire({ interfaces: [] }, { runtime, interfaces }).then(
          () => (interfaces.length > 0 ? '; its XDP interfaces were attached again' : ''),
          (e: Error) => `; attaching its XDP interfaces again failed: ${e.message}`,
        );
        throw new UnloadError(name, `stopping ${runtime} failed: ${stopped}${back}`);
      }
      this.loaded.delete(name);
      for (const slot of ['a', 'b'] as const) await rm(this.scriptPath(name, slot), { force: true });
      await rm(this.sidecarPath(name), { force: true });
    });
  }

  async health(name: string): Promise<Health> {
    checkRuntimeName(name);
    return this.queue.run(async () => {
      const settled = await this.settle(name, this.runningSlots(name, await this.listAll()));
      const slot = settled.slot;
      let meta = this.loaded.get(name);
      if (!meta || (slot && meta.slot !== slot)) {
        // Started by an earlier process (or swapped by one): errors count from the first time we look.
        const side = await this.readSidecar(name);
        meta = {
          target: side?.target ?? 'netfilter',
          interfaces: side?.interfaces ?? [],
          slot: slot ?? side?.slot ?? 'a',
          since: await this.log.cursor(),
        };
        if (slot) this.loaded.set(name, meta);
      }
      const errors = this.attribute(name, meta.slot, meta.target, await this.log.since(meta.since));
      if (settled.problem !== undefined) errors.unshift(settled.problem);
      if (!slot) errors.unshift(`${this.runtime(name, meta.slot)} is not running`);
      return { ok: errors.length === 0, errors };
    });
  }

  ifindexes(): Promise<Record<string, number>> {
    return sysfsIfindexes(this.opts.sysClassNet);
  }

  private get root(): string {
    return this.opts.luaRoot ?? '/lib/modules/lua';
  }
  private get dir(): string {
    return this.opts.dir ?? 'lunawall';
  }
  private runtime(name: string, slot: Slot): string {
    return slot === 'a' ? `${this.dir}/${name}` : `${this.dir}/b/${name}`;
  }
  private scriptPath(name: string, slot: Slot): string {
    return slot === 'a' ? join(this.root, this.dir, `${name}.lua`) : join(this.root, this.dir, 'b', `${name}.lua`);
  }
  private sidecarPath(name: string): string {
    return join(this.root, this.dir, `.${name}.state.json`);
  }

  private async detect(): Promise<LunatikVersion> {
    this.version ??= this.opts.version
      ? parseLunatikVersion(this.opts.version)
      : await detectLunatikVersion(this.opts.device ?? '/dev/lunatik', this.opts.timeoutMs);
    return this.version;
  }

  /** Runs the CLI; Lunatik exits 0 even on failure, so any printed text is the answer. */
  private async cli(args: string[]): Promise<string> {
    const r = await run([this.opts.bin ?? 'lunatik', ...args], {
      timeoutMs: this.opts.timeoutMs ?? 30_000,
      env: this.opts.env ? { ...process.env, ...this.opts.env } : undefined,
    });
    if (r.code !== 0) {
      throw new Error(`lunatik ${args.join(' ')}: ${r.error ?? (r.stderr.trim() || r.stdout.trim() || `exit status ${r.code}`)}`);
    }
    return r.stdout.trim();
  }

  private async listAll(): Promise<string[]> {
    const out = await this.cli(['list']);
    const names = out === '' ? [] : out.split(', ').map((s) => s.trim());
    // `list` exits 0 on failure too; error text read as names would make every runtime look stopped.
    const odd = names.find((n) => !/^[A-Za-z0-9_./-]+$/.test(n));
    if (odd !== undefined) throw new Error(`lunatik list printed something that is not a runtime list: ${out}`);
    return names;
  }

  /** Our policies among the running runtimes, with the slots each one runs in. */
  private slotsByName(all: string[]): Map<string, Slot[]> {
    const out = new Map<string, Slot[]>();
    for (const runtime of all) {
      // Slot b first: `<dir>/b/<name>` also starts with `<dir>/`.
      const [name, slot]: [string, Slot] | [undefined, undefined] = runtime.startsWith(`${this.dir}/b/`)
        ? [runtime.slice(this.dir.length + 3), 'b']
        : runtime.startsWith(`${this.dir}/`)
          ? [runtime.slice(this.dir.length + 1), 'a']
          : [undefined, undefined];
      if (name === undefined || !policyNameRe.test(name)) continue;
      out.set(name, [...(out.get(name) ?? []), slot]);
    }
    return out;
  }

  private runningSlots(name: string, all: string[]): Slot[] {
    return this.slotsByName(all).get(name) ?? [];
  }

  /** Starts a runtime; returns the failure text, or undefined. Never throws, never leaves it half started. */
  private async start(runtime: string, v: LunatikVersion): Promise<string | undefined> {
    const said = await this.cli(['run', runtime, v.runContext]).catch((e: Error) => e.message);
    if (said !== '') return said;
    try {
      if (!(await this.listAll()).includes(runtime)) return `${runtime} is not listed by \`lunatik list\` after run`;
    } catch (err) {
      const stopped = await this.stop(runtime).then(
        () => '',
        (e: Error) => `; stopping it again failed: ${e.message}`,
      );
      return `checking \`lunatik list\` after run failed: ${(err as Error).message}${stopped}`;
    }
    return undefined;
  }

  private async stop(runtime: string): Promise<void> {
    const said = await this.cli(['stop', runtime]);
    if (said !== '') throw new Error(`lunatik stop ${runtime}: ${said}`);
  }

  /**
   * Stops a runtime; returns why it still runs, or undefined once it is gone. A `stop` that prints
   * an error but stopped the runtime anyway counts as done: what matters is what runs.
   */
  private async stopChecked(runtime: string): Promise<string | undefined> {
    const failure = await this.stop(runtime).then(
      () => undefined,
      (e: Error) => e.message,
    );
    if (failure === undefined) return undefined;
    const still = await this.listAll().then(
      (all) => all.includes(runtime),
      (e: Error) => `${failure}; whether it still runs is unknown: ${e.message}`,
    );
    if (still === false) return undefined;
    return still === true ? failure : still;
  }

  /** Best effort: an interface that is gone has nothing attached any more. */
  private async detachAll(interfaces: string[]): Promise<void> {
    for (const iface of interfaces) await this.xdp.detach(iface).catch(() => undefined);
  }

  /**
   * Hook errors that concern this runtime: lines naming its script, plus lines naming no script
   * (e.g. "bad argument #2 to '?' (out of bounds)"), which could come from any loaded runtime.
   */
  private attribute(name: string, slot: Slot, target: 'netfilter' | 'xdp', lines: string[]): string[] {
    // The current slot's file only: the other slot's lines are the old version's, from the overlap.
    const own = `${this.scriptPath(name, slot)}:`;
    const out: string[] = [];
    for (const line of lines) {
      const e = hookError(line);
      if (!e || e.source !== target) continue;
      if (e.message.includes(own) || !/\.lua:\d+:/.test(e.message)) out.push(e.message);
    }
    return out;
  }

  /** `slot` is absent in sidecars written before slots existed (those runtimes are slot a). */
  private async readSidecar(name: string): Promise<Omit<Sidecar, 'slot'> & { slot?: Slot } | undefined> {
    const text = await readFile(this.sidecarPath(name), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    let v: { target?: unknown; interfaces?: unknown; slot?: unknown } | null;
    try {
      v = JSON.parse(text) as typeof v;
    } catch {
      // A torn or hand-edited sidecar must not make the name impossible to load or unload.
      return undefined;
    }
    if (typeof v !== 'object' || v === null) return undefined;
    return {
      target: v.target === 'xdp' ? 'xdp' : 'netfilter',
      interfaces: Array.isArray(v.interfaces) ? v.interfaces.filter((i): i is string => typeof i === 'string') : [],
      slot: v.slot === 'a' || v.slot === 'b' ? v.slot : undefined,
    };
  }

  private async writeSidecar(name: string, side: Sidecar): Promise<void> {
    await writeFileAtomic(this.sidecarPath(name), JSON.stringify({ target: side.target, interfaces: side.interfaces, slot: side.slot }));
  }
}

function other(slot: Slot): Slot {
  return slot === 'a' ? 'b' : 'a';
}
