// Flattens a UCI file into the "section.option=value" lines test/openwrt/harness/run-init.sh reads.
import { readFileSync } from 'node:fs';
import { parseUci } from '../../server/uci/index.js';

export function uciValues(file: string): string {
  const lines: string[] = [];
  for (const s of parseUci(readFileSync(file, 'utf8'), file).sections) {
    if (!s.name) continue;
    for (const o of s.options.values()) lines.push(`${s.name}.${o.name}=${Array.isArray(o.value) ? o.value.join(' ') : o.value}`);
  }
  return lines.join('\n') + '\n';
}
