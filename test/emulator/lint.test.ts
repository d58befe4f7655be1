// The integer-only lint: a Lua lexer finds float literals, `/` and `^` outside strings and comments.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { chunkId, lintIntegerOnly } from '../../server/emulator/lint.js';

const lint = (src: string) => lintIntegerOnly(src, '=t')?.message ?? null;

describe('lintIntegerOnly', () => {
  it.each([
    ['local x = 1.5', "t:1: malformed number near '1.5'"],
    ['local x = .5', "t:1: malformed number near '.5'"],
    ['local x = 3.', "t:1: malformed number near '3.'"],
    ['local x = 1e3', "t:1: malformed number near '1e3'"],
    ['local x = 0x1p4', "t:1: malformed number near '0x1p4'"],
    ['local x = 0x1.8', "t:1: malformed number near '0x1.8'"],
    ['local x = 9223372036854775808', "t:1: malformed number near '9223372036854775808'"],
    ['local x = 2 ^ 3', "t:1: unexpected symbol near '^'"],
    ['\n\nlocal x = a / b', "t:3: '/' is float division in Lua 5.4 (Lunatik has only integers): use '//'"],
    ['local s = [[\n\n]] local y = 1.0', "t:3: malformed number near '1.0'"],
    ['local s = "a\\\nb" local y = 2.0', "t:2: malformed number near '2.0'"],
  ])('%j → %s', (src, msg) => {
    expect(lint(src)).toBe(msg);
  });

  it.each([
    'local x = 7 // 2',
    'local x = 0xFF + 9223372036854775807 + 0xffffffffffffffff',
    'local s = "1.5 / 2 ^ 3"',
    "local s = '1.5' .. [==[ 2^3 ]] / ]==]",
    '-- 1.5 / 2^3\n--[[ 1.5\n / ]] local x = 1',
    'local t = {} local n = #t .. "x" local m = t..t',
    'local v = a.b.c',
    'local s = "\\z\n   1.5"',
  ])('%j is integer-only', (src) => {
    expect(lint(src)).toBeNull();
  });

  it('names chunks like luaO_chunkid', () => {
    expect(chunkId('@/lib/modules/lua/lunawall/p.lua')).toBe('/lib/modules/lua/lunawall/p.lua');
    expect(chunkId('@/' + 'x'.repeat(80))).toBe('...' + 'x'.repeat(56));
    expect(chunkId('=name')).toBe('name');
    expect(chunkId('return 1')).toBe('[string "return 1"]');
  });
});

// Cross-check with the reference compiler: luac5.4 -l -l lists DIV/POW/LOADF opcodes and float (F) constants.
const luac = ['/usr/bin/luac5.4', '/usr/bin/luac'].find((p) => existsSync(p));
describe.skipIf(!luac)('agrees with luac5.4 -l -l', () => {
  const corpus = [
    'local a, b = 1, 2 return a / b',
    'local a = 3 return a ^ 2',
    'return 1.25',
    'return 2^53',
    'local x = 7 // 2 return x % 3',
    'local s = "1.5" return #s',
    'return 0x10 << 2 | 1',
    'local t = { 1e2 } return t',
    'local a = ... return a // 0x7fffffffffffffff',
    '-- 1.5\nreturn [[2.5]]',
  ];
  it.each(corpus)('%j', (src) => {
    const dir = mkdtempSync(join(tmpdir(), 'lint-'));
    try {
      const file = join(dir, 'c.lua');
      writeFileSync(file, src);
      const listing = execFileSync(luac!, ['-l', '-l', '-p', file], { encoding: 'utf8' });
      const usesFloats = /\b(DIV|DIVK|POW|POWK|LOADF)\b/.test(listing) || /^\s*\d+\s+F\s/m.test(listing);
      expect(lint(src) !== null).toBe(usesFloats);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
