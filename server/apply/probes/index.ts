// Runs the configured liveness probes in parallel; each result says which probe, whether it passed, how long it took.
import { dnsProbe } from './dns.js';
import { healthProbe } from './health.js';
import { httpProbe } from './http.js';
import { pingProbe } from './ping.js';
import { tcpProbe } from './tcp.js';
import { probeLabel, type ProbeContext, type ProbeResult, type ProbeSpec } from './types.js';

export { probeSpec, probeLabel, type ProbeSpec, type ProbeResult, type ProbeContext } from './types.js';

async function runOne(p: ProbeSpec, ctx: ProbeContext): Promise<void> {
  switch (p.kind) {
    case 'tcp':
      return tcpProbe(p.host, p.port, p.timeoutMs);
    case 'ping':
      return pingProbe(p.host, p.timeoutMs);
    case 'dns':
      await dnsProbe(p.server, p.port, p.query, p.timeoutMs);
      return;
    case 'http':
      return httpProbe(p.url, p.expectStatus, p.timeoutMs);
    case 'health':
      return healthProbe(ctx, p.timeoutMs);
  }
}

export async function runProbes(specs: ProbeSpec[], ctx: ProbeContext): Promise<ProbeResult[]> {
  return Promise.all(
    specs.map(async (p) => {
      const t0 = performance.now();
      try {
        await runOne(p, ctx);
        return { name: probeLabel(p), ok: true, ms: Math.round(performance.now() - t0) };
      } catch (e) {
        return { name: probeLabel(p), ok: false, ms: Math.round(performance.now() - t0), error: e instanceof Error ? e.message : String(e) };
      }
    }),
  );
}
