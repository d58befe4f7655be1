// The one escaper and the comment sanitiser: every byte round-trips through real Lua, no comment can end early.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeLuaStringBody, luaStringLiteral, sanitizeComment } from '../../server/lua/escape.js';
import { assign, comment, id, str } from '../../server/lua/build.js';
import { printStatements } from '../../server/lua/printer.js';
import { hasLua, luacError, runLua } from '../compile/luac.js';

const hex = (b: Uint8Array | string): string => Buffer.from(b as Uint8Array).toString('hex');

describe('escapeLuaStringBody', () => {
  it('keeps printable ASCII, uses letter escapes for \\ " LF CR TAB and three-digit \\ddd otherwise', () => {
    expect(escapeLuaStringBody('a"b\\c\nd\re\tf')).toBe('a\\"b\\\\c\\nd\\re\\tf');
    expect(escapeLuaStringBody(Uint8Array.of(0, 0x31, 0x7f, 0xff))).toBe('\\0001\\127\\255');
    expect(escapeLuaStringBody('é')).toBe('\\195\\169');
    expect(escapeLuaStringBody(']]--[[')).toBe(']]--[[');
  });

  it('output is plain printable ASCII with no raw quote or newline', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const body = escapeLuaStringBody(bytes);
        expect(body).toMatch(/^[\x20-\x7e]*$/);
        expect(body.replace(/\\\\|\\"/g, '')).not.toContain('"');
      }),
    );
  });
});

describe.skipIf(!hasLua)('string literals round-trip byte-exact through lua5.4', () => {
  it('all 256 bytes, and NUL followed by digits', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    const cases = [all, Uint8Array.of(0, 0x31, 0x32), Uint8Array.of(1, 0x39), new TextEncoder().encode('"]]\n--..\\')];
    const chunk = cases.map((c) => `io.write(${luaStringLiteral(c)}, "\\n")`).join('\n');
    const out = Buffer.from(runLua(chunk), 'latin1');
    const expected = Buffer.concat(cases.flatMap((c) => [Buffer.from(c), Buffer.from('\n')]));
    expect(hex(out)).toBe(hex(expected));
  });

  it('random byte strings (batched)', () => {
    const samples = fc.sample(fc.uint8Array({ maxLength: 80 }), 300);
    const chunk = samples.map((s) => `io.write(#${luaStringLiteral(s)}, ":", ${luaStringLiteral(s)}, "\\n")`).join('\n');
    const out = Buffer.from(runLua(chunk), 'latin1');
    const expected = Buffer.concat(samples.flatMap((s) => [Buffer.from(`${s.length}:`), Buffer.from(s), Buffer.from('\n')]));
    expect(hex(out)).toBe(hex(expected));
  });
});

describe('comments', () => {
  it('strip control characters and break long brackets', () => {
    expect(sanitizeComment('a\nb\rc\u0000d\u2028e')).toBe('a b c d e');
    expect(sanitizeComment('x ]] y [[ z [==[ w ]=]')).not.toMatch(/\]=*\]|\[=*\[/);
  });

  it.skipIf(!hasLua)('no text can end a comment and run code (random strings)', () => {
    const samples = fc.sample(fc.oneof(fc.string({ unit: 'binary', maxLength: 200 }), fc.constantFrom('x\nos.exit(3)', ']]\nerror("x")', '--[[\nerror()\n]]', '\r\nerror()', '\u2028error()')), 300);
    const stmts = samples.flatMap((s) => [comment(s), assign(id('x'), str('ok'))]);
    const chunk = printStatements(stmts) + 'io.write(x)\n';
    expect(luacError(chunk)).toBeUndefined();
    expect(runLua(chunk)).toBe('ok');
  });
});
