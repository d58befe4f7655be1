// Every diagnostic code checkPolicy can produce, with its severity and meaning (the documentation of the checks).
import type { Severity } from './diagnostics.js';

/** Zod issues become `schema.<zod issue code>` (e.g. `schema.invalid_type`) at the path. */
export const SCHEMA_PREFIX = 'schema.';

export const diagnosticCodes = {
  'domain.invalid': ['error', 'a domain can never match: empty label, label over 63 or name over 253 bytes, or a byte no host name carries'],
  'cidr.invalid': ['error', 'not an IPv4 (four decimal parts) or IPv6 address or network'],
  'cidr.host-bits': ['warning', 'the address has bits set beyond its prefix; stored with them cleared (10.1.2.3/8 → 10.0.0.0/8)'],
  'cidr.family-mismatch': ['error', 'an inline IPv4 network in a rule of an ipv6 policy, or the reverse: it can never match'],
  'set.family-mismatch': ['warning', 'a CIDR set element of the family the policy excludes: it never matches'],
  'port.out-of-range': ['error', 'a port outside 1-65535'],
  'port.range-inverted': ['error', 'a port range "low-high" whose low is above its high'],
  'set.unknown': ['error', 'a "@name" reference to a set the policy does not define'],
  'set.type-mismatch': ['error', 'a set of the wrong type for the field (a port set in src, a cidr set in domains, …)'],
  'set.unused': ['warning', 'a set no rule references'],
  'match.empty-list': ['warning', 'an empty list (inline or set): the rule never matches'],
  'rule.duplicate-id': ['error', 'two rules share an id (counters and tests address rules by id)'],
  'rule.shadowed': ['warning', 'an earlier enabled accept/drop/reject rule matches every packet this rule matches, so it never decides'],
  'proto.family-mismatch': ['error', 'icmp in an ipv6 policy or icmpv6 in an ipv4 policy: it can never match'],
  'match.ports-need-transport': ['error', 'srcPorts/dstPorts with a proto list that has neither tcp nor udp (without proto, ports match TCP and UDP)'],
  'match.flags-need-tcp': ['error', 'tcpFlags with a proto list without tcp (without proto, tcpFlags matches TCP only)'],
  'match.icmptype-needs-icmp': ['error', 'icmpType with a proto list without icmp/icmpv6 (without proto, it matches ICMP and ICMPv6)'],
  'tcpflags.contradictory': ['error', 'a TCP flag both required and forbidden ("syn,!syn"): it can never match'],
  'policy.hook-missing': ['error', 'a netfilter policy needs a hook'],
  'policy.hook-on-xdp': ['error', 'xdp policies have no netfilter hook'],
  'policy.interfaces-missing': ['error', 'an xdp policy needs the interfaces to attach to'],
  'policy.marks-on-xdp': ['error', 'marks on an xdp policy: XDP runs before anything can mark a packet'],
  'policy.marks-duplicate': ['error', 'a mark listed twice in marks (each becomes one hook registration)'],
  'match.iif-unavailable': ['error', 'iif on an output/postrouting hook, which sees only the output device'],
  'match.oif-unavailable': ['error', 'oif on xdp or a prerouting/input/forward hook, which see only the input device, or on output, which sees no device'],
  'policy.interfaces-unavailable': ['error', 'interfaces on a netfilter output policy: that hook sees no device, so the policy would never apply'],
  'match.device-outside-interfaces': ['warning', 'iif (oif on output hooks) names an interface outside the policy\'s interfaces: the rule never matches'],
  'action.reject-unsupported': ['error', 'reject: xdp cannot answer the sender, and no Lunatik profile can emit a TCP reset or ICMP error yet'],
  'rule.reserved-id': ['error', 'a rule id of "default" or "none": those name the policy\'s own outcomes in counters and results'],
  'test.unknown-rule': ['error', 'a test expects a rule id the policy does not have (allowed: rule ids, "default", "none")'],
  'test.packet-invalid': ['error', 'a test packet the toolkit cannot build (bad address, mixed families, two payloads, …)'],
} as const satisfies Record<string, readonly [Severity, string]>;

export type DiagnosticCode = keyof typeof diagnosticCodes;
