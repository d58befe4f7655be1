// How apply commands reach the running service: HTTP to the local API (it owns the kernel state) with an API token.
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Config } from '../config.js';
import { loadConfig } from '../config.js';
import { configFlags } from './args.js';
import { CliError, type CliIO } from './types.js';

export const clientOptions = {
  url: { type: 'string' },
  token: { type: 'string' },
} as const;

export interface ApplyClient {
  config: Config;
  base: string;
  call<T>(method: 'GET' | 'POST', path: string, body?: unknown, auth?: boolean): Promise<{ status: number; body: T }>;
}

/** The local service URL: the configured port on loopback (the service listens on 0.0.0.0 by default). */
function localUrl(config: Config): string {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  return `http://${host.includes(':') ? `[${host}]` : host}:${config.port}`;
}

function authHeader(io: CliIO, values: Record<string, unknown>): string | undefined {
  const token = typeof values.token === 'string' ? values.token : io.env.LUNAWALL_TOKEN;
  if (token) return `Bearer ${token}`;
  if (io.env.LUNAWALL_ADMIN_PASSWORD) return `Basic ${Buffer.from(`admin:${io.env.LUNAWALL_ADMIN_PASSWORD}`).toString('base64')}`;
  return undefined;
}

export async function applyClient(io: CliIO, values: Record<string, unknown>): Promise<ApplyClient> {
  const config = loadConfig(io.env, configFlags(values));
  const base = typeof values.url === 'string' ? values.url.replace(/\/+$/, '') : localUrl(config);
  try {
    await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(3000) });
  } catch {
    throw new CliError(`the service is not running at ${base}; start it with "lunawall serve" (the running service owns the kernel state and the confirm timer)`, 1);
  }
  const auth = authHeader(io, values);
  return {
    config,
    base,
    async call(method, path, body, needsAuth = true) {
      if (needsAuth && !auth) throw new CliError('no credentials: set LUNAWALL_TOKEN (or --token) to an API token with the apply scope, e.g. from "lunawall token create --name cli --scope read,apply"', 2);
      const res = await fetch(`${base}/api/v1${path}`, {
        method,
        headers: { ...(needsAuth && auth ? { authorization: auth } : {}), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      const parsed = text ? (JSON.parse(text) as unknown) : undefined;
      if (res.status >= 400) {
        const p = parsed as { detail?: string; activeId?: string } | undefined;
        throw new CliError(`${p?.detail ?? `HTTP ${res.status}`}${p?.activeId ? ` (running apply: ${p.activeId})` : ''}`, 1);
      }
      return { status: res.status, body: parsed as never };
    },
  };
}

/** Confirm tokens of applies started from this machine's CLI, readable only by the owner. */
const tokenFile = (config: Config, id: string) => join(config.dataDir, 'confirm-tokens', id.replace(/[^A-Za-z0-9-]/g, ''));

export function saveConfirmToken(config: Config, id: string, token: string): void {
  mkdirSync(join(config.dataDir, 'confirm-tokens'), { recursive: true, mode: 0o700 });
  writeFileSync(tokenFile(config, id), token, { mode: 0o600 });
  chmodSync(tokenFile(config, id), 0o600);
}

export function loadConfirmToken(config: Config, id: string): string | undefined {
  try {
    return readFileSync(tokenFile(config, id), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export const iso = (ms: number | null) => (ms === null ? '-' : new Date(ms).toISOString());
