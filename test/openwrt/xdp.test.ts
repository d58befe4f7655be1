// The XDP loader program: compiled with Debian's clang for BPF, checked for the bpf_luaxdp_run kfunc.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { xdpCommands } from '../../server/kernel/xdp-loader.js';
import { BTF_FUNC_EXTERN, BTF_KIND, parseBtf, type BtfType } from './btf.js';

const source = new URL('../../openwrt/xdp/lunawall_xdp.c', import.meta.url).pathname;
const tools = ['clang', 'llvm-objdump', 'llvm-readelf', 'llvm-objcopy'];
const has = (tool: string) => {
  try {
    execFileSync(tool, ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const missing = tools.filter((t) => !has(t)).concat(existsSync('/usr/include/bpf/bpf_helpers.h') ? [] : ['libbpf-dev']);
if (missing.length && process.env.CI !== 'true') console.warn(`skipping the XDP object checks: ${missing.join(', ')} not installed`);

/** Debian puts asm/ under a multiarch directory that clang -target bpf does not search. */
const asmInclude = () =>
  readdirSync('/usr/include')
    .map((d) => join('/usr/include', d))
    .filter((d) => existsSync(join(d, 'asm', 'types.h')))
    .map((d) => `-I${d}`);

describe.skipIf(missing.length > 0 && process.env.CI !== 'true')('openwrt/xdp/lunawall_xdp.c', () => {
  const dir = mkdtempSync(join(tmpdir(), 'lunawall-xdp-'));
  const obj = join(dir, 'lunawall_xdp.o');
  let types: BtfType[] = [];
  const byName = (kind: number, name: string) => types.find((t) => t.kind === kind && t.name === name);

  beforeAll(() => {
    execFileSync('clang', ['-target', 'bpf', '-O2', '-g', '-Wall', '-Werror', ...asmInclude(), '-c', source, '-o', obj]);
    execFileSync('llvm-objcopy', ['--dump-section', `.BTF=${join(dir, 'btf')}`, obj, join(dir, 'scratch.o')]);
    types = parseBtf(readFileSync(join(dir, 'btf')));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('calls bpf_luaxdp_run from the xdp section, as a kfunc call relocation', () => {
    const dis = execFileSync('llvm-objdump', ['-dr', '--no-show-raw-insn', obj], { encoding: 'utf8' });
    const xdp = dis.slice(dis.indexOf('Disassembly of section xdp:'));
    expect(xdp).toMatch(/call -1\s*\n\s*[0-9a-f]+:\s+R_BPF_64_32\s+bpf_luaxdp_run/);
  });

  it('leaves bpf_luaxdp_run undefined, for libbpf to resolve against the kernel BTF', () => {
    const syms = execFileSync('llvm-readelf', ['-s', obj], { encoding: 'utf8' });
    expect(syms).toMatch(/NOTYPE\s+GLOBAL\s+DEFAULT\s+UND\s+bpf_luaxdp_run/);
    expect(syms).toMatch(/FUNC\s+GLOBAL\s+DEFAULT\s+\d+\s+lunawall_xdp/);
    const sections = execFileSync('llvm-readelf', ['-S', obj], { encoding: 'utf8' });
    for (const s of [' xdp ', ' .maps ', ' license ', ' .BTF ']) expect(sections).toContain(s);
  });

  it('declares the kfunc in BTF: an extern FUNC in .ksyms with the kernel prototype', () => {
    const fn = byName(BTF_KIND.FUNC, 'bpf_luaxdp_run');
    expect(fn?.vlen).toBe(BTF_FUNC_EXTERN);
    const ksyms = byName(BTF_KIND.DATASEC, '.ksyms');
    expect(ksyms?.members.map((m) => m.type)).toContain(fn!.id);
    const proto = types[fn!.sizeOrType - 1];
    expect(proto.kind).toBe(BTF_KIND.FUNC_PROTO);
    // clang names no parameters of an extern; the kernel's own BTF supplies key__sz/arg__sz.
    const TYPEDEF = 8;
    const kindOf = (id: number): number => (types[id - 1].kind === TYPEDEF ? kindOf(types[id - 1].sizeOrType) : types[id - 1].kind);
    expect(proto.members.map((m) => kindOf(m.type))).toEqual([BTF_KIND.PTR, BTF_KIND.INT, BTF_KIND.PTR, BTF_KIND.PTR, BTF_KIND.INT]);
    const ctx = types[types[proto.members[2].type - 1].sizeOrType - 1];
    expect(ctx).toMatchObject({ kind: BTF_KIND.STRUCT, name: 'xdp_md' });
    expect(types[proto.sizeOrType - 1]).toMatchObject({ kind: BTF_KIND.INT, name: 'int' });
  });

  it('keeps the ifindex → runtime map in the layout the backend writes with bpftool', () => {
    const rt = byName(BTF_KIND.STRUCT, 'lunawall_rt');
    expect(rt?.members.map((m) => [m.name, m.offset])).toEqual([
      ['len', 0],
      ['name', 32],
    ]);
    const name = types[rt!.members[1].type - 1];
    expect(name.array?.nelems).toBe(64);
    // xdp-loader.ts writes key (4 bytes) and value (sizeof struct lunawall_rt) as hex bytes.
    const [update] = xdpCommands({ op: 'attach', iface: 'eth0', ifindex: 2, runtime: 'lunawall/guard' });
    const key = update.slice(update.indexOf('key') + 2, update.indexOf('value'));
    const value = update.slice(update.indexOf('value') + 2);
    expect(key).toHaveLength(4);
    expect(value).toHaveLength(rt!.sizeOrType);
    expect(Buffer.from(value.slice(4).join(''), 'hex').toString('latin1').replace(/\0+$/, '')).toBe('lunawall/guard');
  });

  it('maps negative kfunc results (no runtime, no callback, Lua error) to XDP_PASS', () => {
    const text = readFileSync(source, 'utf8');
    expect(text).toMatch(/return action < 0 \? XDP_PASS : action;/);
  });
});

// libbpf (through bpftool, as the lunatik backend loads it) reads the object up to the kfunc; without
// Lunatik's luaxdp module in the kernel it must stop there, naming the missing kfunc.
const hasBpftool = spawnSync('bpftool', ['version']).status === 0;
const isRoot = process.getuid?.() === 0;
if ((!hasBpftool || !isRoot) && process.env.CI !== 'true') console.warn('skipping the bpftool load check: needs root and bpftool');

describe.skipIf((!hasBpftool || !isRoot || missing.length > 0) && process.env.CI !== 'true')('bpftool prog load of the XDP object', () => {
  it('sees the ifindex → runtime map and resolves bpf_luaxdp_run as a kernel kfunc', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lunawall-bpftool-'));
    try {
      const obj = join(dir, 'lunawall_xdp.o');
      execFileSync('clang', ['-target', 'bpf', '-O2', '-g', ...asmInclude(), '-c', source, '-o', obj]);
      const pin = join(dir, 'bpffs');
      mkdirSync(pin);
      const [load] = xdpCommands({ op: 'load' }, { object: obj, pinDir: pin });
      // A private mount namespace: bpftool mounts bpffs itself when the pin path is not on one.
      const r = spawnSync('unshare', ['-m', 'sh', '-c', `mount -t bpf bpf "$1" && shift && exec "$@"`, 'sh', pin, load[0], '-d', ...load.slice(1)], { encoding: 'utf8' });
      const log = r.stdout + r.stderr;
      expect(log).toMatch(/map 'lunawall_rt': found key \[\d+\], sz = 4\./);
      expect(log).toMatch(/map 'lunawall_rt': found value \[\d+\], sz = 68\./);
      expect(log).toMatch(/found extern #0 'bpf_luaxdp_run'/);
      const kernelHasLuaxdp = existsSync('/sys/module/luaxdp');
      if (kernelHasLuaxdp) expect(r.status).toBe(0);
      else {
        expect(r.status).not.toBe(0);
        expect(log).toContain("extern (func ksym) 'bpf_luaxdp_run': not found in kernel or module BTFs");
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
