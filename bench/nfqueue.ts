// Bench (root): round-trip time through the nfqueue backend's FORWARD hook with a compiled policy, vs plain forwarding.
import { compilePolicy } from '../server/compile/index.js';
import { NfqueueBackend } from '../server/kernel/nfqueue.js';
import { checkPolicy } from '../server/policy/check.js';
import { addr, createTopology, netnsUnavailable, type Topology } from '../test/net/topology.js';

const why = netnsUnavailable();
if (why) {
  console.log(`nfqueue bench skipped: ${why}`);
  process.exit(0);
}

/** A policy of realistic size: 40 port rules and a 2,000-domain set; pings match none of them. */
const input = {
  name: 'bench',
  hook: 'forward' as const,
  sets: { ads: { type: 'domain' as const, elements: Array.from({ length: 2000 }, (_, i) => `ads${i}.example.com`) } },
  rules: [
    { id: 'ads', action: 'drop' as const, match: { proto: 'udp' as const, dstPorts: [53], domains: '@ads' } },
    ...Array.from({ length: 39 }, (_, i) => ({ id: `p${i}`, action: 'drop' as const, match: { proto: 'tcp' as const, dstPorts: [10_000 + i] } })),
  ],
};

/** Mean RTT in ms of 400 pings LAN → WAN, 2 ms apart (each crosses the router's FORWARD hook twice). */
async function rtt(topo: Topology): Promise<number> {
  const r = await topo.exec('lan', ['ping', '-q', '-c', '400', '-i', '0.002', '-W', '2', addr.wan], { timeoutMs: 60_000 });
  const m = /= [\d.]+\/([\d.]+)\//.exec(r.stdout);
  if (!m || !/ 0% packet loss/.test(r.stdout)) throw new Error(`ping failed: ${r.stdout}${r.stderr}`);
  return Number(m[1]);
}

const topo = await createTopology();
const backend = new NfqueueBackend({ netns: topo.ns.router });
try {
  await rtt(topo);
  const plain = await rtt(topo);
  const policy = checkPolicy(input).policy!;
  const { script } = compilePolicy(policy, { profile: (await backend.info()).profile, ifindexes: await backend.ifindexes() });
  await backend.load('bench', script, { target: 'netfilter', hook: 'forward' });
  await rtt(topo);
  const queued = await rtt(topo);
  console.log(
    `nfqueue FORWARD hook: ping RTT ${queued.toFixed(3)} ms through a 40-rule compiled policy vs ${plain.toFixed(3)} ms plain forwarding (${(queued / plain).toFixed(1)}x)`,
  );
} finally {
  await backend.close();
  await topo.destroy();
}
