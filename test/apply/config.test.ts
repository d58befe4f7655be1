// The apply settings: env vars parsed and validated into the engine's config, bad values named in one line.
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../server/config.js';
import { applyConfigOf } from '../../server/apply/index.js';

describe('apply settings', () => {
  it('defaults: 90 s window, health probe, guard on, the service port among the management ports', () => {
    const c = applyConfigOf(loadConfig({ LUNAWALL_PORT: '8443' }));
    expect(c).toMatchObject({ confirmWindow: 90, probeIntervalMs: 2000, guard: true, managementPorts: [8443, 22, 80, 443], lanInterface: 'br-lan' });
    expect(c.probes).toEqual([{ kind: 'health', timeoutMs: 2000 }]);
  });

  it('reads every variable', () => {
    const c = applyConfigOf(
      loadConfig({
        LUNAWALL_CONFIRM_WINDOW: '600',
        LUNAWALL_PROBE_INTERVAL_MS: '500',
        LUNAWALL_PROBES: '[{"kind":"ping","host":"192.168.1.254"},{"kind":"http","url":"http://acs.example/","expectStatus":204}]',
        LUNAWALL_ANTI_LOCKOUT: 'off',
        LUNAWALL_MANAGEMENT_PORTS: '22, 8443',
        LUNAWALL_LAN_ADDRESSES: '10.0.0.1/24,fd00::1/64',
        LUNAWALL_LAN_INTERFACE: 'lan0',
      }),
    );
    expect(c).toMatchObject({ confirmWindow: 600, probeIntervalMs: 500, guard: false, managementPorts: [8080, 22, 8443], lanAddresses: ['10.0.0.1/24', 'fd00::1/64'], lanInterface: 'lan0' });
    expect(c.probes).toEqual([
      { kind: 'ping', host: '192.168.1.254', timeoutMs: 2000 },
      { kind: 'http', url: 'http://acs.example/', expectStatus: 204, timeoutMs: 2000 },
    ]);
  });

  it('names the variable and the problem', () => {
    const bad = (env: Record<string, string>) => {
      try {
        loadConfig(env);
      } catch (e) {
        expect(e).toBeInstanceOf(ConfigError);
        return (e as Error).message;
      }
      throw new Error('accepted');
    };
    expect(bad({ LUNAWALL_CONFIRM_WINDOW: '3601' })).toMatch(/^invalid LUNAWALL_CONFIRM_WINDOW: /);
    expect(bad({ LUNAWALL_PROBES: '[{"kind":' })).toMatch(/^invalid LUNAWALL_PROBES: must be a JSON array/);
    expect(bad({ LUNAWALL_PROBES: '[{"kind":"smtp"}]' })).toMatch(/^invalid LUNAWALL_PROBES: /);
    expect(bad({ LUNAWALL_MANAGEMENT_PORTS: '22,ssh' })).toMatch(/^invalid LUNAWALL_MANAGEMENT_PORTS: /);
    expect(bad({ LUNAWALL_ANTI_LOCKOUT: 'maybe' })).toMatch(/^invalid LUNAWALL_ANTI_LOCKOUT: /);
    expect(bad({ LUNAWALL_LAN_ADDRESSES: '192.168.1.1/24,lan' })).toMatch(/^invalid LUNAWALL_LAN_ADDRESSES: each must be an address with prefix/);
  });
});
