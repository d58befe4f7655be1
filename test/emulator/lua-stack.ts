// The deepest per-packet Lua stack of a compiled script, from luac's listing: the kernel has only LUAI_MAXSTACK = 200.
import { execFileSync } from 'node:child_process';

export const MAXSTACK = 200;
/** luaD_precall reserves LUA_MINSTACK (20) free slots for every C function: a data read at the deepest point. */
export const C_CALL = 20;
/** What Lunatik's C side holds on the runtime's stack around the hook call (pcall frame, skb argument, traceback). */
export const HOST = 8;

/**
 * The most slots any packet can need: each function's luac "slots" (its frame) plus one for the function
 * value, along the deepest chain of calls between the script's own functions, then a C call at the end.
 */
export function deepestStack(script: string): { slots: number; chain: string[] } {
  const listing = execFileSync('luac5.4', ['-l', '-l', '-p', '-'], { input: Buffer.from(script, 'utf8'), encoding: 'utf8', maxBuffer: 1 << 30 });
  const lines = script.split('\n');
  const frames = new Map<string, { slots: number; first: number; last: number }[]>();
  for (const m of listing.matchAll(/^function <stdin:(\d+),(\d+)> .*\n(\d+)\+? params?, (\d+) slots/gm)) {
    const [first, last, slots] = [Number(m[1]), Number(m[2]), Number(m[4])];
    const head = lines[first - 1] ?? '';
    const name = /local function ([A-Za-z_0-9]+)/.exec(head)?.[1] ?? /([A-Za-z_0-9]+)\[\d+\] = function/.exec(head)?.[1];
    if (!name) throw new Error(`a function at line ${first} that this analysis cannot name: ${head.trim()}`);
    frames.set(name, [...(frames.get(name) ?? []), { slots, first, last }]);
  }
  const names = [...frames.keys()];
  const memo = new Map<string, { slots: number; chain: string[] }>();
  const depth = (name: string, seen: string[]): { slots: number; chain: string[] } => {
    if (seen.includes(name)) throw new Error(`recursion ${[...seen, name].join(' → ')}: its depth depends on the packet`);
    const known = memo.get(name);
    if (known) return known;
    let best = { slots: 0, chain: [name] };
    for (const f of frames.get(name)!) {
      const body = lines.slice(f.first, f.last).join('\n');
      // A dispatch list holds rule functions: `list[i](…)` may call any of them.
      const callees = names.filter((n) => n !== name && (new RegExp(`\\b${n}\\(`).test(body) || (/\blist\[i\]\(/.test(body) && /^rules[46]$/.test(n))));
      let below = { slots: C_CALL, chain: ['C function'] };
      for (const c of callees) {
        const d = depth(c, [...seen, name]);
        if (d.slots > below.slots) below = d;
      }
      if (f.slots + 1 + below.slots > best.slots) best = { slots: f.slots + 1 + below.slots, chain: [name, ...below.chain] };
    }
    memo.set(name, best);
    return best;
  };
  const entry = frames.has('hook') ? 'hook' : 'callback';
  const d = depth(entry, []);
  return { slots: d.slots + HOST, chain: d.chain };
}
