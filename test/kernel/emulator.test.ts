// The emulator backend: the contract for both profiles, plus counters, packets and the atomic swap.
import { describe, expect, it } from 'vitest';
import { EmulatorBackend } from '../../server/kernel/emulator.js';
import { backendContract, hookScript } from './contract.case.js';
import { udpFrame } from './frames.js';

for (const profile of ['lunatik-4', 'lunatik-3.6'] as const) {
  backendContract(`emulator ${profile}`, async () => {
    const backend = new EmulatorBackend({ profile });
    return {
      backend,
      kind: 'emulator',
      provokeHookError: async (name) => {
        backend.runPacket(name, { frame: udpFrame(), hook: 'output' });
      },
      cleanup: () => backend.close(),
    };
  });
}

describe('emulator backend specifics', () => {
  const counting = (verdict: 'ACCEPT' | 'DROP') =>
    hookScript('lunatik-4', `hits.default = hits.default + 1\n  return action.${verdict}`).replace(
      'local action',
      'hits = { default = 0 }\nlocal action',
    );

  it('runs packets through the loaded script and reads its hit counters', async () => {
    const b = new EmulatorBackend();
    await b.load('count', counting('DROP'), { target: 'netfilter', hook: 'output' });
    expect(b.runPacket('count', { frame: udpFrame(), hook: 'output' })).toBe('drop');
    expect(b.runPacket('count', { frame: udpFrame(), hook: 'output' })).toBe('drop');
    expect(await b.counters('count')).toEqual({ default: 2 });
    expect(b.runPacket('absent', { frame: udpFrame(), hook: 'output' })).toBeUndefined();
    expect(await b.counters('absent')).toBeUndefined();
    await b.close();
  });

  it('swaps a replacement in only once it loaded: the old one answers until then, counters start over', async () => {
    const b = new EmulatorBackend();
    await b.load('swap', counting('DROP'), { target: 'netfilter', hook: 'output' });
    b.runPacket('swap', { frame: udpFrame(), hook: 'output' });
    await b.load('swap', counting('ACCEPT'), { target: 'netfilter', hook: 'output' });
    expect(b.runPacket('swap', { frame: udpFrame(), hook: 'output' })).toBe('accept');
    expect(await b.counters('swap')).toEqual({ default: 1 });
    expect(b.loaded()).toEqual([{ name: 'swap', target: 'netfilter', hook: 'output', interfaces: [] }]);
    await b.close();
  });
});
