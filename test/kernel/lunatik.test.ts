// The lunatik backend against the stand-in CLI: the contract for both profiles, plus what only it does.
import { execFile } from 'node:child_process';
import { appendFile, mkdir, mkdtemp, readdir, readFile, rm, utimes, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { LoadError, UnloadError } from '../../server/kernel/backend.js';
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

/** The stand-in's `run` prints an error and starts nothing until the returned function runs. */
async function refuseRun(r: Rig): Promise<() => Promise<void>> {
  const flag = join(r.state, 'run-error');
  await writeFile(flag, 'runner.lua:30: not enough memory');
  return () => rm(flag);
}

/** The script file of whichever slot of `name` runs (what the kernel names in its error lines). */
async function runningScript(r: Rig, name: string): Promise<string> {
  const slotB = (await running(r)).includes(`lunawall/b/${name}`);
  return join(r.luaRoot, 'lunawall', ...(slotB ? ['b'] : []), `${name}.lua`);
}

/** The stand-in CLI's commands so far, as "cmd arg…". */
async function calls(r: Rig): Promise<string[]> {
  const text = await readFile(join(r.state, 'calls.log'), 'utf8');
  return text.trim() === '' ? [] : text.trim().split('\n').map((l) => (JSON.parse(l) as string[]).join(' '));
}

async function running(r: Rig): Promise<string[]> {
  return JSON.parse(await readFile(join(r.state, 'running.json'), 'utf8')) as string[];
}

async function sidecar(r: Rig, name: string): Promise<Record<string, unknown>> {
  return JSON.parse(await readFile(join(r.luaRoot, 'lunawall', `.${name}.state.json`), 'utf8')) as Record<string, unknown>;
}

const xdpScript = 'local xdp = require("xdp")\nlocal action = require("linux.xdp")\nxdp.attach(function(buf, arg) return action.PASS end)\n';

/** A backend with interfaces eth1 and eth2 whose CLI and bpftool calls land in one log, in order. */
async function xdpRig(r: Rig): Promise<{ b: LunatikBackend; log: string }> {
  const log = join(r.dir, 'calls-and-bpftool.log');
  process.env.FAKE_BPFTOOL_LOG = log;
  const sysNet = join(r.dir, 'net');
  for (const [iface, idx] of [['eth1', 3], ['eth2', 4]] as const) {
    await mkdir(join(sysNet, iface), { recursive: true });
    await writeFile(join(sysNet, iface, 'ifindex'), `${idx}\n`);
  }
  await mkdir(join(r.dir, 'bpf'));
  const b = new LunatikBackend({
    ...r.opts,
    env: { ...r.opts.env, FAKE_CALL_LOG: log },
    sysClassNet: sysNet,
    xdp: { bpftool: fakeBpftool, pinDir: join(r.dir, 'bpf'), object: '/x/lunawall_xdp.o' },
  });
  return { b, log };
}

async function ordered(log: string): Promise<string[][]> {
  const text = (await readFile(log, 'utf8')).trim();
  return text === '' ? [] : text.split('\n').map((l) => JSON.parse(l) as string[]);
}

/** The runtime name in a `bpftool map update … value hex <len u32> <64 name bytes>` argv. */
function mapUpdateName(argv: string[]): string {
  const bytes = argv.slice(argv.indexOf('value') + 6).map((h) => parseInt(h, 16));
  return Buffer.from(bytes.slice(0, bytes.indexOf(0))).toString('utf8');
}

backendContract('lunatik 4.4 (stand-in CLI)', async () => {
  const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
  return {
    backend: new LunatikBackend(r.opts),
    kind: 'lunatik',
    provokeHookError: async (name) => logLine(r, `luanetfilter: ${await runningScript(r, name)}:4: hook exploded`),
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
    provokeHookError: async (name) => logLine(r, `luanetfilter hook: pcall error ${await runningScript(r, name)}:4: hook exploded`),
    breakLoading: () => refuseRun(r),
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

  it('a replace starts the other slot before it stops the running one, and list() names the policy once', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    const v = (n: number) => hookScript('lunatik-4', `return action.ACCEPT -- v${n}`);
    await b.load('web', v(1), { target: 'netfilter' });
    await writeFile(join(r.state, 'calls.log'), '');
    await b.load('web', v(2), { target: 'netfilter' });
    expect(await calls(r)).toEqual(['list', 'run lunawall/b/web softirq', 'list', 'stop lunawall/web']);
    expect(await running(r)).toEqual(['lunawall/b/web']);
    expect(await b.list()).toEqual(['web']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'b', 'web.lua'), 'utf8')).toBe(v(2));
    expect(await readdir(join(r.luaRoot, 'lunawall'))).toEqual(['.web.state.json', 'b']);
    expect(await sidecar(r, 'web')).toEqual({ target: 'netfilter', interfaces: [], slot: 'b' });
    // And back to slot a.
    await writeFile(join(r.state, 'calls.log'), '');
    await b.load('web', v(3), { target: 'netfilter' });
    expect(await calls(r)).toEqual(['list', 'run lunawall/web softirq', 'list', 'stop lunawall/b/web']);
    expect(await running(r)).toEqual(['lunawall/web']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'web.lua'), 'utf8')).toBe(v(3));
    expect(await readdir(join(r.luaRoot, 'lunawall', 'b'))).toEqual([]);
    expect((await sidecar(r, 'web')).slot).toBe('a');
    await b.unload('web');
    expect(await running(r)).toEqual([]);
  });

  it('slot names never collide: policy "b" and policy "x_b" next to "x"', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    const s = hookScript('lunatik-4', 'return action.ACCEPT');
    for (const n of ['x', 'x_b', 'b', 'x', 'b']) await b.load(n, `${s}-- ${n}\n`, { target: 'netfilter' });
    expect((await b.list()).sort()).toEqual(['b', 'x', 'x_b']);
    expect((await running(r)).sort()).toEqual(['lunawall/b/b', 'lunawall/b/x', 'lunawall/x_b']);
    await b.unload('x');
    expect((await b.list()).sort()).toEqual(['b', 'x_b']);
  });

  it('a replacement whose run fails leaves the running slot, its script and its sidecar as they were', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    const v1 = hookScript('lunatik-4', 'return action.ACCEPT');
    await b.load('keep', v1, { target: 'netfilter' });
    const side = await sidecar(r, 'keep');
    await writeFile(join(r.state, 'run-error'), 'runner.lua:30: out of memory');
    await writeFile(join(r.state, 'calls.log'), '');
    const err = await b.load('keep', hookScript('lunatik-4', 'return action.DROP'), { target: 'netfilter' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).text).toBe('runner.lua:30: out of memory');
    expect(await calls(r)).toEqual(['list', 'run lunawall/b/keep softirq']);
    expect(await running(r)).toEqual(['lunawall/keep']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'keep.lua'), 'utf8')).toBe(v1);
    expect(await readdir(join(r.luaRoot, 'lunawall', 'b'))).toEqual([]);
    expect(await sidecar(r, 'keep')).toEqual(side);
    expect(await b.health('keep')).toEqual({ ok: true, errors: [] });
  });

  it('a failed stop of the old slot stops the new one again: LoadError, and the kernel is as before', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    const v1 = hookScript('lunatik-4', 'return action.ACCEPT');
    await b.load('keep', v1, { target: 'netfilter' });
    const side = await sidecar(r, 'keep');
    await writeFile(join(r.state, 'stop-error-once'), 'runner.lua:60: device or resource busy');
    await writeFile(join(r.state, 'calls.log'), '');
    const err = await b.load('keep', hookScript('lunatik-4', 'return action.DROP'), { target: 'netfilter' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(LoadError);
    expect((err as LoadError).text).toBe(
      'stopping the running version failed: lunatik stop lunawall/keep: runner.lua:60: device or resource busy; the new version was stopped and the running one is kept',
    );
    expect(await calls(r)).toEqual(['list', 'run lunawall/b/keep softirq', 'list', 'stop lunawall/keep', 'list', 'stop lunawall/b/keep']);
    expect(await running(r)).toEqual(['lunawall/keep']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'keep.lua'), 'utf8')).toBe(v1);
    expect(await readdir(join(r.luaRoot, 'lunawall', 'b'))).toEqual([]);
    expect(await sidecar(r, 'keep')).toEqual(side);
    expect((await readdir(join(r.luaRoot, 'lunawall'))).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    expect(await b.health('keep')).toEqual({ ok: true, errors: [] });
  });

  it('when neither slot can be stopped, both run with the old one recorded as current, and the next call settles on it', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    const v1 = hookScript('lunatik-4', 'return action.ACCEPT');
    await b.load('stuck', v1, { target: 'netfilter' });
    const repair = await refuseStop(r);
    const err = await b.load('stuck', hookScript('lunatik-4', 'return action.DROP'), { target: 'netfilter' }).catch((e: unknown) => e);
    expect((err as LoadError).text).toMatch(/; stopping lunawall\/b\/stuck again failed: .*busy \(both versions run; the next call keeps lunawall\/stuck and stops it\)$/);
    expect(await running(r)).toEqual(['lunawall/stuck', 'lunawall/b/stuck']);
    expect((await sidecar(r, 'stuck')).slot).toBe('a');
    // Still stuck: health says so, a load refuses to stack a third version on top.
    expect((await b.health('stuck')).errors[0]).toMatch(/^lunawall\/stuck and lunawall\/b\/stuck both run .*stopping lunawall\/b\/stuck failed/);
    await expect(b.load('stuck', v1, { target: 'netfilter' })).rejects.toBeInstanceOf(LoadError);
    await repair();
    expect(await b.list()).toEqual(['stuck']);
    expect(await running(r)).toEqual(['lunawall/stuck']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'stuck.lua'), 'utf8')).toBe(v1);
    expect(await b.health('stuck')).toEqual({ ok: true, errors: [] });
  });

  it('a stop that prints an error but stopped the old slot anyway: the replacement stands', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    await b.load('again', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter' });
    await writeFile(join(r.state, 'stop-error-after-stopping'), 'runner.lua:70: warning');
    const v2 = hookScript('lunatik-4', 'return action.DROP');
    await b.load('again', v2, { target: 'netfilter' });
    expect(await running(r)).toEqual(['lunawall/b/again']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'b', 'again.lua'), 'utf8')).toBe(v2);
    expect((await sidecar(r, 'again')).slot).toBe('b');
  });

  for (const [label, slot, expected] of [
    ['the sidecar names slot b (the crash came after the commit)', 'b', 'lunawall/b/cut'],
    ['the sidecar names slot a (the crash came before the commit)', 'a', 'lunawall/cut'],
    ['no sidecar: the newer script wins', undefined, 'lunawall/b/cut'],
  ] as const) {
    it(`a restarted process finds both slots running after a crash mid-swap and keeps one: ${label}`, async () => {
      const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
      await new LunatikBackend(r.opts).load('cut', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter' });
      // What a process killed between `run lunawall/b/cut` and `stop lunawall/cut` leaves behind.
      await mkdir(join(r.luaRoot, 'lunawall', 'b'));
      await writeFile(join(r.luaRoot, 'lunawall', 'b', 'cut.lua'), hookScript('lunatik-4', 'return action.DROP'));
      await utimes(join(r.luaRoot, 'lunawall', 'cut.lua'), new Date(1_000_000), new Date(1_000_000));
      await writeFile(join(r.state, 'running.json'), JSON.stringify(['lunawall/cut', 'lunawall/b/cut']));
      if (slot) await writeFile(join(r.luaRoot, 'lunawall', '.cut.state.json'), JSON.stringify({ target: 'netfilter', interfaces: [], slot }));
      else await rm(join(r.luaRoot, 'lunawall', '.cut.state.json'));
      const b = new LunatikBackend(r.opts);
      expect(await b.list()).toEqual(['cut']);
      expect(await running(r)).toEqual([expected]);
      const kept = expected === 'lunawall/cut' ? 'cut.lua' : join('b', 'cut.lua');
      const dropped = expected === 'lunawall/cut' ? join('b', 'cut.lua') : 'cut.lua';
      await readFile(join(r.luaRoot, 'lunawall', kept));
      await expect(readFile(join(r.luaRoot, 'lunawall', dropped))).rejects.toThrow(/ENOENT/);
      expect(await b.health('cut')).toEqual({ ok: true, errors: [] });
    });
  }

  it('an XDP replace points the loader map at the new runtime after it runs and before the old one stops: no detach', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const { b, log } = await xdpRig(r);
    await b.load('edge', xdpScript, { target: 'xdp', interfaces: ['eth1'] });
    await writeFile(log, '');
    await b.load('edge', `${xdpScript}-- v2\n`, { target: 'xdp', interfaces: ['eth1'] });
    const seen = await ordered(log);
    expect(seen.map((c) => c.slice(0, 2).join(' '))).toEqual(['list', 'run lunawall/b/edge', 'list', 'map update', 'stop lunawall/edge']);
    expect(mapUpdateName(seen[3])).toBe('lunawall/b/edge');
    expect(await running(r)).toEqual(['lunawall/b/edge']);
    expect(await sidecar(r, 'edge')).toEqual({ target: 'xdp', interfaces: ['eth1'], slot: 'b' });
    // Interfaces that change: the new one attached, the dropped one detached, both while the old version still runs.
    await writeFile(log, '');
    await b.load('edge', xdpScript, { target: 'xdp', interfaces: ['eth2'] });
    expect((await ordered(log)).map((c) => c.slice(0, 2).join(' '))).toEqual([
      'list', 'run lunawall/edge', 'list', 'map update', 'net attach', 'net detach', 'map delete', 'stop lunawall/b/edge',
    ]);
    await writeFile(log, '');
    await b.unload('edge');
    expect((await ordered(log)).map((c) => c.slice(0, 2).join(' '))).toEqual(['list', 'net detach', 'map delete', 'stop lunawall/edge']);
  });

  it('an XDP replace whose old slot will not stop points the map back at it and stops the new one', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const { b, log } = await xdpRig(r);
    await b.load('edge', xdpScript, { target: 'xdp', interfaces: ['eth1'] });
    await writeFile(log, '');
    await writeFile(join(r.state, 'stop-error-once'), 'busy');
    await expect(b.load('edge', `${xdpScript}-- v2\n`, { target: 'xdp', interfaces: ['eth1'] })).rejects.toBeInstanceOf(LoadError);
    const seen = await ordered(log);
    expect(seen.map((c) => c.slice(0, 2).join(' '))).toEqual([
      'list', 'run lunawall/b/edge', 'list', 'map update', 'stop lunawall/edge', 'list', 'map update', 'stop lunawall/b/edge',
    ]);
    expect(mapUpdateName(seen[6])).toBe('lunawall/edge');
    expect(await running(r)).toEqual(['lunawall/edge']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'edge.lua'), 'utf8')).toBe(xdpScript);
    expect(await sidecar(r, 'edge')).toEqual({ target: 'xdp', interfaces: ['eth1'], slot: 'a' });
  });

  it('an XDP replace whose new interface cannot be attached gives the shared ones back to the running slot', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const { b, log } = await xdpRig(r);
    await b.load('edge', xdpScript, { target: 'xdp', interfaces: ['eth1'] });
    await writeFile(log, '');
    const err = await b.load('edge', `${xdpScript}-- v2\n`, { target: 'xdp', interfaces: ['eth1', 'nope0'] }).catch((e: unknown) => e);
    expect((err as LoadError).text).toBe('attaching the XDP loader failed: no such interface: nope0');
    const seen = await ordered(log);
    expect(seen.map((c) => c.slice(0, 2).join(' '))).toEqual(['list', 'run lunawall/b/edge', 'list', 'map update', 'map update', 'stop lunawall/b/edge']);
    expect(mapUpdateName(seen[4])).toBe('lunawall/edge');
    expect(await running(r)).toEqual(['lunawall/edge']);
  });

  it('after a crash mid-swap of an XDP policy the loader map is pointed at the slot kept', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const { b, log } = await xdpRig(r);
    await b.load('edge', xdpScript, { target: 'xdp', interfaces: ['eth1'] });
    await writeFile(join(r.state, 'running.json'), JSON.stringify(['lunawall/edge', 'lunawall/b/edge']));
    await writeFile(log, '');
    expect(await b.list()).toEqual(['edge']);
    const seen = await ordered(log);
    expect(seen.map((c) => c.slice(0, 2).join(' '))).toEqual(['list', 'map update', 'stop lunawall/b/edge']);
    expect(mapUpdateName(seen[1])).toBe('lunawall/edge');
  });

  it('an unload whose stop fails attaches the XDP interfaces again and throws UnloadError', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const { b, log } = await xdpRig(r);
    await b.load('edge', xdpScript, { target: 'xdp', interfaces: ['eth1'] });
    await writeFile(log, '');
    const repair = await refuseStop(r);
    const err = await b.unload('edge').catch((e: unknown) => e);
    expect(err).toBeInstanceOf(UnloadError);
    expect((err as UnloadError).text).toBe('stopping lunawall/edge failed: lunatik stop lunawall/edge: runner.lua:60: device or resource busy; its XDP interfaces were attached again');
    const seen = await ordered(log);
    expect(seen.map((c) => c.slice(0, 2).join(' '))).toEqual(['list', 'net detach', 'map delete', 'stop lunawall/edge', 'list', 'map update', 'net attach']);
    expect(mapUpdateName(seen[5])).toBe('lunawall/edge');
    expect(await b.list()).toEqual(['edge']);
    expect(await readFile(join(r.luaRoot, 'lunawall', 'edge.lua'), 'utf8')).toBe(xdpScript);
    await repair();
    await b.unload('edge');
    expect(await running(r)).toEqual([]);
  });

  it('an unload whose stop prints an error but stopped the runtime succeeds', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    await b.load('late', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter' });
    await writeFile(join(r.state, 'stop-error-after-stopping'), 'runner.lua:70: warning');
    await b.unload('late');
    expect(await b.list()).toEqual([]);
    expect(await readdir(join(r.luaRoot, 'lunawall'))).toEqual([]);
  });

  it('a corrupt sidecar does not block loading or unloading the name', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    await mkdir(join(r.luaRoot, 'lunawall'));
    await writeFile(join(r.luaRoot, 'lunawall', '.torn.state.json'), '{"target":"xd');
    const b = new LunatikBackend(r.opts);
    await b.load('torn', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter' });
    expect(JSON.parse(await readFile(join(r.luaRoot, 'lunawall', '.torn.state.json'), 'utf8'))).toEqual({ target: 'netfilter', interfaces: [], slot: 'a' });
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

  it('attributes hook errors to the policy in whichever slot runs, not to the slot it replaced', async () => {
    const r = await rig('Lunatik 4.4', { version: 'Lunatik 4.4' });
    const b = new LunatikBackend(r.opts);
    await b.load('mine', hookScript('lunatik-4', 'return action.ACCEPT'), { target: 'netfilter' });
    await b.load('mine', hookScript('lunatik-4', 'return action.ACCEPT -- v2'), { target: 'netfilter' });
    // A late line from the old version (slot a) says nothing about the new one.
    await logLine(r, `luanetfilter: ${r.luaRoot}/lunawall/mine.lua:3: from the old version`);
    expect(await b.health('mine')).toEqual({ ok: true, errors: [] });
    await logLine(r, `luanetfilter: ${r.luaRoot}/lunawall/b/mine.lua:3: from the new version`);
    expect(await b.health('mine')).toEqual({ ok: false, errors: [`${r.luaRoot}/lunawall/b/mine.lua:3: from the new version`] });
    // A restarted process finds the slot from what runs.
    const again = new LunatikBackend(r.opts);
    expect(await again.health('mine')).toEqual({ ok: true, errors: [] });
    await logLine(r, `luanetfilter: ${r.luaRoot}/lunawall/b/mine.lua:3: seen after the restart`);
    expect(await again.health('mine')).toEqual({ ok: false, errors: [`${r.luaRoot}/lunawall/b/mine.lua:3: seen after the restart`] });
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
