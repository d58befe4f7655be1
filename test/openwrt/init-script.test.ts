// /etc/init.d/lunawall under a harness that records procd's calls: the command, environment and limits it starts.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { readLunawallUci, scalarEnv } from '../../server/uci/index.js';
import { uciValues } from './uci-values.js';

const initScript = new URL('../../openwrt/files/etc/init.d/lunawall', import.meta.url).pathname;
const shipped = new URL('../../openwrt/files/etc/config/lunawall', import.meta.url).pathname;
const harness = new URL('./harness/run-init.sh', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'lunawall-init-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  calls: string[][];
  instances: { command: string[]; env: Record<string, string>; params: Record<string, string[]> }[];
  triggers: string[][];
}

let n = 0;
function start(uciFile: string): Started {
  const values = join(dir, `values-${n}`);
  const log = join(dir, `calls-${n++}`);
  writeFileSync(values, uciValues(uciFile));
  execFileSync('sh', [harness, initScript, values, log]);
  const calls = readFileSync(log, 'utf8').trim().split('\n').filter(Boolean).map((l) => l.split('\x1f'));
  const instances: Started['instances'] = [];
  let cur: Started['instances'][number] | undefined;
  for (const [fn, ...args] of calls) {
    if (fn === 'procd_open_instance') instances.push((cur = { command: [], env: {}, params: {} }));
    if (fn === 'procd_close_instance') cur = undefined;
    if ((fn === 'procd_set_param' || fn === 'procd_append_param') && cur) {
      const [param, ...vals] = args;
      if (param === 'command') cur.command = fn === 'procd_set_param' ? vals : [...cur.command, ...vals];
      else if (param === 'env') {
        if (fn === 'procd_set_param') cur.env = {};
        for (const kv of vals) cur.env[kv.slice(0, kv.indexOf('='))] = kv.slice(kv.indexOf('=') + 1);
      } else cur.params[param] = vals;
    }
  }
  return { calls, instances, triggers: calls.filter(([fn]) => fn.startsWith('procd_add_') && fn.endsWith('_trigger')) };
}

function config(text: string): string {
  const f = join(dir, `lunawall-${n++}`);
  writeFileSync(f, text);
  return f;
}

describe('/etc/init.d/lunawall', () => {
  it('is a procd script that starts after the network', () => {
    const text = readFileSync(initScript, 'utf8');
    expect(text.startsWith('#!/bin/sh /etc/rc.common\n')).toBe(true);
    expect(text).toMatch(/^USE_PROCD=1$/m);
    const startPrio = Number(/^START=(\d+)$/m.exec(text)?.[1]);
    expect(startPrio).toBeGreaterThan(20); // /etc/init.d/network is START=20
  });

  it('starts exactly one instance: node on the bundle, serve, from the shipped config', () => {
    const s = start(shipped);
    expect(s.calls[0]).toEqual(['config_load', 'lunawall']);
    expect(s.instances).toHaveLength(1);
    expect(s.instances[0].command).toEqual(['/usr/bin/node', '--no-liftoff', '/usr/lib/lunawall/lunawall.mjs', 'serve']);
  });

  it('passes the UCI settings as the same environment the server derives from the file', () => {
    const { env } = start(shipped).instances[0];
    expect(env.LUNAWALL_UCI_CONFIG).toBe('/etc/config/lunawall');
    const { LUNAWALL_UCI_CONFIG: _, ...rest } = env;
    expect(rest).toEqual(scalarEnv(readLunawallUci(shipped, { env: { PATH: '' } }).config));
  });

  it('respawns with limits, logs to syslog, and restarts when the config file changes', () => {
    const { params } = start(shipped).instances[0];
    expect(params.respawn).toEqual(['3600', '5', '5']);
    expect(params.stdout).toEqual(['1']);
    expect(params.stderr).toEqual(['1']);
    expect(params.file).toEqual(['/etc/config/lunawall']);
    expect(Number(params.term_timeout?.[0])).toBeGreaterThanOrEqual(10);
  });

  it('asks procd to reload it when the lunawall config changes', () => {
    expect(start(shipped).triggers).toEqual([['procd_add_reload_trigger', 'lunawall']]);
  });

  it('follows edited values, lists and the guard switch', () => {
    const f = config(
      [
        "config lunawall 'main'",
        "\toption port '8443'",
        "\toption listen '192.168.1.1'",
        "\toption data_dir '/mnt/usb/lunawall'",
        "\toption backend 'lunatik'",
        "config guard 'guard'",
        "\toption enabled '0'",
        "\toption lan_interface 'br-home'",
        "\tlist management_port '22'",
        "\tlist management_port '8443'",
        "\tlist lan_address '10.1.0.1/16'",
        "\tlist lan_address 'fd12::1/64'",
      ].join('\n'),
    );
    const { env } = start(f).instances[0];
    const { LUNAWALL_UCI_CONFIG: _, ...rest } = env;
    expect(rest).toEqual(scalarEnv(readLunawallUci(f, { env: { PATH: '' } }).config));
    expect(env).toMatchObject({
      LUNAWALL_PORT: '8443',
      LUNAWALL_HOST: '192.168.1.1',
      LUNAWALL_DATA_DIR: '/mnt/usb/lunawall',
      LUNAWALL_BACKEND: 'lunatik',
      LUNAWALL_ANTI_LOCKOUT: 'off',
      LUNAWALL_LAN_INTERFACE: 'br-home',
      LUNAWALL_MANAGEMENT_PORTS: '22,8443',
      LUNAWALL_LAN_ADDRESSES: '10.1.0.1/16,fd12::1/64',
    });
  });

  it('starts nothing when disabled in UCI, and still registers its reload trigger', () => {
    const s = start(config("config lunawall 'main'\n\toption enabled '0'\n"));
    expect(s.instances).toHaveLength(0);
    expect(s.triggers).toEqual([['procd_add_reload_trigger', 'lunawall']]);
  });

  it('never runs a second process beside the server (its crash recovery must not be raced)', () => {
    const s = start(shipped);
    expect(s.calls.filter(([fn]) => fn === 'procd_open_instance')).toHaveLength(1);
    expect(readFileSync(initScript, 'utf8')).not.toMatch(/lunawall\.mjs (recover|rollback)/);
  });
});
