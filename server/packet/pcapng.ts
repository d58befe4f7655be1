// pcapng files: section headers (either byte order), interface descriptions, enhanced, simple and obsolete packet blocks.
import { CaptureError, type Capture, type CapturedPacket } from './capture-types.js';

interface Iface {
  linkType: number;
  snapLen: number;
  /** Timestamp units per second (if_tsresol; default 10^6). */
  unitsPerSec: bigint;
  name?: string;
}

const SHB = 0x0a0d0d0a;
const IDB = 1;
const OPB = 2;
const SPB = 3;
const EPB = 6;

export function readPcapng(bytes: Uint8Array): Capture {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const packets: CapturedPacket[] = [];
  let le = true;
  let ifaces: Iface[] = [];
  let off = 0;
  const done = (truncated: boolean): Capture => ({ format: 'pcapng', packets, truncated });
  while (off < bytes.length) {
    if (off + 12 > bytes.length) return done(true);
    // The section header magic reads the same in either byte order.
    const type = view.getUint32(off, le);
    if (type === SHB) {
      const bom = view.getUint32(off + 8, true);
      if (bom === 0x1a2b3c4d) le = true;
      else if (bom === 0x4d3c2b1a) le = false;
      else throw new CaptureError(`pcapng section at byte ${off}: bad byte-order magic`);
      ifaces = [];
    }
    const len = view.getUint32(off + 4, le);
    if (len < 12 || len % 4 !== 0) throw new CaptureError(`pcapng block at byte ${off}: bad length ${len}`);
    if (off + len > bytes.length) return done(true);
    const body = off + 8;
    const bodyEnd = off + len - 4;
    if (type === IDB && bodyEnd - body >= 8) {
      ifaces.push({ linkType: view.getUint16(body, le), snapLen: view.getUint32(body + 4, le), unitsPerSec: 1_000_000n, ...idbOptions(view, body + 8, bodyEnd, le) });
    } else if (type === EPB || type === OPB) {
      const pkt = enhanced(view, bytes, body, bodyEnd, le, type === OPB, ifaces, off);
      if (pkt) packets.push(pkt);
    } else if (type === SPB && bodyEnd - body >= 4) {
      const iface = ifaces[0];
      if (!iface) throw new CaptureError(`pcapng simple packet at byte ${off} before any interface`);
      const origLen = view.getUint32(body, le);
      const cap = Math.min(origLen, bodyEnd - body - 4, iface.snapLen || Infinity);
      packets.push({ linkType: iface.linkType, data: bytes.subarray(body + 4, body + 4 + cap), origLen, ts: { sec: 0, nsec: 0 }, interface: iface.name });
    }
    off += len;
  }
  return done(false);
}

function enhanced(view: DataView, bytes: Uint8Array, body: number, bodyEnd: number, le: boolean, obsolete: boolean, ifaces: Iface[], at: number): CapturedPacket | undefined {
  if (bodyEnd - body < 20) return undefined;
  const ifId = obsolete ? view.getUint16(body, le) : view.getUint32(body, le);
  const iface = ifaces[ifId];
  if (!iface) throw new CaptureError(`pcapng packet at byte ${at} names interface ${ifId}, which is not described`);
  const ts = (BigInt(view.getUint32(body + 4, le)) << 32n) | BigInt(view.getUint32(body + 8, le));
  const capLen = view.getUint32(body + 12, le);
  const origLen = view.getUint32(body + 16, le);
  if (body + 20 + capLen > bodyEnd) throw new CaptureError(`pcapng packet at byte ${at}: captured length runs past its block`);
  const sec = ts / iface.unitsPerSec;
  const nsec = ((ts % iface.unitsPerSec) * 1_000_000_000n) / iface.unitsPerSec;
  return { linkType: iface.linkType, data: bytes.subarray(body + 20, body + 20 + capLen), origLen, ts: { sec: Number(sec), nsec: Number(nsec) }, interface: iface.name };
}

function idbOptions(view: DataView, off: number, end: number, le: boolean): Partial<Iface> {
  const out: Partial<Iface> = {};
  while (off + 4 <= end) {
    const code = view.getUint16(off, le);
    const len = view.getUint16(off + 2, le);
    if (code === 0 || off + 4 + len > end) break;
    const v = new Uint8Array(view.buffer, view.byteOffset + off + 4, len);
    if (code === 2) out.name = new TextDecoder().decode(v);
    if (code === 9 && len >= 1) {
      const r = v[0];
      out.unitsPerSec = r & 0x80 ? 2n ** BigInt(r & 0x7f) : 10n ** BigInt(r & 0x7f);
    }
    off += 4 + ((len + 3) & ~3);
  }
  return out;
}
