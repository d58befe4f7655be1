// Test helpers: byte-swap a classic pcap, and write big-endian pcapng from captured packets (formats tcpdump here cannot write).
import type { CapturedPacket } from '../../server/packet/index.js';

export function swapPcap(le: Uint8Array): Uint8Array {
  const out = le.slice();
  const src = new DataView(le.buffer, le.byteOffset, le.byteLength);
  const dst = new DataView(out.buffer);
  const swap32 = (o: number) => dst.setUint32(o, src.getUint32(o, true), false);
  const swap16 = (o: number) => dst.setUint16(o, src.getUint16(o, true), false);
  swap32(0);
  swap16(4);
  swap16(6);
  for (const o of [8, 12, 16, 20]) swap32(o);
  let off = 24;
  while (off + 16 <= le.length) {
    const incl = src.getUint32(off + 8, true);
    for (let i = 0; i < 16; i += 4) swap32(off + i);
    off += 16 + incl;
  }
  return out;
}

class Writer {
  private parts: number[] = [];
  u8(n: number) { this.parts.push(n & 0xff); return this; }
  u16(n: number) { return this.u8(n >> 8).u8(n); }
  u32(n: number) { return this.u16(n >>> 16).u16(n & 0xffff); }
  bytes(b: Uint8Array) { for (const x of b) this.u8(x); while (this.parts.length % 4) this.u8(0); return this; }
  get length() { return this.parts.length; }
  done() { return Uint8Array.from(this.parts); }
}

function block(type: number, body: Uint8Array): Uint8Array {
  const w = new Writer().u32(type).u32(body.length + 12).bytes(body).u32(body.length + 12);
  return w.done();
}

/**
 * Section 1: an interface named "any" with nanosecond resolution and the packets as EPBs;
 * section 2 (resets interfaces): an Ethernet interface and one SPB holding packet 0's bytes.
 */
export function toBigEndianPcapng(packets: CapturedPacket[]): Uint8Array {
  const shb = new Writer().u32(0x1a2b3c4d).u16(1).u16(0).u32(0xffffffff).u32(0xffffffff).done();
  const name = new TextEncoder().encode('any');
  const idb = new Writer().u16(packets[0].linkType).u16(0).u32(0).u16(2).u16(name.length).bytes(name).u16(9).u16(1).bytes(Uint8Array.of(9)).u16(0).u16(0).done();
  const epbs = packets.map((p) => {
    const ts = BigInt(p.ts.sec) * 1_000_000_000n + BigInt(p.ts.nsec);
    const body = new Writer().u32(0).u32(Number(ts >> 32n)).u32(Number(ts & 0xffffffffn)).u32(p.data.length).u32(p.origLen).bytes(p.data).done();
    return block(6, body);
  });
  const idb2 = new Writer().u16(1).u16(0).u32(0).done();
  const spb = block(3, new Writer().u32(packets[0].data.length).bytes(packets[0].data).done());
  const parts = [block(0x0a0d0d0a, shb), block(1, idb), ...epbs, block(0x0a0d0d0a, shb), block(1, idb2), spb];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
}
