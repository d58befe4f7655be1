// A minimal reader of BTF (the kernel's BPF Type Format) for checking what the XDP object declares.

export interface BtfType {
  id: number;
  kind: number;
  name: string;
  /** FUNC: linkage; STRUCT/UNION/ENUM/FUNC_PROTO/DATASEC: member count. */
  vlen: number;
  /** size (INT/STRUCT/UNION/DATASEC) or referenced type id (PTR/TYPEDEF/FUNC/FUNC_PROTO return/VAR). */
  sizeOrType: number;
  members: { name: string; type: number; offset: number }[];
  array?: { type: number; nelems: number };
}

export const BTF_KIND = { INT: 1, PTR: 2, ARRAY: 3, STRUCT: 4, FUNC: 12, FUNC_PROTO: 13, VAR: 14, DATASEC: 15 } as const;
export const BTF_FUNC_EXTERN = 2;

/** Bytes that follow each kind's common header, per member (vlen) or once. */
function extra(kind: number, vlen: number): number {
  switch (kind) {
    case 1:
    case 14:
    case 17:
      return 4;
    case 3:
      return 12;
    case 4:
    case 5:
    case 15:
    case 19:
      return 12 * vlen;
    case 6:
    case 13:
      return 8 * vlen;
    default:
      return 0;
  }
}

export function parseBtf(buf: Buffer): BtfType[] {
  const le = buf.readUInt16LE(0) === 0xeb9f;
  if (!le && buf.readUInt16BE(0) !== 0xeb9f) throw new Error('not BTF: bad magic');
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const hdrLen = u32(4);
  const typeOff = hdrLen + u32(8);
  const typeEnd = typeOff + u32(12);
  const strOff = hdrLen + u32(16);
  const str = (o: number) => {
    const start = strOff + o;
    return buf.subarray(start, buf.indexOf(0, start)).toString('utf8');
  };
  const types: BtfType[] = [];
  let p = typeOff;
  while (p < typeEnd) {
    const info = u32(p + 4);
    const kind = (info >>> 24) & 0x1f;
    const vlen = info & 0xffff;
    const t: BtfType = { id: types.length + 1, kind, name: str(u32(p)), vlen, sizeOrType: u32(p + 8), members: [] };
    const body = p + 12;
    if (kind === 3) t.array = { type: u32(body), nelems: u32(body + 8) };
    if (kind === 4 || kind === 5) {
      for (let i = 0; i < vlen; i++) t.members.push({ name: str(u32(body + 12 * i)), type: u32(body + 12 * i + 4), offset: u32(body + 12 * i + 8) });
    }
    if (kind === 13) for (let i = 0; i < vlen; i++) t.members.push({ name: str(u32(body + 8 * i)), type: u32(body + 8 * i + 4), offset: 0 });
    if (kind === 15) for (let i = 0; i < vlen; i++) t.members.push({ name: '', type: u32(body + 12 * i), offset: u32(body + 12 * i + 4) });
    types.push(t);
    p = body + extra(kind, vlen);
  }
  return types;
}
