// One emulated Lunatik runtime: its own Lua state (wasmoon engine) running one script, with the kernel's hook semantics.
import { readFileSync } from 'node:fs';
import { LuaLibraries, type LuaEngine, type LuaFactory } from 'wasmoon';
import { LoadError } from '../kernel/backend.js';
import type { Hook } from '../policy/schema.js';
import { frameLayout } from './frame.js';
import { lintIntegerOnly } from './lint.js';
import type { EmulatorHealth, LoadOpts, RunInput, RunResult } from './types.js';
import { RawLua, decodeUtf8 } from './wasm.js';

const HOST_FILES = ['budget.lua', 'env.lua', 'data.lua', 'modules.lua', 'host.lua'];
const hostSources = HOST_FILES.map((f) => ({
  name: `=lunawall-host:${f}`,
  src: readFileSync(new URL(`./lua/${f}`, import.meta.url), 'utf8'),
}));

const hookNumbers: Record<Hook, number> = { prerouting: 0, input: 1, forward: 2, output: 3, postrouting: 4 };
const XDP_HOOK = 255;
const HEADER = 20;
const MAX_LISTED_ERRORS = 100;
const HEADROOM = 256 * 1024;
/** XDP_PASS, or a negative kfunc result (the loader program maps it to XDP_PASS). */
const xdpVerdict = (v: number): 'accept' | 'drop' => (v < 0 || v === 2 ? 'accept' : 'drop');
/** Only NF_ACCEPT lets the packet continue; DROP, STOLEN, QUEUE (no reader), REPEAT and STOP do not. */
const nfVerdict = (v: number): 'accept' | 'drop' => (v === 1 ? 'accept' : 'drop');
const STATUS = { ok: 0, error: 1, budget: 2, mark: 3, noHook: 4, family: 5 } as const;

export interface RuntimeLimits {
  callBudget: number;
  loadBudget: number;
  memoryLimit: number;
}

/** Where Lunatik keeps lunawall's scripts; error messages name this path (lunatik.md §10). */
export const scriptPath = (name: string) => `/lib/modules/lua/lunawall/${name}.lua`;

export class Runtime {
  private readonly raw: RawLua;
  private readonly header = new Uint8Array(HEADER);
  private readonly headerView = new DataView(this.header.buffer);
  private readonly results = new Float64Array(3);
  private readonly errors: string[] = [];
  private errorCount = 0;
  private fatalCount = 0;
  private readonly logPrefix: string;
  /** The hook of the first netfilter registration, for run() calls that name none. */
  private firstHook: number = hookNumbers.prerouting;

  private constructor(
    readonly name: string,
    readonly opts: LoadOpts,
    private readonly engine: LuaEngine,
    private readonly limits: RuntimeLimits,
  ) {
    this.raw = new RawLua(engine);
    this.logPrefix = opts.target === 'xdp' ? 'luaxdp: ' : 'luanetfilter: ';
  }

  /** Creates the state, loads the host shims and then the script; throws LoadError like `lunatik run`. */
  static async create(factory: LuaFactory, name: string, script: string, opts: LoadOpts, limits: RuntimeLimits): Promise<Runtime> {
    const engine = await factory.createEngine({ openStandardLibs: false, traceAllocations: true, enableProxy: false });
    // Not LuaLibraries.UTF8: wasmoon 1.16.0 opens the string library for it, replacing the string metatable.
    for (const lib of [LuaLibraries.Base, LuaLibraries.Table, LuaLibraries.String, LuaLibraries.Math, LuaLibraries.Coroutine, LuaLibraries.Debug]) {
      engine.global.loadLibrary(lib);
    }
    const rt = new Runtime(name, opts, engine, limits);
    try {
      rt.boot();
      rt.loadScript(script);
    } catch (err) {
      rt.close();
      throw err;
    }
    return rt;
  }

  private boot(): void {
    const chunk = '@' + scriptPath(this.name);
    this.engine.global.set('__lint', (src: string, chunkname: string) => lintIntegerOnly(src, chunkname)?.message);
    this.engine.doStringSync('function __hostload(src, name) return assert(load(src, name, "t"))() end');
    for (const { name, src } of hostSources) this.raw.call('__hostload', [src, name], 0);
    this.raw.call('__setup', [this.opts.profile, chunk, this.limits.callBudget, this.limits.loadBudget], 1);
    this.engine.global.setMemoryMax(this.limits.memoryLimit);
  }

  private loadScript(script: string): void {
    const chunk = '@' + scriptPath(this.name);
    const [status, msg] = this.raw.call('__compile', [script], 2);
    if (status !== 0) throw new LoadError(this.name, decodeUtf8(msg));
    const lint = lintIntegerOnly(script, chunk);
    if (lint) throw new LoadError(this.name, lint.message);
    const [st, err] = this.withHeadroom(0, () => this.raw.call('__exec', [], 2));
    if (st !== 0) {
      if (st === 2) this.fatalCount++;
      throw new LoadError(this.name, decodeUtf8(err));
    }
    const [regs] = this.raw.call('__registered', [], 2);
    const first = decodeUtf8(regs).split(',')[0];
    if (first) this.firstHook = Number(first.split(':')[1]);
  }

