// Service entry: config → db → backend → apply recovery → app → listen. `npm start` runs this file.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { configFlags, configOptions } from './cli/args.js';
import { ConfigError, loadConfig, type Config } from './config.js';
import { closeDb, openDb } from './db/index.js';
import { systemClock } from './clock.js';
import type { AppDeps } from './deps.js';
import { createApp } from './app.js';
import { ensureAdmin, ADMIN_USER } from './auth/password.js';
import type { KernelBackend } from './kernel/backend.js';
import { createBackend } from './kernel/index.js';
import { applyConfigOf, createApplyEngine, recoveryLines } from './apply/index.js';

export interface Service {
  deps: AppDeps;
  server: ServerType;
  port: number;
  /** Where people log in. */
  url: string;
  close(): Promise<void>;
}

export async function startService(config: Config, log: (line: string) => void, backend?: KernelBackend): Promise<Service> {
  const clock = systemClock;
  const db = openDb(config.dbPath);
  try {
    const admin = await ensureAdmin(db, clock.now(), config.adminPassword);
    const kernel = backend ?? createBackend(config);
    // Apply engine: settles applies a crash interrupted and loads last-known-good, before listening.
    const engine = createApplyEngine({ db, backend: kernel, clock, config: applyConfigOf(config), log });
    for (const line of recoveryLines(await engine.recover())) log(line);
    const deps: AppDeps = { db, backend: kernel, config, clock, engine };
    const app = createApp(deps);
    const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host });
    await new Promise<void>((res, rej) => {
      server.once('listening', res);
      server.once('error', rej);
    });
    const port = (server.address() as AddressInfo).port;
    const shown = config.host === '0.0.0.0' || config.host === '::' ? hostname() : config.host;
    const url = `http://${shown.includes(':') ? `[${shown}]` : shown}:${port}/`;
    const info = await kernel.info();
    log(`lunawall listening on ${config.host}:${port} (backend ${info.kind}, ${info.version}; data in ${config.dataDir})`);
    if (admin.generated) log(`first run: the admin password is ${admin.generated} (shown only this once; set LUNAWALL_ADMIN_PASSWORD to choose it)`);
    log(`log in at ${url} as "${ADMIN_USER}"; API docs at ${url}api/docs`);
    return {
      deps,
      server,
      port,
      url,
      close: async () => {
        await engine.close();
        await new Promise<void>((res) => server.close(() => res()));
        await kernel.close?.();
        closeDb(db);
      },
    };
  } catch (e) {
    closeDb(db);
    throw e;
  }
}

/** Runs until SIGINT/SIGTERM; a bad setting prints one line and exits 1. */
export async function runService(env: NodeJS.ProcessEnv, flags: Record<string, string | undefined>): Promise<number> {
  let config: Config;
  try {
    config = loadConfig(env, flags);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`lunawall: ${e.message}\n`);
      return 1;
    }
    throw e;
  }
  const service = await startService(config, (l) => process.stdout.write(l + '\n'));
  await new Promise<void>((res) => {
    const stop = () => res();
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
  });
  await service.close();
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  // Not through the CLI registry: its `serve` imports this module, which is still evaluating here.
  try {
    const { values } = parseArgs({ args: process.argv.slice(2), options: configOptions, strict: true, allowPositionals: false });
    process.exitCode = await runService(process.env, configFlags(values));
  } catch (e) {
    process.stderr.write(`lunawall: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  }
}
