// Finds the running Lunatik release through /dev/lunatik (lunatik.md §9.1) and maps it to a target profile.
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { TargetProfile } from '../compile/profile.js';

export interface LunatikVersion {
  /** As the kernel reports it, e.g. "Lunatik 3.6". */
  text: string;
  major: number;
  minor: number;
  profile: TargetProfile;
  /** Third argument of `lunatik run` for a non-sleepable runtime (lunatik.md §1.2). */
  runContext: 'softirq' | 'false';
}

/** Parses `_LUNATIK_VERSION`; throws for releases no target profile covers. */
export function parseLunatikVersion(text: string): LunatikVersion {
  const m = /Lunatik (\d+)\.(\d+)/.exec(text);
  if (!m) throw new Error(`unrecognised Lunatik version text: ${JSON.stringify(text.trim())}`);
  const major = Number(m[1]);
  const minor = Number(m[2]);
  const v = major * 100 + minor;
  // 3.6–3.7 share the v3.6 netfilter API; 4.0–4.2 changed the hook argument twice (lunatik.md §0.2).
  if (v >= 306 && v < 400) return { text: m[0], major, minor, profile: 'lunatik-3.6', runContext: 'false' };
  if (v >= 403) return { text: m[0], major, minor, profile: 'lunatik-4', runContext: 'softirq' };
  throw new Error(`${m[0]} is not supported: lunawall targets Lunatik 3.6–3.7 and 4.3 or later`);
}

/**
 * Writes a chunk to the Lunatik device and reads the result back, as `echo … > /dev/lunatik;
 * cat /dev/lunatik` does: two separate opens, so a FIFO served by a test stands in for the device.
 * An open that never completes (no peer on a FIFO) cannot be cancelled; the timeout only gives up.
 */
export async function queryLunatikDevice(device: string, chunk: string, timeoutMs = 5_000): Promise<string> {
  const exchange = async (): Promise<string> => {
    const w = await open(device, constants.O_WRONLY);
    try {
      await w.write(chunk);
    } finally {
      await w.close();
    }
    const r = await open(device, constants.O_RDONLY);
    try {
      const parts: Buffer[] = [];
      let total = 0;
      for (;;) {
        const buf = Buffer.alloc(4096);
        const { bytesRead } = await r.read(buf, 0, buf.length, null);
        if (bytesRead === 0) break;
        parts.push(buf.subarray(0, bytesRead));
        total += bytesRead;
        if (total >= 65_536) break;
      }
      return Buffer.concat(parts).toString('utf8');
    } finally {
      await r.close();
    }
  };
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${device}: no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return await Promise.race([exchange(), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

export async function detectLunatikVersion(device: string, timeoutMs?: number): Promise<LunatikVersion> {
  return parseLunatikVersion(await queryLunatikDevice(device, 'return _LUNATIK_VERSION', timeoutMs));
}
