// Debian's luac5.4 / lua5.4 as test oracles: syntax, bytecode opcodes, and running snippets.
import { execFileSync, spawnSync } from 'node:child_process';

export const hasLua = spawnSync('luac5.4', ['-v']).status === 0 && spawnSync('lua5.4', ['-v']).status === 0;

/** luac's error text, or undefined when the chunk parses. */
export function luacError(script: string): string | undefined {
  const r = spawnSync('luac5.4', ['-p', '-'], { input: Buffer.from(script, 'utf8'), encoding: 'utf8' });
  return r.status === 0 ? undefined : r.stderr.trim() || `luac exited ${r.status}`;
}

/** Instructions and constants Lunatik's integer-only Lua cannot have: float division, power, float literals. */
export function floatFindings(script: string): string[] {
  const listing = execFileSync('luac5.4', ['-l', '-l', '-p', '-'], { input: Buffer.from(script, 'utf8'), encoding: 'utf8', maxBuffer: 1 << 30 });
  const out: string[] = [];
  for (const line of listing.split('\n')) {
    if (/^\s+\d+\s+\[\d+\]\s+(DIV|DIVK|POW|POWK|LOADF)\b/.test(line)) out.push(line.trim());
    if (/^\s+\d+\s+F\s/.test(line)) out.push(line.trim());
  }
  return out;
}

/** Runs a chunk (sent as UTF-8, as scripts are written) in lua5.4 and returns stdout, binary-safe as latin1. */
export function runLua(chunk: string): string {
  return execFileSync('lua5.4', ['-'], { input: Buffer.from(chunk, 'utf8'), maxBuffer: 1 << 30 }).toString('latin1');
}
