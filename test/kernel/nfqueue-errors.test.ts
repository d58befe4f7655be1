// The nfqueue backend when iptables fails half-way: no rules left behind, and runtimes already loaded keep filtering (root only; always in CI).
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LoadError } from '../../server/kernel/backend.js';
import { NfqueueBackend } from '../../server/kernel/nfqueue.js';
import { ensureNfqHelper } from '../../server/kernel/nfqueue/build.js';
import { clients } from '../net/clients.js';
import { addr, createTopology, ifname, netnsUnavailable, type Topology } from '../net/topology.js';
import { hookScript } from './contract.case.js';

const why = netnsUnavailable();
if (why && process.env.CI) throw new Error(`the nfqueue error tests must run in CI: ${why}`);

/** An XDP callback dropping ICMP echo requests (lunatik-4 API). */
const xdpDropPing = `
local xdp = require("xdp")
local action = require("linux.xdp")
xdp.attach(function(buf, arg)
  if #buf < 35 then return action.PASS end
  if buf:getuint8(12) == 8 and buf:getuint8(13) == 0 and buf:getuint8(23) == 1 and buf:getuint8(34) == 8 then return action.DROP end
  return action.PASS
end)
`;

describe.skipIf(why)(`nfqueue backend: iptables failing half-way${why ? ` (skipped: ${why})` : ''}`, () => {
  let topo: Topology;
  let dir: string;
  /** A stand-in for `bin` that fails whenever an argument equals `refuse`. */
  const wrapper = async (bin: string, refuse: string) => {
    const path = join(dir, `${bin}-refusing-${refuse}`);
    await writeFile(path, `#!/bin/sh\nfor a in "$@"; do [ "$a" = "${refuse}" ] && { echo "refused ${refuse}" >&2; exit 1; }; done\nexec ${bin} "$@"\n`);
    await chmod(path, 0o755);
    return path;
  };
  const rules = async () => {
    let out = '';
    for (const bin of ['iptables', 'ip6tables']) for (const t of ['mangle', 'raw']) out += (await topo.exec('router', [bin, '-t', t, '-S'])).stdout;
    return out;
  };

  beforeAll(async () => {
    topo = await createTopology();
    dir = await mkdtemp(join(tmpdir(), 'lunawall-ipt-'));
  });
  afterAll(async () => {
    await topo?.destroy();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('a hook whose ip6tables rules cannot be added leaves no iptables rules behind', async () => {
    const backend = new NfqueueBackend({ netns: topo.ns.router, iptables: 'iptables', ip6tables: await wrapper('ip6tables', 'LUNAWALL-OUTPUT') });
    try {
      await expect(backend.load('out', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter', hook: 'output' })).rejects.toBeInstanceOf(LoadError);
      expect(await backend.list()).toEqual([]);
      expect(await rules()).not.toContain('LUNAWALL');
    } finally {
      await backend.close();
    }
  });

  it('an XDP load whose interface cannot be added leaves the XDP policy already loaded filtering', async () => {
    const backend = new NfqueueBackend({ netns: topo.ns.router, iptables: await wrapper('iptables', 'bad0'), ip6tables: await wrapper('ip6tables', 'bad0') });
    const ping = (e: 'pass' | 'drop') => clients(topo).ping(addr.wan, e);
    try {
      await backend.load('xa', xdpDropPing, { target: 'xdp', interfaces: [ifname.routerLan] });
      expect((await ping('drop')).code).not.toBe(0);
      await expect(backend.load('xb', xdpDropPing, { target: 'xdp', interfaces: ['bad0'] })).rejects.toBeInstanceOf(LoadError);
      expect(await backend.list()).toEqual(['xa']);
      expect(await rules()).toMatch(/-A PREROUTING -j LUNAWALL-XDP[\s\S]*-A LUNAWALL-XDP -i lan0 -j NFQUEUE/);
      expect((await ping('drop')).code).not.toBe(0);
    } finally {
      await backend.close();
    }
    expect(await rules()).not.toContain('LUNAWALL');
    expect((await ping('pass')).code).toBe(0);
  });

  it('an unload whose clean-up cannot replace another hook\'s dead reader succeeds; the reader problem shows in that runtime\'s health', async () => {
    const real = await ensureNfqHelper();
    const flag = join(dir, 'refuse-helper');
    // Records its pid per queue (ip netns exec and exec keep it), and refuses to start while the flag exists.
    const helper = join(dir, 'helper-wrapper');
    await writeFile(helper, `#!/bin/sh\n[ -e '${flag}' ] && { echo "refused queue $1" >&2; exit 1; }\necho $$ > "${dir}/pid-$1"\nexec '${real}' "$@"\n`);
    await chmod(helper, 0o755);
    const backend = new NfqueueBackend({ netns: topo.ns.router, helper, queueBase: 4300 });
    try {
      await backend.load('out', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter', hook: 'output' });
      await backend.load('in', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter', hook: 'input' });
      // The output reader (queue 4300 + 3) dies; replacing it will fail.
      process.kill(Number((await readFile(join(dir, 'pid-4303'), 'utf8')).trim()), 'SIGKILL');
      await expect.poll(async () => (await backend.health('out')).errors.join('\n'), { timeout: 5_000 }).toContain('exited');
      await writeFile(flag, '');
      await backend.unload('in');
      expect(await backend.list()).toEqual(['out']);
      const health = await backend.health('out');
      expect(health.ok).toBe(false);
      expect(health.errors.join('\n')).toMatch(/replacing the dead reader failed: .*refused queue 4303/);
      expect(await rules()).not.toContain('LUNAWALL-INPUT');
    } finally {
      await rm(flag, { force: true });
      await backend.close();
    }
    expect(await rules()).not.toContain('LUNAWALL');
  });

  it('replacing an XDP policy with one whose interface cannot be added keeps the previous version filtering', async () => {
    const backend = new NfqueueBackend({ netns: topo.ns.router, iptables: await wrapper('iptables', 'bad0'), ip6tables: await wrapper('ip6tables', 'bad0') });
    const ping = (e: 'pass' | 'drop') => clients(topo).ping(addr.wan, e);
    try {
      await backend.load('xr', xdpDropPing, { target: 'xdp', interfaces: [ifname.routerLan] });
      await expect(backend.load('xr', xdpDropPing.replace('action.DROP', 'action.PASS'), { target: 'xdp', interfaces: ['bad0'] })).rejects.toBeInstanceOf(LoadError);
      expect(await backend.list()).toEqual(['xr']);
      expect(await rules()).toMatch(/-A LUNAWALL-XDP -i lan0 -j NFQUEUE/);
      expect((await ping('drop')).code).not.toBe(0);
    } finally {
      await backend.close();
    }
    expect(await rules()).not.toContain('LUNAWALL');
  });
});
