// The one place that touches wasmoon's emscripten internals (raw exports, heap): byte-exact strings in and out of Lua.
import type { LuaEngine } from 'wasmoon';

/** The emscripten exports used here; wasmoon 1.16.0 (pinned) has them but does not declare them. */
interface RawModule {
  HEAPU8: Uint8Array;
  HEAPU32: Uint32Array;
  _malloc(size: number): number;
  _free(ptr: number): void;
  _lua_getglobal(L: number, name: number): number;
  _lua_pushlstring(L: number, ptr: number, len: number): number;
  _lua_pushnumber(L: number, n: number): void;
  _lua_pcallk(L: number, nargs: number, nresults: number, errfunc: number, ctx: number, k: number): number;
  _lua_tonumberx(L: number, idx: number, isnum: number): number;
  _lua_tolstring(L: number, idx: number, lenPtr: number): number;
  _lua_type(L: number, idx: number): number;
  _lua_gettop(L: number): number;
  _lua_settop(L: number, idx: number): void;
}

const LUA_TSTRING = 4;
const utf8 = new TextDecoder('utf-8');
const encoder = new TextEncoder();

/**
 * Raw access to one Lua state: calls a global function with byte strings and numbers and reads
 * numbers and byte strings back, without wasmoon's JS proxies (stack.md §2.1: 0.26 µs per call
 * instead of 4.7 µs).
 */
export class RawLua {
  private readonly m: RawModule;
  private readonly L: number;
  private scratch = 0;
  private scratchSize = 0;
  private readonly lenPtr: number;
  private readonly names = new Map<string, number>();

  constructor(engine: LuaEngine) {
    this.m = (engine.global.lua as unknown as { module: RawModule }).module;
    this.L = engine.global.address;
    if (typeof this.m._lua_pushlstring !== 'function' || !(this.m.HEAPU8 instanceof Uint8Array)) {
      throw new Error('wasmoon internals changed: _lua_pushlstring/HEAPU8 missing (pin wasmoon 1.16.0)');
    }
    this.lenPtr = this.m._malloc(4);
  }

  /** A NUL-terminated copy of `name` on the wasm heap, kept for the life of the state. */
  private cname(name: string): number {
    let p = this.names.get(name);
    if (p === undefined) {
      const bytes = encoder.encode(name);
      p = this.m._malloc(bytes.length + 1);
      this.m.HEAPU8.set(bytes, p);
      this.m.HEAPU8[p + bytes.length] = 0;
      this.names.set(name, p);
    }
    return p;
  }

  /** A heap buffer of at least `size` bytes, reused across calls. */
  private buffer(size: number): number {
    if (size > this.scratchSize) {
      if (this.scratch) this.m._free(this.scratch);
      this.scratchSize = Math.max(size, 2048);
      this.scratch = this.m._malloc(this.scratchSize);
      if (!this.scratch) throw new Error('wasm heap exhausted');
    }
    return this.scratch;
  }

  /**
   * Calls global `fn` with `args` (numbers, or byte strings given as Uint8Array / JS string) and
   * returns `nresults` results. Numbers come back as numbers, strings as Uint8Array, anything else
   * as null. A Lua error in `fn` itself (not caught inside it) throws.
   */
  call(fn: string, args: (number | Uint8Array | string)[], nresults: number): (number | Uint8Array | null)[] {
    const { m, L } = this;
    const top = m._lua_gettop(L);
    m._lua_getglobal(L, this.cname(fn));
    for (const a of args) {
      if (typeof a === 'number') m._lua_pushnumber(L, a);
      else this.pushBytes(typeof a === 'string' ? encoder.encode(a) : a);
    }
    const status = m._lua_pcallk(L, args.length, nresults, 0, 0, 0);
    try {
      if (status !== 0) {
        const msg = this.bytesAt(-1);
        throw new Error(`host Lua failed in ${fn}: ${msg ? utf8.decode(msg) : `status ${status}`}`);
      }
      const out: (number | Uint8Array | null)[] = [];
      for (let i = nresults; i >= 1; i--) out.push(this.valueAt(-i));
      return out;
    } finally {
      m._lua_settop(L, top);
    }
  }

  /**
   * The per-packet path: calls global `fn` with one byte string (copied straight from `bytes`
   * into the heap, offset `headerLen` bytes after `header`) and reads three numeric results.
   */
  callPacket(fn: string, header: Uint8Array, bytes: Uint8Array, out: Float64Array): void {
    const { m, L } = this;
    const len = header.length + bytes.length;
    const p = this.buffer(len);
    const heap = m.HEAPU8;
    heap.set(header, p);
    heap.set(bytes, p + header.length);
    const top = m._lua_gettop(L);
    m._lua_getglobal(L, this.cname(fn));
    m._lua_pushlstring(L, p, len);
    const status = m._lua_pcallk(L, 1, 3, 0, 0, 0);
    if (status !== 0) {
      const msg = this.bytesAt(-1);
      m._lua_settop(L, top);
      throw new Error(`host Lua failed in ${fn}: ${msg ? utf8.decode(msg) : `status ${status}`}`);
    }
    out[0] = m._lua_tonumberx(L, -3, 0);
    out[1] = m._lua_tonumberx(L, -2, 0);
    out[2] = m._lua_tonumberx(L, -1, 0);
    m._lua_settop(L, top);
  }

  private pushBytes(bytes: Uint8Array): void {
    const p = this.buffer(bytes.length);
    this.m.HEAPU8.set(bytes, p);
    this.m._lua_pushlstring(this.L, p, bytes.length);
  }

  private valueAt(idx: number): number | Uint8Array | null {
    const t = this.m._lua_type(this.L, idx);
    if (t === 3) return this.m._lua_tonumberx(this.L, idx, 0);
    if (t === LUA_TSTRING) return this.bytesAt(idx);
    return null;
  }

  /** The exact bytes of the string at `idx` (wasmoon's own tolstring stops at NUL and decodes UTF-8). */
  private bytesAt(idx: number): Uint8Array | null {
    if (this.m._lua_type(this.L, idx) !== LUA_TSTRING) return null;
    const ptr = this.m._lua_tolstring(this.L, idx, this.lenPtr);
    const len = this.m.HEAPU32[this.lenPtr >> 2];
    return this.m.HEAPU8.slice(ptr, ptr + len);
  }

  /** Frees the heap buffers; the engine itself is closed by its owner. */
  dispose(): void {
    if (this.scratch) this.m._free(this.scratch);
    this.scratch = 0;
    this.scratchSize = 0;
    for (const p of this.names.values()) this.m._free(p);
    this.names.clear();
    this.m._free(this.lenPtr);
  }
}

export const decodeUtf8 = (b: Uint8Array | number | null): string => (b instanceof Uint8Array ? utf8.decode(b) : '');
