// Kernel Lua has LUAI_MAXSTACK = 200 slots (lunatik.md §5.3) and stock Lua a million, so neither the emulator nor
// lua5.4 would notice a script that overflows it; this bounds each script's deepest per-packet call chain from luac.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compilePolicy } from '../../server/compile/index.js';
import { targetProfiles } from '../../server/compile/profile.js';
import { checkPolicy } from '../../server/policy/check.js';
import type { PolicyInput } from '../../server/policy/schema.js';
import { hasLua } from '../compile/luac.js';
import { C_CALL, deepestStack, HOST, MAXSTACK } from './lua-stack.js';

const worstCase: PolicyInput = {
  name: 'deep',
  hook: 'forward',
  interfaces: ['br-lan', 'wan'],
  marks: [0, 256],
  sets: { ads: { type: 'domain', elements: ['ads.example.com', 'tracker.example.net'] }, nets: { type: 'cidr', elements: ['10.0.0.0/8', 'fd00::/8', '2001:db8::/32'] } },
  rules: [
    { id: 'names', match: { domains: '@ads', iif: 'br-lan' }, action: 'drop' },
    { id: 'v6', match: { proto: ['tcp', 'udp'], src: '@nets', dst: ['2001:db8:1::/48'], srcPorts: ['1024-65535'], dstPorts: [22, '8000-8100'], tcpFlags: 'syn,!ack' }, action: 'drop' },
    { id: 'icmp', match: { proto: 'icmpv6', icmpType: 128 }, action: 'accept' },
    ...Array.from({ length: 300 }, (_, i) => ({ id: `r${i}`, match: { proto: 'tcp' as const, dst: [`10.${i >> 8}.${i & 255}.1`], dstPorts: [1000 + i] }, action: i % 2 ? ('accept' as const) : ('drop' as const) })),
  ],
};

const run = hasLua ? describe : describe.skip;
run('the kernel Lua stack (200 slots)', () => {
  it('is enough for the deepest call chain of every golden script', () => {
    const root = new URL('../golden/', import.meta.url).pathname;
    const cases = readdirSync(root, { withFileTypes: true }).filter((d) => d.isDirectory());
    expect(cases.length).toBeGreaterThan(5);
    for (const c of cases) {
      for (const f of readdirSync(join(root, c.name)).filter((n) => n.endsWith('.lua'))) {
        const d = deepestStack(readFileSync(join(root, c.name, f), 'utf8'));
        expect({ f, ok: d.slots < MAXSTACK, d }).toMatchObject({ f, ok: true });
      }
    }
  });

  it('is enough for a policy with every match field, IPv6, names, devices and marks, on every profile', () => {
    const { policy, diagnostics } = checkPolicy(worstCase);
    expect(diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    for (const profile of targetProfiles) {
      const compiled = compilePolicy(profile === 'lunatik-3.6' ? { ...policy!, interfaces: undefined, rules: policy!.rules.map((r) => ({ ...r, match: { ...r.match, iif: undefined } })) } : policy!, { profile });
      const d = deepestStack(compiled.script);
      expect(d.chain[0]).toBe('hook');
      expect({ profile, ok: d.slots < MAXSTACK, d }).toMatchObject({ profile, ok: true });
    }
  });

  it('the analysis follows calls: hook → decide → name parsing is on the chain of a domain policy', () => {
    const { policy } = checkPolicy({ name: 'n', hook: 'output', rules: [{ id: 'a', match: { domains: ['ads.example.com'] }, action: 'drop' }] });
    const d = deepestStack(compilePolicy(policy!, { profile: 'lunatik-4' }).script);
    expect(d.chain.slice(0, 2)).toEqual(['hook', expect.stringMatching(/^decide[46]$/)]);
    expect(d.chain.at(-1)).toBe('C function');
    expect(d.slots).toBeGreaterThan(C_CALL + HOST + 40);
  });
});

if (!hasLua) describe.skip('the kernel Lua stack: lua5.4/luac5.4 not installed', () => {});
