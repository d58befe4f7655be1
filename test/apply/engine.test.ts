// The apply state machine on the emulator backend: every transition, and failure at each step.
import { afterEach, describe, expect, it } from 'vitest';
import { ApplyConflictError, ApplyForbiddenError, ApplyRequestError, type ApplyView } from '../../server/apply/index.js';
import { brokenTestPolicy, lockoutPolicy, makeKit, openPolicy, type Kit } from './helpers.js';

let kit: Kit;
afterEach(async () => kit?.close());

const states = (v: ApplyView) => v.journal.filter((j) => j.kind === 'transition').map((j) => j.state);
const scriptOf = (k: Kit, name: string) => k.engine.lastKnownGood().find((e) => e.name === name)?.script;

/** Applies and confirms, so the set becomes last-known-good. */
async function confirmed(k: Kit, policies: string[] | 'all') {
  const s = await k.engine.start({ policies, startedBy: 'test' });
  const v = await k.engine.waitFor(s.id, ['awaiting_confirm']);
  expect(v.state).toBe('awaiting_confirm');
  return k.engine.confirm(s.id, s.token);
}

describe('apply engine: the way to confirmed', () => {
  it('walks pending → preflighted → loading → probing → awaiting_confirm → confirmed and records last-known-good', async () => {
    kit = makeKit();
    const rev = kit.save(openPolicy('web'));
    const s = await kit.engine.start({ policies: ['web'], startedBy: 'token:isp' });
    expect(s.token.length).toBeGreaterThan(20);
    expect(s.deadline).toBe(kit.clock.now() + 90_000);
    const waiting = await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    expect(waiting.state).toBe('awaiting_confirm');
    expect(await kit.backend.list()).toEqual(['web']);
    const done = await kit.engine.confirm(s.id, s.token);
    expect(states(done)).toEqual(['pending', 'preflighted', 'loading', 'probing', 'awaiting_confirm', 'confirmed']);
    expect(done.startedBy).toBe('token:isp');
    expect(done.revisions).toEqual([{ name: 'web', revision: rev, scriptHash: expect.stringMatching(/^[0-9a-f]{64}$/) }]);
    expect(kit.engine.lastKnownGood().map((e) => [e.name, e.revision])).toEqual([['web', rev]]);
    expect(kit.clock.pending()).toBe(0);
  });

  it('an unchecked apply is confirmed as soon as it is loaded, without probes or a window', async () => {
    kit = makeKit();
    kit.save(openPolicy('web'));
    const s = await kit.engine.start({ policies: 'all', unchecked: true, startedBy: 'admin' });
    expect(s.deadline).toBeNull();
    const v = await kit.engine.waitFor(s.id, ['confirmed']);
    expect(states(v)).toEqual(['pending', 'preflighted', 'loading', 'confirmed']);
    expect(kit.engine.lastKnownGood().map((e) => e.name)).toEqual(['web']);
  });

  it('loads only what changed, unloads disabled and deleted policies', async () => {
    kit = makeKit();
    kit.save(openPolicy('a'));
    kit.save(openPolicy('b'));
    kit.save(openPolicy('c'));
    await confirmed(kit, 'all');
    expect((await kit.backend.list()).sort()).toEqual(['a', 'b', 'c']);
    kit.backend.calls.length = 0;
    kit.save(openPolicy('a', 2));
    kit.save({ ...openPolicy('b'), enabled: false });
    const { deletePolicy } = await import('../../server/db/policies.js');
    deletePolicy(kit.db, 'c', { author: 'test', now: kit.clock.now() });
    const v = await confirmed(kit, 'all');
    expect(kit.backend.calls.map((c) => `${c.op} ${c.name}`).sort()).toEqual(['load a', 'unload b', 'unload c']);
    expect(await kit.backend.list()).toEqual(['a']);
    expect(v.revisions.map((r) => r.name)).toEqual(['a']);
  });

  it('a named apply leaves the other loaded policies as they are', async () => {
    kit = makeKit();
    kit.save(openPolicy('a'));
    kit.save(openPolicy('b'));
    await confirmed(kit, 'all');
    kit.save(openPolicy('a', 3));
    kit.save(openPolicy('b', 3));
    kit.backend.calls.length = 0;
    const v = await confirmed(kit, ['a']);
    expect(kit.backend.calls.map((c) => `${c.op} ${c.name}`)).toEqual(['load a']);
    expect(v.revisions.map((r) => `${r.name}@${r.revision}`).sort()).toEqual(['a@2', 'b@1']);
  });

  it('one apply at a time: a second start is a conflict naming the running one', async () => {
    kit = makeKit();
    kit.save(openPolicy('web'));
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    const err = await kit.engine.start({ policies: 'all', startedBy: 'test' }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApplyConflictError);
    expect((err as ApplyConflictError).activeId).toBe(s.id);
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    await kit.engine.rollback(s.id);
  });

  it('rejects bad requests before creating anything', async () => {
    kit = makeKit();
    kit.save(openPolicy('web'));
    for (const req of [{ policies: ['nope'] }, { policies: [] }, { policies: ['web', 'web'] }, { policies: 'all' as const, confirmWindow: 0 }, { policies: 'all' as const, confirmWindow: 3601 }]) {
      await expect(kit.engine.start({ ...req, startedBy: 't' })).rejects.toBeInstanceOf(ApplyRequestError);
    }
    expect(kit.engine.list()).toEqual([]);
  });
});

