// The raw wasm helper: byte-exact strings both ways, numbers, host errors (pins wasmoon's internals).
import { LuaFactory, LuaLibraries } from 'wasmoon';
import { describe, expect, it } from 'vitest';
import { RawLua, decodeUtf8 } from '../../server/emulator/wasm.js';

async function engine() {
  const e = await new LuaFactory().createEngine({ openStandardLibs: false });
  e.global.loadLibrary(LuaLibraries.Base);
  e.global.loadLibrary(LuaLibraries.String);
  e.doStringSync(`
function echo(s) return s, #s end
function sum(a, b) return a + b end
function fail() error("nope") end
function packet(p) return #p, p:byte(1), p:byte(#p) end`);
  return { e, raw: new RawLua(e) };
}

describe('RawLua', () => {
  it('passes bytes through unchanged, NUL and 0xff included', async () => {
    const { e, raw } = await engine();
    const bytes = Uint8Array.from([0, 0xff, 0x80, 0, 65, 0xc3]);
    const [back, len] = raw.call('echo', [bytes], 2);
    expect(back).toEqual(bytes);
    expect(len).toBe(6);
    expect(decodeUtf8(raw.call('echo', ['héllo'], 1)[0])).toBe('héllo');
    raw.dispose();
    e.global.close();
  });

  it('passes numbers, and reports an uncaught Lua error as a thrown Error', async () => {
    const { e, raw } = await engine();
    expect(raw.call('sum', [2, 40], 1)).toEqual([42]);
    expect(() => raw.call('fail', [], 0)).toThrow(/host Lua failed in fail: .*nope/);
    // The stack is balanced after an error.
    expect(raw.call('sum', [1, 1], 1)).toEqual([2]);
    raw.dispose();
    e.global.close();
  });

  it('callPacket prepends the header and reads three numbers; large frames grow the buffer', async () => {
    const { e, raw } = await engine();
    const out = new Float64Array(3);
    raw.callPacket('packet', Uint8Array.from([7, 8]), Uint8Array.from([1, 2, 9]), out);
    expect([...out]).toEqual([5, 7, 9]);
    const big = new Uint8Array(70000).fill(3);
    raw.callPacket('packet', Uint8Array.from([1]), big, out);
    expect([...out]).toEqual([70001, 1, 3]);
    raw.dispose();
    e.global.close();
  });
});
