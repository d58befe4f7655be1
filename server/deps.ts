// What the app is built from: every long-lived service is passed in, so tests can build their own.
import type { Db } from './db/index.js';
import type { KernelBackend } from './kernel/backend.js';
import type { Config } from './config.js';

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
  /**
   * The apply engine (server/apply, apply owner). Typed `unknown` until server/apply/index.ts
   * exports ApplyEngine; the apply owner replaces this with `engine?: ApplyEngine`.
   */
  engine?: unknown;
}
