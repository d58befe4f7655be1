// XDP callbacks in the emulator (lunatik.md §3): buffer from L2, argument = ifindex in host order, kfunc verdicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEmulator, type Emulator } from '../../server/emulator/index.js';
import type { TargetProfile } from '../../server/compile/profile.js';
import { arpFrame, ipv4Frame } from './frames.js';

let emu: Emulator;
beforeAll(async () => {
  emu = await createEmulator();
});
afterAll(() => emu.close());

const header: Record<TargetProfile, string> = {
  'lunatik-4': 'local xdp = require("xdp")\nlocal action = require("linux.xdp")\n',
  'lunatik-3.6': 'local xdp = require("xdp")\nlocal action = xdp.action\n',
};

describe.each(['lunatik-4', 'lunatik-3.6'] as const)('XDP on %s', (profile) => {
  const load = (body: string) => emu.load('x', `${header[profile]}xdp.attach(function(buffer, argument)\n${body}\nend)`, { profile, target: 'xdp' });
  const run = (frame = ipv4Frame(), ifindex?: number) => emu.run('x', { frame, ifindex });

  it('PASS accepts, DROP and ABORTED drop, nil is ABORTED', async () => {
    await load('return action.PASS');
    expect(run()).toEqual({ verdict: 'accept', raw: 2 });
    await load('return action.DROP');
    expect(run()).toEqual({ verdict: 'drop', raw: 1 });
    await load('return nil');
    expect(run()).toEqual({ verdict: 'drop', raw: 0 });
    await load('return action.TX');
    expect(run().verdict).toBe('drop');
  });

  it('an error makes the kfunc return -1, which the loader passes; it is logged as luaxdp', async () => {
    await load('error("bad")');
    expect(run()).toMatchObject({ verdict: 'accept', raw: -1, error: '/lib/modules/lua/lunawall/x.lua:4: bad' });
    expect(emu.health('x').errors).toEqual(['luaxdp: /lib/modules/lua/lunawall/x.lua:4: bad']);
  });

  it('sees the whole frame, non-IP included, and the ifindex as 4 host-order bytes', async () => {
    await load('hits = { len = #buffer, alen = #argument, ifindex = argument:getuint32(0), b0 = argument:getbyte(0), type = buffer:getuint16(12) } return action.PASS');
    run(ipv4Frame({ vlan: [5] }), 0x0102);
    expect(emu.counters('x')).toEqual({ len: 38, alen: 4, ifindex: 0x0102, b0: 2, type: 0x0081 });
    run(arpFrame(), 3);
    expect(emu.counters('x')).toMatchObject({ len: 42, ifindex: 3, type: 0x0608 });
  });

  it('without a callback the kfunc fails: the packet passes and the error is logged', async () => {
    await emu.load('x', header[profile], { profile, target: 'xdp' });
    expect(run()).toMatchObject({ verdict: 'accept', raw: -1, skipped: 'no-hook', error: "couldn't find callback" });
  });

  it('xdp.attach checks its argument; the last attach wins; detach removes it', async () => {
    await expect(emu.load('x', `${header[profile]}xdp.attach(42)`, { profile, target: 'xdp' })).rejects.toThrow(
      "bad argument #1 to 'xdp.attach' (function expected, got number)",
    );
    await emu.load('x', `${header[profile]}xdp.attach(function() return action.DROP end)\nxdp.attach(function() return action.PASS end)`, { profile, target: 'xdp' });
    expect(run().verdict).toBe('accept');
    await emu.load('x', `${header[profile]}xdp.attach(function() return action.DROP end)\nxdp.detach()`, { profile, target: 'xdp' });
    expect(run().skipped).toBe('no-hook');
  });
});

it('linux.xdp exists only on lunatik-4, xdp.action only on lunatik-3.6', async () => {
  await expect(emu.load('y', 'require("linux.xdp")', { profile: 'lunatik-3.6', target: 'xdp' })).rejects.toThrow("module 'linux.xdp' not found");
  await emu.load('y', 'assert(require("xdp").action == nil) assert(require("linux.xdp").PASS == 2)', { profile: 'lunatik-4', target: 'xdp' });
});
