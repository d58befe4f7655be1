// Kernel verdict semantics of netfilter hooks in the emulator (lunatik.md §2.3, §2.4, §10), both profiles.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { arpFrame, ipv4Frame, ipv6Frame, nf36, nf4 } from './frames.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator();
});
afterAll(() => emu.close());

const load4 = (script: string) => emu.load('t4', script, { profile: 'lunatik-4', target: 'netfilter' });
const load36 = (script: string) => emu.load('t36', script, { profile: 'lunatik-3.6', target: 'netfilter' });
const run4 = (frame = ipv4Frame(), extra: { mark?: number; ifindex?: number; hook?: 'input' | 'output' | 'prerouting' } = {}) =>
  emu.run('t4', { frame, hook: 'input', ...extra });

describe('verdicts (lunatik-4)', () => {
  it.each([
    ['return nf.action.DROP', 'drop', 0],
    ['return nf.action.ACCEPT', 'accept', 1],
    ['return', 'drop', 0],
    ['return nil', 'drop', 0],
    ['return true', 'drop', 0],
    ['return false', 'drop', 0],
    ['return "accept"', 'drop', 0],
    ['return {}', 'drop', 0],
    // lua_tointeger converts numeric strings.
    ['return "1"', 'accept', 1],
    ['return 99', 'accept', 1],
    ['return -5', 'accept', 1],
    ['return 0xFFFFFFFF', 'accept', 1],
    // (int) cast of 2^32 + 0 is NF_DROP.
    ['return 0x100000000', 'drop', 0],
    ['return nf.action.STOLEN', 'drop', 2],
    ['return nf.action.STOP', 'drop', 5],
  ] as const)('%s → %s', async (body, verdict, raw) => {
    await load4(nf4(body));
    const r = run4();
    expect(r).toMatchObject({ verdict, raw });
    expect(r.error).toBeUndefined();
    expect(emu.health('t4').ok).toBe(true);
  });

  it('a Lua error accepts the packet, is counted and listed like the kernel log', async () => {
    await load4(nf4('error("boom")'));
    const r = run4();
    expect(r).toMatchObject({ verdict: 'accept', raw: 1, error: '/lib/modules/lua/lunawall/t4.lua:6: boom' });
    run4();
    const h = emu.health('t4');
    expect(h.ok).toBe(false);
    expect(h.errorCount).toBe(2);
    expect(h.errors[0]).toBe('luanetfilter: /lib/modules/lua/lunawall/t4.lua:6: boom');
  });

  it('a non-string error object is logged as (null)', async () => {
    await load4(nf4('error({})'));
    expect(run4()).toMatchObject({ verdict: 'accept', error: '(null)' });
  });

  it('a hook field that is not a function fails open with "operation not defined"', async () => {
    await load4('require("netfilter").register{ pf = 1, hooknum = 1, priority = 0 }');
    expect(run4()).toMatchObject({ verdict: 'accept', raw: 1, error: 'operation not defined' });
  });

  it('runs the hook only for packets whose mark equals the registered mark (default 0)', async () => {
    await load4(nf4('return nf.action.DROP'));
    expect(run4(ipv4Frame(), { mark: 7 })).toEqual({ verdict: 'accept', raw: 1, skipped: 'mark' });
    expect(run4(ipv4Frame(), { mark: 0 }).verdict).toBe('drop');
    await load4(`require("netfilter").register{ pf = 1, hooknum = 1, priority = 0, mark = 7, hook = function() return 0 end }`);
    expect(run4(ipv4Frame(), { mark: 7 }).verdict).toBe('drop');
    expect(run4(ipv4Frame(), { mark: 0 }).skipped).toBe('mark');
  });

  it('a second return value sets the mark, which later hooks then filter on', async () => {
    await load4(`local netfilter = require("netfilter")
netfilter.register{ pf = 1, hooknum = 1, priority = -10, hook = function() return 1, 42 end }
netfilter.register{ pf = 1, hooknum = 1, priority = 0, hook = function() return 0 end }`);
    expect(run4()).toEqual({ verdict: 'accept', raw: 1, mark: 42 });
  });

  it('runs hooks in priority order and stops at the first non-ACCEPT', async () => {
    await load4(`local netfilter = require("netfilter")
order = {}
netfilter.register{ pf = 1, hooknum = 1, priority = 100, hook = function() order[#order + 1] = "late" return 1 end }
netfilter.register{ pf = 1, hooknum = 1, priority = -100, hook = function() order[#order + 1] = "early" return 0 end }
hits = setmetatable({}, { __index = function(_, k) return #order end })
hits.n = 0
netfilter.register{ pf = 1, hooknum = 3, priority = 0, hook = function() hits.n = #order return 1 end }`);
    expect(run4().verdict).toBe('drop');
    run4(ipv4Frame(), { hook: 'output' });
    expect(emu.counters('t4')).toEqual({ n: 1 });
  });

  it('hooks registered for another hook, or whose pf excludes the family, are not run', async () => {
    await load4(`require("netfilter").register{ pf = 2, hooknum = 1, priority = 0, hook = function() return 0 end }`);
    expect(run4(ipv4Frame(), { hook: 'prerouting' })).toEqual({ verdict: 'accept', raw: 1, skipped: 'no-hook' });
    expect(run4(ipv6Frame()).skipped).toBe('family');
    expect(run4(arpFrame()).skipped).toBe('family');
    expect(run4(ipv4Frame()).verdict).toBe('drop');
  });

  it('validates register fields with the kernel texts', async () => {
    const fail = (s: string) => load4(s).then(() => 'loaded', (e: Error & { text?: string }) => e.text);
    expect(await fail('require("netfilter").register{ hook = function() end, hooknum = 1, priority = 0 }')).toBe("bad field 'pf' (number expected, got nil)");
    expect(await fail('require("netfilter").register{ pf = 1, priority = 0 }')).toBe("bad field 'hooknum' (number expected, got nil)");
    expect(await fail('require("netfilter").register{ pf = 1, hooknum = 1, priority = "x" }')).toBe("bad field 'priority' (number expected, got string)");
    expect(await fail('require("netfilter").register{ pf = 5, hooknum = 0, priority = 0 }')).toBe('failed to register netfilter hook');
    expect(await fail('require("netfilter").register()')).toBe("bad argument #1 to 'netfilter.register' (table expected, got no value)");
  });
});

