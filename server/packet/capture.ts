// Captures: readCapture (pcap or pcapng by magic) and frameOf (an Ethernet frame for any link type).
import { be16, concat } from './bytes.js';
import { DST_MAC, SRC_MAC } from './build.js';
import { readPcap } from './pcap.js';
import { readPcapng } from './pcapng.js';
import { CaptureError, type Capture } from './capture-types.js';

export { CaptureError, type Capture, type CapturedPacket } from './capture-types.js';

export const LINKTYPE = { NULL: 0, ETHERNET: 1, RAW: 101, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276 } as const;

const PCAP_MAGICS = new Set([0xa1b2c3d4, 0xd4c3b2a1, 0xa1b23c4d, 0x4d3cb2a1]);

export function readCapture(bytes: Uint8Array): Capture {
  if (bytes.length < 4) throw new CaptureError(`not a capture: ${bytes.length} bytes`);
  const magic = ((bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3]) >>> 0;
  if (magic === 0x0a0d0d0a) return readPcapng(bytes);
  if (PCAP_MAGICS.has(magic)) return readPcap(bytes);
  throw new CaptureError(`not a pcap or pcapng file (magic 0x${magic.toString(16).padStart(8, '0')})`);
}

const ethernet = (etherType: number, l3: Uint8Array): Uint8Array => concat([DST_MAC, SRC_MAC, be16(etherType), l3]);
const ipEtherType = (l3: Uint8Array): number => (l3.length > 0 && l3[0] >> 4 === 6 ? 0x86dd : 0x0800);

/**
 * Packet `i` as an Ethernet frame: Ethernet as captured; raw IP, BSD loopback and Linux cooked
 * (SLL, SLL2) get a synthetic Ethernet header carrying the right EtherType.
 */
export function frameOf(capture: Capture, i: number): Uint8Array {
  const p = capture.packets[i];
  if (!p) throw new CaptureError(`no packet ${i}: the capture has ${capture.packets.length}`);
  const d = p.data;
  switch (p.linkType) {
    case LINKTYPE.ETHERNET:
      return d;
    case LINKTYPE.RAW:
      return ethernet(ipEtherType(d), d);
    case LINKTYPE.IPV4:
      return ethernet(0x0800, d);
    case LINKTYPE.IPV6:
      return ethernet(0x86dd, d);
    case LINKTYPE.NULL: {
      if (d.length < 4) throw new CaptureError(`packet ${i}: loopback header cut short`);
      // The 4-byte address family is in the capturing host's byte order: AF_INET is 2 everywhere.
      const af = d[0] === 0 ? d[3] : d[0];
      return ethernet(af === 2 ? 0x0800 : 0x86dd, d.subarray(4));
    }
    case LINKTYPE.LINUX_SLL:
      if (d.length < 16) throw new CaptureError(`packet ${i}: Linux cooked header cut short`);
      return ethernet((d[14] << 8) | d[15], d.subarray(16));
    case LINKTYPE.LINUX_SLL2:
      if (d.length < 20) throw new CaptureError(`packet ${i}: Linux cooked v2 header cut short`);
      return ethernet((d[0] << 8) | d[1], d.subarray(20));
    default:
      throw new CaptureError(`packet ${i}: link type ${p.linkType} is not supported (Ethernet 1, raw IP 101/228/229, null 0, Linux SLL 113, SLL2 276)`);
  }
}
