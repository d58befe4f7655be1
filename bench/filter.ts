// Per-packet cost of compiled policies in the emulator and Debian lua5.4: ratio to an ACCEPT-only hook and to a linear if-chain.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { compilePolicy } from '../server/compile/index.js';
import { createEmulator, type Emulator } from '../server/emulator/index.js';
import { buildFrame, buildPacket } from '../server/packet/index.js';
import { benchCases } from './cases.js';
import { emptyScript, linearScript } from './linear.js';

const shim = new URL('./lua/nf-shim.lua', import.meta.url).pathname;
const hasLua = spawnSync('lua5.4', ['-v']).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'lunawall-bench-'));

/**
 * The kernel's data reads and byte swaps are C functions; kdata.c gives the harness the same, so a
 * header read costs what it costs in Lunatik rather than several Lua calls. Needs liblua5.4-dev.
 */
function buildKdata(): string | undefined {
  const out = join(dir, 'kdata.so');
  const src = new URL('./lua/kdata.c', import.meta.url).pathname;
  const r = spawnSync('cc', ['-O2', '-shared', '-fPIC', '-I/usr/include/lua5.4', '-o', out, src], { encoding: 'utf8' });
  if (r.status === 0) return out;
  console.log(`filter: kdata.c did not build (install liblua5.4-dev); lua5.4 reads are Lua functions: ${(r.stderr ?? r.error?.message ?? '').split('\n')[0]}`);
  return undefined;
}
const kdata = hasLua ? buildKdata() : undefined;

/** Best of several timed passes over all frames, in ns per packet. */
function timeEmulator(emu: Emulator, name: string, frames: Uint8Array[], hook: 'input' | 'forward' | 'output', passes = 7, rounds = 30): number {
  for (const frame of frames) emu.run(name, { frame, hook });
  let best = Infinity;
  for (let p = 0; p < passes; p++) {
    const t = performance.now();
    for (let r = 0; r < rounds; r++) for (const frame of frames) emu.run(name, { frame, hook });
    best = Math.min(best, ((performance.now() - t) * 1e6) / (rounds * frames.length));
  }
  return best;
}

function timeLua(script: string, packets: Uint8Array[], label: string, rounds = 2000): number {
  const s = join(dir, `${label}.lua`);
  const p = join(dir, `${label}.hex`);
  writeFileSync(s, script);
  writeFileSync(p, packets.map((b) => Buffer.from(b).toString('hex')).join('\n') + '\n');
  let best = Infinity;
  for (let i = 0; i < 3; i++) {
    const r = spawnSync('lua5.4', [shim, s, p, String(rounds), ...(kdata ? [kdata] : [])], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`lua5.4 ${label}: ${r.stderr}`);
    best = Math.min(best, Number(r.stdout.trim()));
  }
  return best;
}

const fmt = (ns: number): string => (ns >= 1000 ? `${(ns / 1000).toFixed(2)} µs` : `${ns.toFixed(0)} ns`);

// The linear baseline walks 100k set elements per packet: far past the default per-call budget.
const emu = await createEmulator({ callBudget: 100_000_000 });
try {
  await emu.load('floor', emptyScript(), { profile: 'lunatik-4', target: 'netfilter' });
  for (const c of benchCases()) {
    const { script } = compilePolicy(c.policy, { profile: 'lunatik-4' });
    const linear = linearScript(c.policy);
    await emu.load('compiled', script, { profile: 'lunatik-4', target: 'netfilter' });
    await emu.load('linear', linear, { profile: 'lunatik-4', target: 'netfilter' });
    const frames = c.packets.map((p) => buildFrame(p));
    const hook = c.policy.hook as 'input' | 'forward' | 'output';
    // The baseline must decide like the compiled script, or the comparison means nothing.
    for (const frame of frames) {
      const a = emu.run('compiled', { frame, hook });
      const b = emu.run('linear', { frame, hook: 'input' });
      if (a.verdict !== b.verdict || a.error || b.error) throw new Error(`${c.name}: compiled ${a.verdict} ${a.error ?? ''} vs linear ${b.verdict} ${b.error ?? ''}`);
    }
    const floor = timeEmulator(emu, 'floor', frames, 'input');
    const compiled = timeEmulator(emu, 'compiled', frames, hook);
    // A linear scan of 100k elements costs milliseconds per packet: a few packets, once, are enough.
    const big = c.elements > 10_000;
    const naive = timeEmulator(emu, 'linear', big ? frames.slice(0, 8) : frames, 'input', big ? 1 : 3, big ? 1 : 10);
    let line = `filter ${c.name}: emulator ${fmt(compiled)}/pkt = ${(compiled / floor).toFixed(2)}× empty hook, ${(naive / compiled).toFixed(1)}× faster than linear`;
    if (hasLua) {
      const packets = c.packets.map((p) => buildPacket(p));
      const lf = timeLua(emptyScript(), packets, 'floor');
      const lc = timeLua(script, packets, `compiled-${c.elements}`);
      const ll = timeLua(linear, packets, `linear-${c.elements}`, c.elements > 10_000 ? 2 : 200);
      // The baseline's header reads with no rule after them: a script that needs those fields cannot beat
      // linear by more than linear / reads, however it matches.
      const lp = timeLua(linearScript({ ...c.policy, rules: [] }), packets, `reads-${c.elements}`);
      line += `; lua5.4${kdata ? ' (C reads)' : ''} ${fmt(lc)}/pkt = ${(lc / lf).toFixed(1)}× empty hook, ${(ll / lc).toFixed(1)}× faster than linear`;
      line += ` (the baseline's header reads alone, no rules: ${fmt(lp)}, linear = ${(ll / lp).toFixed(1)}× that)`;
    }
    console.log(line);
  }
} finally {
  emu.close();
  rmSync(dir, { recursive: true, force: true });
}
