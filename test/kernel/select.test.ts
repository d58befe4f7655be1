// createBackend: which backend `auto` picks, and how the service config reaches the backends.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { createBackend, EmulatorBackend, LunatikBackend, NfqueueBackend, optionsFromConfig } from '../../server/kernel/index.js';

describe('createBackend', () => {
  let dir: string | undefined;
  afterAll(async () => {
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('auto picks lunatik only where the Lunatik device exists', async () => {
    dir = await mkdtemp(join(tmpdir(), 'lw-select-'));
    const device = join(dir, 'lunatik');
    expect(createBackend('auto', { lunatik: { device } })).toBeInstanceOf(EmulatorBackend);
    await writeFile(device, '');
    expect(createBackend('auto', { lunatik: { device } })).toBeInstanceOf(LunatikBackend);
  });

  it('builds each kind by name and from the service config', async () => {
    expect(createBackend('emulator')).toBeInstanceOf(EmulatorBackend);
    expect(createBackend('lunatik')).toBeInstanceOf(LunatikBackend);
    expect(createBackend('nfqueue')).toBeInstanceOf(NfqueueBackend);
    const emu = createBackend({ backend: 'emulator', emulatorProfile: 'lunatik-3.6' });
    expect(await emu.info()).toMatchObject({ kind: 'emulator', profile: 'lunatik-3.6' });
    expect(createBackend({ backend: 'auto', lunatikDevice: '/nonexistent/lunatik' })).toBeInstanceOf(EmulatorBackend);
  });

  it('maps the kernel log setting to dmesg or a file', () => {
    expect(optionsFromConfig({}).lunatik?.kernelLog).toEqual({ command: ['dmesg'] });
    expect(optionsFromConfig({ kernelLog: '/var/log/kern.log' }).lunatik?.kernelLog).toEqual({ file: '/var/log/kern.log' });
  });
});
