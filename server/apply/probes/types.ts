// Liveness probe specs (configurable) and their results.
import { z } from 'zod';

const timeoutMs = z.number().int().min(50).max(60_000).default(2_000);
const label = z.string().min(1).max(64).optional();

export const probeSpec = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('tcp'), name: label, host: z.string().min(1).max(253), port: z.number().int().min(1).max(65535), timeoutMs }),
  z.strictObject({ kind: z.literal('ping'), name: label, host: z.string().min(1).max(253), timeoutMs }),
  z.strictObject({
    kind: z.literal('dns'),
    name: label,
    server: z.string().min(1).max(64),
    port: z.number().int().min(1).max(65535).default(53),
    query: z.string().min(1).max(253),
    timeoutMs,
  }),
  z.strictObject({ kind: z.literal('http'), name: label, url: z.url(), expectStatus: z.number().int().min(100).max(599).default(200), timeoutMs }),
  /** Every runtime this apply loaded reports no hook errors since it was loaded. */
  z.strictObject({ kind: z.literal('health'), name: label, timeoutMs }),
]);
export type ProbeSpec = z.infer<typeof probeSpec>;
export type ProbeSpecInput = z.input<typeof probeSpec>;

export interface ProbeResult {
  name: string;
  ok: boolean;
  ms: number;
  error?: string;
}

/** What a probe may look at besides the network. */
export interface ProbeContext {
  health(name: string): Promise<{ ok: boolean; errors: string[] }>;
  /** Runtimes the apply loaded (the plan). */
  runtimes: string[];
}

export const probeLabel = (p: ProbeSpec): string => {
  if (p.name) return p.name;
  switch (p.kind) {
    case 'tcp':
      return `tcp ${p.host}:${p.port}`;
    case 'ping':
      return `ping ${p.host}`;
    case 'dns':
      return `dns ${p.query} @${p.server}`;
    case 'http':
      return `http ${p.url}`;
    case 'health':
      return 'runtimes healthy';
  }
};
