// The NFQUEUE plumbing on real packets: topology, iptables rules, nfq-helper and its verdicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureNfqHelper } from '../../server/kernel/nfqueue/build.js';
import { QueueRules } from '../../server/kernel/nfqueue/iptables.js';
import { QueueReader, type QueuedPacket } from '../../server/kernel/nfqueue/reader.js';
import { clients, type Expect } from './clients.js';
import { addr, createTopology, ifname, netnsUnavailable, waitForPort, type Topology } from './topology.js';

const why = netnsUnavailable();
if (why && process.env.CI) throw new Error(`real-packet tests must run in CI: ${why}`);

describe.skipIf(why)(`NFQUEUE reader in a router namespace${why ? ` (skipped: ${why})` : ''}`, () => {
  let topo: Topology;
  let rules: QueueRules;
  let reader: QueueReader | undefined;
  const seen: QueuedPacket[] = [];

  beforeAll(async () => {
    topo = await createTopology();
    rules = new QueueRules({ netns: topo.ns.router });
    topo.spawn('wan', ['nc', '-lk', '22']);
    topo.spawn('wan', ['nc', '-lk', '80']);
    await waitForPort(topo, 'router', addr.wan, 22);
    await waitForPort(topo, 'router', addr.wan, 80);
  });
  afterAll(async () => {
    await rules?.removeAll();
    await reader?.close();
    await topo?.destroy();
  });

  const connect = (port: number, e: Expect) => clients(topo).tcp(addr.wan, port, e);

  it('forwards LAN→WAN before any rule exists', async () => {
    expect((await connect(22, 'pass')).code).toBe(0);
    expect((await clients(topo).ping(addr.wan6, 'pass')).code).toBe(0);
  });

  it('drops what the reader says to drop and passes the rest, with ifindexes from the queue', async () => {
    reader = new QueueReader({
      helper: await ensureNfqHelper(),
      queue: 77,
      netns: topo.ns.router,
      onPacket: (p) => {
        seen.push(p);
        const v4 = p.payload[0] >> 4 === 4;
        const ihl = (p.payload[0] & 15) * 4;
        const tcp = v4 && p.payload[9] === 6;
        const dport = tcp ? (p.payload[ihl + 2] << 8) | p.payload[ihl + 3] : 0;
        return dport === 22 ? 'drop' : 'accept';
      },
    });
    await reader.start();
    await rules.install('forward', 77);
    expect((await connect(22, 'drop')).code).not.toBe(0);
    expect((await connect(80, 'pass')).code).toBe(0);
    const ifindexes = JSON.parse((await topo.exec('router', ['ip', '-j', 'link', 'show'])).stdout) as { ifname: string; ifindex: number }[];
    const lan0 = ifindexes.find((l) => l.ifname === ifname.routerLan)!.ifindex;
    const wan0 = ifindexes.find((l) => l.ifname === ifname.routerWan)!.ifindex;
    const syn = seen.find((p) => p.payload[0] >> 4 === 4 && p.indev === lan0);
    expect(syn).toBeDefined();
    expect(syn!.outdev).toBe(wan0);
    expect(syn!.hwProtocol).toBe(0x0800);
    expect(syn!.srcMac).toHaveLength(6);
  });

  it('removing the rules restores forwarding', async () => {
    await rules.remove('forward');
    expect((await connect(22, 'pass')).code).toBe(0);
    const listed = await topo.exec('router', ['iptables', '-t', 'mangle', '-S']);
    expect(listed.stdout).not.toContain('LUNAWALL');
  });

  it('with --queue-bypass, packets pass while no reader is bound', async () => {
    await reader!.close();
    reader = undefined;
    await rules.install('forward', 77);
    expect((await connect(22, 'pass')).code).toBe(0);
    await rules.remove('forward');
  });
});
