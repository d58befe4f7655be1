// What a script can reach in the emulator: Lunatik's integer-only Lua without os/io/debug (stack.md §2.3, lunatik.md §10).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { ipv4Frame } from './frames.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator();
});
afterAll(() => emu.close());

/** Runs `body` at load time of a lunatik-4 script; resolves with its error text, or '' when it loads. */
const atLoad = (body: string) =>
  emu.load('s', body, { profile: 'lunatik-4', target: 'netfilter' }).then(
    () => '',
    (e: Error & { text?: string }) => e.text ?? e.message,
  );

describe('no os, io or debug', () => {
  it('the globals are absent', async () => {
    expect(await atLoad('assert(os == nil and io == nil and debug == nil and dofile == nil and loadfile == nil and package == nil)')).toBe('');
  });

  it('os.execute is not reachable through load, string metatables or _G', async () => {
    expect(await atLoad('assert(load("return os")() == nil)')).toBe('');
    expect(await atLoad('assert(_G.os == nil and ("").dump == nil and string.dump == nil)')).toBe('');
    expect(await atLoad('local f = load("return require", "x", "t", {}) assert(f() == nil)')).toBe('');
    expect(await atLoad('os.execute("id")')).toMatch(/attempt to index a nil value \(global 'os'\)/);
    // The process is still alive and the emulator still works.
    expect(await atLoad('return 1')).toBe('');
  });

  it('load accepts text only', async () => {
    expect(await atLoad('assert(load("\\27Lua") == nil)')).toBe('');
  });
});

describe('integer-only numbers', () => {
  it('float literals, / and ^ in the script are load errors with the kernel-style position', async () => {
    expect(await atLoad('local x = 1\nlocal y = 1.5')).toBe("/lib/modules/lua/lunawall/s.lua:2: malformed number near '1.5'");
    expect(await atLoad('local x = 2^3')).toBe("/lib/modules/lua/lunawall/s.lua:1: unexpected symbol near '^'");
    expect(await atLoad('local x = 7 / 2')).toMatch(/^\/lib\/modules\/lua\/lunawall\/s\.lua:1: '\/' is float division/);
    expect(await atLoad('local x = 1e3')).toMatch(/malformed number near '1e3'/);
    expect(await atLoad('local x = 7 // 2 -- 1.5 / 2 ^ 3\nlocal s = "1.5 / 2^3" .. [[ 0.5 ]]')).toBe('');
  });

  it('load() of a chunk with a float is refused the same way', async () => {
    expect(await atLoad('local f, err = load("return 0.5", "=inner") assert(f == nil) assert(err == "inner:1: malformed number near \'0.5\'", err)')).toBe('');
  });

  it('math has only maxinteger/mininteger; no float sources remain', async () => {
    expect(await atLoad('assert(math.type == nil and math.floor == nil and math.huge == nil and math.pi == nil and math.maxinteger == 9223372036854775807)')).toBe('');
    expect(await atLoad('assert(tonumber("1.5") == nil and tonumber("0x10") == 16 and tonumber("10") == 10)')).toBe('');
    expect(await atLoad('local ok, e = pcall(string.format, "%f", 1) assert(not ok and e:find("invalid conversion"), e)')).toBe('');
    expect(await atLoad('local ok, e = pcall(string.unpack, "d", "12345678") assert(not ok and e:find("invalid format option"), e)')).toBe('');
    expect(await atLoad('local ok = pcall(function() return "1.5" + 0 end) assert(not ok) assert("10" + 1 == 11)')).toBe('');
    expect(await atLoad('local n = collectgarbage("count") assert(math.maxinteger >= n and n > 1000 and n == n // 1)')).toBe('');
    expect(await atLoad('assert(7 // 2 == 3 and -7 // 2 == -4 and 7 % 2 == 1)')).toBe('');
  });
});

describe('memory cap', () => {
  it('an allocation past the cap is "not enough memory": at load a LoadError, in a hook fail-open', async () => {
    const small = await createEmulator({ memoryLimit: 8 * 1024 * 1024 });
    try {
      await expect(small.load('m', 'local t = {} for i = 1, 10000000 do t[i] = i end', { profile: 'lunatik-4', target: 'netfilter' })).rejects.toThrow(
        'not enough memory',
      );
      await small.load('m', `local nf = require("linux.nf")
big = {}
require("netfilter").register{ pf = 1, hooknum = 1, priority = 0, hook = function(skb)
  for i = 1, 100 do big[#big + 1] = string.rep("x", 100000) .. i end
  return nf.action.DROP
end }`, { profile: 'lunatik-4', target: 'netfilter' });
      const r = small.run('m', { frame: ipv4Frame(), hook: 'input' });
      expect(r).toMatchObject({ verdict: 'accept', error: 'not enough memory' });
    } finally {
      small.close();
    }
  });
});

