// The Lunatik emulator: real Lua 5.4 (wasmoon) with shims that reproduce the kernel's module semantics per profile.
import v8 from 'node:v8';
import { LoadError } from '../kernel/backend.js';
import { Runtime, type RuntimeLimits } from './runtime.js';
import type { Emulator, EmulatorOptions, LoadOpts, RunInput } from './types.js';

export type { Emulator, EmulatorHealth, EmulatorOptions, LoadOpts, RunInput, RunResult } from './types.js';
export { scriptPath } from './runtime.js';

const NAME = /^[A-Za-z0-9_][A-Za-z0-9_.\/-]{0,63}$/;

/**
 * Creates an emulator: one wasm instance, one Lua state per loaded runtime (as Lunatik has one
 * lua_State per runtime). Loading a name that is already loaded replaces it only once the new
 * script has loaded; on LoadError the old one keeps running.
 */
export async function createEmulator(options: EmulatorOptions = {}): Promise<Emulator> {
  // Lua runs in wasm; V8's baseline tier keeps long calls slow (stack.md §2.4). Must precede the import.
  v8.setFlagsFromString('--no-liftoff');
  const { LuaFactory } = await import('wasmoon');
  const factory = new LuaFactory();
  const limits: RuntimeLimits = {
    callBudget: options.callBudget ?? 1_000_000,
    loadBudget: options.loadBudget ?? 200_000_000,
    memoryLimit: options.memoryLimit ?? 256 * 1024 * 1024,
  };
  const runtimes = new Map<string, Runtime>();
  let closed = false;

  const get = (name: string): Runtime => {
    if (closed) throw new Error('emulator is closed');
    const rt = runtimes.get(name);
    if (!rt) throw new Error(`no runtime named ${JSON.stringify(name)} is loaded`);
    return rt;
  };

  return {
    async load(name: string, script: string, opts: LoadOpts) {
      if (closed) throw new Error('emulator is closed');
      if (!NAME.test(name)) throw new LoadError(name, `invalid runtime name ${JSON.stringify(name)}`);
      const rt = await Runtime.create(factory, name, script, opts, limits);
      runtimes.get(name)?.close();
      runtimes.set(name, rt);
    },
    run: (name: string, input: RunInput) => get(name).run(input),
    counters: (name: string) => get(name).counters(),
    countersDelta: (name: string) => get(name).countersDelta(),
    health: (name: string) => get(name).health(),
    output: (name: string) => get(name).output(),
    unload(name: string) {
      get(name).close();
      runtimes.delete(name);
    },
    list: () => [...runtimes.keys()],
    close() {
      for (const rt of runtimes.values()) rt.close();
      runtimes.clear();
      closed = true;
    },
  };
}
