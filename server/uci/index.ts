// Reads lunawall's settings on OpenWrt: through the `uci` command when it exists, else the file itself.
import { execFileSync } from 'node:child_process';
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { derivedEnv, scalarEnv, systemFacts, type SystemFacts } from './env.js';
import { interpretLunawall, uciDefaults, type LunawallUci } from './lunawall.js';
import { parseUci, UciParseError } from './parse.js';

export { parseUci, UciParseError } from './parse.js';
export { interpretLunawall, uciDefaults, type LunawallUci } from './lunawall.js';
export { derivedEnv, parseDefaultGateway, scalarEnv, type SystemFacts } from './env.js';

export const defaultUciFile = '/etc/config/lunawall';

export interface UciRead {
  config: LunawallUci;
  /** Invalid lines and values, each naming file and line; the affected settings kept their defaults. */
  errors: string[];
  warnings: string[];
  source: 'uci' | 'file';
}

/** The UCI file to read: LUNAWALL_UCI_CONFIG, else /etc/config/lunawall when it exists (OpenWrt). */
export function uciConfigFile(env: NodeJS.ProcessEnv = process.env): string | undefined {
  if (env.LUNAWALL_UCI_CONFIG) return env.LUNAWALL_UCI_CONFIG;
  return existsSync(defaultUciFile) ? defaultUciFile : undefined;
}

function findExecutable(name: string, path: string | undefined): string | undefined {
  for (const dir of (path ?? '').split(delimiter)) {
    if (!dir) continue;
    const candidate = join(dir, name);
    try {
      accessSync(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this directory
    }
  }
  return undefined;
}

/**
 * Close to the argv of OpenWrt's /lib/functions.sh (config_load): committed values plus /var/state,
 * anonymous sections named; but strict (no -S), so that a malformed file fails here and our own
 * reader names the bad line instead of uci skipping it silently.
 */
export function uciExportArgv(file: string): string[] {
  return ['-c', dirname(file), '-P', '/var/state', '-n', 'export', basename(file)];
}

function readText(file: string, uci: string | undefined): { text: string; source: 'uci' | 'file' } {
  if (uci) {
    try {
      return { text: execFileSync(uci, uciExportArgv(file), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }), source: 'uci' };
    } catch {
      // uci refused the file; our own reader says which line is wrong.
    }
  }
  return { text: readFileSync(file, 'utf8'), source: 'file' };
}

/** Reads and checks a lunawall UCI file. Never throws: problems become errors and defaults stay. */
export function readLunawallUci(file: string, opts: { env?: NodeJS.ProcessEnv } = {}): UciRead {
  const env = opts.env ?? process.env;
  const uci = findExecutable('uci', env.PATH);
  let text: string;
  let source: 'uci' | 'file' = 'file';
  try {
    ({ text, source } = readText(file, uci));
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    return { config: uciDefaults(), errors: [`${file}: ${reason}; using the default settings`], warnings: [], source };
  }
  try {
    return { ...interpretLunawall(parseUci(text, file)), source };
  } catch (err) {
    if (!(err instanceof UciParseError)) throw err;
    return { config: uciDefaults(), errors: [`${err.message}; using the default settings`], warnings: [], source };
  }
}

/** The admin password written at first boot by uci-defaults, or undefined when there is none yet. */
export function readAdminPassword(file: string): string | undefined {
  try {
    const text = readFileSync(file, 'utf8').trim();
    return text === '' ? undefined : text;
  } catch {
    return undefined;
  }
}

/**
 * What server/config.ts merges under the process environment on OpenWrt: the UCI settings as
 * LUNAWALL_* variables (plus the first-boot admin password), and the problems to report (errors
 * name file and line; warnings include what could not be derived). Undefined without a UCI file.
 */
export function uciEnvironment(
  env: NodeJS.ProcessEnv = process.env,
  sys?: SystemFacts,
): { env: Record<string, string>; errors: string[]; warnings: string[] } | undefined {
  const file = uciConfigFile(env);
  if (!file) return undefined;
  const read = readLunawallUci(file, { env });
  const derived = derivedEnv(read.config, sys ?? systemFacts());
  const vars = { ...scalarEnv(read.config), ...derived.env };
  const password = readAdminPassword(read.config.adminPasswordFile);
  if (password) vars.LUNAWALL_ADMIN_PASSWORD = password;
  return { env: vars, errors: read.errors, warnings: [...read.warnings, ...derived.notes] };
}

/**
 * The environment server/config.ts reads: on OpenWrt the UCI settings under the process
 * environment (which wins), each UCI problem reported as one line on stderr (syslog under procd).
 */
export function withUciEnvironment(env: NodeJS.ProcessEnv = process.env, report: (line: string) => void = (l) => console.error(l)): NodeJS.ProcessEnv {
  const uci = uciEnvironment(env);
  if (!uci) return env;
  for (const line of uci.errors) report(`lunawall: config error: ${line}`);
  for (const line of uci.warnings) report(`lunawall: config: ${line}`);
  return { ...uci.env, ...env };
}
