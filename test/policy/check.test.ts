// checkPolicy: every diagnostic code at its path, the policy-present-iff-no-error contract, and normalisation.
import { describe, expect, it } from 'vitest';
import { checkPolicy, diagnosticCodes } from '../../server/policy/check.js';

const base = { name: 'pol', hook: 'forward' as const };
type Case = { code: string; path: (string | number)[]; input: Record<string, unknown> };

const rule = (match: Record<string, unknown>, extra: Record<string, unknown> = {}) => ({ id: 'r1', action: 'drop', match, ...extra });

const cases: Case[] = [
  { code: 'domain.invalid', path: ['sets', 'd', 'elements', 1], input: { sets: { d: { type: 'domain', elements: ['ok.com', 'a..b'] } }, rules: [rule({ domains: '@d' })] } },
  { code: 'domain.invalid', path: ['rules', 0, 'match', 'domains', 0], input: { rules: [rule({ domains: ['x'.repeat(64) + '.com'] })] } },
  { code: 'cidr.invalid', path: ['rules', 0, 'match', 'src', 1], input: { rules: [rule({ src: ['10.0.0.0/8', '10.0.0.0/33'] })] } },
  { code: 'cidr.invalid', path: ['rules', 0, 'match', 'dst', 0], input: { rules: [rule({ dst: ['010.0.0.1'] })] } },
  { code: 'cidr.host-bits', path: ['rules', 0, 'match', 'src', 0], input: { rules: [rule({ src: ['10.1.2.3/8'] })] } },
  { code: 'cidr.family-mismatch', path: ['rules', 0, 'match', 'dst', 0], input: { family: 'ipv6', rules: [rule({ dst: ['10.0.0.0/8'] })] } },
  { code: 'cidr.family-mismatch', path: ['rules', 0, 'match', 'src', 1], input: { family: 'ipv4', rules: [rule({ src: ['10.0.0.0/8', '2001:db8::/32'] })] } },
  { code: 'set.family-mismatch', path: ['sets', 'lan', 'elements', 1], input: { family: 'ipv4', sets: { lan: { type: 'cidr', elements: ['192.168.1.0/24', 'fd00::/8'] } }, rules: [rule({ src: '@lan' })] } },
  { code: 'port.out-of-range', path: ['rules', 0, 'match', 'dstPorts', 1], input: { rules: [rule({ dstPorts: [80, 0] })] } },
  { code: 'port.out-of-range', path: ['sets', 'p', 'elements', 0], input: { sets: { p: { type: 'port', elements: ['1-65536'] } }, rules: [rule({ srcPorts: '@p' })] } },
  { code: 'port.range-inverted', path: ['rules', 0, 'match', 'srcPorts', 0], input: { rules: [rule({ srcPorts: ['9000-8000'] })] } },
  { code: 'set.unknown', path: ['rules', 0, 'match', 'src'], input: { rules: [rule({ src: '@nope' })] } },
  { code: 'set.type-mismatch', path: ['rules', 0, 'match', 'src'], input: { sets: { web: { type: 'port', elements: [80] } }, rules: [rule({ src: '@web' })] } },
  { code: 'set.type-mismatch', path: ['rules', 0, 'match', 'domains'], input: { sets: { n: { type: 'cidr', elements: ['10.0.0.0/8'] } }, rules: [rule({ domains: '@n' })] } },
  { code: 'set.unused', path: ['sets', 'spare'], input: { sets: { spare: { type: 'port', elements: [22] } } } },
  { code: 'match.empty-list', path: ['rules', 0, 'match', 'dst'], input: { rules: [rule({ dst: [] })] } },
  { code: 'match.empty-list', path: ['rules', 0, 'match', 'domains'], input: { sets: { e: { type: 'domain', elements: [] } }, rules: [rule({ domains: '@e' })] } },
  { code: 'rule.duplicate-id', path: ['rules', 1, 'id'], input: { rules: [rule({ proto: 'tcp' }), rule({ proto: 'udp' })] } },
  { code: 'rule.shadowed', path: ['rules', 1], input: { rules: [rule({ proto: 'tcp' }), rule({ proto: 'tcp' }, { id: 'r2' })] } },
  { code: 'proto.family-mismatch', path: ['rules', 0, 'match', 'proto'], input: { family: 'ipv6', rules: [rule({ proto: 'icmp' })] } },
  { code: 'proto.family-mismatch', path: ['rules', 0, 'match', 'proto', 1], input: { family: 'ipv4', rules: [rule({ proto: ['icmp', 'icmpv6'] })] } },
  { code: 'match.ports-need-transport', path: ['rules', 0, 'match', 'dstPorts'], input: { rules: [rule({ proto: 'icmp', dstPorts: [80] })] } },
  { code: 'match.flags-need-tcp', path: ['rules', 0, 'match', 'tcpFlags'], input: { rules: [rule({ proto: 'udp', tcpFlags: 'syn' })] } },
  { code: 'match.icmptype-needs-icmp', path: ['rules', 0, 'match', 'icmpType'], input: { rules: [rule({ proto: ['tcp', 'udp'], icmpType: 8 })] } },
  { code: 'tcpflags.contradictory', path: ['rules', 0, 'match', 'tcpFlags'], input: { rules: [rule({ tcpFlags: 'syn,ack,!syn' })] } },
  { code: 'policy.hook-missing', path: ['hook'], input: { hook: undefined } },
  { code: 'policy.hook-on-xdp', path: ['hook'], input: { target: 'xdp', hook: 'input', interfaces: ['eth0'] } },
  { code: 'policy.interfaces-missing', path: ['interfaces'], input: { target: 'xdp', hook: undefined } },
  { code: 'policy.marks-on-xdp', path: ['marks'], input: { target: 'xdp', hook: undefined, interfaces: ['eth0'], marks: [0] } },
  { code: 'policy.marks-duplicate', path: ['marks', 2], input: { marks: [0, 0x100, 0] } },
  { code: 'match.iif-unavailable', path: ['rules', 0, 'match', 'iif'], input: { hook: 'output', rules: [rule({ iif: 'eth0' })] } },
  { code: 'match.iif-unavailable', path: ['rules', 0, 'match', 'iif'], input: { hook: 'postrouting', rules: [rule({ iif: 'eth0' })] } },
  { code: 'match.oif-unavailable', path: ['rules', 0, 'match', 'oif'], input: { hook: 'prerouting', rules: [rule({ oif: 'eth0' })] } },
  { code: 'match.oif-unavailable', path: ['rules', 0, 'match', 'oif'], input: { hook: 'forward', rules: [rule({ oif: 'eth0' })] } },
  { code: 'match.oif-unavailable', path: ['rules', 0, 'match', 'oif'], input: { target: 'xdp', hook: undefined, interfaces: ['eth0'], rules: [rule({ oif: 'eth0' })] } },
  { code: 'match.device-outside-interfaces', path: ['rules', 0, 'match', 'iif'], input: { interfaces: ['br-lan'], rules: [rule({ iif: 'wan' })] } },
  { code: 'match.device-outside-interfaces', path: ['rules', 0, 'match', 'oif'], input: { hook: 'postrouting', interfaces: ['br-lan'], rules: [rule({ oif: 'wan' })] } },
  { code: 'match.oif-unavailable', path: ['rules', 0, 'match', 'oif'], input: { hook: 'output', rules: [rule({ oif: 'wan' })] } },
  { code: 'policy.interfaces-unavailable', path: ['interfaces'], input: { hook: 'output', interfaces: ['br-lan'] } },
  { code: 'action.reject-unsupported', path: ['rules', 0, 'action'], input: { target: 'xdp', hook: undefined, interfaces: ['eth0'], rules: [{ id: 'r1', action: 'reject' }] } },
  { code: 'action.reject-unsupported', path: ['rules', 0, 'action'], input: { rules: [{ id: 'r1', action: 'reject' }] } },
  { code: 'rule.reserved-id', path: ['rules', 0, 'id'], input: { rules: [{ id: 'default', action: 'drop' }] } },
  { code: 'test.unknown-rule', path: ['tests', 0, 'rule'], input: { rules: [rule({})], tests: [{ name: 't', packet: { src: '10.0.0.1', dst: '10.0.0.2' }, expect: 'drop', rule: 'r9' }] } },
  { code: 'test.packet-invalid', path: ['tests', 0, 'packet', 'dst'], input: { tests: [{ name: 't', packet: { src: '10.0.0.1', dst: '::1' }, expect: 'drop' }] } },
  { code: 'test.packet-invalid', path: ['tests', 0, 'packet', 'src'], input: { tests: [{ name: 't', packet: { src: '10.0.0.300', dst: '10.0.0.1' }, expect: 'drop' }] } },
  { code: 'test.packet-invalid', path: ['tests', 0, 'packet', 'http'], input: { tests: [{ name: 't', packet: { src: '10.0.0.1', dst: '10.0.0.2', tls: { sni: 'a.b' }, http: { host: 'a.b' } }, expect: 'drop' }] } },
  { code: 'schema.invalid_value', path: ['rules', 0, 'match', 'proto', 1], input: { rules: [rule({ proto: ['tcp', 'sctp'] })] } },
  { code: 'schema.invalid_format', path: ['rules', 0, 'match', 'dstPorts', 1], input: { rules: [rule({ dstPorts: [80, 'http'] })] } },
  { code: 'schema.invalid_format', path: ['name'], input: { name: 'My Wall' } },
  { code: 'schema.custom', path: ['name'], input: { name: 'my-lua-wall' } },
  { code: 'schema.unrecognized_keys', path: ['rules', 0, 'match'], input: { rules: [rule({ sport: 1 })] } },
  { code: 'schema.invalid_type', path: ['rules', 0, 'enabled'], input: { rules: [rule({}, { enabled: 'yes' })] } },
  { code: 'schema.invalid_union', path: ['sets', 's', 'type'], input: { sets: { s: { type: 'mac', elements: [] } } } },
  { code: 'schema.too_small', path: ['sets', 'd', 'elements', 0], input: { sets: { d: { type: 'domain', elements: [''] } } } },
  { code: 'schema.custom', path: ['sets', '__proto__'], input: JSON.parse('{"sets": {"__proto__": {"type": "port", "elements": [22]}}}') },
];

