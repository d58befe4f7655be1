// Short constructors for Lua AST nodes, so emitters read close to the Lua they produce.
import type { BinaryOp, Expr, Stmt, TableField } from './ast.js';
import { assertIdentifier } from './names.js';

export const nil: Expr = { kind: 'nil' };
export const bool = (value: boolean): Expr => ({ kind: 'boolean', value });
export function int(value: number): Expr {
  if (!Number.isSafeInteger(value)) throw new Error(`not a safe integer: ${value}`);
  return { kind: 'integer', value };
}
export function hex(value: number): Expr {
  if (!Number.isSafeInteger(value) || value < 0) throw new Error(`not a non-negative safe integer: ${value}`);
  return { kind: 'integer', value, hex: true };
}
export const str = (value: string | Uint8Array): Expr => ({ kind: 'string', value });
export const id = (name: string): Expr => ({ kind: 'identifier', name: assertIdentifier(name) });
export const index = (object: Expr, key: Expr): Expr => ({ kind: 'index', object, key });
/** `object.name`: the key is a string the printer shows as a field when it is a valid identifier. */
export const field = (object: Expr, name: string): Expr => index(object, str(name));
export const call = (callee: Expr, ...args: Expr[]): Expr => ({ kind: 'call', callee, args });
export const method = (object: Expr, name: string, ...args: Expr[]): Expr => ({ kind: 'method', object, name: assertIdentifier(name), args });
export const bin = (op: BinaryOp, left: Expr, right: Expr): Expr => ({ kind: 'binary', op, left, right });
export const not = (operand: Expr): Expr => ({ kind: 'unary', op: 'not', operand });
export const len = (operand: Expr): Expr => ({ kind: 'unary', op: '#', operand });
export const eq = (a: Expr, b: Expr): Expr => bin('==', a, b);
export const ne = (a: Expr, b: Expr): Expr => bin('~=', a, b);
export const lt = (a: Expr, b: Expr): Expr => bin('<', a, b);
export const le = (a: Expr, b: Expr): Expr => bin('<=', a, b);
export const gt = (a: Expr, b: Expr): Expr => bin('>', a, b);
export const ge = (a: Expr, b: Expr): Expr => bin('>=', a, b);
export const add = (a: Expr, b: Expr): Expr => bin('+', a, b);
export const sub = (a: Expr, b: Expr): Expr => bin('-', a, b);
export const band = (a: Expr, b: Expr): Expr => bin('&', a, b);
export const shl = (a: Expr, b: Expr): Expr => bin('<<', a, b);
export const shr = (a: Expr, b: Expr): Expr => bin('>>', a, b);
export const concat = (a: Expr, b: Expr): Expr => bin('..', a, b);

function chain(op: 'and' | 'or', parts: Expr[]): Expr {
  if (parts.length === 0) throw new Error(`empty ${op} chain`);
  return parts.reduce((acc, p) => bin(op, acc, p));
}
export const and = (...parts: Expr[]): Expr => chain('and', parts);
export const or = (...parts: Expr[]): Expr => chain('or', parts);

export const item = (value: Expr): TableField => ({ kind: 'item', value });
export const keyed = (key: Expr, value: Expr): TableField => ({ kind: 'keyed', key, value });
export const table = (fields: TableField[] = []): Expr => ({ kind: 'table', fields });
export const list = (values: Expr[]): Expr => table(values.map(item));
export const func = (params: string[], body: Stmt[]): Expr => ({ kind: 'function', params: params.map(assertIdentifier), body });

export const local = (names: string | string[], ...values: Expr[]): Stmt => ({
  kind: 'local',
  names: (Array.isArray(names) ? names : [names]).map(assertIdentifier),
  values,
});
export const assign = (target: Expr, value: Expr): Stmt => ({ kind: 'assign', targets: [target], values: [value] });
export const callStmt = (c: Expr): Stmt => ({ kind: 'callStmt', call: c });
export const ret = (...values: Expr[]): Stmt => ({ kind: 'return', values });
export const if_ = (cond: Expr, body: Stmt[], orelse?: Stmt[]): Stmt => ({ kind: 'if', clauses: [{ cond, body }], orelse });
export const ifChain = (clauses: { cond: Expr; body: Stmt[] }[], orelse?: Stmt[]): Stmt => ({ kind: 'if', clauses, orelse });
export const localFn = (name: string, params: string[], body: Stmt[]): Stmt => ({
  kind: 'localFunction',
  name: assertIdentifier(name),
  params: params.map(assertIdentifier),
  body,
});
export const forNum = (variable: string, start: Expr, limit: Expr, body: Stmt[], step?: Expr): Stmt => ({
  kind: 'numericFor',
  variable: assertIdentifier(variable),
  start,
  limit,
  step,
  body,
});
export const while_ = (cond: Expr, body: Stmt[]): Stmt => ({ kind: 'while', cond, body });
export const do_ = (body: Stmt[]): Stmt => ({ kind: 'do', body });
export const brk: Stmt = { kind: 'break' };
export const comment = (text: string): Stmt => ({ kind: 'comment', text });
export const blank: Stmt = { kind: 'blank' };