describe('packet bytes (lunatik-4 skb)', () => {
  it('skb:data("net") starts at L3, #skb is the IP length, reads are host order, ntoh swaps', async () => {
    await load4(nf4(`local d = skb:data("net")
hits = { len = #d, skblen = #skb, v = d:getbyte(0), raw16 = d:getuint16(2), n16 = bo.ntoh16(d:getuint16(2)),
  raw32 = d:getuint32(12), n32 = bo.ntoh32(d:getuint32(12)), i8 = d:getint8(8), s = #d:getstring(12, 4), rest = #d:getstring(4) }
return 1`));
    run4(ipv4Frame({ payload: [1, 2, 3, 4] }));
    expect(emu.counters('t4')).toEqual({
      len: 24, skblen: 24, v: 0x45, raw16: 0x1800, n16: 24, raw32: 0x0100000a, n32: 0x0a000001, i8: 64, s: 4, rest: 20,
    });
  });

  it('skb:data("mac") starts at the Ethernet header (VLAN tags included); Ethernet padding is trimmed', async () => {
    await load4(nf4(`local m = skb:data("mac")
hits = { len = #m, type = bo.ntoh16(m:getuint16(12)), netlen = #skb:data() }
return 1`));
    run4(ipv4Frame({ pad: 6 }));
    expect(emu.counters('t4')).toEqual({ len: 34, type: 0x0800, netlen: 20 });
    run4(ipv4Frame({ vlan: [10] }));
    expect(emu.counters('t4')).toEqual({ len: 38, type: 0x8100, netlen: 20 });
  });

  it('out-of-bounds reads raise the kernel message and fail open', async () => {
    await load4(nf4('return skb:data("net"):getuint16(19)'));
    expect(run4()).toMatchObject({ verdict: 'accept', error: "bad argument #2 to '?' (out of bounds)" });
    await load4(nf4('return skb:data("net"):getbyte(-1)'));
    expect(run4().error).toBe("bad argument #2 to '?' (out of bounds)");
    await load4(nf4('return skb:data("net"):getstring(20)'));
    expect(run4().error).toBe("bad argument #2 to '?' (out of bounds)");
    await load4(nf4('return skb:data("net"):getbyte(nil)'));
    expect(run4().error).toBe("bad argument #2 to '?' (number expected, got nil)");
  });

  it('"mac" on output has no MAC header; a bad layer name is refused', async () => {
    await load4(`require("netfilter").register{ pf = 1, hooknum = 3, priority = 0, hook = function(skb) return skb:data("mac"):getbyte(0) end }`);
    expect(run4(ipv4Frame(), { hook: 'output' }).error).toBe("bad argument #2 to '?' (MAC header not set)");
    await load4(nf4('return skb:data("l4")'));
    expect(run4().error).toBe("bad argument #2 to '?' (invalid option 'l4')");
  });

  it('skb:ifindex() is the hook device or nil', async () => {
    await load4(nf4('hits = { i = skb:ifindex() or -1 } return 1'));
    run4(ipv4Frame(), { ifindex: 3 });
    expect(emu.counters('t4')).toEqual({ i: 3 });
    run4();
    expect(emu.counters('t4')).toEqual({ i: -1 });
  });

  it('views and the skb are cleared after the callback', async () => {
    await load4(nf4('kept = kept or skb:data("net") keptskb = skb return 1', 'local kept, keptskb') +
      '\nrequire("netfilter").register{ pf = 1, hooknum = 3, priority = 0, hook = function() return kept:getbyte(0) end }' +
      '\nrequire("netfilter").register{ pf = 1, hooknum = 0, priority = 0, hook = function() return keptskb:data() end }');
    run4();
    expect(run4(ipv4Frame(), { hook: 'output' }).error).toBe("bad argument #2 to '?' (out of bounds)");
    expect(run4(ipv4Frame(), { hook: 'prerouting' }).error).toBe("bad argument #1 to '?' (skb is not set)");
  });
});

