// The lowered policy: every matching decision made, ready for an emitter to print as Lua.

export type Family = 4 | 6;

/** A network of one family as 32-bit words (1 for IPv4, 4 for IPv6) with host bits cleared. */
export interface Prefix {
  words: number[];
  len: number;
}

export interface PortRange {
  lo: number;
  hi: number;
}

/** What one rule needs of a packet of one family; fields absent are not tested. */
export interface FamilyMatch {
  /** Protocols the rule can match (after implications: ports → tcp/udp, …); undefined = any. */
  protos?: number[];
  src?: Prefix[];
  dst?: Prefix[];
  sport?: PortRange[];
  dport?: PortRange[];
  icmpType?: number;
  /** TCP flags: (flags & mask) == value. */
  flags?: { mask: number; value: number };
  /** The hook device's ifindex must equal this. */
  dev?: number;
  /** Lowercase punycode names matched label-exact as suffixes. */
  names?: string[];
}

/** The fields adjacent rules may differ in and still share one lookup. */
export type KeyField = 'src' | 'dst' | 'sport' | 'dport' | 'names';
export const keyFields: readonly KeyField[] = ['src', 'dst', 'sport', 'dport', 'names'];

export type RuleVerdict = 'accept' | 'drop' | 'log';

export interface RuleIR {
  /** 1-based position among the compiled rules (the value match functions return). */
  index: number;
  id: string;
  comment: string;
  verdict: RuleVerdict;
  /** Index of the rule in policy.rules, for comments. */
  position: number;
}

/** One match function: a single rule, or adjacent same-verdict rules merged on `key`. */
export interface Group {
  rules: RuleIR[];
  /** Per rule of the group; identical except in `key`. */
  matches: FamilyMatch[];
  key?: KeyField;
}

/** A group the port table does not hold, tried when the destination port is within lo..hi (-1..65535: always). */
export interface ScanEntry {
  group: number;
  lo: number;
  hi: number;
}

/**
 * Groups outside the port table, tried in order merged with the table's: the bucket of a packet is
 * (dport >> shift) & (buckets.length - 1), and each bucket lists the groups whose port envelope meets it.
 */
export interface PortScan {
  shift: number;
  buckets: ScanEntry[][];
  /** Destination port → the table's groups, each after `before` entries of that port's bucket. */
  table: Map<number, { before: number; group: number }[]>;
}

export interface DispatchClass {
  /** Protocol number, or undefined for "any other protocol" (and an unknown IPv6 protocol). */
  proto?: number;
  /** Group positions (0-based in FamilyIR.groups) tried when no port list applies. */
  any: number[];
  /** Destination port → group positions, when every group that can match the class is indexed by port. */
  byPort?: Map<number, number[]>;
  /** Otherwise, when some groups are indexed by port: the table and the scan merged at run time. */
  scan?: PortScan;
}

export interface FamilyIR {
  family: Family;
  groups: Group[];
  classes: DispatchClass[];
}

export interface LoweredPolicy {
  rules: RuleIR[];
  /** Counter keys: every rule id in policy order, then "default". */
  counterIds: string[];
  families: FamilyIR[];
  /** ifindexes of `interfaces`; undefined when the policy is not restricted. */
  interfaces?: number[];
  /** The policy needs the hook device (interfaces, iif or oif). */
  needsDevice: boolean;
  /** Some rule matches domains: the script extracts names. */
  needsNames: boolean;
  defaultVerdict: 'accept' | 'drop';
}
