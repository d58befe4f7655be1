// Applies meeting each other, shutdown and a failing backend: a second apply, a retried rollback, close() at each step, a rollback that cannot list.
import { afterEach, describe, expect, it } from 'vitest';
import { ApplyConflictError } from '../../server/apply/index.js';
import { makeKit, openPolicy, type Kit } from './helpers.js';

let kit: Kit;
afterEach(async () => kit?.close());

const scriptOf = (k: Kit, name: string) => k.engine.lastKnownGood().find((e) => e.name === name)?.script;

async function confirmedBase(k: Kit) {
  k.save(openPolicy('a'));
  const s = await k.engine.start({ policies: 'all', startedBy: 'test' });
  await k.engine.waitFor(s.id, ['awaiting_confirm']);
  await k.engine.confirm(s.id, s.token);
}

describe('a failed rollback retried while another apply runs', () => {
  it('is refused, and leaves the running apply and the kernel alone', async () => {
    kit = makeKit({ rollbackAttempts: 1 });
    await confirmedBase(kit);
    kit.save(openPolicy('a', 2));
    const first = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(first.id, ['awaiting_confirm']);
    kit.backend.failLoad('a', 1, 'device busy');
    expect((await kit.engine.rollback(first.id)).state).toBe('rollback_failed');

    kit.save(openPolicy('a', 3));
    const second = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(second.id, ['awaiting_confirm']);
    const loaded = kit.backend.calls.filter((c) => c.op === 'load').at(-1)!.script;
    const calls = kit.backend.calls.length;

    await expect(kit.engine.rollback(first.id, 'retry')).rejects.toBeInstanceOf(ApplyConflictError);
    expect(kit.engine.get(first.id)!.state).toBe('rollback_failed');
    expect(kit.backend.calls.length).toBe(calls);

    const v = await kit.engine.confirm(second.id, second.token);
    expect(v.state).toBe('confirmed');
    expect(scriptOf(kit, 'a')).toBe(loaded);
  });
});

describe('close() settles an apply at every step, so nothing loads after it', () => {
  it('while loading: the load in flight finishes, then last-known-good is restored', async () => {
    kit = makeKit();
    await confirmedBase(kit);
    const lkg = scriptOf(kit, 'a');
    kit.save(openPolicy('a', 2));
    const release = kit.backend.hold('a');
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['loading']);
    while (!kit.backend.calls.some((c) => c.op === 'load' && c.script !== lkg)) await new Promise((r) => setTimeout(r, 5));
    const closing = kit.engine.close();
    release();
    await closing;
    expect(kit.engine.get(s.id)!.state).toBe('rolled_back');
    expect(await kit.backend.list()).toEqual(['a']);
    expect(kit.backend.calls.filter((c) => c.op === 'load').at(-1)!.script).toBe(lkg);
    expect(kit.clock.pending()).toBe(0);
  });

  it('before loading: the apply is failed and its driver never touches the kernel', async () => {
    kit = makeKit();
    await confirmedBase(kit);
    kit.save(openPolicy('a', 2));
    const calls = kit.backend.calls.length;
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.close();
    // Give the driver every chance to go on after close().
    for (let i = 0; i < 50 && kit.backend.calls.length === calls; i++) await new Promise((r) => setTimeout(r, 10));
    expect(kit.engine.get(s.id)!.state).toBe('failed');
    expect(kit.backend.calls.length).toBe(calls);
  });
});

describe('a rollback whose kernel listing fails', () => {
  it('ends rollback_failed (not stuck in rolling_back, blocking every apply), and a retry finishes it', async () => {
    kit = makeKit();
    await confirmedBase(kit);
    const lkg = scriptOf(kit, 'a');
    kit.save(openPolicy('a', 2));
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    const list = kit.backend.list.bind(kit.backend);
    kit.backend.list = () => Promise.reject(new Error('lunatik list: device busy'));
    const v = await kit.engine.rollback(s.id, 'operator');
    expect(v.state).toBe('rollback_failed');
    expect(v.reason).toMatch(/^operator; ROLLBACK INCOMPLETE .*device busy/);
    expect(kit.engine.active()).toBeUndefined();
    kit.backend.list = list;
    expect((await kit.engine.rollback(s.id, 'retry')).state).toBe('rolled_back');
    expect(kit.backend.calls.filter((c) => c.op === 'load').at(-1)!.script).toBe(lkg);
  });
});
