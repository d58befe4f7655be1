// Property: any policy the schema (and checker) accepts survives JSON → store → API → JSON unchanged.
import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import ipaddr from 'ipaddr.js';
import { harness } from './helpers.js';
import { checkPolicy } from '../../server/policy/check.js';
import { hooks, tcpFlagNames, type PolicyInput, type Protocol } from '../../server/policy/schema.js';

type Family = 'inet' | 'ipv4' | 'ipv6';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const slug = fc.stringMatching(/^[a-z][a-z0-9_-]{0,31}$/).filter((s) => !s.includes('lua'));
const ident = fc.stringMatching(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,20}$/);
const ifname = fc.stringMatching(/^[A-Za-z0-9_.@-]{1,15}$/);

const v4 = fc.tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 4, maxLength: 4 }), fc.integer({ min: 0, max: 32 }), fc.boolean()).map(([b, prefix, bare]) => {
  if (bare) return ipaddr.fromByteArray(b).toString();
  const masked = b.map((x, i) => { const bits = prefix - i * 8; return bits >= 8 ? x : bits <= 0 ? 0 : x & ((0xff << (8 - bits)) & 0xff); });
  return `${ipaddr.fromByteArray(masked).toString()}/${prefix}`;
});
const v6 = fc.tuple(fc.array(fc.integer({ min: 0, max: 255 }), { minLength: 16, maxLength: 16 }), fc.integer({ min: 0, max: 128 }), fc.boolean()).map(([b, prefix, bare]) => {
  if (bare) return (ipaddr.fromByteArray(b) as ipaddr.IPv6).toRFC5952String();
  const masked = b.map((x, i) => { const bits = prefix - i * 8; return bits >= 8 ? x : bits <= 0 ? 0 : x & ((0xff << (8 - bits)) & 0xff); });
  return `${(ipaddr.fromByteArray(masked) as ipaddr.IPv6).toRFC5952String()}/${prefix}`;
});
const cidrFor = (f: Family) => (f === 'ipv4' ? v4 : f === 'ipv6' ? v6 : fc.oneof(v4, v6));
const port = fc.oneof(
  fc.integer({ min: 1, max: 65535 }),
  fc.tuple(fc.integer({ min: 1, max: 65535 }), fc.integer({ min: 1, max: 65535 })).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`),
);
const label = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
const domain = fc.array(label, { minLength: 1, maxLength: 4 }).map((ls) => ls.join('.'));

const setOf = (f: Family) =>
  fc.oneof(
    fc.record({ type: fc.constant('cidr' as const), elements: fc.array(cidrFor(f), { maxLength: 5 }) }),
    fc.record({ type: fc.constant('port' as const), elements: fc.array(port, { maxLength: 5 }) }),
    fc.record({ type: fc.constant('domain' as const), elements: fc.array(domain, { maxLength: 5 }) }),
  );

function matchFor(f: Family, hook: string | undefined, sets: Record<string, { type: string }>) {
  const refs = (type: string) => Object.keys(sets).filter((k) => sets[k]!.type === type).map((k) => `@${k}`);
  const listOr = <T,>(type: string, el: fc.Arbitrary<T>) => (refs(type).length ? fc.oneof(fc.constantFrom(...refs(type)), fc.array(el, { maxLength: 3 })) : fc.array(el, { maxLength: 3 }));
  const icmp: Protocol[] = f === 'ipv4' ? ['icmp'] : f === 'ipv6' ? ['icmpv6'] : ['icmp', 'icmpv6'];
  const iifOk = hook === undefined || ['prerouting', 'input', 'forward'].includes(hook);
  const oifOk = hook === 'postrouting';
  return fc.oneof(fc.constant(undefined), fc.constantFrom<Protocol>('tcp', 'udp'), fc.constant<Protocol[]>(['tcp', 'udp']), fc.constantFrom(...icmp)).chain((proto) => {
    const transport = proto === undefined || proto === 'tcp' || proto === 'udp' || Array.isArray(proto);
    const isIcmp = typeof proto === 'string' && proto.startsWith('icmp');
    return fc.record(
      {
        ...(proto !== undefined ? { proto: fc.constant(proto) } : {}),
        src: listOr('cidr', cidrFor(f)),
        dst: listOr('cidr', cidrFor(f)),
        ...(transport ? { srcPorts: listOr('port', port), dstPorts: listOr('port', port) } : {}),
        ...(iifOk ? { iif: ifname } : {}),
        ...(oifOk ? { oif: ifname } : {}),
        domains: listOr('domain', domain),
        ...(isIcmp ? { icmpType: fc.integer({ min: 0, max: 255 }) } : {}),
        ...(proto === 'tcp'
          ? { tcpFlags: fc.uniqueArray(fc.constantFrom(...tcpFlagNames), { minLength: 1, maxLength: 3 }).chain((ns) => fc.tuple(...ns.map((n) => fc.constantFrom(n, `!${n}`))).map((xs) => xs.join(','))) }
          : {}),
      },
      { requiredKeys: [] },
    );
  });
}

const policyArb = fc
  .record({ family: fc.constantFrom<Family>('inet', 'ipv4', 'ipv6'), target: fc.constantFrom('netfilter' as const, 'xdp' as const) })
  .chain(({ family, target }) =>
    fc.record({
      hook: target === 'netfilter' ? fc.constantFrom(...hooks) : fc.constant(undefined),
      sets: fc.dictionary(ident, setOf(family), { maxKeys: 4 }),
      interfaces: target === 'xdp' ? fc.uniqueArray(ifname, { minLength: 1, maxLength: 3 }) : fc.option(fc.uniqueArray(ifname, { maxLength: 3 }), { nil: undefined }),
    }).chain(({ hook, sets, interfaces }) =>
      fc.record({
        name: slug,
        title: text,
        description: text,
        enabled: fc.boolean(),
        priority: fc.integer({ min: -2147483648, max: 2147483647 }),
        defaultAction: fc.constantFrom('accept' as const, 'drop' as const),
        rules: fc.uniqueArray(
          fc.record({
            id: ident,
            comment: text,
            enabled: fc.boolean(),
            match: matchFor(family, hook, sets),
            action: fc.constantFrom(...(target === 'xdp' ? (['accept', 'drop', 'log'] as const) : (['accept', 'drop', 'log'] as const))),
          }),
          { selector: (r) => r.id, maxLength: 5 },
        ),
        tests: fc.uniqueArray(
          fc.record({
            name: fc.string({ minLength: 1, maxLength: 20 }),
            packet: fc.record({
              src: family === 'ipv6' ? fc.constant('fd00::1') : fc.constant('10.0.0.1'),
              dst: family === 'ipv6' ? fc.constant('fd00::2') : fc.constant('10.0.0.2'),
              proto: fc.constant('tcp' as const),
              dstPort: fc.integer({ min: 1, max: 65535 }),
            }),
            expect: fc.constantFrom('accept' as const, 'drop' as const),
          }),
          { selector: (t) => t.name, maxLength: 2 },
        ),
      }).map((rest) => {
        const p: PolicyInput = { ...rest, target, family, sets, ...(hook ? { hook } : {}), ...(interfaces && hook !== 'output' ? { interfaces } : {}) };
        return p;
      }),
    ),
  );

describe('round trip through the store and the API', () => {
  it('returns every accepted policy exactly as sent (GET one, GET all, revision 1)', async () => {
    const h = await harness();
    await fc.assert(
      fc.asyncProperty(policyArb, async (p) => {
        const checked = checkPolicy(p);
        expect(checked.diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
        const sent = JSON.parse(JSON.stringify(p)) as unknown;
        const put = await h.call('PUT', `/api/v1/policies/${p.name}`, { raw: JSON.stringify(p) });
        expect(put.status, await put.clone().text()).toBeLessThan(300);
        expect(await (await h.call('GET', `/api/v1/policies/${p.name}`)).json()).toEqual(sent);
        const all = await (await h.call('GET', '/api/v1/policies')).json();
        expect(all.policies.find((x: { name: string }) => x.name === p.name)).toEqual(sent);
        const revs = await (await h.call('GET', `/api/v1/policies/${p.name}/revisions`)).json();
        const last = await (await h.call('GET', `/api/v1/policies/${p.name}/revisions/${revs.revisions.at(-1).n}`)).json();
        expect(last.policy).toEqual(sent);
      }),
      { numRuns: 150 },
    );
  });
});
