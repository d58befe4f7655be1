// What the packet toolkit's parser yields: the fields policies match on, decoded from wire bytes.

export interface ParsedPacket {
  /** Present when the bytes started at L2 (Ethernet). */
  l2?: { vlan: number[]; etherType: number };
  /** 0 when the bytes are not IPv4/IPv6 or the IP header is unusable. */
  family: 0 | 4 | 6;
  /** Set (with family 0) when the bytes are IP of this version but the IP header is unusable: the policy's default decides. */
  unusable?: 4 | 6;
  src?: string;
  dst?: string;
  /** Transport protocol number (after IPv6 extension headers). */
  proto?: number;
  ttl?: number;
  /** Set when this is a non-first fragment: no transport header is visible. */
  nonFirstFragment?: boolean;
  /** Transport fields; absent when the transport header is not (fully) present. */
  srcPort?: number;
  dstPort?: number;
  /** TCP flag bits: FIN=0x01 SYN=0x02 RST=0x04 PSH=0x08 ACK=0x10 URG=0x20 ECE=0x40 CWR=0x80. */
  tcpFlags?: number;
  icmpType?: number;
  icmpCode?: number;
  /** Transport payload bytes, as far as the buffer holds them. */
  payload?: Uint8Array;
  /** The one name a packet can carry for domain matching (see SEMANTICS.md §Domains), lowercased; one char per byte. */
  name?: { kind: 'dns' | 'sni' | 'http'; value: string };
  /** Interfaces come from the capture or the test, never from the wire. */
  iif?: string;
  oif?: string;
}
