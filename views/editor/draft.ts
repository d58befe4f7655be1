// The editor's form model: every policy field as the text the admin typed, so invalid input re-renders as typed.

export interface DraftMatch {
  proto: string;
  src: string;
  dst: string;
  srcPorts: string;
  dstPorts: string;
  iif: string;
  oif: string;
  domains: string;
  icmpType: string;
  tcpFlags: string;
}

export interface DraftRule {
  id: string;
  comment: string;
  enabled: boolean;
  action: string;
  match: DraftMatch;
}

export interface DraftSet {
  name: string;
  type: string;
  /** One element per line. */
  elements: string;
}

export interface DraftTest {
  name: string;
  expect: string;
  rule: string;
  /** The packet as JSON text (server/policy/packet-spec.ts). */
  packet: string;
}

export interface Draft {
  name: string;
  title: string;
  description: string;
  enabled: boolean;
  target: string;
  hook: string;
  interfaces: string;
  family: string;
  priority: string;
  /** skb marks the hook sees, as typed ("0x0, 0x100"); empty = unmarked packets only. */
  marks: string;
  defaultAction: string;
  sets: DraftSet[];
  rules: DraftRule[];
  tests: DraftTest[];
}

export const matchFields: { key: keyof DraftMatch; label: string; hint: string }[] = [
  { key: 'proto', label: 'Protocol', hint: 'tcp udp icmp icmpv6; empty = any' },
  { key: 'src', label: 'Source', hint: 'CIDRs or @set' },
  { key: 'dst', label: 'Destination', hint: 'CIDRs or @set' },
  { key: 'srcPorts', label: 'Source ports', hint: '1024-65535 or @set' },
  { key: 'dstPorts', label: 'Destination ports', hint: '22, 80, 8000-8100 or @set' },
  { key: 'iif', label: 'Input interface', hint: 'e.g. br-lan' },
  { key: 'oif', label: 'Output interface', hint: 'e.g. wan' },
  { key: 'domains', label: 'Domains', hint: 'DNS / SNI / HTTP Host suffixes or @set' },
  { key: 'icmpType', label: 'ICMP type', hint: '0-255' },
  { key: 'tcpFlags', label: 'TCP flags', hint: 'syn,!ack' },
];

export const emptyMatch = (): DraftMatch => ({
  proto: '',
  src: '',
  dst: '',
  srcPorts: '',
  dstPorts: '',
  iif: '',
  oif: '',
  domains: '',
  icmpType: '',
  tcpFlags: '',
});

/** The next unused rule id of the form r<N>. */
export function nextRuleId(rules: DraftRule[]): string {
  const used = new Set(rules.map((r) => r.id));
  let n = rules.length + 1;
  while (used.has(`r${n}`)) n++;
  return `r${n}`;
}

export const emptyRule = (rules: DraftRule[]): DraftRule => ({
  id: nextRuleId(rules),
  comment: '',
  enabled: true,
  action: 'accept',
  match: emptyMatch(),
});

export const emptyDraft = (): Draft => ({
  name: '',
  title: '',
  description: '',
  enabled: true,
  target: 'netfilter',
  hook: 'forward',
  interfaces: '',
  family: 'inet',
  priority: '0',
  marks: '',
  defaultAction: 'accept',
  sets: [],
  rules: [],
  tests: [],
});

/** Input ids derived from field names ("rules[0].match.src" → "f-rules-0-match-src"). */
export const fieldId = (name: string) => 'f-' + name.replace(/[^A-Za-z0-9_]+/g, '-').replace(/-+$/, '');

export const lineCount = (text: string) => text.split('\n').filter((l) => l.trim() !== '').length;
