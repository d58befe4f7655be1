// A policy's two runtime slots: their runtime names and files, the sidecar saying which is current, and settling both running.
import { readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from './atomic-write.js';
import type { LogCursor } from './kernel-log.js';
import type { LunatikCli } from './lunatik-cli.js';
import type { XdpLoader } from './xdp-loader.js';

/**
 * A policy runs as one of two runtimes, `<dir>/<name>` (slot a) or `<dir>/b/<name>` (slot b): a
 * replace starts the other slot before it stops the running one. Policy names hold no `/`, so no
 * name's slot a can be another name's slot b.
 */
export type Slot = 'a' | 'b';

/** What the sidecar file keeps across restarts: which slot is current, and what health and unload need. */
export interface Sidecar {
  target: 'netfilter' | 'xdp';
  interfaces: string[];
  slot: Slot;
}

/** A sidecar as read back: `slot` is absent in sidecars written before slots existed (those runtimes are slot a). */
export type SavedSidecar = Omit<Sidecar, 'slot'> & { slot?: Slot };

/** What we remember about a runtime we started: the sidecar, plus where its kernel-log errors start. */
export interface Loaded extends Sidecar {
  since: LogCursor;
}

export function other(slot: Slot): Slot {
  return slot === 'a' ? 'b' : 'a';
}

const policyNameRe = /^[A-Za-z0-9_-]+$/;

export interface SlotFilesOptions {
  /** Lunatik's script root (LUA_ROOT); runtime names are paths relative to it. */
  luaRoot?: string;
  /** Our directory under the root: scripts are `<luaRoot>/<dir>/<name>.lua`, runtimes `<dir>/<name>`. */
  dir?: string;
}

/** Names and paths of the slots, and the sidecar on disk. Touches files only, never the kernel. */
export class SlotFiles {
  /** Options are read at each call, so the backend's options object can be passed as is. */
  constructor(private readonly opts: SlotFilesOptions = {}) {}

  private get root(): string {
    return this.opts.luaRoot ?? '/lib/modules/lua';
  }
  private get dir(): string {
    return this.opts.dir ?? 'lunawall';
  }
  runtime(name: string, slot: Slot): string {
    return slot === 'a' ? `${this.dir}/${name}` : `${this.dir}/b/${name}`;
  }
  scriptPath(name: string, slot: Slot): string {
    return slot === 'a' ? join(this.root, this.dir, `${name}.lua`) : join(this.root, this.dir, 'b', `${name}.lua`);
  }
  sidecarPath(name: string): string {
    return join(this.root, this.dir, `.${name}.state.json`);
  }

  /** Best effort: a stale script left behind is overwritten by the next load into that slot. */
  async discardScript(name: string, slot: Slot): Promise<void> {
    await rm(this.scriptPath(name, slot), { force: true }).catch(() => undefined);
  }

  /** Our policies among the running runtimes, with the slots each one runs in. */
  slotsByName(all: string[]): Map<string, Slot[]> {
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

  runningSlots(name: string, all: string[]): Slot[] {
    return this.slotsByName(all).get(name) ?? [];
  }

  /** Without a sidecar: the slot whose script was written last; slot a when that cannot tell. */
  async newerScript(name: string): Promise<Slot> {
    const mtime = (slot: Slot) => stat(this.scriptPath(name, slot)).then((s) => s.mtimeMs, () => -1);
    return (await mtime('b')) > (await mtime('a')) ? 'b' : 'a';
  }

  async readSidecar(name: string): Promise<SavedSidecar | undefined> {
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

  async writeSidecar(name: string, side: Sidecar): Promise<void> {
    await writeFileAtomic(this.sidecarPath(name), JSON.stringify({ target: side.target, interfaces: side.interfaces, slot: side.slot }));
  }
}

/** What settling needs: the slot files, the CLI to stop the stale slot, the loader to point XDP at the kept one. */
export interface SettleParts {
  slots: SlotFiles;
  cli: LunatikCli;
  xdp: XdpLoader;
}

/**
 * If both slots of `name` run (a replace cut short by a crash), keeps the current one by the
 * sidecar (the newer script file when there is no sidecar) and stops the other. Never throws;
 * `problem` says what could not be done.
 */
export async function settle(p: SettleParts, name: string, running: Slot[]): Promise<{ slot?: Slot; problem?: string }> {
  if (running.length < 2) return { slot: running[0] };
  const side = await p.slots.readSidecar(name);
  const keep = side?.slot ?? (await p.slots.newerScript(name));
  const stale = p.slots.runtime(name, other(keep));
  const both = `${p.slots.runtime(name, 'a')} and ${p.slots.runtime(name, 'b')} both run (a replace was cut short)`;
  try {
    // The loader may point at either runtime, depending on where the swap stopped.
    for (const iface of side?.target === 'xdp' ? side.interfaces : []) await p.xdp.point(iface, p.slots.runtime(name, keep));
  } catch (err) {
    return { slot: keep, problem: `${both}; pointing the XDP loader at ${p.slots.runtime(name, keep)} failed: ${(err as Error).message}` };
  }
  const stopped = await p.cli.stopChecked(stale);
  if (stopped !== undefined) return { slot: keep, problem: `${both}; stopping ${stale} failed: ${stopped}` };
  await p.slots.discardScript(name, other(keep));
  return { slot: keep };
}