describe('packet bytes (lunatik-3.6 data)', () => {
  it('data starts at L2 on input and at L3 on output; linux.ntoh16 swaps', async () => {
    await load36(nf36('hits = hits or {} hits.len = #data hits.first = data:getbyte(0) hits.n = linux.ntoh16(data:getuint16(12)) return netfilter.action.ACCEPT'));
    emu.run('t36', { frame: ipv4Frame(), hook: 'input' });
    expect(emu.counters('t36')).toEqual({ len: 34, first: 2, n: 0x0800 });
    await load36(nf36('hits = { len = #data, first = data:getbyte(0) } return netfilter.action.DROP', 'LOCAL_OUT'));
    expect(emu.run('t36', { frame: ipv4Frame(), hook: 'output' }).verdict).toBe('drop');
    expect(emu.counters('t36')).toEqual({ len: 20, first: 0x45 });
  });

  it('nil drops, errors accept, constants live in the netfilter module', async () => {
    await load36(nf36('return nil'));
    expect(emu.run('t36', { frame: ipv4Frame(), hook: 'input' }).verdict).toBe('drop');
    await load36(nf36('return data:getuint32(31)'));
    expect(emu.run('t36', { frame: ipv4Frame(), hook: 'input' })).toMatchObject({ verdict: 'accept', error: "bad argument #2 to '?' (out of bounds)" });
    await load36(nf36('return netfilter.action.CONTINUE'));
    expect(emu.run('t36', { frame: ipv4Frame(), hook: 'input' })).toMatchObject({ verdict: 'accept', raw: 1 });
  });

  it('has no set, skb or byteorder module (§10)', async () => {
    const text = await load36('local set = require("set")').then(() => '', (e: Error & { text: string }) => e.text);
    expect(text).toBe('/lib/modules/lua/lunawall/t36.lua:1: luaopen_set not found in kernel symbol table');
    for (const m of ['skb', 'byteorder']) {
      await expect(load36(`require("${m}")`)).rejects.toThrow(`luaopen_${m} not found in kernel symbol table`);
    }
    await expect(load4('require("linux")')).rejects.toThrow("module 'linux' is not emulated by lunawall");
  });
});

it('countersDelta reports what rose since the previous call', async () => {
  await load4(nf4('hits.n = hits.n + 1 if skb:data():getbyte(9) == 6 then hits.tcp = hits.tcp + 2 end return 1', 'hits = { n = 0, tcp = 0, z = 0 }'));
  expect(emu.countersDelta('t4')).toEqual({});
  run4(ipv4Frame({ proto: 6 }));
  run4(ipv4Frame({ proto: 17 }));
  expect(emu.countersDelta('t4')).toEqual({ n: 2, tcp: 2 });
  run4(ipv4Frame({ proto: 17 }));
  expect(emu.countersDelta('t4')).toEqual({ n: 1 });
  expect(emu.counters('t4')).toEqual({ n: 3, tcp: 2, z: 0 });
});

it('a script that registers nothing loads; packets pass with skipped "no-hook" and no error', async () => {
  await load4('local x = 1');
  expect(emu.run('t4', { frame: ipv4Frame() })).toEqual({ verdict: 'accept', raw: 1, skipped: 'no-hook' });
  expect(emu.health('t4')).toMatchObject({ ok: true, errorCount: 0 });
});