describe('checkPolicy diagnostics', () => {
  it.each(cases)('$code at $path', ({ code, path, input }) => {
    const { policy, diagnostics } = checkPolicy({ ...base, ...input });
    expect(diagnostics).toContainEqual(expect.objectContaining({ code, path }));
    const d = diagnostics.find((x) => x.code === code)!;
    expect(d.message.length).toBeGreaterThan(5);
    expect(policy === undefined).toBe(diagnostics.some((x) => x.severity === 'error'));
    if (!code.startsWith('schema.')) expect(d.severity).toBe(diagnosticCodes[code as keyof typeof diagnosticCodes][0]);
  });

  it('every listed code is produced by some case', () => {
    const produced = new Set(cases.map((c) => c.code));
    for (const code of Object.keys(diagnosticCodes)) expect(produced, code).toContain(code);
  });

  it('a clean policy has no diagnostics and comes back normalised', () => {
    const { policy, diagnostics } = checkPolicy({
      ...base,
      sets: {
        ads: { type: 'domain', elements: ['DoubleClick.NET.', 'bücher.de', '_dmarc.Example.com'] },
        lan: { type: 'cidr', elements: ['192.168.1.0/24', 'FD00:0:0::/8', '10.0.0.1'] },
      },
      rules: [
        { id: 'r1', action: 'drop', match: { proto: 'tcp', domains: '@ads', src: '@lan' } },
        { id: 'r2', action: 'accept', match: { dst: ['2001:0DB8::1/128'], dstPorts: [80, '8000-8100'] } },
      ],
    });
    expect(diagnostics).toEqual([]);
    expect(policy!.sets.ads.elements).toEqual(['doubleclick.net', 'xn--bcher-kva.de', '_dmarc.example.com']);
    expect(policy!.sets.lan.elements).toEqual(['192.168.1.0/24', 'fd00::/8', '10.0.0.1']);
    expect(policy!.rules[1].match.dst).toEqual(['2001:db8::1/128']);
    expect(policy!.rules[0].enabled).toBe(true);
  });

  it('host bits are cleared in the stored policy and only warned about', () => {
    const { policy, diagnostics } = checkPolicy({ ...base, rules: [rule({ src: ['10.1.2.3/8', '2001:db8::1/32'] })] });
    expect(diagnostics.map((d) => d.severity)).toEqual(['warning', 'warning']);
    expect(policy!.rules[0].match.src).toEqual(['10.0.0.0/8', '2001:db8::/32']);
  });

  it('ports without proto are fine (they match TCP and UDP); tcpFlags and icmpType likewise', () => {
    const { diagnostics } = checkPolicy({ ...base, rules: [rule({ dstPorts: [53] }), rule({ tcpFlags: 'syn,!ack' }, { id: 'r2' }), rule({ icmpType: 8 }, { id: 'r3' })] });
    expect(diagnostics).toEqual([]);
  });

  it('a non-object input is one schema diagnostic at the root', () => {
    expect(checkPolicy(null).diagnostics).toEqual([expect.objectContaining({ code: 'schema.invalid_type', path: [] })]);
  });

  it('reports each bad domain of a large list by its index and nothing else', () => {
    const elements = Array.from({ length: 5000 }, (_, i) => `host${i}.example.com`);
    const bad = [17, 2500, 4999];
    for (const i of bad) elements[i] = `bad..${i}`;
    const { policy, diagnostics } = checkPolicy({ ...base, sets: { big: { type: 'domain', elements } }, rules: [rule({ domains: '@big' })] });
    expect(policy).toBeUndefined();
    expect(diagnostics.map((d) => d.path)).toEqual(bad.map((i) => ['sets', 'big', 'elements', i]));
  });

  it('reports semantic errors along with shape errors, with the broken parts set aside', () => {
    const { policy, diagnostics } = checkPolicy({
      ...base,
      title: 42,
      sets: { good: { type: 'port', elements: [22] }, bad: { type: 'port', elements: ['x'] }, spare: { type: 'cidr', elements: ['10.0.0.0/8'] } },
      rules: [
        rule({ dstPorts: [80, 'http'] }),
        rule({ src: '@nope' }, { id: 'r2' }),
        rule({ dstPorts: '@bad' }, { id: 'r3' }),
        rule({ srcPorts: '@good', src: ['10.0.0.0/33'] }, { id: 'r4' }),
      ],
      tests: [{ name: 't', packet: { src: '10.0.0.1', dst: '10.0.0.2' }, expect: 'drop', rule: 'r9' }, { name: 'u', packet: { src: 1 }, expect: 'drop' }],
    });
    expect(policy).toBeUndefined();
    expect(diagnostics.map((d) => [d.code, d.path.join('.')])).toEqual([
      ['schema.invalid_type', 'title'],
      ['schema.invalid_format', 'sets.bad.elements.0'],
      ['schema.invalid_format', 'rules.0.match.dstPorts.1'],
      ['schema.invalid_type', 'tests.1.packet.src'],
      ['schema.invalid_type', 'tests.1.packet.dst'],
      // Past the shape: the unknown set, the bad CIDR and the unused set; nothing about the set aside parts
      // (rule r3 refers to the broken set, rule 0 is broken); the unknown test rule is not reported while a rule is.
      ['cidr.invalid', 'rules.3.match.src.0'],
      ['set.unknown', 'rules.1.match.src'],
      ['set.unused', 'sets.spare'],
    ]);
  });

  it('reports shape errors alone when the damage is in what every check reads', () => {
    const { diagnostics } = checkPolicy({ ...base, hook: 'inptu', rules: [rule({ src: '@nope' })] });
    expect(diagnostics.map((d) => d.code)).toEqual(['schema.invalid_value']);
  });

  it('test rules "default" and "none" are accepted', () => {
    const t = (r: string) => ({ name: r, packet: { src: '10.0.0.1', dst: '10.0.0.2' }, expect: 'accept', rule: r });
    expect(checkPolicy({ ...base, tests: [t('default'), t('none')] }).diagnostics).toEqual([]);
  });
});
