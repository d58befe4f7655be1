// Shared option parsing for commands: node:util parseArgs plus the config flags every local command accepts.
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { configFields, loadConfig, type Config } from '../config.js';
import { openDb, type Db } from '../db/index.js';
import type { CliIO } from './types.js';

/** Every config setting as a `--flag value` option. */
export const configOptions: NonNullable<ParseArgsConfig['options']> = Object.fromEntries(
  Object.values(configFields).map((f) => [f.flag, { type: 'string' as const }]),
);

export function configFlags(values: Record<string, unknown>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const f of Object.values(configFields)) {
    const v = values[f.flag];
    if (typeof v === 'string') out[f.flag] = v;
  }
  return out;
}

export function parse<O extends NonNullable<ParseArgsConfig['options']>>(args: string[], options: O, allowPositionals = true) {
  return parseArgs({ args, options: { ...configOptions, ...options }, allowPositionals, strict: true });
}

/** Local commands work on the database directly (no HTTP): the same one the server would open. */
export function openLocal(io: CliIO, values: Record<string, unknown>): { config: Config; db: Db } {
  const config = loadConfig(io.env, configFlags(values));
  return { config, db: openDb(config.dbPath) };
}
