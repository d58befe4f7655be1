// The nfqueue backend: the emulator attached to real packets through iptables NFQUEUE and nfq-helper.
import { LoadError, type BackendInfo, type Counters, type Health, type KernelBackend, type LoadOptions } from './backend.js';
import { EmulatorBackend, type EmulatorBackendOptions, type LoadedRuntime } from './emulator.js';
import { ipLinkIfindexes } from './ifindex.js';
import { checkRuntimeName } from './names.js';
import { ensureNfqHelper, type HelperBuildOptions } from './nfqueue/build.js';
import { QueueRules, queueHooks, type IptablesOptions, type QueueHook } from './nfqueue/iptables.js';
import { QueueReader, type QueuedPacket, type Verdict } from './nfqueue/reader.js';
import { SerialQueue } from './serial.js';

export interface NfqueueBackendOptions extends EmulatorBackendOptions, IptablesOptions, HelperBuildOptions {
  /** First queue number; hooks use base+0 … base+5 (prerouting, input, forward, output, postrouting, xdp). */
  queueBase?: number;
  /** A prebuilt nfq-helper; otherwise it is compiled on first use. */
  helper?: string;
  /** How long a new reader may take to bind its queue; default 5000 ms. */
  readyTimeoutMs?: number;
}

/** Loads without a hook go to INPUT, the hook the compiler assumes then (server/compile/target.ts). */
export const defaultHook = 'input';

interface Attached {
  reader: QueueReader;
  /** XDP only: the interfaces the rules cover. */
  interfaces: string[];
}

export class NfqueueBackend implements KernelBackend {
  private readonly emulator: EmulatorBackend;
  private readonly rules: QueueRules;
  private readonly queue = new SerialQueue();
  private readonly attached = new Map<QueueHook, Attached>();
  /** Reader failures since start, by hook: a dead reader means the hook no longer filters. */
  private readonly readerErrors = new Map<QueueHook, string[]>();
  private cleaned = false;
  private names = new Map<number, string>();
  /** Loaded runtimes by the queue their packets arrive on, rebuilt by sync(); read per packet. */
  private byHook = new Map<QueueHook, LoadedRuntime[]>();

  constructor(private readonly opts: NfqueueBackendOptions = {}) {
    this.emulator = new EmulatorBackend(opts);
    this.rules = new QueueRules(opts);
  }

  async info(): Promise<BackendInfo> {
    const e = await this.emulator.info();
    return { kind: 'nfqueue', version: `nfqueue + ${e.version}`, profile: e.profile };
  }

  list(): Promise<string[]> {
    return this.emulator.list();
  }

  async load(name: string, script: string, opts: LoadOptions): Promise<void> {
    checkRuntimeName(name);
    return this.queue.run(async () => {
      await this.cleanOnce();
      const pending: LoadedRuntime = { name, target: opts.target, hook: opts.hook, interfaces: opts.interfaces ?? [] };
      // Queues and rules for the new runtime first, while a previous version keeps filtering where
      // it did: the emulator swap after this is atomic, so a failure at any step leaves it in place.
      try {
        await this.sync({ pending, add: true, remove: false });
      } catch (err) {
        await this.sync({ add: true, remove: true }).catch(() => undefined);
        throw new LoadError(name, `attaching to NFQUEUE failed: ${(err as Error).message}`);
      }
      try {
        await this.emulator.load(name, script, opts);
      } finally {
        // Drops what only the previous version (or, on failure, only the new one) needed; never fails.
        await this.sync({ add: false, remove: true });
      }
    });
  }

  unload(name: string): Promise<void> {
    return this.queue.run(async () => {
      await this.emulator.unload(name);
      // What only this runtime needed goes (never fails); the unload is then done.
      await this.sync({ add: false, remove: true });
      // A dead reader of the runtimes left is replaced here too, but failing at that is no failure of
      // this unload (the runtime is gone): sync records it under the hook, where their health shows it.
      await this.sync({ add: true, remove: false }).catch(() => undefined);
    });
  }

  async health(name: string): Promise<Health> {
    const h = await this.emulator.health(name);
    const rt = this.emulator.loaded().find((r) => r.name === name);
    const readerErrors = rt ? (this.readerErrors.get(hookOf(rt)) ?? []) : [];
    const errors = [...h.errors, ...readerErrors];
    return { ok: h.ok && errors.length === 0, errors };
  }

  counters(name: string): Promise<Counters | undefined> {
    return this.emulator.counters(name);
  }

  ifindexes(): Promise<Record<string, number>> {
    return ipLinkIfindexes(this.opts.netns, this.opts.ipBin);
  }

  close(): Promise<void> {
    return this.queue.run(async () => {
      for (const hook of [...this.attached.keys()]) await this.detach(hook);
      await this.emulator.close();
    });
  }

  /** Rules left by a process that died are removed before we add ours. */
  private async cleanOnce(): Promise<void> {
    if (this.cleaned) return;
    await this.rules.removeAll();
    this.cleaned = true;
  }

