// The lunatik backend: scripts under /lib/modules/lua/lunawall, started and stopped with the `lunatik` CLI.
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { stageFile, writeFileAtomic } from './atomic-write.js';
import { LoadError, type BackendInfo, type Health, type KernelBackend, type LoadOptions } from './backend.js';
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

/** What we remember about a runtime we started: for health and for undoing XDP attachments. */
interface Loaded {
  target: 'netfilter' | 'xdp';
  interfaces: string[];
  since: LogCursor;
}

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
    return this.queue.run(async () => this.ours(await this.listAll()));
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
   * Puts `script` in place of whatever runs under `name`. A failure leaves the script file, the
   * kernel and the sidecar as they were, or says in the error what could not be put back.
   */
  private async replace(name: string, script: string, opts: LoadOptions): Promise<void> {
    const v = await this.detect();
    await mkdir(join(this.root, this.dir), { recursive: true });
    const runtime = this.runtime(name);
    const path = this.scriptPath(name);
    const wasRunning = (await this.listAll()).includes(runtime);
    const previous = wasRunning ? await readFile(path, 'utf8').catch(() => undefined) : undefined;
    const previousInterfaces = (this.loaded.get(name) ?? (await this.readSidecar(name)))?.interfaces ?? [];
    // Written and synced now, renamed into place only once the old runtime has stopped: after a
    // failed stop the new script must not sit where the next boot (or `lunatik run`) picks it up.
    const staged = await stageFile(path, script);
    // Lunatik has no atomic swap: between this stop and the next run the old hooks are gone and
    // packets pass unfiltered (typically a few milliseconds).
    if (wasRunning) {
      await this.detachAll(previousInterfaces);
      const stopFailure = await this.stop(runtime).then(
        () => undefined,
        (e: Error) => e.message,
      );
      if (stopFailure !== undefined) {
        await staged.discard();
        throw new LoadError(name, `stopping the running version failed: ${stopFailure}${await this.afterFailedStop(name, runtime, v, previousInterfaces)}`);
      }
    }
    const interfaces = opts.target === 'xdp' ? (opts.interfaces ?? []) : [];
    let failure = await staged.commit().then(
      () => this.start(runtime, v, interfaces),
      (e: Error) => `writing ${path} failed: ${e.message}`,
    );
    if (failure === undefined) {
      try {
        // Read after the run, not between stop and run, to keep the unfiltered window short; a
        // failing hook logs on every packet, so the first milliseconds are not missed in practice.
        const meta = { target: opts.target, interfaces, since: await this.log.cursor() };
        await this.writeSidecar(name, meta);
        this.loaded.set(name, meta);
        return;
      } catch (err) {
        // Running without what health and unload rely on: undo it like a failed start.
        await this.detachAll(interfaces);
        const stopped = await this.stop(runtime).then(
          () => '',
          (e: Error) => `; stopping it again failed: ${e.message}`,
        );
        failure = `recording the load failed: ${(err as Error).message}${stopped}`;
      }
    }
    throw new LoadError(name, failure + (await this.restorePrevious(name, runtime, v, wasRunning, previous, previousInterfaces)));
  }

  /** After a failed start: the previous script back on disk and running, or no trace of the new one. */
  private async restorePrevious(
    name: string,
    runtime: string,
    v: LunatikVersion,
    wasRunning: boolean,
    previous: string | undefined,
    interfaces: string[],
  ): Promise<string> {
    const forget = async () => {
      this.loaded.delete(name);
      await rm(this.scriptPath(name), { force: true });
      await rm(this.sidecarPath(name), { force: true });
    };
    if (previous === undefined) {
      await forget();
      return wasRunning ? '; the previous version stays stopped: its script could not be read' : '';
    }
    try {
      await writeFileAtomic(this.scriptPath(name), previous);
    } catch (err) {
      // The failed script must not be what the next boot runs.
      await forget().catch(() => undefined);
      return `; the previous version stays stopped: writing its script back failed: ${(err as Error).message}`;
    }
    const again = await this.start(runtime, v, interfaces);
    if (again === undefined) return '';
    this.loaded.delete(name);
    return `; restarting the previous version also failed: ${again}`;
  }

  /** `stop` failed: the old runtime either runs on (give its XDP interfaces back) or stopped anyway (restart it). */
  private async afterFailedStop(name: string, runtime: string, v: LunatikVersion, interfaces: string[]): Promise<string> {
    const running = await this.listAll().then(
      (all) => all.includes(runtime),
      (e: Error) => e.message,
    );
    if (typeof running === 'string') {
      this.loaded.delete(name);
      return `; whether the previous version still runs is unknown: ${running}`;
    }
    if (running) {
      try {
        for (const iface of interfaces) await this.xdp.attach(iface, runtime);
        return '';
      } catch (err) {
        return `; the previous version runs, but re-attaching its XDP interfaces failed: ${(err as Error).message}`;
      }
    }
    const again = await this.start(runtime, v, interfaces);
    if (again === undefined) return '; the previous version had stopped anyway and was started again';
    this.loaded.delete(name);
    return `; the previous version had stopped anyway and starting it again failed: ${again}`;
  }

  async unload(name: string): Promise<void> {
    checkRuntimeName(name);
    return this.queue.run(async () => {
      const meta = this.loaded.get(name) ?? (await this.readSidecar(name));
      await this.detachAll(meta?.interfaces ?? []);
      if ((await this.listAll()).includes(this.runtime(name))) await this.stop(this.runtime(name));
      this.loaded.delete(name);
      await rm(this.scriptPath(name), { force: true });
      await rm(this.sidecarPath(name), { force: true });
    });
  }

  async health(name: string): Promise<Health> {
    checkRuntimeName(name);
    return this.queue.run(async () => {
      const running = (await this.listAll()).includes(this.runtime(name));
      let meta = this.loaded.get(name);
      if (!meta) {
        // Started by an earlier process: errors count from the first time we look.
        const side = await this.readSidecar(name);
        meta = { target: side?.target ?? 'netfilter', interfaces: side?.interfaces ?? [], since: await this.log.cursor() };
        if (running) this.loaded.set(name, meta);
      }
      const errors = this.attribute(name, meta.target, await this.log.since(meta.since));
      if (!running) errors.unshift(`${this.runtime(name)} is not running`);
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
  private runtime(name: string): string {
    return `${this.dir}/${name}`;
  }
  private scriptPath(name: string): string {
    return join(this.root, this.dir, `${name}.lua`);
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

  private ours(all: string[]): string[] {
    const prefix = `${this.dir}/`;
    return all.filter((r) => r.startsWith(prefix)).map((r) => r.slice(prefix.length));
  }

  /** Starts a runtime and attaches its XDP interfaces; returns the failure text, or undefined. Never throws. */
  private async start(runtime: string, v: LunatikVersion, interfaces: string[]): Promise<string | undefined> {
    const said = await this.cli(['run', runtime, v.runContext]).catch((e: Error) => e.message);
    if (said !== '') return said;
    let step = 'checking `lunatik list` after run';
    try {
      if (!(await this.listAll()).includes(runtime)) return `${runtime} is not listed by \`lunatik list\` after run`;
      step = 'attaching the XDP loader';
      for (const iface of interfaces) await this.xdp.attach(iface, runtime);
    } catch (err) {
      // Half started is worse than not started: whoever restores the previous version needs the name free.
      await this.detachAll(interfaces);
      const stopped = await this.stop(runtime).then(
        () => '',
        (e: Error) => `; stopping it again failed: ${e.message}`,
      );
      return `${step} failed: ${(err as Error).message}${stopped}`;
    }
    return undefined;
  }

  private async stop(runtime: string): Promise<void> {
    const said = await this.cli(['stop', runtime]);
    if (said !== '') throw new Error(`lunatik stop ${runtime}: ${said}`);
  }

  /** Best effort: an interface that is gone has nothing attached any more. */
  private async detachAll(interfaces: string[]): Promise<void> {
    for (const iface of interfaces) await this.xdp.detach(iface).catch(() => undefined);
  }

  /**
   * Hook errors that concern this runtime: lines naming its script, plus lines naming no script
   * (e.g. "bad argument #2 to '?' (out of bounds)"), which could come from any loaded runtime.
   */
  private attribute(name: string, target: 'netfilter' | 'xdp', lines: string[]): string[] {
    const own = `${this.scriptPath(name)}:`;
    const out: string[] = [];
    for (const line of lines) {
      const e = hookError(line);
      if (!e || e.source !== target) continue;
      if (e.message.includes(own) || !/\.lua:\d+:/.test(e.message)) out.push(e.message);
    }
    return out;
  }

  private async readSidecar(name: string): Promise<Omit<Loaded, 'since'> | undefined> {
    const text = await readFile(this.sidecarPath(name), 'utf8').catch(() => undefined);
    if (text === undefined) return undefined;
    let v: { target?: unknown; interfaces?: unknown } | null;
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
    };
  }

  private async writeSidecar(name: string, meta: Loaded): Promise<void> {
    await writeFileAtomic(this.sidecarPath(name), JSON.stringify({ target: meta.target, interfaces: meta.interfaces }));
  }
}
