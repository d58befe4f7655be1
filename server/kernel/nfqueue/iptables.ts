// The iptables side of the nfqueue backend: one chain per hook that sends packets to that hook's queue.
import { run, runChecked } from '../exec.js';

export type QueueHook = 'prerouting' | 'input' | 'forward' | 'output' | 'postrouting' | 'xdp';

export interface IptablesOptions {
  /** iptables binary (iptables, iptables-legacy, iptables-nft); IPv6 uses the matching ip6tables. */
  iptables?: string;
  ip6tables?: string;
  /** Runs every command inside this network namespace. */
  netns?: string;
  ipBin?: string;
}

/**
 * Netfilter hooks go to the mangle table: it is the one table with all five chains. XDP policies
 * are emulated at the earliest point a packet is seen, raw PREROUTING, for their interfaces only.
 */
const place: Record<QueueHook, { table: string; builtin: string; chain: string }> = {
  prerouting: { table: 'mangle', builtin: 'PREROUTING', chain: 'LUNAWALL-PREROUTING' },
  input: { table: 'mangle', builtin: 'INPUT', chain: 'LUNAWALL-INPUT' },
  forward: { table: 'mangle', builtin: 'FORWARD', chain: 'LUNAWALL-FORWARD' },
  output: { table: 'mangle', builtin: 'OUTPUT', chain: 'LUNAWALL-OUTPUT' },
  postrouting: { table: 'mangle', builtin: 'POSTROUTING', chain: 'LUNAWALL-POSTROUTING' },
  xdp: { table: 'raw', builtin: 'PREROUTING', chain: 'LUNAWALL-XDP' },
};

export const queueHooks = Object.keys(place) as QueueHook[];

export class QueueRules {
  constructor(private readonly opts: IptablesOptions = {}) {}

  /**
   * Sends the hook's packets (XDP: those arriving on `interfaces`) to `queue`, replacing the
   * hook's rules. On failure nothing of the hook's rules is left.
   */
  async install(hook: QueueHook, queue: number, interfaces: string[] = []): Promise<void> {
    await this.remove(hook);
    const { table, builtin, chain } = place[hook];
    try {
      for (const bin of this.bins()) {
        await this.check(bin, ['-t', table, '-N', chain]);
        if (hook === 'xdp') {
          for (const iface of interfaces) await this.check(bin, ['-t', table, '-A', chain, ...this.xdpRule(iface, queue)]);
        } else {
          await this.check(bin, ['-t', table, '-A', chain, ...queueTarget(queue)]);
        }
        await this.check(bin, ['-t', table, '-I', builtin, '1', '-j', chain]);
      }
    } catch (err) {
      // Half an install (IPv4 without IPv6, a chain without its jump) is worse than none: undo it.
      await this.remove(hook);
      throw err;
    }
  }

  /**
   * Adds XDP interfaces to an installed XDP chain, leaving the rules already there alone. On
   * failure the ones this call added are removed again and the chain is as it was.
   */
  async addInterfaces(queue: number, interfaces: string[]): Promise<void> {
    const added: [string, string][] = [];
    try {
      for (const bin of this.bins()) {
        for (const iface of interfaces) {
          await this.check(bin, ['-t', place.xdp.table, '-A', place.xdp.chain, ...this.xdpRule(iface, queue)]);
          added.push([bin, iface]);
        }
      }
    } catch (err) {
      for (const [bin, iface] of added) await run(this.argv(bin, ['-t', place.xdp.table, '-D', place.xdp.chain, ...this.xdpRule(iface, queue)]));
      throw err;
    }
  }

  /** Removes XDP interfaces from the XDP chain; absent rules are fine. */
  async removeInterfaces(queue: number, interfaces: string[]): Promise<void> {
    for (const bin of this.bins()) {
      for (const iface of interfaces) await run(this.argv(bin, ['-t', place.xdp.table, '-D', place.xdp.chain, ...this.xdpRule(iface, queue)]));
    }
  }

  /** Removes the hook's chain and the jump to it; absent pieces are fine (start-up cleanup). */
  async remove(hook: QueueHook): Promise<void> {
    const { table, builtin, chain } = place[hook];
    for (const bin of this.bins()) {
      // More than one jump can exist after a crash between insert and bookkeeping.
      for (let i = 0; i < 8; i++) {
        const r = await run(this.argv(bin, ['-t', table, '-D', builtin, '-j', chain]));
        if (r.code !== 0) break;
      }
      await run(this.argv(bin, ['-t', table, '-F', chain]));
      await run(this.argv(bin, ['-t', table, '-X', chain]));
    }
  }

  async removeAll(): Promise<void> {
    for (const hook of queueHooks) await this.remove(hook);
  }

  private xdpRule(iface: string, queue: number): string[] {
    return ['-i', iface, ...queueTarget(queue)];
  }

  private bins(): string[] {
    const v4 = this.opts.iptables ?? 'iptables';
    return [v4, this.opts.ip6tables ?? v4.replace(/iptables/, 'ip6tables')];
  }

  private argv(bin: string, args: string[]): string[] {
    // -w: wait for the xtables lock instead of failing when another iptables runs.
    const cmd = [bin, '-w', ...args];
    return this.opts.netns ? [this.opts.ipBin ?? 'ip', 'netns', 'exec', this.opts.netns, ...cmd] : cmd;
  }

  private async check(bin: string, args: string[]): Promise<void> {
    await runChecked(this.argv(bin, args), { timeoutMs: 15_000 });
  }
}

/** `--queue-bypass` lets packets pass while no reader is bound, so a crashed reader never blackholes the box. */
function queueTarget(queue: number): string[] {
  return ['-j', 'NFQUEUE', '--queue-num', String(queue), '--queue-bypass'];
}
