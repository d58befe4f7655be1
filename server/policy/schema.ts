// The policy language as zod schemas: the single definition used by the API, UI forms, CLI and store.
import { z } from '@hono/zod-openapi';
import { packetSpec } from './packet-spec.js';

/** Runtime names containing `lua` are mangled by Lunatik's `runner.trim()` (lunatik.md §1.3). */
export const policyName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'must be a slug: a lowercase letter, then up to 31 of a-z 0-9 _ -')
  .refine((s) => !s.includes('lua'), 'must not contain "lua" (Lunatik mangles such runtime names)');

/** Set names never become Lua identifiers; they only need to be referable as `@name`. */
export const setName = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/, 'set names are 1-64 of A-Z a-z 0-9 _ . : -');
export const ruleId = z.string().regex(/^[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/, 'rule ids are 1-64 of A-Z a-z 0-9 _ . : -');
export const interfaceName = z
  .string()
  .regex(/^[A-Za-z0-9_.@-]{1,15}$/, 'interface names are 1-15 of A-Z a-z 0-9 _ . @ -');

/** `"@name"` refers to an entry of `sets`. */
export const setRef = z.string().regex(/^@[A-Za-z0-9_][A-Za-z0-9_.:-]{0,63}$/, 'a set reference is "@" and a set name');

/** One port or an inclusive range `"low-high"`; ranges are checked semantically (order, bounds). */
export const portElement = z.union([
  z.number().int(),
  z.string().regex(/^\d{1,5}(-\d{1,5})?$/, 'a port is a number or a range "low-high"'),
]);
/** CIDR or single address, IPv4 or IPv6; validated semantically so errors name the element. */
export const cidrElement = z.string().min(1).max(64);
/** Domain names are normalised and validated semantically so a huge list never fails whole. */
export const domainElement = z.string().min(1).max(1024);

export const portList = z.union([setRef, z.array(portElement)]);
export const cidrList = z.union([setRef, z.array(cidrElement)]);
export const domainList = z.union([setRef, z.array(domainElement)]);

export const protocols = ['tcp', 'udp', 'icmp', 'icmpv6'] as const;
export const protocol = z.enum(protocols);

/**
 * TCP flags as comma-separated names, each optionally negated with "!":
 * "syn" = SYN set; "syn,!ack" = SYN set and ACK clear (a new connection).
 */
export const tcpFlagNames = ['fin', 'syn', 'rst', 'psh', 'ack', 'urg', 'ece', 'cwr'] as const;
export const tcpFlags = z
  .string()
  .regex(/^!?(fin|syn|rst|psh|ack|urg|ece|cwr)(,!?(fin|syn|rst|psh|ack|urg|ece|cwr))*$/, 'comma-separated TCP flag names (fin syn rst psh ack urg ece cwr), each may start with "!"');

export const match = z
  .strictObject({
    proto: z.union([protocol, z.array(protocol).min(1)]).optional(),
    src: cidrList.optional(),
    dst: cidrList.optional(),
    srcPorts: portList.optional(),
    dstPorts: portList.optional(),
    iif: interfaceName.optional(),
    oif: interfaceName.optional(),
    domains: domainList.optional(),
    icmpType: z.number().int().min(0).max(255).optional(),
    tcpFlags: tcpFlags.optional(),
  })
  .openapi('Match');

export const actions = ['accept', 'drop', 'log', 'reject'] as const;
export const action = z.enum(actions);

export const rule = z
  .strictObject({
    id: ruleId,
    comment: z.string().max(512).default(''),
    enabled: z.boolean().default(true),
    match: match.default({}),
    action,
  })
  .openapi('Rule');

export const setTypes = ['cidr', 'port', 'domain'] as const;
export const setDef = z
  .discriminatedUnion('type', [
    z.strictObject({ type: z.literal('cidr'), elements: z.array(cidrElement).max(1_000_000) }),
    z.strictObject({ type: z.literal('port'), elements: z.array(portElement).max(65_535) }),
    z.strictObject({ type: z.literal('domain'), elements: z.array(domainElement).max(1_000_000) }),
  ])
  .openapi('Set');

export const verdicts = ['accept', 'drop'] as const;
export const verdict = z.enum(verdicts);

export const policyTest = z
  .strictObject({
    name: z.string().min(1).max(128),
    packet: packetSpec,
    expect: verdict,
    /** Optionally also assert which rule decided: a rule id or "default". */
    rule: z.string().max(64).optional(),
  })
  .openapi('PolicyTest');

export const hooks = ['prerouting', 'input', 'forward', 'output', 'postrouting'] as const;
export const targets = ['netfilter', 'xdp'] as const;
export const families = ['inet', 'ipv4', 'ipv6'] as const;

export const policy = z
  .strictObject({
    name: policyName,
    title: z.string().max(128).default(''),
    description: z.string().max(4096).default(''),
    enabled: z.boolean().default(true),
    target: z.enum(targets).default('netfilter'),
    /** netfilter only; ignored (and rejected semantically) for xdp. */
    hook: z.enum(hooks).optional(),
    /** xdp: the interfaces to attach to (required). netfilter: restricts the policy to packets on these. */
    interfaces: z.array(interfaceName).max(64).optional(),
    family: z.enum(families).default('inet'),
    /** Netfilter hook priority; any 32-bit integer (fw4's filter chains sit at 0). */
    priority: z.number().int().min(-2147483648).max(2147483647).default(0),
    /**
     * netfilter only: the skb marks the hook sees (absent: [0]). Lunatik calls a hook only for packets
     * whose mark equals its registered mark, so packets marked by mwan3 or fw4 MARK rules bypass a
     * policy that does not list their marks.
     */
    marks: z.array(z.number().int().min(0).max(0xffffffff)).min(1).max(16).optional(),
    defaultAction: z.enum(['accept', 'drop']).default('accept'),
    sets: z.record(setName, setDef).default({}),
    rules: z.array(rule).max(10_000).default([]),
    tests: z.array(policyTest).max(1_000).default([]),
  })
  .openapi('Policy');

export type Policy = z.infer<typeof policy>;
export type PolicyInput = z.input<typeof policy>;
export type Rule = z.infer<typeof rule>;
export type Match = z.infer<typeof match>;
export type SetDef = z.infer<typeof setDef>;
export type PolicyTest = z.infer<typeof policyTest>;
export type Action = z.infer<typeof action>;
export type Verdict = z.infer<typeof verdict>;
export type Hook = (typeof hooks)[number];
export type Protocol = (typeof protocols)[number];
