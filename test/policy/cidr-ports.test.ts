// CIDR and port element parsing: canonical text, host bits, containment, ranges.
import { describe, expect, it } from 'vitest';
import { cidrContains, parseAddress, parseCidr } from '../../server/policy/cidr.js';
import { mergeRanges, parsePort, rangesCover } from '../../server/policy/ports.js';

describe('parseCidr', () => {
  it.each([
    ['10.0.0.0/8', '10.0.0.0/8', false],
    ['10.1.2.3/8', '10.0.0.0/8', true],
    ['10.1.2.3', '10.1.2.3', false],
    ['0.0.0.0/0', '0.0.0.0/0', false],
    ['255.255.255.255/32', '255.255.255.255/32', false],
    ['2001:DB8:0:0::1', '2001:db8::1', false],
    ['2001:db8::1/64', '2001:db8::/64', true],
    ['::ffff:1.2.3.4', '::ffff:102:304', false],
    ['::/0', '::/0', false],
    ['fe80::1:2:3:4/126', 'fe80::1:2:3:4/126', false],
  ])('%s → %s (host bits %s)', (text, canonical, hostBitsSet) => {
    expect(parseCidr(text)).toMatchObject({ ok: true, canonical, hostBitsSet });
  });
  it.each(['256.0.0.1', '01.2.3.4', '1.2.3', '1.2.3.4.5', '0x7f.0.0.1', '10.0.0.0/33', '10.0.0.0/08', '10.0.0.0/', '::/129', 'fe80::1%eth0', 'host.example', '1::2::3', ' 10.0.0.1'])(
    '%j is invalid',
    (text) => {
      expect(parseCidr(text).ok).toBe(false);
    },
  );
  it('contains by prefix, never across families', () => {
    const net = parseCidr('10.1.2.128/25');
    if (!net.ok) throw new Error('parse');
    expect(cidrContains(net, 4, parseAddress('10.1.2.200')!.bytes)).toBe(true);
    expect(cidrContains(net, 4, parseAddress('10.1.2.127')!.bytes)).toBe(false);
    expect(cidrContains(net, 6, parseAddress('a01:280::')!.bytes)).toBe(false);
  });
});

describe('parsePort', () => {
  it('numbers, strings and ranges', () => {
    expect(parsePort(80)).toEqual({ ok: true, range: { lo: 80, hi: 80 } });
    expect(parsePort('443')).toEqual({ ok: true, range: { lo: 443, hi: 443 } });
    expect(parsePort('1-65535')).toEqual({ ok: true, range: { lo: 1, hi: 65535 } });
    expect(parsePort('5-5')).toEqual({ ok: true, range: { lo: 5, hi: 5 } });
    expect(parsePort(0)).toMatchObject({ ok: false, code: 'port.out-of-range' });
    expect(parsePort(65536)).toMatchObject({ ok: false, code: 'port.out-of-range' });
    expect(parsePort('0-10')).toMatchObject({ ok: false, code: 'port.out-of-range' });
    expect(parsePort('10-9')).toMatchObject({ ok: false, code: 'port.range-inverted' });
  });
  it('range cover over merged ranges', () => {
    const outer = mergeRanges([{ lo: 101, hi: 200 }, { lo: 1, hi: 100 }, { lo: 300, hi: 300 }]);
    expect(outer).toEqual([{ lo: 1, hi: 200 }, { lo: 300, hi: 300 }]);
    expect(rangesCover(outer, [{ lo: 50, hi: 150 }, { lo: 300, hi: 300 }])).toBe(true);
    expect(rangesCover(outer, [{ lo: 150, hi: 250 }])).toBe(false);
    expect(rangesCover(outer, [{ lo: 301, hi: 301 }])).toBe(false);
    expect(rangesCover([], [{ lo: 1, hi: 1 }])).toBe(false);
  });
});
