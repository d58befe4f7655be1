// rule.shadowed: a later rule whose every match an earlier enabled deciding rule takes; no false alarms.
import { describe, expect, it } from 'vitest';
import { checkPolicy } from '../../server/policy/check.js';

type M = Record<string, unknown>;
function shadowed(rules: [M, string?, boolean?][], extra: M = {}): number[] {
  const { diagnostics, policy } = checkPolicy({
    name: 'sh',
    hook: 'forward',
    ...extra,
    rules: rules.map(([match, action = 'drop', enabled = true], i) => ({ id: `r${i}`, match, action, enabled })),
  });
  expect(policy).toBeDefined();
  return diagnostics.filter((d) => d.code === 'rule.shadowed').map((d) => d.path[1] as number);
}

describe('rule.shadowed', () => {
  it('identical matches', () => {
    expect(shadowed([[{ proto: 'tcp', dstPorts: [22] }], [{ proto: 'tcp', dstPorts: [22] }, 'accept']])).toEqual([1]);
  });
  it('an earlier rule with no match shadows everything after it', () => {
    expect(shadowed([[{}, 'accept'], [{ proto: 'udp' }], [{ domains: ['x.com'] }]])).toEqual([1, 2]);
  });
  it('subset CIDR, port and proto lists', () => {
    expect(shadowed([[{ src: ['10.0.0.0/8', '2001:db8::/32'] }], [{ src: ['10.1.0.0/16', '2001:db8:1::/48'] }]])).toEqual([1]);
    expect(shadowed([[{ dstPorts: ['1-1024'] }], [{ dstPorts: [22, 80, '100-200'], proto: 'tcp' }]])).toEqual([1]);
    expect(shadowed([[{ dstPorts: ['1-100', '101-200'] }], [{ dstPorts: ['50-150'] }]])).toEqual([1]);
    expect(shadowed([[{ proto: ['tcp', 'udp'] }], [{ proto: 'udp' }]])).toEqual([1]);
    expect(shadowed([[{ proto: ['tcp', 'udp'] }], [{ dstPorts: [53] }]])).toEqual([1]);
  });
  it('domain suffixes and TCP flags', () => {
    expect(shadowed([[{ domains: ['example.com'] }], [{ domains: ['ads.example.com', 'example.com'] }]])).toEqual([1]);
    expect(shadowed([[{ tcpFlags: 'syn' }], [{ tcpFlags: 'syn,!ack', proto: 'tcp' }]])).toEqual([1]);
  });
  it('universal CIDR lists count as no constraint for the policy family', () => {
    expect(shadowed([[{ src: ['0.0.0.0/0'] }], [{ proto: 'tcp' }]], { family: 'ipv4' })).toEqual([1]);
    expect(shadowed([[{ src: ['0.0.0.0/0'] }], [{ proto: 'tcp' }]])).toEqual([]);
    expect(shadowed([[{ src: ['0.0.0.0/0', '::/0'] }], [{ proto: 'tcp' }]])).toEqual([1]);
  });
  it('sets are resolved', () => {
    expect(
      shadowed([[{ dst: '@nets' }], [{ dst: ['192.168.7.0/24'] }]], { sets: { nets: { type: 'cidr', elements: ['192.168.0.0/16'] } } }),
    ).toEqual([1]);
  });
  it('no warning when the later rule can match something the earlier cannot', () => {
    expect(shadowed([[{ proto: 'tcp' }], [{ dstPorts: [53] }]])).toEqual([]);
    expect(shadowed([[{ src: ['10.1.0.0/16'] }], [{ src: ['10.0.0.0/8'] }]])).toEqual([]);
    expect(shadowed([[{ dstPorts: ['1-100'] }], [{ dstPorts: ['50-150'] }]])).toEqual([]);
    expect(shadowed([[{ domains: ['ads.example.com'] }], [{ domains: ['example.com'] }]])).toEqual([]);
    expect(shadowed([[{ tcpFlags: 'syn,!ack' }], [{ tcpFlags: 'syn' }]])).toEqual([]);
    expect(shadowed([[{ icmpType: 8, proto: 'icmp' }], [{ icmpType: 8 }]])).toEqual([]);
    expect(shadowed([[{ iif: 'eth0' }], [{ proto: 'tcp' }]])).toEqual([]);
    expect(shadowed([[{ src: ['10.0.0.0/8'] }], [{ dst: ['10.0.0.0/8'] }]])).toEqual([]);
  });
  it('log, disabled and never-matching earlier rules shadow nothing', () => {
    expect(shadowed([[{}, 'log'], [{ proto: 'tcp' }]])).toEqual([]);
    expect(shadowed([[{}, 'drop', false], [{ proto: 'tcp' }]])).toEqual([]);
    expect(shadowed([[{ proto: 'tcp' }], [{ proto: 'tcp' }, 'drop', false]])).toEqual([]);
  });
  it('in ipv4 policies icmpType alone means icmp', () => {
    expect(shadowed([[{ proto: 'icmp' }], [{ icmpType: 8 }]], { family: 'ipv4' })).toEqual([1]);
  });
  it('raises no false alarm among 2,000 distinct rules', () => {
    const rules: [M][] = Array.from({ length: 2000 }, (_, i) => [{ proto: 'tcp', dst: [`10.${i >> 8}.${i & 255}.0/24`], dstPorts: [1000 + i] }]);
    expect(shadowed(rules)).toEqual([]);
  });
});
