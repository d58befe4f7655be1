// compilePolicy: a policy → one Lunatik Lua script for a target profile, or diagnostics saying why not.
import type { Stmt } from '../lua/ast.js';
import { assign, blank, bool, comment, id, int, item, keyed, list, local, str, table } from '../lua/build.js';
import { printChunk } from '../lua/printer.js';
import { referencedIdentifiers } from '../lua/walk.js';
import { hasErrors, type Diagnostic } from '../policy/diagnostics.js';
import type { Policy } from '../policy/schema.js';
import { helperStatements } from './helpers.js';
import type { LoweredPolicy } from './ir.js';
import { lowerPolicy } from './lower.js';
import { parseStatements } from './parse.js';
import type { TargetProfile } from './profile.js';
import { familyRules } from './rules.js';
import { SharedTables } from './shared.js';
import { acceptName, entry, prologue, type TargetInfo } from './target.js';

export interface CompileOptions {
  profile: TargetProfile;
  revision?: number;
  /** Interface name → ifindex on the target; defaults to syntheticIfindexes(policy). */
  ifindexes?: Record<string, number>;
}

/** lo = 1, then the policy's interface names in order of first appearance from 2 (tests and the emulator). */
export function syntheticIfindexes(policy: Policy): Record<string, number> {
  const out: Record<string, number> = { lo: 1 };
  let next = 2;
  const addName = (n: string | undefined) => {
    if (n !== undefined && !Object.hasOwn(out, n)) out[n] = next++;
  };
  for (const n of policy.interfaces ?? []) addName(n);
  for (const r of policy.rules) {
    addName(r.match.iif);
    addName(r.match.oif);
  }
  return out;
}

function describeTarget(t: TargetInfo, policy: Policy): string {
  const where = t.target === 'xdp' ? `xdp on ${(policy.interfaces ?? []).join(', ') || 'no interface'}` : `netfilter hook ${t.hook ?? '?'} (family ${policy.family}, priority ${policy.priority})`;
  return `Target: ${t.profile}, ${where}; default ${policy.defaultAction}.`;
}

function bookkeeping(ir: LoweredPolicy, t: TargetInfo): Stmt[] {
  const verdict = (v: string) => (v === 'log' ? bool(false) : id(v === 'accept' ? acceptName(t) : 'DROP'));
  const out: Stmt[] = [
    blank,
    comment('Hit counters by rule id (and "default"); the control runtime reads them through the global `hits`.'),
    local('counters', table([...ir.counterIds.map((rid) => keyed(str(rid), int(0))), keyed(str('default'), int(0))])),
    assign(id('hits'), id('counters')),
    blank,
    comment('Compiled rules by number: id and verdict (false for log rules, which count and go on).'),
    local('rule_id', list(ir.rules.map((r) => str(r.id)))),
    local('rule_verdict', table(ir.rules.map((r) => item(verdict(r.verdict))))),
  ];
  if (ir.interfaces) {
    out.push(blank, comment('The policy applies only to packets on these devices (ifindex).'), local('interfaces', table(ir.interfaces.map((n) => keyed(int(n), bool(true))))));
  }
  return out;
}

export function compilePolicy(policy: Policy, opts: CompileOptions): { script: string; diagnostics: Diagnostic[] } {
  const t: TargetInfo = { profile: opts.profile, target: policy.target, hook: policy.target === 'netfilter' ? policy.hook : undefined };
  const { ir, diagnostics } = lowerPolicy(policy, { profile: opts.profile, ifindexes: opts.ifindexes ?? syntheticIfindexes(policy) });
  if (hasErrors(diagnostics)) return { script: '', diagnostics };
  const header: Stmt[] = [];
  if (policy.title) header.push(comment(policy.title));
  if (policy.description) for (const line of policy.description.split(/\r\n|\r|\n/)) header.push(comment(line));
  header.push(comment(describeTarget(t, policy)));
  const pool = new SharedTables();
  const rules = ir.families.flatMap((f) => familyRules(f, pool));
  const used = referencedIdentifiers(rules);
  const helpers = helperStatements({
    empty: used.has('EMPTY') || used.has('best6'),
    best4: used.has('best4'),
    best6: used.has('best6'),
    bestPort: used.has('best_port'),
    inRanges: used.has('in_ranges'),
    names: ir.needsNames,
  });
  const body: Stmt[] = [
    ...header,
    blank,
    ...prologue(t, ir.needsNames, ir.defaultVerdict),
    ...bookkeeping(ir, t),
    ...helpers,
    ...pool.statements(),
    ...rules,
    ...parseStatements(ir.families, { names: ir.needsNames }),
    ...entry(t, ir, policy),
  ];
  const script = printChunk({ policyName: policy.name, revision: opts.revision ?? 0, body });
  return { script, diagnostics };
}
