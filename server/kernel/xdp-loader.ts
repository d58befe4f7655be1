// Attaches openwrt/xdp/lunawall_xdp.c per interface and points it at a runtime, with bpftool argv arrays.
import { access, readFile } from 'node:fs/promises';
import { endianness } from 'node:os';
import { join } from 'node:path';
import { runChecked } from './exec.js';

export interface XdpLoaderOptions {
  /** The compiled loader object, shipped with the package. */
  object?: string;
  /** bpffs directory holding the pinned program (`prog`) and its map (`lunawall_rt`). */
  pinDir?: string;
  bpftool?: string;
  /** bpftool attach type: generic (skb) mode works on every driver. */
  mode?: 'xdpgeneric' | 'xdpdrv' | 'xdp';
  /** Where interface ifindexes are read (sysfs of this network namespace). */
  sysClassNet?: string;
}

/** Must match LUNAWALL_RT_NAME_MAX in lunawall_xdp.c. */
const NAME_MAX = 64;

export type XdpStep =
  | { op: 'load' }
  | { op: 'attach'; iface: string; ifindex: number; runtime: string }
  | { op: 'point'; iface: string; ifindex: number; runtime: string }
  | { op: 'detach'; iface: string; ifindex: number };

/** The commands for one step; every command the loader runs is built here. */
export function xdpCommands(step: XdpStep, opts: XdpLoaderOptions = {}): string[][] {
  const bpftool = opts.bpftool ?? 'bpftool';
  const pinDir = opts.pinDir ?? '/sys/fs/bpf/lunawall';
  const mode = opts.mode ?? 'xdpgeneric';
  const prog = join(pinDir, 'prog');
  const map = join(pinDir, 'lunawall_rt');
  switch (step.op) {
    case 'load':
      return [
        [bpftool, 'prog', 'load', opts.object ?? '/usr/lib/lunawall/lunawall_xdp.o', prog, 'type', 'xdp', 'pinmaps', pinDir],
      ];
    case 'attach':
      return [
        [bpftool, 'map', 'update', 'pinned', map, 'key', 'hex', ...u32Hex(step.ifindex), 'value', 'hex', ...rtValueHex(step.runtime)],
        [bpftool, 'net', 'attach', mode, 'pinned', prog, 'dev', step.iface, 'overwrite'],
      ];
    case 'point':
      // A hash-map update swaps the whole element under RCU: each frame sees the old name or the new one.
      return [[bpftool, 'map', 'update', 'pinned', map, 'key', 'hex', ...u32Hex(step.ifindex), 'value', 'hex', ...rtValueHex(step.runtime)]];
    case 'detach':
      return [
        [bpftool, 'net', 'detach', mode, 'dev', step.iface],
        [bpftool, 'map', 'delete', 'pinned', map, 'key', 'hex', ...u32Hex(step.ifindex)],
      ];
  }
}

/** Host byte order: the eBPF program reads the key and length as native u32s. */
function u32Hex(n: number): string[] {
  const b = Buffer.alloc(4);
  if (endianness() === 'LE') b.writeUInt32LE(n);
  else b.writeUInt32BE(n);
  return [...b].map((x) => x.toString(16).padStart(2, '0'));
}

/** struct lunawall_rt { u32 len; char name[64]; } with len = strlen(name) + 1. */
function rtValueHex(runtime: string): string[] {
  const name = Buffer.from(runtime, 'utf8');
  if (name.length + 1 > NAME_MAX) throw new Error(`runtime name ${runtime} is longer than ${NAME_MAX - 1} bytes`);
  const body = Buffer.alloc(NAME_MAX);
  name.copy(body);
  return [...u32Hex(name.length + 1), ...[...body].map((x) => x.toString(16).padStart(2, '0'))];
}

export class XdpLoader {
  constructor(private readonly opts: XdpLoaderOptions = {}) {}

  async attach(iface: string, runtime: string): Promise<void> {
    const pinDir = this.opts.pinDir ?? '/sys/fs/bpf/lunawall';
    const loaded = await access(join(pinDir, 'prog')).then(() => true, () => false);
    if (!loaded) await this.exec({ op: 'load' });
    await this.exec({ op: 'attach', iface, ifindex: await this.ifindex(iface), runtime });
  }

  /** Points an attached interface at another runtime, without detaching: the switch is atomic per frame. */
  async point(iface: string, runtime: string): Promise<void> {
    await this.exec({ op: 'point', iface, ifindex: await this.ifindex(iface), runtime });
  }

  async detach(iface: string): Promise<void> {
    await this.exec({ op: 'detach', iface, ifindex: await this.ifindex(iface) });
  }

  private async ifindex(iface: string): Promise<number> {
    const root = this.opts.sysClassNet ?? '/sys/class/net';
    const text = await readFile(join(root, iface, 'ifindex'), 'utf8').catch(() => {
      throw new Error(`no such interface: ${iface}`);
    });
    return Number(text.trim());
  }

  private async exec(step: XdpStep): Promise<void> {
    for (const argv of xdpCommands(step, this.opts)) await runChecked(argv, { timeoutMs: 15_000 });
  }
}
