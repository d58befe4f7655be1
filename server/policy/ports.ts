// Port elements: a number or "low-high", checked against 1-65535 and for upside-down ranges.

export interface PortRange {
  lo: number;
  hi: number;
}

export type PortResult =
  | { ok: true; range: PortRange }
  | { ok: false; code: 'port.out-of-range' | 'port.range-inverted'; reason: string };

const inRange = (n: number): boolean => Number.isInteger(n) && n >= 1 && n <= 65535;

export function parsePort(el: number | string): PortResult {
  if (typeof el === 'number') {
    return inRange(el) ? { ok: true, range: { lo: el, hi: el } } : { ok: false, code: 'port.out-of-range', reason: `port ${el} is outside 1-65535` };
  }
  const [a, b = a] = el.split('-');
  const lo = Number(a);
  const hi = Number(b);
  if (!inRange(lo) || !inRange(hi)) {
    return { ok: false, code: 'port.out-of-range', reason: `"${el}" has a port outside 1-65535` };
  }
  if (lo > hi) return { ok: false, code: 'port.range-inverted', reason: `range "${el}" is upside down; write "${hi}-${lo}"` };
  return { ok: true, range: { lo, hi } };
}

export const portInRanges = (port: number, ranges: readonly PortRange[]): boolean => ranges.some((r) => port >= r.lo && port <= r.hi);

/** Sorted, overlapping and adjacent ranges joined: the form `rangesCover` wants for its outer list. */
export function mergeRanges(ranges: readonly PortRange[]): PortRange[] {
  const out: PortRange[] = [];
  for (const r of [...ranges].sort((x, y) => x.lo - y.lo)) {
    const last = out[out.length - 1];
    if (last && r.lo <= last.hi + 1) last.hi = Math.max(last.hi, r.hi);
    else out.push({ ...r });
  }
  return out;
}

/** Every port of `inner` is in `merged` (from mergeRanges): each inner range sits inside one merged range. */
export function rangesCover(merged: readonly PortRange[], inner: readonly PortRange[]): boolean {
  return inner.every((r) => {
    let lo = 0;
    let hi = merged.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (merged[mid].lo <= r.lo) lo = mid + 1;
      else hi = mid - 1;
    }
    return hi >= 0 && merged[hi].hi >= r.hi;
  });
}
