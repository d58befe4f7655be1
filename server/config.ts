// Runtime configuration: every setting is declared once here (env var, flag, zod schema, description).
import { z } from 'zod';
import { join, resolve } from 'node:path';
import { applyConfigFields } from './apply/config-fields.js';
import { kernelConfigFields } from './kernel/config-fields.js';
import { withUciEnvironment } from './uci/index.js';

/**
 * To add a setting, add one entry: the env var, the CLI flag (`--flag value`), the schema (env
 * values are strings, so coerce), and a one-line description (the README's table follows it).
 */
export const configFields = {
  port: {
    env: 'LUNAWALL_PORT',
    flag: 'port',
    doc: 'TCP port of the UI and the API',
    schema: z.coerce.number().int().min(0).max(65535).default(8080),
  },
  host: {
    env: 'LUNAWALL_HOST',
    flag: 'host',
    doc: 'Address to listen on',
    schema: z.string().min(1).default('0.0.0.0'),
  },
  dataDir: {
    env: 'LUNAWALL_DATA_DIR',
    flag: 'data-dir',
    doc: 'Directory of the SQLite database (lunawall.db)',
    schema: z.string().min(1).default('./data'),
  },
  backend: {
    env: 'LUNAWALL_BACKEND',
    flag: 'backend',
    doc: 'Kernel backend: auto (lunatik if /dev/lunatik exists, else emulator), emulator, lunatik, nfqueue',
    schema: z.enum(['auto', 'emulator', 'lunatik', 'nfqueue']).default('auto'),
  },
  adminPassword: {
    env: 'LUNAWALL_ADMIN_PASSWORD',
    flag: 'admin-password',
    doc: 'Admin password set on first run only (otherwise one is generated and printed once)',
    schema: z.string().min(8, 'must be at least 8 characters').max(1024).optional(),
  },
  sessionLifetime: {
    env: 'LUNAWALL_SESSION_LIFETIME',
    flag: 'session-lifetime',
    doc: 'Absolute lifetime of an admin UI login, seconds (60-2678400): it ends this long after login however active, besides the 1-hour idle timeout',
    schema: z.coerce.number().int().min(60).max(31 * 86400).default(12 * 3600),
  },
  ...applyConfigFields,
  ...kernelConfigFields,
} satisfies Record<string, { env: string; flag: string; doc: string; schema: z.ZodType }>;

type Fields = typeof configFields;
type Parsed = { [K in keyof Fields]: z.infer<Fields[K]['schema']> };

export type Config = Parsed & {
  /** The SQLite file inside dataDir. */
  dbPath: string;
};

export class ConfigError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ConfigError';
  }
}

const configSchema = z.strictObject(
  Object.fromEntries(Object.entries(configFields).map(([k, f]) => [k, f.schema])) as { [K in keyof Fields]: Fields[K]['schema'] },
);

/**
 * Builds the config from env vars, overridden by CLI flags (keys are flag names without `--`).
 * Throws ConfigError with one line naming the variable or flag, the problem and the bad value.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, flags: Record<string, string | undefined> = {}): Config {
  // On OpenWrt (/etc/config/lunawall exists, or LUNAWALL_UCI_CONFIG is set) UCI fills in what env leaves unset.
  env = withUciEnvironment(env);
  const raw: Record<string, string | undefined> = {};
  const source: Record<string, string> = {};
  const known = new Set<string>();
  for (const [key, f] of Object.entries(configFields)) {
    known.add(f.flag);
    const fromFlag = flags[f.flag];
    const fromEnv = env[f.env];
    if (fromFlag !== undefined) {
      raw[key] = fromFlag;
      source[key] = `--${f.flag}`;
    } else if (fromEnv !== undefined && fromEnv !== '') {
      raw[key] = fromEnv;
      source[key] = f.env;
    }
  }
  for (const flag of Object.keys(flags)) {
    if (!known.has(flag) && flags[flag] !== undefined) throw new ConfigError(`unknown option --${flag}`);
  }
  const parsed = configSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const key = String(issue.path[0]) as keyof Fields;
    const where = source[key] ?? configFields[key]?.env ?? key;
    const value = raw[key];
    const shown = key === 'adminPassword' ? '' : ` (got ${JSON.stringify(value)})`;
    throw new ConfigError(`invalid ${where}: ${issue.message}${shown}`);
  }
  const c = parsed.data as Parsed;
  return { ...c, dataDir: resolve(c.dataDir), dbPath: join(resolve(c.dataDir), 'lunawall.db') };
}
