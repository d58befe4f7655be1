// The lunatik backend against the stand-in CLI: the contract for both profiles, plus what only it does.
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { LoadError } from '../../server/kernel/backend.js';
import { LunatikBackend, type LunatikBackendOptions } from '../../server/kernel/lunatik.js';
import { parseLunatikVersion } from '../../server/kernel/lunatik-version.js';
import { checkPolicy } from '../../server/policy/check.js';
import { backendContract, hookScript } from './contract.case.js';
import { makeFifo, serveOnce } from './fake-device.js';

const fakeLunatik = fileURLToPath(new URL('./fake-lunatik.mjs', import.meta.url));
const fakeBpftool = fileURLToPath(new URL('./fake-bpftool.mjs', import.meta.url));
const dirs: string[] = [];
afterAll(async () => {
  for (const d of dirs) await rm(d, { recursive: true, force: true });
});

interface Rig {
  dir: string;
  luaRoot: string;
  state: string;
  log: string;
  opts: LunatikBackendOptions;
}

/** A script root, a state directory for the stand-in CLI and a kernel log file, all temporary. */
async function rig(kernelVersion: string, extra: Partial<LunatikBackendOptions> = {}): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'lw-lunatik-'));
  dirs.push(dir);
  const luaRoot = join(dir, 'lua');
  const state = join(dir, 'state');
  const log = join(dir, 'kern.log');
  await mkdir(luaRoot);
  await mkdir(state);
  await writeFile(log, '[    1.000000] luanetfilter: stale error from before any load\n');
  const opts: LunatikBackendOptions = {
    bin: fakeLunatik,
    luaRoot,
    kernelLog: { file: log },
    // A delay in every CLI call makes overlapping calls collide in the stand-in, which refuses them.
    env: { FAKE_LUNATIK_STATE: state, LUNATIK_ROOT: luaRoot, FAKE_LUNATIK_VERSION: kernelVersion, FAKE_LUNATIK_DELAY_MS: '20' },
    ...extra,
  };
  return { dir, luaRoot, state, log, opts };
}

function logLine(r: Rig, text: string): Promise<void> {
  return appendFile(r.log, `[  123.456789] ${text}\n`);
}

/** The stand-in's `stop` prints an error and stops nothing until the returned function runs. */
async function refuseStop(r: Rig): Promise<() => Promise<void>> {
  const flag = join(r.state, 'stop-error');
  await writeFile(flag, 'runner.lua:60: device or resource busy');
  return () => rm(flag);
}

backendContract('lunatik 4.4 (stand-in CLI)', async () => {
  const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
  return {
    backend: new LunatikBackend(r.opts),
    kind: 'lunatik',
    provokeHookError: (name) => logLine(r, `luanetfilter: ${r.luaRoot}/lunawall/${name}.lua:4: hook exploded`),
    breakLoading: () => refuseStop(r),
    cleanup: async () => undefined,
  };
});

backendContract('lunatik 3.6 (stand-in CLI, version read from a device FIFO)', async () => {
  const r = await rig('Lunatik 3.6');
  const device = join(r.dir, 'lunatik.fifo');
  makeFifo(device);
  const asked = serveOnce(device, () => 'Lunatik 3.6');
  const backend = new LunatikBackend({ ...r.opts, device });
  expect((await backend.info()).profile).toBe('lunatik-3.6');
  expect(await asked).toBe('return _LUNATIK_VERSION');
  return {
    backend,
    kind: 'lunatik',
    provokeHookError: (name) => logLine(r, `luanetfilter hook: pcall error ${r.luaRoot}/lunawall/${name}.lua:4: hook exploded`),
    breakLoading: () => refuseStop(r),
    cleanup: async () => undefined,
  };
});

