// Small Lua helpers the match functions call: merged-rule lookups, range search, domain suffix walk.
import type { Expr, Stmt } from '../lua/ast.js';
import { add, and, assign, bin, blank, bool, call, comment, eq, forNum, gt, id, if_, ifChain, index, int, le, len, local, localFn, lt, nil, not, or, ret, shr, str, sub, table, while_, band, ge } from '../lua/build.js';

const v = id;
const better = (x: Expr, best: Expr): Expr => and(x, or(not(best), lt(x, best)));

export interface HelperNeeds {
  empty: boolean;
  best4: boolean;
  best6: boolean;
  bestPort: boolean;
  inRanges: boolean;
  names: boolean;
}

function best4(): Stmt[] {
  return [
    comment('Merged IPv4 lookups: { mask, table } per prefix length; the lowest rule number wins.'),
    localFn('best4', ['sets', 'a'], [
      local('best', bool(false)),
      forNum('i', int(1), len(v('sets')), [
        local('s', index(v('sets'), v('i'))),
        local('r', index(index(v('s'), int(2)), band(v('a'), index(v('s'), int(1))))),
        if_(better(v('r'), v('best')), [assign(v('best'), v('r'))]),
      ]),
      ret(v('best')),
    ]),
  ];
}

function best6(): Stmt[] {
  const t = index(v('s'), int(3));
  const m = index(v('s'), int(2));
  const step = (e: Expr, w: string): Expr => index(or(e, v('EMPTY')), v(w));
  return [
    comment('Merged IPv6 lookups: { words, mask, table } per prefix length, tables nested by 32-bit word.'),
    localFn('best6', ['sets', 'a', 'b', 'c', 'e'], [
      local('best', bool(false)),
      forNum('i', int(1), len(v('sets')), [
        local('s', index(v('sets'), v('i'))),
        local('t', t),
        local('m', m),
        local('r'),
        ifChain(
          [
            { cond: eq(index(v('s'), int(1)), int(1)), body: [assign(v('r'), index(v('t'), band(v('a'), v('m'))))] },
            { cond: eq(index(v('s'), int(1)), int(2)), body: [assign(v('r'), index(or(index(v('t'), v('a')), v('EMPTY')), band(v('b'), v('m'))))] },
            { cond: eq(index(v('s'), int(1)), int(3)), body: [assign(v('r'), index(or(step(index(v('t'), v('a')), 'b'), v('EMPTY')), band(v('c'), v('m'))))] },
          ],
          [assign(v('r'), index(or(step(step(index(v('t'), v('a')), 'b'), 'c'), v('EMPTY')), band(v('e'), v('m'))))],
        ),
        if_(better(v('r'), v('best')), [assign(v('best'), v('r'))]),
      ]),
      ret(v('best')),
    ]),
  ];
}

function bestPort(): Stmt[] {
  return [
    comment('Merged port lookups: exact ports, then { low, high, rule } triples for wide ranges.'),
    localFn('best_port', ['exact', 'ranges', 'p'], [
      local('best', or(index(v('exact'), v('p')), bool(false))),
      forNum('i', int(1), len(v('ranges')), [
        if_(and(ge(v('p'), index(v('ranges'), v('i'))), le(v('p'), index(v('ranges'), add(v('i'), int(1))))), [
          local('r', index(v('ranges'), add(v('i'), int(2)))),
          if_(or(not(v('best')), lt(v('r'), v('best'))), [assign(v('best'), v('r'))]),
        ]),
      ], int(3)),
      ret(v('best')),
    ]),
  ];
}

function inRanges(): Stmt[] {
  const i = bin('-', bin('*', v('mid'), int(2)), int(1));
  return [
    comment('Binary search over sorted, disjoint { low, high, low, high, … } port ranges.'),
    localFn('in_ranges', ['r', 'p'], [
      local(['lo', 'hi'], int(1), shr(len(v('r')), int(1))),
      while_(le(v('lo'), v('hi')), [
        local('mid', shr(add(v('lo'), v('hi')), int(1))),
        local('i', i),
        ifChain(
          [
            { cond: lt(v('p'), index(v('r'), v('i'))), body: [assign(v('hi'), sub(v('mid'), int(1)))] },
            { cond: gt(v('p'), index(v('r'), add(v('i'), int(1)))), body: [assign(v('lo'), add(v('mid'), int(1)))] },
          ],
          [ret(bool(true))],
        ),
      ]),
      ret(bool(false)),
    ]),
  ];
}

function lookupName(): Stmt[] {
  const find = (from: Expr): Expr => call(v('find'), v('name'), str('.'), from, bool(true));
  return [
    comment('Domain lookup label by label from the right ("com", "example.com", "ads.example.com", …):'),
    comment('entries are the lowest rule number listing that name, or 0 for a suffix of a longer entry;'),
    comment('a suffix missing from the table ends the walk. `dots` is reused so a lookup allocates only'),
    comment('the suffix strings themselves.'),
    local('dots', table()),
    localFn('lookup_name', ['t', 'name'], [
      local('k', int(0)),
      local('p', find(int(1))),
      while_(v('p'), [assign(v('k'), add(v('k'), int(1))), assign(index(v('dots'), v('k')), v('p')), assign(v('p'), find(add(v('p'), int(1))))]),
      local('best', bool(false)),
      forNum('j', v('k'), int(0), [
        local('r'),
        if_(eq(v('j'), int(0)), [assign(v('r'), index(v('t'), v('name')))], [
          assign(v('r'), index(v('t'), call(v('sub'), v('name'), add(index(v('dots'), v('j')), int(1))))),
        ]),
        if_(eq(v('r'), nil), [ret(v('best'))]),
        if_(and(gt(v('r'), int(0)), or(not(v('best')), lt(v('r'), v('best')))), [assign(v('best'), v('r'))]),
      ], int(-1)),
      ret(v('best')),
    ]),
  ];
}

export function helperStatements(n: HelperNeeds): Stmt[] {
  const out: Stmt[] = [];
  const add_ = (s: Stmt[]) => out.push(blank, ...s);
  if (n.empty) add_([comment('Stands in for a missing inner table in nested lookups; never written.'), local('EMPTY', table())]);
  if (n.best4) add_(best4());
  if (n.best6) add_(best6());
  if (n.bestPort) add_(bestPort());
  if (n.inRanges) add_(inRanges());
  if (n.names) add_(lookupName());
  return out;
}
