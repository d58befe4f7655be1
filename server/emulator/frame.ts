// Where a netfilter hook's views of an Ethernet frame start and end (what skb->data, the MAC header and the tail are).

export interface FrameLayout {
  /** Bytes before the IP header: 14, plus 4 per 802.1Q/802.1ad tag. */
  l2len: number;
  /** 4, 6, or 0 when the EtherType is not IP (the frame never reaches an inet hook). */
  family: 0 | 4 | 6;
  /** The IP packet's length as the inet hooks see it (see below). */
  netlen: number;
}

// The tags Linux itself strips (eth_type_vlan): 802.1Q and 802.1ad; the pre-standard 0x9100 is not one.
const TPID = new Set([0x8100, 0x88a8]);

/**
 * Splits a frame the way the kernel has it by the time an inet netfilter hook runs. ip_rcv and
 * ipv6_rcv trim the skb to the length the IP header declares, so Ethernet padding is gone: when the
 * declared length fits the frame, the view ends there. A declared length past the frame end (which
 * the kernel would drop before PRE_ROUTING) is left as it is, so malformed input still reaches the
 * script under test.
 */
export function frameLayout(frame: Uint8Array): FrameLayout {
  let off = 12;
  if (frame.length < 14) return { l2len: Math.min(frame.length, 14), family: 0, netlen: 0 };
  let type = (frame[off] << 8) | frame[off + 1];
  while (TPID.has(type) && off + 6 <= frame.length && off < 20) {
    off += 4;
    type = (frame[off] << 8) | frame[off + 1];
  }
  const l2len = off + 2;
  const avail = Math.max(0, frame.length - l2len);
  if (type === 0x0800) {
    let netlen = avail;
    if (avail >= 4) {
      const declared = (frame[l2len + 2] << 8) | frame[l2len + 3];
      if (declared >= 20 && declared <= avail) netlen = declared;
    }
    return { l2len, family: 4, netlen };
  }
  if (type === 0x86dd) {
    let netlen = avail;
    if (avail >= 40) {
      const payload = (frame[l2len + 4] << 8) | frame[l2len + 5];
      // A zero payload length only means "jumbo" with a hop-by-hop header (ipv6_rcv).
      if (payload > 0 ? 40 + payload <= avail : frame[l2len + 6] !== 0) netlen = 40 + payload;
    }
    return { l2len, family: 6, netlen };
  }
  return { l2len, family: 0, netlen: avail };
}