describe('lunatik backend specifics', () => {
  it('maps kernel versions to profiles and run contexts, and refuses the rest', () => {
    expect(parseLunatikVersion('Lunatik 3.6\n')).toMatchObject({ profile: 'lunatik-3.6', runContext: 'false' });
    expect(parseLunatikVersion('Lunatik 3.7')).toMatchObject({ profile: 'lunatik-3.6', runContext: 'false' });
    expect(parseLunatikVersion('Lunatik 4.4')).toMatchObject({ profile: 'lunatik-4', runContext: 'softirq' });
    expect(() => parseLunatikVersion('Lunatik 4.1')).toThrow(/not supported/);
    expect(() => parseLunatikVersion('Lunatik 3.5')).toThrow(/not supported/);
    expect(() => parseLunatikVersion('hello')).toThrow(/unrecognised/);
  });

  it('an error printed by `lunatik list` (exit 0) is an error, not a list of runtimes', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend({ ...r.opts, env: { ...r.opts.env, FAKE_LUNATIK_LIST_ERROR: '/lib/modules/lua/lunatik/runner.lua:40: attempt to index a nil value' } });
    await expect(b.list()).rejects.toThrow(/not a runtime list/);
  });

  it('writes the script to <root>/lunawall/<name>.lua and leaves no temporary file', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    const script = hookScript('lunatik-4', 'return action.DROP');
    await b.load('web', script, { target: 'netfilter', hook: 'forward' });
    expect(await readFile(join(r.luaRoot, 'lunawall', 'web.lua'), 'utf8')).toBe(script);
    expect((await readdir(join(r.luaRoot, 'lunawall'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(await readFile(join(r.state, 'running.json'), 'utf8'))).toEqual(['lunawall/web']);
    await b.unload('web');
    expect(await readdir(join(r.luaRoot, 'lunawall'))).toEqual([]);
  });

  it('passes the run context of the detected release (a 4.x kernel refuses the 3.x "false")', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 3.6' });
    const err = await new LunatikBackend(r.opts).load('ctx', hookScript('lunatik-3.6', 'return action.ACCEPT'), { target: 'netfilter' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).text).toContain("invalid option 'false'");
  });

  it('refuses a 4.x script on a 3.6 kernel with the kernel-style module error', async () => {
    const r = await rig('Lunatik 3.6', { version: 'Lunatik 3.6' });
    const script = `local set = require("set")\n${hookScript('lunatik-4', 'return action.ACCEPT')}`;
    const err = await new LunatikBackend(r.opts).load('old', script, { target: 'netfilter' }).catch((e: unknown) => e);
    expect((err as LoadError).text).toBe('luaopen_set not found in kernel symbol table');
  });

  it('loads compiled policies of the matching profile; a 4.x compile is refused by a 3.6 kernel', async () => {
    const { policy } = checkPolicy({
      name: 'mixed',
      hook: 'forward',
      rules: [
        { id: 'ssh', match: { proto: 'tcp', dstPorts: [22, '1000-2000'], src: ['10.0.0.0/8', 'fd00::/8'] }, action: 'drop' },
        { id: 'dom', match: { domains: ['blocked.example'] }, action: 'drop' },
      ],
    });
    for (const [version, profile] of [['Lunatik 4.4', 'lunatik-4'], ['Lunatik 3.6', 'lunatik-3.6']] as const) {
      const r = await rig(version, { version });
      const b = new LunatikBackend(r.opts);
      await b.load('mixed', compilePolicy(policy!, { profile }).script, { target: 'netfilter', hook: 'forward' });
      expect(await b.list()).toEqual(['mixed']);
    }
    const r36 = await rig('Lunatik 3.6', { version: 'Lunatik 3.6' });
    const err = await new LunatikBackend(r36.opts)
      .load('mixed', compilePolicy(policy!, { profile: 'lunatik-4' }).script, { target: 'netfilter', hook: 'forward' })
      .catch((e: unknown) => e);
    expect((err as LoadError).text).toBe("module 'linux.nf' not found");
  });

  it('two backend objects on one device share its lock', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4', device: '/nonexistent/shared-lunatik' });
    const [a, b] = [new LunatikBackend(r.opts), new LunatikBackend(r.opts)];
    const script = hookScript('lunatik-4', 'return action.ACCEPT');
    await Promise.all([a.load('one', script, { target: 'netfilter' }), b.load('two', script, { target: 'netfilter' }), a.list(), b.list()]);
    expect((await a.list()).sort()).toEqual(['one', 'two']);
  });

  it('the stand-in refuses overlapping commands, so the serialization tests can fail', async () => {
    const r = await rig('Lunatik 4.4');
    const run = promisify(execFile);
    const env = { ...process.env, ...r.opts.env, FAKE_LUNATIK_DELAY_MS: '300' };
    const results = await Promise.allSettled([run(fakeLunatik, ['list'], { env }), run(fakeLunatik, ['list'], { env })]);
    expect(results.filter((x) => x.status === 'rejected')).toHaveLength(1);
  });

  it('a replacement whose stop fails leaves the previous script on disk and running, and throws LoadError', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    const v1 = hookScript('lunatik-4', 'return action.ACCEPT');
    await b.load('keep', v1, { target: 'netfilter' });
    const sidecar = await readFile(join(r.luaRoot, 'lunawall', '.keep.state.json'), 'utf8');
    await writeFile(join(r.state, 'stop-error'), 'runner.lua:60: device or resource busy');
    const err = await b.load('keep', hookScript('lunatik-4', 'return action.DROP'), { target: 'netfilter' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).text).toBe('stopping the running version failed: lunatik stop lunawall/keep: runner.lua:60: device or resource busy');
    expect(await readFile(join(r.luaRoot, 'lunawall', 'keep.lua'), 'utf8')).toBe(v1);
    expect(await readFile(join(r.luaRoot, 'lunawall', '.keep.state.json'), 'utf8')).toBe(sidecar);
    expect((await readdir(join(r.luaRoot, 'lunawall'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(JSON.parse(await readFile(join(r.state, 'running.json'), 'utf8'))).toEqual(['lunawall/keep']);
    expect(await b.health('keep')).toEqual({ ok: true, errors: [] });
    await rm(join(r.state, 'stop-error'));
    await b.unload('keep');
  });

  it('a stop that reports an error but stopped anyway: the previous version is started again', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    const v1 = hookScript('lunatik-4', 'return action.ACCEPT');
    await b.load('again', v1, { target: 'netfilter' });
    await writeFile(join(r.state, 'stop-error-after-stopping'), 'runner.lua:70: warning');
    const err = await b.load('again', hookScript('lunatik-4', 'return action.DROP'), { target: 'netfilter' }).catch((e: unknown) => e);
    expect((err as LoadError).text).toMatch(/warning; the previous version had stopped anyway and was started again$/);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'again.lua'), 'utf8')).toBe(v1);
    expect(JSON.parse(await readFile(join(r.state, 'running.json'), 'utf8'))).toEqual(['lunawall/again']);
  });

  it('a failed stop gives the running XDP runtime its interfaces back', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const bpfLog = join(r.dir, 'bpftool.log');
    process.env.FAKE_BPFTOOL_LOG = bpfLog;
    const sysNet = join(r.dir, 'net');
    await mkdir(join(sysNet, 'eth1'), { recursive: true });
    await writeFile(join(sysNet, 'eth1', 'ifindex'), '3\n');
    await mkdir(join(r.dir, 'bpf'));
    const b = new LunatikBackend({ ...r.opts, sysClassNet: sysNet, xdp: { bpftool: fakeBpftool, pinDir: join(r.dir, 'bpf'), object: '/x/lunawall_xdp.o' } });
    const xdpScript = 'local xdp = require("xdp")\nlocal action = require("linux.xdp")\nxdp.attach(function(buf, arg) return action.PASS end)\n';
    await b.load('edge', xdpScript, { target: 'xdp', interfaces: ['eth1'] });
    await writeFile(bpfLog, '');
    await writeFile(join(r.state, 'stop-error'), 'busy');
    await expect(b.load('edge', `${xdpScript}-- v2\n`, { target: 'xdp', interfaces: ['eth1'] })).rejects.toBeInstanceOf(LoadError);
    const calls = (await readFile(bpfLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(calls.map((c) => c.slice(0, 2).join(' '))).toEqual(['net detach', 'map delete', 'map update', 'net attach']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'edge.lua'), 'utf8')).toBe(xdpScript);
  });

  it('a corrupt sidecar does not block loading or unloading the name', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    await mkdir(join(r.luaRoot, 'lunawall'));
    await writeFile(join(r.luaRoot, 'lunawall', '.torn.state.json'), '{"target":"xd');
    const b = new LunatikBackend(r.opts);
    await b.load('torn', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter' });
    expect(JSON.parse(await readFile(join(r.luaRoot, 'lunawall', '.torn.state.json'), 'utf8'))).toEqual({ target: 'netfilter', interfaces: [] });
    await b.unload('torn');
    expect(await b.list()).toEqual([]);
  });

  it('attributes hook errors: own script and unattributed lines count, other scripts and older lines do not', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    await b.load('mine', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter' });
    await logLine(r, `luanetfilter: ${r.luaRoot}/lunawall/other.lua:9: not mine`);
    await logLine(r, 'some unrelated driver: link up');
    expect(await b.health('mine')).toEqual({ ok: true, errors: [] });
    await logLine(r, "luanetfilter: bad argument #2 to '?' (out of bounds)");
    await logLine(r, `luanetfilter: ${r.luaRoot}/lunawall/mine.lua:3: attempt to index a nil value`);
    expect(await b.health('mine')).toEqual({
      ok: false,
      errors: ["bad argument #2 to '?' (out of bounds)", `${r.luaRoot}/lunawall/mine.lua:3: attempt to index a nil value`],
    });
    // A reload starts a fresh error history.
    await b.load('mine', hookScript('lunatik-4', 'return action.ACCEPT -- fixed'), { target: 'netfilter' });
    expect(await b.health('mine')).toEqual({ ok: true, errors: [] });
  });

  it('reports a runtime that vanished (stopped behind our back) as unhealthy', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    await b.load('gone', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter' });
    await writeFile(join(r.state, 'running.json'), '[]');
    const h = await b.health('gone');
    expect(h.ok).toBe(false);
    expect(h.errors[0]).toContain('lunawall/gone is not running');
  });

  it('attaches XDP policies per interface through bpftool and detaches them on unload', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const bpfLog = join(r.dir, 'bpftool.log');
    process.env.FAKE_BPFTOOL_LOG = bpfLog;
    const sysNet = join(r.dir, 'net');
    await mkdir(join(sysNet, 'eth1'), { recursive: true });
    await writeFile(join(sysNet, 'eth1', 'ifindex'), '3\n');
    const b = new LunatikBackend({ ...r.opts, sysClassNet: sysNet, xdp: { bpftool: fakeBpftool, pinDir: join(r.dir, 'bpf'), object: '/x/lunawall_xdp.o' } });
    await mkdir(join(r.dir, 'bpf'));
    const xdpScript = 'local xdp = require("xdp")\nlocal action = require("linux.xdp")\nxdp.attach(function(buf, arg) return action.PASS end)\n';
    await b.load('edge', xdpScript, { target: 'xdp', interfaces: ['eth1'] });
    await b.unload('edge');
    const calls = (await readFile(bpfLog, 'utf8')).trim().split('\n').map((l) => JSON.parse(l) as string[]);
    expect(calls.map((c) => c.slice(0, 2).join(' '))).toEqual(['prog load', 'map update', 'net attach', 'net detach', 'map delete']);
    expect(calls[0]).toEqual(['prog', 'load', '/x/lunawall_xdp.o', join(r.dir, 'bpf', 'prog'), 'type', 'xdp', 'pinmaps', join(r.dir, 'bpf')]);
    const update = calls[1];
    // key: ifindex 3 as a host-order u32; value: len = strlen("lunawall/edge") + 1 = 14, then the name.
    expect(update.slice(4, 9)).toEqual(['key', 'hex', '03', '00', '00']);
    expect(update.slice(10, 17)).toEqual(['value', 'hex', '0e', '00', '00', '00', '6c']);
    expect(update).toHaveLength(10 + 2 + 4 + 64);
    expect(calls[2]).toEqual(['net', 'attach', 'xdpgeneric', 'pinned', join(r.dir, 'bpf', 'prog'), 'dev', 'eth1', 'overwrite']);
  });
});
