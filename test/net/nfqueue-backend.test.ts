// The nfqueue backend's own behaviour on real packets: several runtimes per hook, XDP emulation, cleanup.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NfqueueBackend } from '../../server/kernel/nfqueue.js';
import { clients, type Expect } from './clients.js';
import { addr, createTopology, ifname, netnsUnavailable, waitForPort, type Topology } from './topology.js';

const why = netnsUnavailable();
if (why && process.env.CI) throw new Error(`real-packet tests must run in CI: ${why}`);

/** A lunatik-4 FORWARD hook dropping IPv4 TCP to one destination port. */
const dropPort = (port: number) => `
local netfilter = require("netfilter")
local nf = require("linux.nf")
local byteorder = require("byteorder")
local function hook(skb)
  local d = skb:data("net")
  if #d < 24 or (d:getuint8(0) >> 4) ~= 4 or d:getuint8(9) ~= 6 then return nf.action.ACCEPT end
  local ihl = (d:getuint8(0) & 15) * 4
  if #d < ihl + 4 then return nf.action.ACCEPT end
  if byteorder.ntoh16(d:getuint16(ihl + 2)) == ${port} then return nf.action.DROP end
  return nf.action.ACCEPT
end
netfilter.register{ hook = hook, pf = nf.proto.INET, hooknum = nf.inet.FORWARD, priority = nf.ip.pri.FILTER }
`;

/** An XDP callback dropping ICMP echo requests arriving on the interface with this ifindex. */
const xdpDropPing = (ifindex: number) => `
local xdp = require("xdp")
local action = require("linux.xdp")
xdp.attach(function(buf, arg)
  if #buf < 35 or #arg < 4 then return action.PASS end
  local ifindex = arg:getuint32(0)
  if ifindex == ${ifindex} and buf:getuint8(12) == 8 and buf:getuint8(13) == 0 and buf:getuint8(23) == 1 and buf:getuint8(34) == 8 then
    return action.DROP
  end
  return action.PASS
end)
`;

