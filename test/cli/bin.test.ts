// bin/lunawall.mjs as a real process: exit codes and one-line errors reach the shell.
import { describe, it, expect } from 'vitest';
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = fileURLToPath(new URL('../../bin/lunawall.mjs', import.meta.url));

function lunawall(args: string[], env: Record<string, string>): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [bin, ...args], { env: { ...process.env, ...env } }, (err, stdout, stderr) => {
      resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

describe('bin/lunawall.mjs', () => {
  it('exits 0, 1 and 2 as documented, with one line on stderr for bad input', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'lunawall-bin-'));
    try {
      const env = { LUNAWALL_DATA_DIR: dir };
      const good = join(dir, 'good.json');
      writeFileSync(good, JSON.stringify({ name: 'web', hook: 'input', rules: [{ id: 'r', match: { proto: 'tcp', dstPorts: [443] }, action: 'accept' }] }));
      const bad = join(dir, 'bad.json');
      writeFileSync(bad, JSON.stringify({ name: 'web', hook: 'sideways' }));

      const ok = await lunawall(['validate', good], env);
      expect(ok.code).toBe(0);
      const invalid = await lunawall(['validate', bad], env);
      expect(invalid.code).toBe(1);
      expect(invalid.stdout).toMatch(/^hook: .* \[schema\.invalid_value\]$/m);
      const unknown = await lunawall(['frobnicate'], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
      const imported = await lunawall(['policy', 'import', good], env);
      expect(imported.stdout.trim()).toBe('created: web');
      const token = await lunawall(['token', 'create', '--name', 'isp', '--scope', 'read'], env);
      expect(token.code).toBe(0);
      expect(token.stdout.trim()).toMatch(/^lw_\S+$/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
