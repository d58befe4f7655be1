// A reader that closes the pipe early (`lunawall simulate … | head -1`) ends the command quietly.
import { spawn } from 'node:child_process';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

describe('CLI output into a closed pipe', () => {
  it('exits 0 without a stack trace', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lw-epipe-'));
    const file = join(dir, 'p.json');
    writeFileSync(file, JSON.stringify({ name: 'p', hook: 'output', rules: [{ id: 'r1', action: 'drop', match: { proto: 'udp' } }] }));
    const child = spawn(process.execPath, ['bin/lunawall.mjs', 'simulate', file, '--pcap', 'test/fixtures/any-sll2.pcap'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.once('data', () => child.stdout.destroy());
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(code).toBe(0);
  });
});
