// Compiles nfq-helper.c once per source version into a cache directory (atomic, safe across processes).
import { createHash } from 'node:crypto';
import { access, mkdir, readFile, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runChecked } from '../exec.js';

export interface HelperBuildOptions {
  /** Where the binary is kept; default node_modules/.cache/lunawall of this checkout. */
  cacheDir?: string;
  cc?: string;
}

const source = fileURLToPath(new URL('./nfq-helper.c', import.meta.url));
const defaultCache = fileURLToPath(new URL('../../../node_modules/.cache/lunawall', import.meta.url));

/** Returns the path of a helper binary built from the current source, building it if needed. */
export async function ensureNfqHelper(opts: HelperBuildOptions = {}): Promise<string> {
  const text = await readFile(source);
  const hash = createHash('sha256').update(text).digest('hex').slice(0, 12);
  const dir = opts.cacheDir ?? defaultCache;
  const bin = join(dir, `nfq-helper-${hash}`);
  if (await access(bin).then(() => true, () => false)) return bin;
  await mkdir(dir, { recursive: true });
  const tmp = `${bin}.${process.pid}.tmp`;
  try {
    await runChecked([opts.cc ?? 'cc', '-O2', '-Wall', '-o', tmp, source, '-lnetfilter_queue'], { timeoutMs: 60_000 });
    await rename(tmp, bin);
  } catch (err) {
    await rm(tmp, { force: true });
    throw new Error(`building the NFQUEUE helper failed (is libnetfilter-queue-dev installed?): ${(err as Error).message}`);
  }
  return bin;
}
