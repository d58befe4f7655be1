// Real-packet test rig: namespaces lan, router and wan joined by veth pairs, unique per test file.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { run, runChecked, type ExecOptions, type ExecResult } from '../../server/kernel/exec.js';

/**
 * lan (eth0 10.200.1.2/24, fd00:200:1::2/64) ── lan0 [router] wan0 ── (eth0 10.200.2.2/24, fd00:200:2::2/64) wan
 * The router has .1 / ::1 on both sides and forwards; lan and wan route everything through it.
 * Interface names are the same in every topology (they live inside the namespaces); only the
 * namespace names carry the suffix, so test files can run in parallel.
 */
export const addr = {
  lan: '10.200.1.2',
  routerLan: '10.200.1.1',
  routerWan: '10.200.2.1',
  wan: '10.200.2.2',
  lan6: 'fd00:200:1::2',
  routerLan6: 'fd00:200:1::1',
  routerWan6: 'fd00:200:2::1',
  wan6: 'fd00:200:2::2',
} as const;

/** Interface names: `lan`/`wan` are the hosts' own, `routerLan`/`routerWan` the router's. */
export const ifname = { lan: 'eth0', routerLan: 'lan0', routerWan: 'wan0', wan: 'eth0' } as const;

export type Side = 'lan' | 'router' | 'wan';

export interface Topology {
  suffix: string;
  /** Namespace names, for `ip netns exec` or a backend's `netns` option. */
  ns: Record<Side, string>;
  /** Runs a program inside a namespace and waits for it (argv array, no shell). */
  exec(side: Side, argv: string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Starts a long-running program inside a namespace; it is killed by destroy(). */
  spawn(side: Side, argv: string[]): ChildProcess;
  /** Kills what spawn() started and deletes the namespaces (their veths go with them). */
  destroy(): Promise<void>;
}

/** Why real-packet tests cannot run here, or undefined when they can. */
export function netnsUnavailable(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces and iptables)';
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  if (r.error || r.status !== 0) return `\`ip netns\` is unavailable: ${r.error?.message ?? r.stderr.trim()}`;
  return undefined;
}

export async function createTopology(suffix = randomBytes(3).toString('hex')): Promise<Topology> {
  const ns: Record<Side, string> = { lan: `lw-lan-${suffix}`, router: `lw-router-${suffix}`, wan: `lw-wan-${suffix}` };
  const children = new Set<ChildProcess>();
  const topo: Topology = {
    suffix,
    ns,
    exec: (side, argv, opts) => run(['ip', 'netns', 'exec', ns[side], ...argv], opts),
    spawn(side, argv) {
      const child = spawn('ip', ['netns', 'exec', ns[side], ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
      children.add(child);
      child.once('exit', () => children.delete(child));
      return child;
    },
    async destroy() {
      process.off('exit', lastResort);
      await Promise.all([...children].map(stopChild));
      for (const n of Object.values(ns)) await run(['ip', 'netns', 'del', n]);
    },
  };
  // If the test process dies without afterAll, the namespaces still go.
  const lastResort = () => {
    for (const c of children) c.kill('SIGKILL');
    for (const n of Object.values(ns)) spawnSync('ip', ['netns', 'del', n]);
  };
  process.on('exit', lastResort);
  try {
    await build(ns);
  } catch (err) {
    await topo.destroy();
    throw err;
  }
  return topo;
}

async function build(ns: Record<Side, string>): Promise<void> {
  const ip = (n: string, ...args: string[]) => runChecked(['ip', '-n', n, ...args]);
  const sysctl = (n: string, key: string) => runChecked(['ip', 'netns', 'exec', n, 'sysctl', '-q', '-w', `${key}=0`]);
  for (const n of Object.values(ns)) await runChecked(['ip', 'netns', 'add', n]);
  await ip(ns.lan, 'link', 'add', ifname.lan, 'type', 'veth', 'peer', 'name', ifname.routerLan, 'netns', ns.router);
  await ip(ns.wan, 'link', 'add', ifname.wan, 'type', 'veth', 'peer', 'name', ifname.routerWan, 'netns', ns.router);
  // No duplicate address detection: while link-local addresses are tentative, neighbour discovery
  // waits, and the first IPv6 packet of a test would take two seconds.
  for (const [n, dev] of [[ns.lan, ifname.lan], [ns.router, ifname.routerLan], [ns.router, ifname.routerWan], [ns.wan, ifname.wan]]) {
    await sysctl(n, `net.ipv6.conf.${dev}.accept_dad`);
  }
  const plan: [string, string, string, string][] = [
    [ns.lan, ifname.lan, `${addr.lan}/24`, `${addr.lan6}/64`],
    [ns.router, ifname.routerLan, `${addr.routerLan}/24`, `${addr.routerLan6}/64`],
    [ns.router, ifname.routerWan, `${addr.routerWan}/24`, `${addr.routerWan6}/64`],
    [ns.wan, ifname.wan, `${addr.wan}/24`, `${addr.wan6}/64`],
  ];
  for (const [n, dev, v4, v6] of plan) {
    await ip(n, 'addr', 'add', v4, 'dev', dev);
    // nodad: the address is usable at once instead of after duplicate address detection.
    await ip(n, 'addr', 'add', v6, 'dev', dev, 'nodad');
    await ip(n, 'link', 'set', dev, 'up');
  }
  for (const n of Object.values(ns)) await ip(n, 'link', 'set', 'lo', 'up');
  await ip(ns.lan, 'route', 'add', 'default', 'via', addr.routerLan);
  await ip(ns.wan, 'route', 'add', 'default', 'via', addr.routerWan);
  await ip(ns.lan, '-6', 'route', 'add', 'default', 'via', addr.routerLan6);
  await ip(ns.wan, '-6', 'route', 'add', 'default', 'via', addr.routerWan6);
  await runChecked(['ip', 'netns', 'exec', ns.router, 'sysctl', '-q', '-w', 'net.ipv4.ip_forward=1']);
  await runChecked(['ip', 'netns', 'exec', ns.router, 'sysctl', '-q', '-w', 'net.ipv6.conf.all.forwarding=1']);
  // Neighbour discovery loses its first solicitation on fresh veths (one retransmit, a second late):
  // resolve every neighbour now, so a test's first packet is not slower than its later ones.
  await Promise.all(
    [addr.wan, addr.wan6].map((dst) => runChecked(['ip', 'netns', 'exec', ns.lan, 'ping', '-c', '1', '-W', '5', dst])),
  );
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((r) => child.once('exit', () => r()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
  await exited;
  clearTimeout(timer);
}

/** Resolves once `text` appears on the child's stdout or stderr (a server saying it listens). */
export function waitForOutput(child: ChildProcess, text: string | RegExp, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(text)}; output: ${seen.slice(-500)}`)), timeoutMs);
    const on = (d: Buffer) => {
      seen += d.toString();
      if (typeof text === 'string' ? seen.includes(text) : text.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', on);
    child.stderr?.on('data', on);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`exited (${code}) before printing ${String(text)}: ${seen.slice(-500)}`));
    });
  });
}

/** Polls a TCP port inside a namespace until something listens (servers that print nothing). */
export async function waitForPort(topo: Topology, side: Side, host: string, port: number, timeoutMs = 10_000): Promise<void> {
  const start = Date.now();
  for (;;) {
    const r = await topo.exec(side, ['nc', '-z', '-w', '1', host, String(port)]);
    if (r.code === 0) return;
    if (Date.now() - start > timeoutMs) throw new Error(`nothing listens on ${host}:${port} in ${side}`);
    await new Promise((res) => setTimeout(res, 100));
  }
}
