// POST /policies/{name}/simulate: verdicts and deciding rules from the emulator, the policy's own tests, errors.
import { describe, it, expect } from 'vitest';
import { harness } from './helpers.js';

const web = {
  name: 'web',
  hook: 'input',
  defaultAction: 'drop',
  rules: [
    { id: 'ssh', match: { proto: 'tcp', dstPorts: [22] }, action: 'accept' },
    { id: 'ads', match: { domains: ['doubleclick.net'] }, action: 'drop' },
    { id: 'https', match: { proto: 'tcp', dstPorts: [443] }, action: 'accept' },
  ],
  tests: [
    { name: 'ssh passes', packet: { src: '192.168.1.2', dst: '192.168.1.1', proto: 'tcp', dstPort: 22 }, expect: 'accept' },
    { name: 'wrong on purpose', packet: { src: '192.168.1.2', dst: '192.168.1.1', proto: 'udp', dstPort: 9 }, expect: 'accept' },
  ],
};

describe('POST /policies/{name}/simulate', () => {
  it('answers a verdict and the deciding rule per packet, and runs the policy tests on request', async () => {
    const h = await harness();
    expect((await h.call('POST', '/api/v1/policies', { body: web })).status).toBe(201);
    const r = await h.call('POST', '/api/v1/policies/web/simulate', {
      token: h.tokens.read,
      body: {
        runTests: true,
        packets: [
          { src: '10.0.0.2', dst: '10.0.0.1', proto: 'tcp', dstPort: 22 },
          { src: '10.0.0.2', dst: '10.0.0.1', proto: 'tcp', dstPort: 443, tls: { sni: 'ads.doubleclick.net' } },
          { src: '10.0.0.2', dst: '10.0.0.1', proto: 'tcp', dstPort: 443, tls: { sni: 'example.org' } },
          { src: 'fd00::2', dst: 'fd00::1', proto: 'udp', dstPort: 53 },
        ],
      },
    });
    expect(r.status, await r.clone().text()).toBe(200);
    const j = await r.json();
    expect(j.profile).toBe('lunatik-4');
    expect(j.results.map((x: { verdict: string; rule: string }) => `${x.verdict}:${x.rule}`)).toEqual(['accept:ssh', 'drop:ads', 'accept:https', 'drop:default']);
    expect(j.tests.map((t: { name: string; passed: boolean }) => [t.name, t.passed])).toEqual([['ssh passes', true], ['wrong on purpose', false]]);
  });

  it('answers 404, 422 for packets that cannot be built or policies that do not compile, 403 without read', async () => {
    const h = await harness();
    expect((await h.call('POST', '/api/v1/policies/web/simulate', { body: { packets: [] } })).status).toBe(404);
    await h.call('POST', '/api/v1/policies', { body: { ...web, interfaces: ['eth0'] } });
    const mixed = await h.call('POST', '/api/v1/policies/web/simulate', { body: { packets: [{ src: '10.0.0.1', dst: 'fd00::1' }] } });
    expect(mixed.status).toBe(422);
    expect((await mixed.json()).diagnostics[0]).toMatchObject({ code: 'packet.invalid', path: ['packets', 0] });
    const old = await h.call('POST', '/api/v1/policies/web/simulate', { body: { profile: 'lunatik-3.6', packets: [{ src: '10.0.0.1', dst: '10.0.0.2' }] } });
    expect(old.status).toBe(422);
    expect((await old.json()).code).toBe('compile.failed');
    const unknown = await h.call('POST', '/api/v1/policies/web/simulate', { body: { packets: [], colour: 1 } });
    expect(unknown.status).toBe(422);
    expect((await h.call('POST', '/api/v1/policies/web/simulate', { token: h.tokens.write, body: { packets: [] } })).status).toBe(403);
  });
});
