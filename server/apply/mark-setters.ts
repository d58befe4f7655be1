// What on this router marks packets: Lunatik runs a netfilter hook only for the marks it registered, so
// packets these mark pass a policy that does not list their marks (SEMANTICS.md, Marks).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseUci, type UciSection } from '../uci/parse.js';

const opt = (s: UciSection, name: string): string | undefined => {
  const v = s.options.get(name)?.value;
  return Array.isArray(v) ? v.join(' ') : v;
};

function readUci(path: string): UciSection[] {
  if (!existsSync(path)) return [];
  try {
    return parseUci(readFileSync(path, 'utf8'), path).sections;
  } catch {
    // A file fw4 or mwan3 cannot read either marks nothing; the UCI tools report it, not us.
    return [];
  }
}

/** One line per thing that sets skb->mark: enabled mwan3 interfaces, fw4 MARK rules. `root` is for tests. */
export function markSetters(root = '/'): string[] {
  const out: string[] = [];
  const mwan3 = join(root, 'etc/config/mwan3');
  const wans = readUci(mwan3).filter((s) => s.type === 'interface' && opt(s, 'enabled') !== '0');
  if (wans.length) out.push(`mwan3 marks the traffic of ${wans.map((s) => s.name ?? '?').join(', ')} (${mwan3})`);
  const firewall = join(root, 'etc/config/firewall');
  for (const s of readUci(firewall)) {
    if (s.type !== 'rule' || opt(s, 'target')?.toUpperCase() !== 'MARK' || opt(s, 'enabled') === '0') continue;
    const value = opt(s, 'set_mark') ?? opt(s, 'set_xmark') ?? '?';
    out.push(`fw4 rule ${opt(s, 'name') ?? s.name ?? `at line ${s.line}`} sets mark ${value} (${firewall}:${s.line})`);
  }
  return out;
}
