// Kernel log sources: a file read from an offset, a dmesg-style command read after a timestamp.
import { appendFile, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hookError, openKernelLog } from '../../server/kernel/kernel-log.js';
import { ethernetFrame } from '../../server/kernel/nfqueue.js';

describe('kernel log', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-klog-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('a file source returns what was appended after the cursor, without timestamps, and restarts after rotation', async () => {
    const f = join(dir, 'kern.log');
    await writeFile(f, '[    1.000000] old line\n');
    const log = openKernelLog({ file: f });
    const c = await log.cursor();
    expect(await log.since(c)).toEqual([]);
    await appendFile(f, '[    2.500000] luanetfilter: boom\nplain line\n');
    expect(await log.since(c)).toEqual(['luanetfilter: boom', 'plain line']);
    await writeFile(f, 'new\n');
    expect(await log.since(c)).toEqual(['new']);
  });

  it('a command source keeps lines stamped after the cursor', async () => {
    const f = join(dir, 'dmesg.txt');
    await writeFile(f, '[    1.000000] a\n[    2.000000] b\n');
    const log = openKernelLog({ command: ['cat', f] });
    const c = await log.cursor();
    await appendFile(f, '[    3.000000] luaxdp: couldn\'t find runtime\n');
    expect(await log.since(c)).toEqual(["luaxdp: couldn't find runtime"]);
  });

  it('a command source keeps lines that share the cursor timestamp but came after it, and repeats none', async () => {
    const f = join(dir, 'dmesg-same-stamp.txt');
    await writeFile(f, '[    1.000000] a\n[    2.000000] b\n[    2.000000] c\n');
    const log = openKernelLog({ command: ['cat', f] });
    const c = await log.cursor();
    expect(await log.since(c)).toEqual([]);
    await appendFile(f, '[    2.000000] luanetfilter: same microsecond\n[    3.000000] later\n');
    expect(await log.since(c)).toEqual(['luanetfilter: same microsecond', 'later']);
    // The ring buffer wrapped: the head is gone, nothing from before the cursor comes back.
    await writeFile(f, '[    2.000000] c\n[    2.000000] luanetfilter: same microsecond\n[    3.000000] later\n');
    expect(await log.since(c)).toEqual(['later']);
  });

  it('recognises hook error lines of both Lunatik generations', () => {
    expect(hookError('luanetfilter: /lib/modules/lua/x.lua:3: boom')).toEqual({ source: 'netfilter', message: '/lib/modules/lua/x.lua:3: boom' });
    expect(hookError('luanetfilter hook: pcall error /a.lua:30: attempt to index a number value')).toEqual({
      source: 'netfilter',
      message: '/a.lua:30: attempt to index a number value',
    });
    expect(hookError('luaxdp: x')).toEqual({ source: 'xdp', message: 'x' });
    expect(hookError('eth0: link up')).toBeUndefined();
  });
});

describe('nfqueue frames', () => {
  it('wraps L3 in Ethernet: the queue EtherType, or one from the IP version; the source MAC when known', () => {
    const v6 = ethernetFrame({ payload: Uint8Array.from([0x60, 1, 2]), indev: 0, outdev: 3, mark: 0, hwProtocol: 0 });
    expect([...v6]).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x86, 0xdd, 0x60, 1, 2]);
    const mac = Uint8Array.from([1, 2, 3, 4, 5, 6]);
    const v4 = ethernetFrame({ payload: Uint8Array.from([0x45]), indev: 2, outdev: 0, mark: 0, hwProtocol: 0x0800, srcMac: mac });
    expect([...v4.subarray(6, 14)]).toEqual([1, 2, 3, 4, 5, 6, 0x08, 0x00]);
  });
});
