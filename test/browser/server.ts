// Starts the whole service on 127.0.0.1 (emulator backend, in-memory database) for the browser tests.
import { serve, type ServerType } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import { openDb, type Db } from '../../server/db/index.js';
import { createApp } from '../../server/app.js';
import { loadConfig } from '../../server/config.js';
import { setAdminPassword } from '../../server/auth/password.js';
import { EmulatorBackend } from '../../server/kernel/emulator.js';
import { createApplyEngine, applyDefaults, type ApplyEngine } from '../../server/apply/index.js';
import { systemClock } from '../../server/clock.js';

export const PASSWORD = 'correct horse battery';

export interface Running {
  url: string;
  db: Db;
  engine: ApplyEngine;
  /** The emulated kernel, so a test can push packets through the loaded scripts. */
  backend: EmulatorBackend;
  close(): Promise<void>;
}

export async function startUi(): Promise<Running> {
  const db = openDb(':memory:');
  await setAdminPassword(db, PASSWORD, Date.now());
  const backend = new EmulatorBackend();
  const config = loadConfig({});
  const engine = createApplyEngine({
    db,
    backend,
    clock: systemClock,
    config: { ...applyDefaults, probes: [{ kind: 'health', timeoutMs: 2000 }], probeIntervalMs: 1000, rollbackRetryDelayMs: 0 },
    ifindexes: async () => ({}),
    log: () => undefined,
  });
  const app = createApp({ db, backend, config, clock: systemClock, engine });
  const server: ServerType = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((res, rej) => {
    server.once('listening', res);
    server.once('error', rej);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    db,
    engine,
    backend,
    async close() {
      await engine.close();
      await new Promise<void>((res) => server.close(() => res()));
      await backend.close?.();
      db.$client.close();
    },
  };
}
