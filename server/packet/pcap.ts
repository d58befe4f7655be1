// Classic libpcap files: either byte order, microsecond or nanosecond timestamps.
import { CaptureError, type Capture, type CapturedPacket } from './capture-types.js';

export function readPcap(bytes: Uint8Array): Capture {
  if (bytes.length < 24) throw new CaptureError('pcap file header cut short');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magicBE = view.getUint32(0, false);
  const le = magicBE === 0xd4c3b2a1 || magicBE === 0x4d3cb2a1;
  const nano = magicBE === 0xa1b23c4d || magicBE === 0x4d3cb2a1;
  // The low 16 bits are the link type; the top bits may carry an FCS length.
  const linkType = view.getUint32(20, le) & 0xffff;
  const packets: CapturedPacket[] = [];
  let off = 24;
  while (off < bytes.length) {
    if (off + 16 > bytes.length) return { format: 'pcap', packets, truncated: true };
    const sec = view.getUint32(off, le);
    const frac = view.getUint32(off + 4, le);
    const incl = view.getUint32(off + 8, le);
    const origLen = view.getUint32(off + 12, le);
    if (off + 16 + incl > bytes.length) return { format: 'pcap', packets, truncated: true };
    packets.push({ linkType, data: bytes.subarray(off + 16, off + 16 + incl), origLen, ts: { sec, nsec: nano ? frac : frac * 1000 } });
    off += 16 + incl;
  }
  return { format: 'pcap', packets, truncated: false };
}
