// Bench: POST /applies → awaiting_confirm (probes passed), and a failing probe → rolled_back, on the emulator backend.
import { createApp } from '../server/app.js';
import { loadConfig } from '../server/config.js';
import { openDb } from '../server/db/index.js';
import { savePolicy } from '../server/db/policies.js';
import { createToken } from '../server/auth/tokens.js';
import { checkPolicy } from '../server/policy/check.js';
import { compilePolicy } from '../server/compile/index.js';
import { EmulatorBackend } from '../server/kernel/emulator.js';
import type { Health, KernelBackend } from '../server/kernel/backend.js';
import { applyDefaults, createApplyEngine, systemApplyClock } from '../server/apply/index.js';

const ROUNDS = 9;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** A policy of realistic size: 40 rules, a 2,000-domain set, a few tests. */
function policy(name: string, marker: number) {
  const domains = Array.from({ length: 2000 }, (_, i) => `ads${i}.example${marker}.com`);
  return {
    name,
    hook: 'forward' as const,
    sets: { ads: { type: 'domain' as const, elements: domains } },
    rules: [
      { id: 'ads', action: 'drop' as const, match: { proto: 'udp' as const, dstPorts: [53], domains: '@ads' } },
      ...Array.from({ length: 39 }, (_, i) => ({ id: `p${i}`, action: 'drop' as const, match: { proto: 'tcp' as const, dstPorts: [10_000 + i + marker] } })),
    ],
    tests: [
      { name: 'web passes', packet: { src: '192.168.1.2', dst: '203.0.113.5', proto: 'tcp' as const, dstPort: 443 }, expect: 'accept' as const },
      { name: 'ads dns dropped', packet: { src: '192.168.1.2', dst: '203.0.113.53', proto: 'udp' as const, dstPort: 53, dns: { qname: `ads7.example${marker}.com`, qtype: 1 } }, expect: 'drop' as const },
    ],
  };
}

/** Health turns bad on demand: the failing probe. */
class SickableBackend extends EmulatorBackend implements KernelBackend {
  sick = false;
  override async health(name: string): Promise<Health> {
    return this.sick ? { ok: false, errors: ['injected hook error'] } : super.health(name);
  }
}

const config = loadConfig({ LUNAWALL_DATA_DIR: '/tmp/lunawall-bench-unused' });
const db = openDb(':memory:');
const backend = new SickableBackend();
const engine = createApplyEngine({
  db,
  backend,
  clock: systemApplyClock,
  config: { ...applyDefaults, probes: [{ kind: 'health', timeoutMs: 2000 }], probeIntervalMs: 100, managementPorts: [8080] },
  log: () => undefined,
});
const app = createApp({ db, backend, config, clock: systemApplyClock, engine });
const token = createToken(db, 'bench', ['read', 'write', 'apply'], Date.now()).token;
const post = (path: string, body: unknown) =>
  app.request(`/api/v1${path}`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });

// The engine's timers are unref'd (they must not hold a stopping service open); keep this process alive while it runs.
const keepAlive = setInterval(() => undefined, 1000);
const toAwaiting: number[] = [];
const toRolledBack: number[] = [];
const bareLoad: number[] = [];
const bare = new EmulatorBackend();
const profile = (await backend.info()).profile;

for (let round = 0; round < ROUNDS; round++) {
  const p = checkPolicy(policy('bench', round)).policy!;
  savePolicy(db, p, { author: 'bench', now: Date.now(), mode: 'upsert' });

  // Baseline: compile and load the same policy straight into a backend, no apply machinery.
  let t = performance.now();
  await bare.load('bench', compilePolicy(p, { profile }).script, { target: 'netfilter', hook: 'forward' });
  bareLoad.push(performance.now() - t);

  backend.sick = false;
  t = performance.now();
  const res = await post('/applies', { policies: ['bench'] });
  const { id, token: confirmToken } = (await res.json()) as { id: string; token: string };
  const v = await engine.waitFor(id, ['awaiting_confirm']);
  if (v.state !== 'awaiting_confirm') throw new Error(`bench apply ended ${v.state}: ${v.reason}`);
  toAwaiting.push(performance.now() - t);

  if (round % 2 === 0) {
    await post(`/applies/${id}/confirm`, { token: confirmToken });
    continue;
  }
  // The next probe round fails: from that round's failing result to rolled_back.
  const failedAt = new Promise<number>((resolve) => {
    const off = engine.subscribe(id, (e) => {
      if (e.type === 'probes' && e.results.some((r) => !r.ok)) {
        off();
        resolve(performance.now());
      }
    });
  });
  backend.sick = true;
  const done = await engine.waitFor(id, ['rolled_back']);
  if (done.state !== 'rolled_back') throw new Error(`expected rolled_back, got ${done.state}`);
  toRolledBack.push(performance.now() - (await failedAt));
}
clearInterval(keepAlive);
await engine.close();
await backend.close();
await bare.close();

const a = median(toAwaiting);
const r = median(toRolledBack);
const b = median(bareLoad);
const fmt = (ms: number) => (ms >= 100 ? ms.toFixed(0) : ms.toFixed(1));
console.log(
  `apply (emulator, 40 rules + 2,000 domains): POST /applies → awaiting_confirm with probes passed ${fmt(a)} ms (${(a / b).toFixed(1)}× a bare compile+load, ${fmt(b)} ms); ` +
    `failing probe → rolled_back ${fmt(r)} ms (LuCI undoes after 90 s: ${Math.round(90_000 / r)}× slower; OPNsense 60 s: ${Math.round(60_000 / r)}×); median of ${ROUNDS}`,
);
