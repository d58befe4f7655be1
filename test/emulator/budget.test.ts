// The per-call instruction budget: an endless loop locks a real router, so the emulator stops it and counts it as fatal.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import { ipv4Frame, nf4 } from './frames.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator({ callBudget: 200_000, loadBudget: 2_000_000 });
});
afterAll(() => emu.close());

const run = () => emu.run('b', { frame: ipv4Frame(), hook: 'input' });
const loadHook = (body: string, extra = '') => emu.load('b', nf4(body, extra), { profile: 'lunatik-4', target: 'netfilter' });

describe('endless loops in a hook', () => {
  it.each([
    ['while true do end'],
    ['repeat until false'],
    ['local function f() return f() end return f()'],
    ['while true do pcall(function() while true do end end) end'],
    ['while true do xpcall(function() while true do end end, function() while true do end end) end'],
    ['coroutine.wrap(function() while true do end end)()'],
    ['while true do local co = coroutine.create(function() while true do coroutine.yield() end end) coroutine.resume(co) end'],
    ['while true do pcall(error, "x") end'],
  ])('%s → fatal, fails open, health not ok', async (body) => {
    await loadHook(body);
    const r = run();
    expect(r).toMatchObject({ verdict: 'accept', raw: 1, fatal: true });
    expect(r.error).toMatch(/^instruction budget exceeded \(200000 instructions per call\)$/);
    const h = emu.health('b');
    expect(h.ok).toBe(false);
    expect(h.fatalCount).toBe(1);
  });

  it('the next packet gets a fresh budget; work under the budget is untouched', async () => {
    await loadHook('n = n + 1 if n == 1 then while true do end end local s = 0 for i = 1, 20000 do s = s + i end return nf.action.DROP', 'n = 0');
    expect(run().fatal).toBe(true);
    expect(run()).toEqual({ verdict: 'drop', raw: 0 });
    expect(run()).toEqual({ verdict: 'drop', raw: 0 });
  });

  it('a coroutine started in one call and resumed in the next is still budgeted', async () => {
    await loadHook('if not co then co = coroutine.create(function() coroutine.yield() while true do end end) end coroutine.resume(co) return nf.action.DROP', 'co = nil');
    expect(run().verdict).toBe('drop');
    expect(run().fatal).toBe(true);
  });

  it('finalizers, which Lua runs with hooks off, are refused', async () => {
    await loadHook('setmetatable({}, { __gc = function() while true do end end }) collectgarbage() return nf.action.DROP');
    expect(run().error).toMatch(/__gc metamethods are not allowed/);
  });

  it('a message handler that loops is budgeted too', async () => {
    await loadHook('xpcall(error, function() while true do end end) return nf.action.DROP');
    expect(run().fatal).toBe(true);
  });
});

describe('endless loops at load', () => {
  it('the top level has its own, larger budget; running out is a LoadError', async () => {
    await expect(emu.load('l', 'while true do end', { profile: 'lunatik-4', target: 'netfilter' })).rejects.toThrow(
      'instruction budget exceeded (2000000 instructions at load)',
    );
    await emu.load('l', 'local t = {} for i = 1, 100000 do t[i] = i end', { profile: 'lunatik-4', target: 'netfilter' });
  });
});