describe('apply engine: confirm', () => {
  it('a wrong token is forbidden; a finished apply cannot be confirmed', async () => {
    kit = makeKit();
    kit.save(openPolicy('web'));
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    await expect(kit.engine.confirm(s.id, 'not-the-token')).rejects.toBeInstanceOf(ApplyForbiddenError);
    await kit.engine.rollback(s.id);
    const err = (await kit.engine.confirm(s.id, s.token).catch((e: unknown) => e)) as ApplyConflictError;
    expect(err).toBeInstanceOf(ApplyConflictError);
    expect(err.state).toBe('rolled_back');
  });
});

describe('apply engine: the deadline decides', () => {
  it('a confirm after the deadline is refused even if the timer has not fired yet, and the apply rolls back', async () => {
    kit = makeKit();
    kit.save(openPolicy('web'));
    const s = await kit.engine.start({ policies: ['web'], startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    kit.clock.jump(90_000);
    await expect(kit.engine.confirm(s.id, s.token)).rejects.toBeInstanceOf(ApplyConflictError);
    const v = await kit.engine.waitFor(s.id, ['rolled_back']);
    expect(v.reason).toBe('not confirmed within 90 s');
    expect(kit.engine.lastKnownGood()).toEqual([]);
  });
});

describe('apply engine: failures before loading end in failed, with nothing loaded', () => {
  it('packet tests that fail', async () => {
    kit = makeKit();
    kit.save(brokenTestPolicy());
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    const v = await kit.engine.waitFor(s.id, ['failed']);
    expect(v.state).toBe('failed');
    expect(v.reason).toMatch(/broken: tests: 1 of 1 packet tests fail/);
    expect(states(v)).toEqual(['pending', 'failed']);
    expect(await kit.backend.list()).toEqual([]);
    expect(kit.backend.calls).toEqual([]);
  });

  it('two XDP policies on one interface are refused (the loader maps an interface to one runtime)', async () => {
    kit = makeKit();
    const xdp = (name: string, interfaces: string[]) => ({ name, target: 'xdp' as const, interfaces, defaultAction: 'accept' as const, rules: [{ id: 'r1', action: 'drop' as const, match: { proto: 'udp' as const } }] });
    kit.save(xdp('edge-a', ['wan0']));
    kit.save(xdp('edge-b', ['wan1', 'wan0']));
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    const v = await kit.engine.waitFor(s.id, ['failed']);
    expect(v.reason).toMatch(/edge-b: check: xdp interface wan0 is already used by policy edge-a/);
    expect(kit.backend.calls).toEqual([]);
  });

  it('the anti-lockout check refuses a policy that blocks the management port, unless the guard is off', async () => {
    kit = makeKit();
    kit.save(lockoutPolicy());
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    const v = await kit.engine.waitFor(s.id, ['failed']);
    expect(v.reason).toMatch(/lockout: anti-lockout: would lock the LAN out/);
    const detail = v.journal.at(-1)!.detail as { failures: { name: string; verdict: string }[] }[];
    expect(detail[0]!.failures.map((f) => f.name)).toContain('LAN 10.200.1.2 → 10.200.1.1:8080 (new connection)');
    const s2 = await kit.engine.start({ policies: 'all', guard: false, startedBy: 'test' });
    const v2 = await kit.engine.waitFor(s2.id, ['awaiting_confirm']);
    expect(v2.state).toBe('awaiting_confirm');
    expect(v2.guard).toBe(false);
    await kit.engine.rollback(s2.id);
  });

  it('an explicit rollback before loading cancels it', async () => {
    kit = makeKit({ testPauseAt: 'preflighted' });
    kit.save(openPolicy('web'));
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['preflighted']);
    const v = await kit.engine.rollback(s.id, 'changed my mind');
    expect(v.state).toBe('failed');
    expect(v.reason).toBe('changed my mind');
    expect(kit.backend.calls).toEqual([]);
  });
});

describe('apply engine: failures after loading roll back to last-known-good', () => {
  async function withBase(k: Kit) {
    k.save(openPolicy('a'));
    k.save(openPolicy('b'));
    await confirmed(k, 'all');
    k.save(openPolicy('a', 2));
    k.save(openPolicy('b', 2));
    k.backend.calls.length = 0;
  }
  async function expectBase(k: Kit) {
    expect((await k.backend.list()).sort()).toEqual(['a', 'b']);
    const loads = k.backend.calls.filter((c) => c.op === 'load');
    // The last successful load of each runtime is its last-known-good script.
    for (const n of ['a', 'b']) expect(loads.filter((c) => c.name === n).at(-1)?.script ?? scriptOf(k, n)).toBe(scriptOf(k, n));
  }

  it('a load error rolls back at once', async () => {
    kit = makeKit();
    await withBase(kit);
    kit.backend.failLoad('b', 1, 'syntax error near "x"');
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    const v = await kit.engine.waitFor(s.id, ['rolled_back']);
    expect(states(v)).toEqual(['pending', 'preflighted', 'loading', 'rolling_back', 'rolled_back']);
    expect(v.reason).toBe('load error: load b: loading b failed: syntax error near "x"');
    expect(kit.backend.calls.map((c) => `${c.op} ${c.name}`)).toEqual(['load a', 'load b', 'load a', 'load b']);
    await expectBase(kit);
  });

  it('a probe failing right after loading rolls back without waiting for the window', async () => {
    kit = makeKit();
    await withBase(kit);
    // The same database and kernel, now with a probe that cannot pass (nothing listens on port 1).
    const strict = makeKit({ probes: [{ kind: 'health', timeoutMs: 2000 }, { kind: 'tcp', host: '127.0.0.1', port: 1, timeoutMs: 500 }] }, kit);
    const s = await strict.engine.start({ policies: 'all', startedBy: 'test' });
    const v = await strict.engine.waitFor(s.id, ['rolled_back']);
    expect(states(v)).toEqual(['pending', 'preflighted', 'loading', 'probing', 'rolling_back', 'rolled_back']);
    expect(v.reason).toMatch(/^probe failed: tcp 127\.0\.0\.1:1: /);
    await expectBase(kit);
  });

  it('a probe failing during the confirm window rolls back at its next round', async () => {
    kit = makeKit({ probeIntervalMs: 2000 });
    await withBase(kit);
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    await kit.clock.advance(2000);
    expect(kit.engine.get(s.id)!.state).toBe('awaiting_confirm');
    kit.backend.makeSick('a', ['hook error: attempt to index a nil value']);
    await kit.clock.advance(2000);
    const v = await kit.engine.waitFor(s.id, ['rolled_back']);
    expect(v.reason).toBe('probe failed: runtimes healthy: a: hook error: attempt to index a nil value');
    await expectBase(kit);
  });

  it('the confirm window ending rolls back', async () => {
    kit = makeKit({ probeIntervalMs: 60_000 });
    await withBase(kit);
    const s = await kit.engine.start({ policies: 'all', confirmWindow: 30, startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    await kit.clock.advance(29_000);
    expect(kit.engine.get(s.id)!.state).toBe('awaiting_confirm');
    await kit.clock.advance(1_000);
    const v = await kit.engine.waitFor(s.id, ['rolled_back']);
    expect(v.reason).toBe('not confirmed within 30 s');
    await expectBase(kit);
  });

  it('an explicit rollback during loading stops after the load in flight and restores last-known-good', async () => {
    kit = makeKit();
    await withBase(kit);
    const release = kit.backend.hold('a');
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['loading']);
    while (!kit.backend.calls.length) await new Promise((r) => setTimeout(r, 5));
    const rolled = kit.engine.rollback(s.id, 'stop');
    expect(kit.engine.get(s.id)!.state).toBe('rolling_back');
    release();
    const v = await rolled;
    expect(v.state).toBe('rolled_back');
    expect(states(v)).toEqual(['pending', 'preflighted', 'loading', 'rolling_back', 'rolled_back']);
    expect(kit.backend.calls.map((c) => `${c.op} ${c.name}`)).toEqual(['load a', 'load a']);
    await expectBase(kit);
  });

  it('an explicit rollback restores exactly last-known-good', async () => {
    kit = makeKit();
    await withBase(kit);
    const s = await kit.engine.start({ policies: ['a'], startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    const v = await kit.engine.rollback(s.id, 'rolled back by admin');
    expect(v.state).toBe('rolled_back');
    expect(v.reason).toBe('rolled back by admin');
    expect(kit.backend.calls.map((c) => `${c.op} ${c.name}`)).toEqual(['load a', 'load a']);
    await expectBase(kit);
    expect(kit.clock.pending()).toBe(0);
  });

  it('a rollback meeting load errors retries, and succeeds when the error goes away', async () => {
    kit = makeKit({ rollbackAttempts: 3 });
    await withBase(kit);
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    kit.backend.failLoad('a', 2, 'device busy');
    const v = await kit.engine.rollback(s.id);
    expect(v.state).toBe('rolled_back');
    expect(v.journal.filter((j) => j.kind === 'error').map((j) => j.message)).toEqual([
      'rollback load a failed (attempt 1 of 3): loading a failed: device busy',
      'rollback load a failed (attempt 2 of 3): loading a failed: device busy',
    ]);
    await expectBase(kit);
  });

  it('a rollback that keeps failing ends rollback_failed, loudly, and an explicit retry finishes it', async () => {
    kit = makeKit({ rollbackAttempts: 3 });
    await withBase(kit);
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    kit.backend.failLoad('b', 99, 'out of memory');
    const v = await kit.engine.rollback(s.id, 'operator');
    expect(v.state).toBe('rollback_failed');
    expect(v.reason).toMatch(/^operator; ROLLBACK INCOMPLETE after 3 attempts: load b: loading b failed: out of memory/);
    expect(v.journal.filter((j) => j.kind === 'error')).toHaveLength(3);
    expect(kit.engine.active()).toBeUndefined();
    kit.backend.clearFailures();
    const again = await kit.engine.rollback(s.id, 'retry');
    expect(again.state).toBe('rolled_back');
    expect(states(again).slice(-3)).toEqual(['rollback_failed', 'rolling_back', 'rolled_back']);
    await expectBase(kit);
  });

  it('close() rolls back an apply nobody can confirm any more', async () => {
    kit = makeKit();
    await withBase(kit);
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    await kit.engine.close();
    expect(kit.engine.get(s.id)!.state).toBe('rolled_back');
    await expectBase(kit);
  });
});

describe('apply engine: progress events', () => {
  it('publishes every journal entry and probe rounds', async () => {
    kit = makeKit();
    kit.save(openPolicy('web'));
    const s = await kit.engine.start({ policies: 'all', startedBy: 'test' });
    const seen: string[] = [];
    kit.engine.subscribe(s.id, (e) => seen.push(e.type === 'journal' ? `${e.kind}:${e.state}` : `probes:${e.results.every((r) => r.ok)}`));
    await kit.engine.waitFor(s.id, ['awaiting_confirm']);
    await kit.engine.confirm(s.id, s.token);
    expect(seen).toEqual(['transition:preflighted', 'transition:loading', 'note:loading', 'transition:probing', 'probes:true', 'transition:awaiting_confirm', 'transition:confirmed']);
  });
});
