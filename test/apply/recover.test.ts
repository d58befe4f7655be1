// Crash recovery in-process: an engine stopped at each state, then a fresh engine on the same DB and backend recovers.
import { afterEach, describe, expect, it } from 'vitest';
import { makeKit, openPolicy, type Kit } from './helpers.js';
import type { ApplyState } from '../../server/apply/index.js';

const kits: Kit[] = [];
afterEach(async () => {
  for (const k of kits.splice(0)) await k.close();
});

/** A confirmed base (a@1, b@1), then an apply of a@2 and c@1 (b deleted... kept) stopped at `point`. */
async function interrupted(point: string, waitState: ApplyState) {
  const first = makeKit({ testPauseAt: point });
  kits.push(first);
  first.save(openPolicy('a'));
  first.save(openPolicy('b'));
  const base = makeKit({}, first);
  const s0 = await base.engine.start({ policies: 'all', startedBy: 'test' });
  await base.engine.waitFor(s0.id, ['awaiting_confirm']);
  await base.engine.confirm(s0.id, s0.token);
  first.save(openPolicy('a', 2));
  first.save(openPolicy('c'));
  const s = await first.engine.start({ policies: 'all', startedBy: 'test' });
  await first.engine.waitFor(s.id, [waitState]);
  // Let the driver reach its pause point (none: let it run on).
  if (point !== 'none' && point !== 'rolling_back') {
    while (!first.logs.some((l) => l.startsWith(`lunawall: test pause at ${point} (apply ${s.id})`))) await new Promise((r) => setTimeout(r, 5));
  }
  return { first, id: s.id, lkg: base.engine.lastKnownGood() };
}

describe('recover(): every unfinished apply is settled and the backend holds last-known-good', () => {
  for (const [point, waitState] of [
    ['loading', 'loading'],
    ['loaded-one', 'loading'],
    ['probing', 'probing'],
    ['awaiting_confirm', 'awaiting_confirm'],
  ] as const) {
    it(`stopped at ${point}: rolled back`, async () => {
      const { first, id, lkg } = await interrupted(point, waitState);
      expect(first.engine.get(id)!.state).toBe(waitState);
      const second = makeKit({}, first);
      const report = await second.engine.recover();
      expect(report.rolledBack).toEqual([id]);
      const v = second.engine.get(id)!;
      expect(v.state).toBe('rolled_back');
      expect(v.journal.some((j) => j.message.startsWith(`the service restarted while this apply was ${waitState}`))).toBe(true);
      expect((await first.backend.list()).sort()).toEqual(['a', 'b']);
      expect(second.engine.lastKnownGood()).toEqual(lkg);
      const lastLoads = new Map(first.backend.calls.filter((c) => c.op === 'load').map((c) => [c.name, c.script]));
      for (const e of lkg) expect(lastLoads.get(e.name)).toBe(e.script);
    });
  }

  for (const point of ['pending', 'preflighted'] as const) {
    it(`stopped at ${point}: failed, nothing loaded by it`, async () => {
      const { first, id } = await interrupted(point, point);
      const loadsBefore = first.backend.calls.length;
      const second = makeKit({}, first);
      const report = await second.engine.recover();
      expect(report.failed).toEqual([id]);
      expect(second.engine.get(id)!.state).toBe('failed');
      expect(second.engine.get(id)!.reason).toBe(`interrupted by a restart while ${point}; nothing had been loaded`);
      expect(first.backend.calls.length).toBe(loadsBefore);
      expect((await first.backend.list()).sort()).toEqual(['a', 'b']);
    });
  }

  it('stopped while rolling back: the rollback is finished at start-up', async () => {
    const { first, id } = await interrupted('rolling_back', 'awaiting_confirm');
    void first.engine.rollback(id, 'operator');
    await first.engine.waitFor(id, ['rolling_back']);
    const second = makeKit({}, first);
    const report = await second.engine.recover();
    expect(report.rolledBack).toEqual([id]);
    expect(second.engine.get(id)!.reason).toBe('operator');
    expect((await first.backend.list()).sort()).toEqual(['a', 'b']);
  });

  it('a deadline that passed while the service was down is named in the reason', async () => {
    const { first, id } = await interrupted('awaiting_confirm', 'awaiting_confirm');
    await first.clock.advance(120_000);
    const second = makeKit({}, first);
    await second.engine.recover();
    const v = second.engine.get(id)!;
    expect(v.reason).toBe('not confirmed within 90 s (deadline passed while the service was down)');
    expect(v.journal.some((j) => /its confirm window had ended at/.test(j.message))).toBe(true);
  });

  it('an apply still inside its window is rolled back too (a restart ends every window)', async () => {
    const { first, id } = await interrupted('awaiting_confirm', 'awaiting_confirm');
    const second = makeKit({}, first);
    await second.engine.recover();
    const v = second.engine.get(id)!;
    expect(v.reason).toBe('interrupted by a restart while awaiting_confirm');
    expect(v.journal.some((j) => /still open until .* but a restart ends every open window/.test(j.message))).toBe(true);
  });

  it('a rollback that failed is retried at start-up', async () => {
    const { first, id } = await interrupted('none', 'awaiting_confirm');
    first.backend.failLoad('a', 99, 'device busy');
    expect((await first.engine.rollback(id)).state).toBe('rollback_failed');
    first.backend.clearFailures();
    const second = makeKit({}, first);
    const report = await second.engine.recover();
    expect(report.rolledBack).toEqual([id]);
    expect(second.engine.get(id)!.state).toBe('rolled_back');
    expect((await first.backend.list()).sort()).toEqual(['a', 'b']);
  });

  it('with nothing unfinished, start-up loads last-known-good into an empty backend', async () => {
    const k = makeKit();
    kits.push(k);
    k.save(openPolicy('a'));
    const s = await k.engine.start({ policies: 'all', startedBy: 'test' });
    await k.engine.waitFor(s.id, ['awaiting_confirm']);
    await k.engine.confirm(s.id, s.token);
    await k.backend.unload('a');
    const report = await makeKit({}, k).engine.recover();
    expect(report).toMatchObject({ rolledBack: [], failed: [], loaded: ['a'], unloaded: [] });
    expect(await k.backend.list()).toEqual(['a']);
  });
});