  /**
   * Makes readers and rules match the loaded runtimes (plus `pending`, about to be swapped in): one
   * queue per hook in use. `add` attaches queues and adds XDP interfaces (can fail); `remove`
   * detaches and removes what is no longer wanted (best effort, never fails).
   */
  private async sync(how: { pending?: LoadedRuntime; add: boolean; remove: boolean }): Promise<void> {
    const loaded = this.emulator.loaded();
    const want = new Map<QueueHook, string[]>();
    const byHook = new Map<QueueHook, LoadedRuntime[]>();
    for (const rt of loaded) byHook.set(hookOf(rt), [...(byHook.get(hookOf(rt)) ?? []), rt]);
    for (const rt of how.pending ? [...loaded, how.pending] : loaded) {
      const hook = hookOf(rt);
      want.set(hook, [...new Set([...(want.get(hook) ?? []), ...rt.interfaces])]);
    }
    this.byHook = byHook;
    if (how.add && want.has('xdp')) this.names = invert(await this.ifindexes());
    for (const hook of queueHooks) {
      const wanted = want.get(hook);
      let have = this.attached.get(hook);
      if (!wanted) {
        if (have && how.remove) await this.detach(hook);
        continue;
      }
      // A reader that died is replaced at the next load or unload (its failure stays in health until then).
      if (have && how.add && !have.reader.alive) {
        await this.detach(hook);
        try {
          await this.attach(hook, wanted);
        } catch (err) {
          this.readerError(hook, `replacing the dead reader failed: ${(err as Error).message}`);
          throw err;
        }
        continue;
      }
      if (!have) {
        if (how.add) await this.attach(hook, wanted);
        continue;
      }
      if (hook !== 'xdp') continue;
      // Rule by rule, so the interfaces XDP runtimes already filter keep their rules throughout.
      const extra = wanted.filter((i) => !have.interfaces.includes(i));
      if (how.add && extra.length > 0) {
        await this.rules.addInterfaces(this.queueNum(hook), extra);
        have.interfaces = [...have.interfaces, ...extra];
      }
      const unused = have.interfaces.filter((i) => !wanted.includes(i));
      if (how.remove && unused.length > 0) {
        await this.rules.removeInterfaces(this.queueNum(hook), unused);
        have.interfaces = have.interfaces.filter((i) => wanted.includes(i));
      }
    }
  }

  private async attach(hook: QueueHook, interfaces: string[]): Promise<void> {
    const helper = this.opts.helper ?? (await ensureNfqHelper(this.opts));
    const reader = new QueueReader({
      helper,
      queue: this.queueNum(hook),
      netns: this.opts.netns,
      ipBin: this.opts.ipBin,
      readyTimeoutMs: this.opts.readyTimeoutMs,
      onPacket: (p) => this.decide(hook, p),
      onError: (message) => this.readerError(hook, message),
    });
    // The reader binds first, so no packet meets a rule without a listener.
    await reader.start();
    try {
      await this.rules.install(hook, this.queueNum(hook), interfaces);
    } catch (err) {
      await reader.close();
      throw err;
    }
    this.attached.set(hook, { reader, interfaces });
    this.readerErrors.delete(hook);
  }

  /** Kept until a reader for the hook starts again; the last 20 per hook. */
  private readerError(hook: QueueHook, message: string): void {
    this.readerErrors.set(hook, [...(this.readerErrors.get(hook) ?? []), message].slice(-20));
  }

  private async detach(hook: QueueHook): Promise<void> {
    const a = this.attached.get(hook);
    this.attached.delete(hook);
    await this.rules.remove(hook);
    await a?.reader.close();
  }

  private queueNum(hook: QueueHook): number {
    return (this.opts.queueBase ?? 4200) + queueHooks.indexOf(hook);
  }

  /** Runs a packet through every runtime on its hook in load order; the first drop wins, as in the kernel. */
  private decide(hook: QueueHook, p: QueuedPacket): Verdict {
    const frame = ethernetFrame(p);
    const ifindex = hook === 'output' || hook === 'postrouting' ? p.outdev : p.indev;
    for (const rt of this.byHook.get(hook) ?? []) {
      if (hook === 'xdp' && !rt.interfaces.includes(this.names.get(p.indev) ?? '')) continue;
      const v = this.emulator.runPacket(rt.name, {
        frame,
        hook: hook === 'xdp' ? undefined : hook,
        ifindex,
        mark: p.mark,
      });
      if (v === 'drop') return 'drop';
    }
    return 'accept';
  }
}

function hookOf(rt: LoadedRuntime): QueueHook {
  return rt.target === 'xdp' ? 'xdp' : (rt.hook ?? defaultHook);
}

/**
 * NFQUEUE hands over L3; the emulator takes a full frame. The destination MAC is not in the queue
 * metadata, so it is zero (as Lunatik 3.6 showed on loopback); the source MAC is the sender's
 * where the kernel reports it.
 */
export function ethernetFrame(p: QueuedPacket): Uint8Array {
  const frame = new Uint8Array(14 + p.payload.length);
  if (p.srcMac?.length === 6) frame.set(p.srcMac, 6);
  const version = p.payload.length > 0 ? p.payload[0] >> 4 : 0;
  const etherType = p.hwProtocol || (version === 6 ? 0x86dd : 0x0800);
  frame[12] = etherType >> 8;
  frame[13] = etherType & 0xff;
  frame.set(p.payload, 14);
  return frame;
}

function invert(m: Record<string, number>): Map<number, string> {
  return new Map(Object.entries(m).map(([name, idx]) => [idx, name]));
}

