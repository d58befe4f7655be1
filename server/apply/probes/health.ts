// Health probe: every runtime the apply loaded reports no hook errors since it was loaded.
import type { ProbeContext } from './types.js';

export async function healthProbe(ctx: ProbeContext, timeoutMs: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`health not reported within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    const all = Promise.all(ctx.runtimes.map(async (name) => ({ name, h: await ctx.health(name) })));
    const bad = (await Promise.race([all, deadline])).filter((x) => !x.h.ok);
    if (bad.length) {
      throw new Error(bad.map((b) => `${b.name}: ${b.h.errors.slice(0, 3).join('; ') || 'unhealthy'}`).join(' | '));
    }
  } finally {
    clearTimeout(timer);
  }
}
