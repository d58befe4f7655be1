// What the app is built from: every long-lived service is passed in, so tests can build their own.
import type { Db } from './db/index.js';
import type { KernelBackend } from './kernel/backend.js';
import type { Config } from './config.js';
import type { ApplyEngine } from './apply/index.js';
import type { Clock } from './clock.js';

export interface AppDeps {
  db: Db;
  backend: KernelBackend;
  config: Config;
  clock: Clock;
  /** The apply engine (server/apply): start/confirm/rollback, progress events, crash recovery. */
  engine?: ApplyEngine;
}