describe.skipIf(why)(`nfqueue backend on real packets${why ? ` (skipped: ${why})` : ''}`, () => {
  let topo: Topology;
  let backend: NfqueueBackend;

  beforeAll(async () => {
    topo = await createTopology();
    backend = new NfqueueBackend({ netns: topo.ns.router });
    topo.spawn('wan', ['nc', '-lk', '22']);
    topo.spawn('wan', ['nc', '-lk', '80']);
    await waitForPort(topo, 'router', addr.wan, 22);
    await waitForPort(topo, 'router', addr.wan, 80);
  });
  afterAll(async () => {
    await backend?.close();
    await topo?.destroy();
  });

  const tcp = (port: number, e: Expect) => clients(topo).tcp(addr.wan, port, e);
  const ping = (e: Expect) => clients(topo).ping(addr.wan, e);
  const rules = async () =>
    (await topo.exec('router', ['iptables', '-t', 'mangle', '-S'])).stdout + (await topo.exec('router', ['iptables', '-t', 'raw', '-S'])).stdout;

  it('clears a stale chain a crashed process left behind (one that would blackhole the hook)', async () => {
    const ipt = (...a: string[]) => topo.exec('router', ['iptables', '-w', '-t', 'mangle', ...a]);
    await ipt('-N', 'LUNAWALL-FORWARD');
    await ipt('-A', 'LUNAWALL-FORWARD', '-j', 'NFQUEUE', '--queue-num', '4999');
    await ipt('-I', 'FORWARD', '1', '-j', 'LUNAWALL-FORWARD');
    expect((await tcp(80, 'drop')).code).not.toBe(0);
    await backend.load('p22', dropPort(22), { target: 'netfilter', hook: 'forward' });
    expect((await tcp(80, 'pass')).code).toBe(0);
    expect(await rules()).not.toContain('4999');
  });

  it('runs every runtime on a hook: either one dropping drops', async () => {
    await backend.load('p80', dropPort(80), { target: 'netfilter', hook: 'forward' });
    expect((await tcp(22, 'drop')).code).not.toBe(0);
    expect((await tcp(80, 'drop')).code).not.toBe(0);
    await backend.unload('p22');
    expect((await tcp(22, 'pass')).code).toBe(0);
    expect((await tcp(80, 'drop')).code).not.toBe(0);
    await backend.unload('p80');
    expect((await tcp(80, 'pass')).code).toBe(0);
    expect(await rules()).not.toContain('LUNAWALL');
  });

  it('emulates an XDP policy on its interface, handing the ingress ifindex to the callback', async () => {
    const lan0 = (await backend.ifindexes())[ifname.routerLan];
    expect((await ping('pass')).code).toBe(0);
    await backend.load('xping', xdpDropPing(lan0), { target: 'xdp', interfaces: [ifname.routerLan] });
    expect(await rules()).toMatch(/-A LUNAWALL-XDP -i lan0 -j NFQUEUE/);
    expect((await ping('drop')).code).not.toBe(0);
    // From the WAN side the frames arrive on wan0: not this policy's interface.
    expect((await clients(topo, 'wan').ping(addr.lan, 'pass')).code).toBe(0);
    expect(await backend.health('xping')).toEqual({ ok: true, errors: [] });
  });

  it('reports a reader that died in the health of the runtimes on its hook', async () => {
    await backend.load('p22', dropPort(22), { target: 'netfilter', hook: 'forward' });
    expect(await backend.health('p22')).toEqual({ ok: true, errors: [] });
    // The forward hook's reader: the nfq-helper in this test's router namespace bound to queue 4202.
    const pids = (await topo.exec('router', ['ip', 'netns', 'pids', topo.ns.router])).stdout.trim().split('\n');
    const helpers = [];
    for (const pid of pids) {
      const argv = (await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')).split('\0');
      if (argv[0]?.includes('nfq-helper') && argv[1] === '4202') helpers.push(Number(pid));
    }
    expect(helpers).toHaveLength(1);
    process.kill(helpers[0], 'SIGKILL');
    await new Promise((r) => setTimeout(r, 200));
    const h = await backend.health('p22');
    expect(h.ok).toBe(false);
    expect(h.errors.join('\n')).toMatch(/nfq-helper for queue 4202 exited \(SIGKILL\)/);
    // Without a reader the bypass lets port 22 through; the next load brings a new reader.
    expect((await tcp(22, 'pass')).code).toBe(0);
    await backend.load('p80', dropPort(80), { target: 'netfilter', hook: 'forward' });
    expect(await backend.health('p22')).toEqual({ ok: true, errors: [] });
    expect((await tcp(22, 'drop')).code).not.toBe(0);
    await backend.unload('p80');
    await backend.unload('p22');
  });

  it('close() removes every rule and reader', async () => {
    await backend.load('p22', dropPort(22), { target: 'netfilter', hook: 'forward' });
    await backend.close();
    expect(await rules()).not.toContain('LUNAWALL');
    expect((await tcp(22, 'pass')).code).toBe(0);
    expect((await ping('pass')).code).toBe(0);
  });

  it('works the same with iptables-legacy', async () => {
    const legacy = new NfqueueBackend({ netns: topo.ns.router, iptables: 'iptables-legacy' });
    try {
      await legacy.load('p22', dropPort(22), { target: 'netfilter', hook: 'forward' });
      const listed = (await topo.exec('router', ['iptables-legacy', '-t', 'mangle', '-S'])).stdout;
      expect(listed).toContain('-A LUNAWALL-FORWARD -j NFQUEUE --queue-num 4202 --queue-bypass');
      expect((await topo.exec('router', ['ip6tables-legacy', '-t', 'mangle', '-S'])).stdout).toContain('LUNAWALL-FORWARD');
      expect((await tcp(22, 'drop')).code).not.toBe(0);
      expect((await tcp(80, 'pass')).code).toBe(0);
    } finally {
      await legacy.close();
    }
    expect((await topo.exec('router', ['iptables-legacy', '-t', 'mangle', '-S'])).stdout).not.toContain('LUNAWALL');
    expect((await tcp(22, 'pass')).code).toBe(0);
  });
});
