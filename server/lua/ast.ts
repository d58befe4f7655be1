// Lua AST node types: the only way compiled policies become Lua text (no raw-Lua node exists).

export type BinaryOp =
  | 'or' | 'and'
  | '<' | '>' | '<=' | '>=' | '~=' | '=='
  | '|' | '~' | '&' | '<<' | '>>'
  | '..'
  | '+' | '-'
  | '*' | '//' | '%';

/** Unary operators; `-` only ever negates integers (no floats exist in Lunatik's Lua). */
export type UnaryOp = 'not' | '-' | '#' | '~';

export type Expr =
  | { kind: 'nil' }
  | { kind: 'boolean'; value: boolean }
  /** A safe JS integer; `hex` prints it as 0x… (addresses, masks). */
  | { kind: 'integer'; value: number; hex?: boolean }
  /** Bytes: a JS string is encoded as UTF-8, a Uint8Array is taken as is. */
  | { kind: 'string'; value: string | Uint8Array }
  | { kind: 'identifier'; name: string }
  | { kind: 'index'; object: Expr; key: Expr }
  | { kind: 'call'; callee: Expr; args: Expr[] }
  | { kind: 'method'; object: Expr; name: string; args: Expr[] }
  | { kind: 'binary'; op: BinaryOp; left: Expr; right: Expr }
  | { kind: 'unary'; op: UnaryOp; operand: Expr }
  | { kind: 'table'; fields: TableField[] }
  | { kind: 'function'; params: string[]; body: Stmt[] };

export type TableField = { kind: 'item'; value: Expr } | { kind: 'keyed'; key: Expr; value: Expr };

export type Stmt =
  | { kind: 'local'; names: string[]; values: Expr[] }
  | { kind: 'assign'; targets: Expr[]; values: Expr[] }
  | { kind: 'callStmt'; call: Expr }
  | { kind: 'if'; clauses: { cond: Expr; body: Stmt[] }[]; orelse?: Stmt[] }
  | { kind: 'return'; values: Expr[] }
  | { kind: 'localFunction'; name: string; params: string[]; body: Stmt[] }
  | { kind: 'numericFor'; variable: string; start: Expr; limit: Expr; step?: Expr; body: Stmt[] }
  | { kind: 'while'; cond: Expr; body: Stmt[] }
  | { kind: 'do'; body: Stmt[] }
  | { kind: 'break' }
  /** A line comment; the printer sanitises the text and wraps it at the line limit. */
  | { kind: 'comment'; text: string }
  | { kind: 'blank' };

/** A whole script: the header names the policy; the body is printed at the top level. */
export interface Chunk {
  policyName: string;
  revision: number;
  body: Stmt[];
}
