// The JSON form of a packet, used by policy tests, the simulate API, the UI's packet tester and the toolkit.
import { z } from '@hono/zod-openapi';

const port = z.number().int().min(0).max(65535);
const address = z.string().min(2).max(64);

export const packetSpec = z
  .strictObject({
    /** Addresses decide the IP version; both must be the same family. */
    src: address,
    dst: address,
    proto: z.union([z.enum(['tcp', 'udp', 'icmp', 'icmpv6']), z.number().int().min(0).max(255)]).default('tcp'),
    srcPort: port.optional(),
    dstPort: port.optional(),
    /** Flags set on a TCP segment, comma-separated (e.g. "syn" or "psh,ack"); default "syn". */
    tcpFlags: z.string().regex(/^(fin|syn|rst|psh|ack|urg|ece|cwr)(,(fin|syn|rst|psh|ack|urg|ece|cwr))*$/).optional(),
    icmpType: z.number().int().min(0).max(255).optional(),
    icmpCode: z.number().int().min(0).max(255).optional(),
    /** Interfaces the packet arrives on / leaves by (netfilter hooks see them as ifindex). */
    iif: z.string().max(15).optional(),
    oif: z.string().max(15).optional(),
    ttl: z.number().int().min(0).max(255).optional(),
    /** skb->mark when the packet reaches the hook (not on the wire); default 0. */
    mark: z.number().int().min(0).max(0xffffffff).optional(),
    /** 802.1Q tags, outermost first; two tags = 802.1ad QinQ. Only visible where frames start at L2. */
    vlan: z.array(z.number().int().min(0).max(4095)).max(2).optional(),
    /** IPv4 fragmentation: offset in bytes (multiple of 8) and the more-fragments flag. */
    fragment: z.strictObject({ offset: z.number().int().min(0).max(65528), more: z.boolean().default(false), id: z.number().int().min(0).max(65535).optional() }).optional(),
    /** IPv6 extension headers to insert before the transport header, in order. */
    ipv6ExtensionHeaders: z.array(z.enum(['hop-by-hop', 'routing', 'destination', 'fragment'])).max(8).optional(),
    /** Application payloads; at most one. */
    dns: z.strictObject({ qname: z.string().min(1).max(253), qtype: z.number().int().min(0).max(65535).default(1) }).optional(),
    tls: z.strictObject({ sni: z.string().min(1).max(253) }).optional(),
    http: z.strictObject({ host: z.string().min(1).max(260), method: z.string().regex(/^[A-Z]{3,10}$/).default('GET'), path: z.string().max(1024).default('/') }).optional(),
    /** Raw transport payload as hex, when none of the above fits. */
    payloadHex: z.string().regex(/^([0-9a-fA-F]{2})*$/).max(131072).optional(),
  })
  .openapi('Packet');

export type PacketSpec = z.infer<typeof packetSpec>;
export type PacketSpecInput = z.input<typeof packetSpec>;
