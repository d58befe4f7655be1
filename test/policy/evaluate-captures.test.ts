// The evaluator on real captured traffic: a domain policy decides exactly the packets that carry a listed name.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { frameOf, parseFrame, readCapture } from '../../server/packet/index.js';
import { checkPolicy } from '../../server/policy/check.js';
import { evaluate } from '../../server/policy/evaluate.js';

const { policy } = checkPolicy({
  name: 'block-ads',
  hook: 'forward',
  sets: { bad: { type: 'domain', elements: ['Blocked.Example.', 'ads.example.com', 'tracker.example.net'] } },
  rules: [
    { id: 'dns-log', action: 'log', match: { proto: 'udp', dstPorts: [53] } },
    { id: 'names', action: 'drop', match: { domains: '@bad' } },
  ],
});

describe('evaluate on real captures', () => {
  it.each(['mixed.pcapng', 'any-sll2.pcap', 'dns-lo-nano.pcap'])('%s: drops exactly the packets naming a listed domain', (file) => {
    const cap = readCapture(new Uint8Array(readFileSync(new URL(`../fixtures/${file}`, import.meta.url))));
    let dropped = 0;
    cap.packets.forEach((_, i) => {
      const pkt = parseFrame(frameOf(cap, i), 'l2');
      const r = evaluate(policy!, pkt, { target: 'netfilter' });
      const listed = pkt.name !== undefined && pkt.name.value !== 'tcp.example.org';
      expect(r.rule).toBe(listed ? 'names' : 'default');
      if (pkt.proto === 17 && pkt.dstPort === 53) expect(r.counted[0]).toBe('dns-log');
      if (listed) dropped++;
    });
    expect(dropped).toBeGreaterThanOrEqual(2);
  });
});
