// Config: defaults, env vars, flags over env, and one clear line for every bad value.
import { describe, it, expect } from 'vitest';
import { resolve, join } from 'node:path';
import { ConfigError, configFields, loadConfig } from '../../server/config.js';

describe('config', () => {
  it('has the documented defaults', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ port: 8080, host: '0.0.0.0', backend: 'auto', dataDir: resolve('./data'), dbPath: join(resolve('./data'), 'lunawall.db') });
    expect(c.adminPassword).toBeUndefined();
  });

  it('reads env vars, and flags win over env', () => {
    const env = { LUNAWALL_PORT: '9000', LUNAWALL_HOST: '127.0.0.1', LUNAWALL_DATA_DIR: '/tmp/lw', LUNAWALL_BACKEND: 'emulator', LUNAWALL_ADMIN_PASSWORD: 'longenough' };
    expect(loadConfig(env)).toMatchObject({ port: 9000, host: '127.0.0.1', dataDir: '/tmp/lw', backend: 'emulator', adminPassword: 'longenough', dbPath: '/tmp/lw/lunawall.db' });
    expect(loadConfig(env, { port: '9100', backend: 'nfqueue' })).toMatchObject({ port: 9100, backend: 'nfqueue' });
  });

  it('names the variable, the problem and the value in one line', () => {
    const bad: [Record<string, string>, Record<string, string>, RegExp][] = [
      [{ LUNAWALL_PORT: 'eighty' }, {}, /^invalid LUNAWALL_PORT: .*\(got "eighty"\)$/],
      [{ LUNAWALL_PORT: '70000' }, {}, /^invalid LUNAWALL_PORT: .*65535.*\(got "70000"\)$/],
      [{}, { port: '-1' }, /^invalid --port: /],
      [{ LUNAWALL_BACKEND: 'kernel' }, {}, /^invalid LUNAWALL_BACKEND: .*"emulator".*\(got "kernel"\)$/],
      [{ LUNAWALL_ADMIN_PASSWORD: 'short' }, {}, /^invalid LUNAWALL_ADMIN_PASSWORD: must be at least 8 characters$/],
      [{}, { colour: 'red' }, /^unknown option --colour$/],
    ];
    for (const [env, flags, re] of bad) {
      let err: unknown;
      try {
        loadConfig(env, flags);
      } catch (e) {
        err = e;
      }
      expect(err, JSON.stringify(env) + JSON.stringify(flags)).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(re);
      expect((err as Error).message).not.toContain('\n');
    }
  });

  it('declares every field with an env var, a flag and a description', () => {
    for (const [key, f] of Object.entries(configFields)) {
      expect(f.env, key).toMatch(/^LUNAWALL_[A-Z_]+$/);
      expect(f.flag, key).toMatch(/^[a-z][a-z-]*$/);
      expect(f.doc.length, key).toBeGreaterThan(5);
    }
  });
});
