// Runs openwrt/Makefile with the SDK stand-in includes of test/openwrt/sdk-stub, and builds the bundle.
import { execFileSync, spawnSync } from 'node:child_process';

export const repo = new URL('../..', import.meta.url).pathname;
export const stub = new URL('./sdk-stub', import.meta.url).pathname;
export const hasMake = spawnSync('make', ['--version']).status === 0;

/** `make -C openwrt TOPDIR=<stub> …`; returns stdout (make's $(info) lines and recipes). */
export function sdkMake(args: string[]): string {
  return execFileSync('make', ['-s', '--no-print-directory', '-C', `${repo}openwrt`, `TOPDIR=${stub}`, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

/** The package fields BuildPackage saw, per package, from a DUMP=1 run. */
export function packageInfo(): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let cur: Record<string, string> | undefined;
  for (const line of sdkMake(['DUMP=1', '-n', 'compile']).split('\n')) {
    const m = /^(\w+): ?(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'Package') out[m[2]] = cur = {};
    else if (cur) cur[m[1]] = m[2];
  }
  return out;
}

/** node openwrt/build-bundle.mjs --out DIR --native host. */
export function buildBundle(out: string): void {
  execFileSync(process.execPath, [`${repo}openwrt/build-bundle.mjs`, '--out', out, '--native', 'host'], { stdio: 'pipe' });
}