describe('load errors look like lunatik run output', () => {
  it('syntax errors, runtime errors and missing modules', async () => {
    expect(await atLoad('local = 1')).toBe("/lib/modules/lua/lunawall/s.lua:1: <name> expected near '='");
    expect(await atLoad('\nerror("boom at load")')).toBe('/lib/modules/lua/lunawall/s.lua:2: boom at load');
    expect(await atLoad('require("nosuch")')).toBe('/lib/modules/lua/lunawall/s.lua:1: luaopen_nosuch not found in kernel symbol table');
  });

  it('a failed load keeps the runtime that was running; unload and list', async () => {
    await emu.load('keep', 'require("netfilter").register{ pf = 1, hooknum = 1, priority = 0, hook = function() return 0 end }', { profile: 'lunatik-4', target: 'netfilter' });
    await expect(emu.load('keep', 'syntax error here', { profile: 'lunatik-4', target: 'netfilter' })).rejects.toThrow('loading keep failed');
    expect(emu.run('keep', { frame: ipv4Frame(), hook: 'input' }).verdict).toBe('drop');
    expect(emu.list()).toContain('keep');
    emu.unload('keep');
    expect(emu.list()).not.toContain('keep');
    expect(() => emu.run('keep', { frame: ipv4Frame() })).toThrow('no runtime named "keep"');
  });

  it('print output is captured line by line', async () => {
    await emu.load('p', 'print("a", 1) print("b")', { profile: 'lunatik-3.6', target: 'netfilter' });
    expect(emu.output('p')).toEqual(['a\t1', 'b']);
    expect(emu.output('p')).toEqual([]);
  });

  it('rcu tables keep state and check values per profile; set is lunatik-4 only', async () => {
    expect(await atLoad(`local rcu = require("rcu") local t = rcu.table()
t["a"] = true t.b = 5 assert(t.a == true and t.b == 5)
local ok = pcall(function() t.c = "str" end) assert(not ok)
local n = 0 rcu.map(t, function(k, v) n = n + 1 end) assert(n == 2)
local set = require("set") local s = set.new{ "b.com", "a.com" } assert(s:has("a.com") and not s:has("c.com") and #s == 2)
local l = set.labeled{ ["example.com"] = 1, ["com"] = 2 } assert(l:match("x.example.com") == 3 and l:match("org") == 0)`)).toBe('');
    await expect(emu.load('r', 'require("rcu").table().x = true', { profile: 'lunatik-3.6', target: 'netfilter' })).rejects.toThrow(
      "bad argument #3 to '?' (invalid value)",
    );
  });

  it('byteorder swaps like the kernel (cast to width, then swap)', async () => {
    expect(await atLoad(`local bo = require("byteorder")
assert(bo.ntoh16(0x5400) == 0x54 and bo.ntoh16(0x15400) == 0x54 and bo.ntoh32(0x0100000a) == 0x0a000001)
assert(bo.hton16(0x0102) == 0x0201 and bo.htole32(0x1234) == 0x1234 and bo.ntoh64(1) == 0x0100000000000000)`)).toBe('');
  });
});

it('string methods go through the same integer-only library', async () => {
  expect(await atLoad('local ok, e = pcall(function() return ("%f"):format(1) end) assert(not ok and e:find("invalid conversion"), e)')).toBe('');
});

it('reading counters never runs script code, however often it is called', async () => {
  await emu.load('c', 'hits = { a = 1, b = "x", [3] = 4 } setmetatable(_G, { __index = function() while true do end end })', { profile: 'lunatik-4', target: 'netfilter' });
  for (let i = 0; i < 50; i++) expect(emu.counters('c')).toEqual({ a: 1 });
});

it('host metatables are out of reach: a script cannot rewire them into the host', async () => {
  expect(await atLoad('assert(getmetatable("") == false and getmetatable(require("rcu").table()) == false and getmetatable(require("data").new(4)) == false)')).toBe('');
  expect(await atLoad('local ok = pcall(setmetatable, require("data").new(4), {}) assert(not ok)')).toBe('');
});
