// Per-packet cost of the emulator's run() with an ACCEPT-only hook, as a ratio to a bare raw-wasm call into Lua.
import { performance } from 'node:perf_hooks';
import { LuaFactory, LuaLibraries } from 'wasmoon';
import { createEmulator } from '../server/emulator/index.js';
import { RawLua } from '../server/emulator/wasm.js';
import { buildFrame } from '../server/packet/index.js';

const N = 100_000;
const frame = buildFrame({ src: '10.0.0.1', dst: '10.0.0.2', proto: 'tcp', srcPort: 40000, dstPort: 443 });

function best(fn: () => void): number {
  let min = Infinity;
  for (let pass = 0; pass < 5; pass++) {
    const t = performance.now();
    for (let i = 0; i < N; i++) fn();
    min = Math.min(min, ((performance.now() - t) * 1e6) / N);
  }
  return min;
}

// Baseline: the same frame pushed as a Lua string into a function that returns three integers.
const engine = await new LuaFactory().createEngine({ openStandardLibs: false, traceAllocations: true });
engine.global.loadLibrary(LuaLibraries.Base);
engine.doStringSync('function bare(p) return 0, 1, -1 end');
const raw = new RawLua(engine);
const header = new Uint8Array(20);
const out = new Float64Array(3);
const floor = best(() => raw.callPacket('bare', header, frame, out));

const emu = await createEmulator();
await emu.load('accept', 'local nf = require("linux.nf") require("netfilter").register{ pf = nf.proto.INET, hooknum = nf.inet.LOCAL_IN, priority = 0, hook = function() return nf.action.ACCEPT end }', { profile: 'lunatik-4', target: 'netfilter' });
const run = best(() => emu.run('accept', { frame, hook: 'input' }));
console.log(`emulator run(), ACCEPT-only hook: ${(run / 1000).toFixed(2)} µs/packet = ${(run / floor).toFixed(1)}× a bare raw-wasm call (${(floor / 1000).toFixed(2)} µs)`);
emu.close();
raw.dispose();
engine.global.close();
