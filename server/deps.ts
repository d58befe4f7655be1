// What the app is built from: every long-lived service is passed in, so tests can build their own.
import type { Db } from './db/index.js';
import type { KernelBackend } from './kernel/backend.js';
import type { Config } from './config.js';
import type { ApplyEngine } from './apply/index.js';

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
}

export const systemClock: Clock = { now: () => Date.now() };

export interface AppDeps {
  db: Db;
  backend: KernelBackend;
  config: Config;
  clock: Clock;
  /** The apply engine (server/apply): start/confirm/rollback, progress events, crash recovery. */
  engine?: ApplyEngine;
}
