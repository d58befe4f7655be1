// Compile time per case (10 rules, 1,000 rules, 100k CIDRs, 100k domains), each against JSON.stringify of the same policy.
import { performance } from 'node:perf_hooks';
import { compilePolicy } from '../server/compile/index.js';
import { benchCases } from './cases.js';

function best(fn: () => void, runs: number): number {
  let min = Infinity;
  for (let i = 0; i < runs; i++) {
    const t = performance.now();
    fn();
    min = Math.min(min, performance.now() - t);
  }
  return min;
}

for (const c of benchCases()) {
  const runs = c.elements > 10_000 ? 3 : 20;
  let size = 0;
  const compileMs = best(() => {
    const { script, diagnostics } = compilePolicy(c.policy, { profile: 'lunatik-4' });
    if (!script) throw new Error(JSON.stringify(diagnostics.slice(0, 3)));
    size = script.length;
  }, runs);
  const jsonMs = best(() => JSON.stringify(c.policy), runs);
  console.log(`render ${c.name}: ${compileMs.toFixed(1)} ms (${(size / 1024).toFixed(0)} KiB of Lua), ${(compileMs / jsonMs).toFixed(0)}× JSON.stringify of the policy (${jsonMs.toFixed(2)} ms)`);
}
