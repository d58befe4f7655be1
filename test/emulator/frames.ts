// Hand-made frames for the emulator tests: explicit bytes, so the tests do not depend on the packet toolkit.

/** An Ethernet frame carrying a 20-byte IPv4 header (protocol `proto`) and `payload`. */
export function ipv4Frame(opts: { proto?: number; payload?: number[]; vlan?: number[]; pad?: number } = {}): Uint8Array {
  const payload = opts.payload ?? [];
  const total = 20 + payload.length;
  const tags = (opts.vlan ?? []).flatMap((id, i, all) => [all.length === 2 && i === 0 ? 0x88 : 0x81, all.length === 2 && i === 0 ? 0xa8 : 0x00, id >> 8, id & 0xff]);
  const ip = [0x45, 0, total >> 8, total & 0xff, 0, 1, 0, 0, 64, opts.proto ?? 6, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2];
  const bytes = [2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, ...tags, 0x08, 0x00, ...ip, ...payload, ...new Array(opts.pad ?? 0).fill(0)];
  return Uint8Array.from(bytes);
}

/** An Ethernet frame carrying a 40-byte IPv6 header (next header `proto`) and `payload`. */
export function ipv6Frame(opts: { proto?: number; payload?: number[] } = {}): Uint8Array {
  const payload = opts.payload ?? [];
  const ip = [0x60, 0, 0, 0, payload.length >> 8, payload.length & 0xff, opts.proto ?? 17, 64, ...new Array(15).fill(0), 1, ...new Array(15).fill(0), 2];
  return Uint8Array.from([2, 0, 0, 0, 0, 2, 2, 0, 0, 0, 0, 1, 0x86, 0xdd, ...ip, ...payload]);
}

export function arpFrame(): Uint8Array {
  return Uint8Array.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x06, ...new Array(28).fill(0)]);
}

/** A lunatik-4 netfilter script whose hook body is `body` (it sees `skb`, `nf`, `bo`). */
export function nf4(body: string, extra = ''): string {
  return `local netfilter = require("netfilter")
local nf = require("linux.nf")
local bo = require("byteorder")
${extra}
netfilter.register{ pf = nf.proto.INET, hooknum = nf.inet.LOCAL_IN, priority = nf.ip.pri.FILTER, hook = function(skb)
${body}
end }
`;
}

/** A lunatik-3.6 netfilter script whose hook body is `body` (it sees `data`, `netfilter`, `linux`). */
export function nf36(body: string, hooknum = 'LOCAL_IN'): string {
  return `local netfilter = require("netfilter")
local linux = require("linux")
netfilter.register{ pf = netfilter.family.INET, hooknum = netfilter.inet_hooks.${hooknum}, priority = netfilter.ip_priority.FILTER, hook = function(data)
${body}
end }
`;
}