  /**
   * Runs `fn` with the memory cap lifted by `bytes` plus slack when the script has already filled
   * its heap: host-side pushes happen outside Lua's protected calls, where an allocation failure
   * would abort the whole wasm instance.
   */
  private withHeadroom<T>(bytes: number, fn: () => T): T {
    const g = this.engine.global;
    const used = g.getMemoryUsed();
    const need = used + bytes + HEADROOM;
    if (need <= this.limits.memoryLimit) return fn();
    g.setMemoryMax(need);
    try {
      return fn();
    } finally {
      g.setMemoryMax(this.limits.memoryLimit);
    }
  }

  run(input: RunInput): RunResult {
    const xdp = this.opts.target === 'xdp';
    const frame = input.frame;
    const layout = frameLayout(frame);
    const h = this.headerView;
    let hooknum = XDP_HOOK;
    if (!xdp) {
      hooknum = input.hook !== undefined ? hookNumbers[input.hook] : this.firstHook;
      if (layout.family === 0) return { verdict: 'accept', raw: 1, skipped: 'family' };
    }
    h.setUint8(0, hooknum);
    // Locally generated packets (LOCAL_OUT) have no MAC header yet (lunatik.md §2.4, §10).
    const macSet = input.layer ? input.layer === 'l2' : hooknum !== hookNumbers.output;
    h.setUint8(1, xdp || macSet ? 1 : 0);
    h.setUint8(2, layout.family);
    h.setUint32(4, layout.l2len, true);
    h.setUint32(8, xdp ? frame.length : layout.netlen, true);
    // LOCAL_OUT runs before ip_output sets skb->dev, so skb:ifindex() is nil there whatever the caller says.
    h.setInt32(12, !xdp && hooknum === hookNumbers.output ? -1 : input.ifindex ?? (xdp ? 0 : -1), true);
    h.setUint32(16, (input.mark ?? 0) >>> 0, true);
    const body = xdp ? frame : frame.subarray(0, layout.l2len + layout.netlen);
    const r = this.results;
    try {
      if (this.engine.global.getMemoryUsed() + HEADER + body.length + HEADROOM > this.limits.memoryLimit) {
        this.withHeadroom(HEADER + body.length, () => this.raw.callPacket('__dispatch', this.header, body, r));
      } else {
        this.raw.callPacket('__dispatch', this.header, body, r);
      }
    } catch (err) {
      // The host side itself failed (e.g. out of memory outside the hook): the kernel fails open too.
      return this.failed(xdp, (err as Error).message, false);
    }
    const status = r[0];
    const raw = r[1];
    const mark = r[2];
    const verdict = xdp ? xdpVerdict : nfVerdict;
    switch (status) {
      case STATUS.ok:
        return mark >= 0 ? { verdict: verdict(raw), raw, mark } : { verdict: verdict(raw), raw };
      case STATUS.mark:
        return { verdict: 'accept', raw: 1, skipped: 'mark' };
      case STATUS.family:
        return { verdict: 'accept', raw: 1, skipped: 'family' };
      case STATUS.noHook:
        if (xdp) return { ...this.failed(true, this.lastError(), false), skipped: 'no-hook' };
        return { verdict: 'accept', raw: 1, skipped: 'no-hook' };
      case STATUS.budget:
        return this.failed(xdp, this.lastError(), true);
      default: {
        // An error in one of several hooks still lets the others decide.
        const res = this.failed(xdp, this.lastError(), false);
        return { ...res, verdict: verdict(raw), raw: xdp ? -1 : raw };
      }
    }
  }

  private lastError(): string {
    return decodeUtf8(this.raw.call('__lasterror', [], 1)[0]);
  }

  private failed(xdp: boolean, message: string, fatal: boolean): RunResult {
    this.errorCount++;
    if (fatal) this.fatalCount++;
    this.errors.push(this.logPrefix + message);
    if (this.errors.length > MAX_LISTED_ERRORS) this.errors.shift();
    const res: RunResult = { verdict: 'accept', raw: xdp ? -1 : 1, error: message };
    if (fatal) res.fatal = true;
    return res;
  }

  counters(): Record<string, number> {
    return this.readCounters('__counters');
  }

  countersDelta(): Record<string, number> {
    return this.readCounters('__counters_delta');
  }

  private readCounters(fn: string): Record<string, number> {
    const text = decodeUtf8(this.raw.call(fn, [], 1)[0]);
    const out: Record<string, number> = {};
    if (!text) return out;
    for (const line of text.split('\n')) {
      const tab = line.lastIndexOf('\t');
      out[line.slice(0, tab)] = Number(line.slice(tab + 1));
    }
    return out;
  }

  health(): EmulatorHealth {
    return { ok: this.errorCount === 0, errors: [...this.errors], errorCount: this.errorCount, fatalCount: this.fatalCount };
  }

  output(): string[] {
    const text = decodeUtf8(this.raw.call('__output', [], 1)[0]);
    return text === '' ? [] : text.split('\n');
  }

  close(): void {
    this.raw.dispose();
    this.engine.global.close();
  }
}
