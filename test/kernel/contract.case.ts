// The KernelBackend contract (DESIGN.md §5), run against every backend by the *.test.ts files next to it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TargetProfile } from '../../server/compile/profile.js';
import { LoadError, type KernelBackend } from '../../server/kernel/backend.js';

export interface ContractHarness {
  backend: KernelBackend;
  kind: 'lunatik' | 'emulator' | 'nfqueue';
  /**
   * Makes the loaded runtime `name` (the erroring script below) hit its hook once, the way this
   * backend's packets reach it: a packet for the emulator and nfqueue, a kernel log line for lunatik.
   */
  provokeHookError(name: string): Promise<void>;
  /**
   * Where the backend has a failure outside the script (lunatik: a `stop` the kernel refuses;
   * nfqueue: iptables refusing a new chain): makes loads fail that way until the returned
   * function is called.
   */
  breakLoading?(): Promise<() => Promise<void>>;
  cleanup(): Promise<void>;
}

/** A LOCAL_OUT hook in the profile's API (lunatik.md §0.2); `body` is the hook's Lua body. */
export function hookScript(profile: TargetProfile, body: string): string {
  if (profile === 'lunatik-3.6') {
    return [
      'local netfilter = require("netfilter")',
      'local action = netfilter.action',
      `local function hook(data)\n  ${body}\nend`,
      'netfilter.register{ hook = hook, pf = netfilter.family.INET, hooknum = netfilter.inet_hooks.LOCAL_OUT,',
      '  priority = netfilter.ip_priority.FILTER }',
      '',
    ].join('\n');
  }
  return [
    'local netfilter = require("netfilter")',
    'local nf = require("linux.nf")',
    'local action = nf.action',
    `local function hook(skb)\n  ${body}\nend`,
    'netfilter.register{ hook = hook, pf = nf.proto.INET, hooknum = nf.inet.LOCAL_OUT, priority = nf.ip.pri.FILTER }',
    '',
  ].join('\n');
}

const nf = { target: 'netfilter', hook: 'output' } as const;

async function loadError(p: Promise<unknown>): Promise<LoadError> {
  const err = await p.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(LoadError);
  return err as LoadError;
}

export function backendContract(label: string, make: () => Promise<ContractHarness>): void {
  describe(`KernelBackend contract: ${label}`, () => {
    let h: ContractHarness;
    let profile: TargetProfile;
    const accept = () => hookScript(profile, 'return action.ACCEPT');

    beforeAll(async () => {
      h = await make();
      profile = (await h.backend.info()).profile;
    });
    afterAll(async () => {
      await h?.cleanup();
    });

    it('reports its kind, a version and a target profile', async () => {
      const info = await h.backend.info();
      expect(info.kind).toBe(h.kind);
      expect(info.version.length).toBeGreaterThan(0);
      expect(['lunatik-4', 'lunatik-3.6']).toContain(info.profile);
    });

    it('starts with nothing running', async () => {
      expect(await h.backend.list()).toEqual([]);
    });

    it('loads a script, lists it and reports it healthy', async () => {
      await h.backend.load('c-basic', accept(), nf);
      expect(await h.backend.list()).toContain('c-basic');
      expect(await h.backend.health('c-basic')).toEqual({ ok: true, errors: [] });
    });

    it('replaces a running script under the same name', async () => {
      await h.backend.load('c-basic', hookScript(profile, 'return action.ACCEPT -- v2'), nf);
      expect((await h.backend.list()).filter((n) => n === 'c-basic')).toHaveLength(1);
      expect((await h.backend.health('c-basic')).ok).toBe(true);
    });

    it('refuses a syntax error with the parser text and lists nothing', async () => {
      const err = await loadError(h.backend.load('c-syntax', 'local x = = 1\n', nf));
      expect(err.runtime).toBe('c-syntax');
      expect(err.text).toMatch(/:1: unexpected symbol near '='/);
      expect(await h.backend.list()).not.toContain('c-syntax');
    });

    it('refuses a script that raises while loading', async () => {
      const err = await loadError(h.backend.load('c-rterr', 'error("boom at load")\n', nf));
      expect(err.text).toContain('boom at load');
      expect(await h.backend.list()).not.toContain('c-rterr');
    });

    it('keeps the previous version running when a replacement fails', async () => {
      await h.backend.load('c-keep', accept(), nf);
      await loadError(h.backend.load('c-keep', 'local x = = 1\n', nf));
      expect(await h.backend.list()).toContain('c-keep');
      expect((await h.backend.health('c-keep')).ok).toBe(true);
    });

    it('keeps the previous version loaded and hooked when a replacement fails outside the script', async (ctx) => {
      const breakLoading = h.breakLoading?.bind(h);
      if (!breakLoading) return ctx.skip(`${h.kind} has no way to fail but the script`);
      await h.backend.load('c-outside', hookScript(profile, 'error("hook exploded")'), nf);
      const repair = await breakLoading();
      try {
        // On another hook, so a backend that routes packets per hook has something new to set up.
        await loadError(h.backend.load('c-outside', accept(), { target: 'netfilter', hook: 'forward' }));
      } finally {
        await repair();
      }
      expect(await h.backend.list()).toContain('c-outside');
      expect(await h.backend.health('c-outside')).toEqual({ ok: true, errors: [] });
      // Still the previous script on its hook: what reaches it still raises.
      await h.provokeHookError('c-outside');
      expect((await h.backend.health('c-outside')).errors.join('\n')).toContain('hook exploded');
      await h.backend.unload('c-outside');
    });

    it('refuses names that are unsafe or that Lunatik would mangle', async () => {
      for (const bad of ['my-lua-rules', '../etc/passwd', 'a b', '']) {
        await loadError(h.backend.load(bad, accept(), nf));
      }
      expect(await h.backend.list()).not.toContain('my-lua-rules');
    });

    it('serializes concurrent calls: every load lands', async () => {
      await Promise.all(['c-par1', 'c-par2', 'c-par3'].map((n) => h.backend.load(n, accept(), nf)));
      const running = await h.backend.list();
      for (const n of ['c-par1', 'c-par2', 'c-par3']) expect(running).toContain(n);
      await Promise.all(['c-par1', 'c-par2', 'c-par3'].map((n) => h.backend.unload(n)));
      expect(await h.backend.list()).not.toContain('c-par2');
    });

    it('reports hook errors in health after load', async () => {
      await h.backend.load('c-hookerr', hookScript(profile, 'error("hook exploded")'), nf);
      expect((await h.backend.health('c-hookerr')).ok).toBe(true);
      await h.provokeHookError('c-hookerr');
      const health = await h.backend.health('c-hookerr');
      expect(health.ok).toBe(false);
      expect(health.errors.join('\n')).toContain('hook exploded');
      await h.backend.unload('c-hookerr');
    });

    it('unloads, reports the name unhealthy, and unloads again without error', async () => {
      await h.backend.unload('c-basic');
      expect(await h.backend.list()).not.toContain('c-basic');
      expect((await h.backend.health('c-basic')).ok).toBe(false);
      await h.backend.unload('c-basic');
      await h.backend.unload('c-keep');
      expect(await h.backend.list()).toEqual([]);
    });
  });
}
