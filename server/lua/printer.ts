// Deterministic Lua printer: tabs, precedence-driven parentheses, lines of at most 120 columns.
import type { BinaryOp, Chunk, Expr, Stmt, TableField } from './ast.js';
import { escapeLuaStringBody, luaStringLiteral, sanitizeComment, toBytes } from './escape.js';
import { assertIdentifier, isValidLuaIdentifier } from './names.js';

export const MAX_COLUMNS = 120;
const TAB_WIDTH = 4;

/** Lua 5.4 operator precedence, low to high (manual §3.4.8). */
const precedence: Record<BinaryOp, number> = {
  or: 1, and: 2,
  '<': 3, '>': 3, '<=': 3, '>=': 3, '~=': 3, '==': 3,
  '|': 4, '~': 5, '&': 6, '<<': 7, '>>': 7,
  '..': 8,
  '+': 9, '-': 9,
  '*': 10, '//': 10, '%': 10,
};
const UNARY_PRECEDENCE = 11;
const ATOM = 100;
const rightAssociative: ReadonlySet<BinaryOp> = new Set(['..']);

function exprPrecedence(e: Expr): number {
  if (e.kind === 'binary') return precedence[e.op];
  if (e.kind === 'unary') return UNARY_PRECEDENCE;
  if (e.kind === 'integer' && e.value < 0) return UNARY_PRECEDENCE;
  return ATOM;
}

/** Expressions Lua accepts before `[`, `(` or `:`; anything else needs parentheses there. */
const isPrefixExpr = (e: Expr): boolean => e.kind === 'identifier' || e.kind === 'index' || e.kind === 'call' || e.kind === 'method';

const width = (s: string): number => {
  if (!s.includes('\t') && /^[\x00-\x7f]*$/.test(s)) return s.length;
  let w = 0;
  for (const ch of s) w += ch === '\t' ? TAB_WIDTH : 1;
  return w;
};

function integerText(e: Extract<Expr, { kind: 'integer' }>): string {
  if (e.hex) return '0x' + e.value.toString(16).toUpperCase().padStart(e.value > 0xffff ? 8 : e.value > 0xff ? 4 : 2, '0');
  return String(e.value);
}

/** One-line rendering, memoised: wrapping decisions ask for it repeatedly. */
const flatCache = new WeakMap<Expr, string>();
const TABLE_FLAT_LIMIT = 40;
const FUNCTION_MARKER = '\u0000function';

/** Leaves are cheap to print again; caching only composite nodes keeps big literal tables light on memory. */
const isLeaf = (e: Expr): boolean => e.kind === 'integer' || e.kind === 'string' || e.kind === 'identifier' || e.kind === 'boolean' || e.kind === 'nil';

function flat(e: Expr): string {
  if (isLeaf(e)) return flatUncached(e);
  const cached = flatCache.get(e);
  if (cached !== undefined) return cached;
  const s = flatUncached(e);
  flatCache.set(e, s);
  return s;
}

/**
 * Parentheses Lua does not need but a reader does: arithmetic inside a bitwise operation and a
 * bitwise operation inside a comparison read wrongly to anyone used to C.
 */
function clarify(parent: BinaryOp, child: Expr): boolean {
  if (child.kind !== 'binary') return false;
  const p = precedence[parent];
  const c = precedence[child.op];
  return (p >= 4 && p <= 7 && c >= 8 && c !== p) || (p === 3 && c >= 4 && c <= 7);
}

function needsParens(e: Expr, min: number, parent?: BinaryOp): boolean {
  return exprPrecedence(e) < min || (parent !== undefined && clarify(parent, e));
}

function operand(e: Expr, min: number, parent?: BinaryOp): string {
  const s = flat(e);
  return needsParens(e, min, parent) ? `(${s})` : s;
}

function prefix(e: Expr): string {
  return isPrefixExpr(e) ? flat(e) : `(${flat(e)})`;
}

function keyText(key: Expr): string | undefined {
  if (key.kind === 'string' && typeof key.value === 'string' && isValidLuaIdentifier(key.value)) return key.value;
  return undefined;
}

const isLeafField = (f: TableField): boolean => isLeaf(f.value) && (f.kind === 'item' || isLeaf(f.key));

function fieldText(f: TableField): string {
  if (f.kind === 'item') return flat(f.value);
  const name = keyText(f.key);
  return name !== undefined ? `${name} = ${flat(f.value)}` : `[${flat(f.key)}] = ${flat(f.value)}`;
}

function binaryParts(e: Extract<Expr, { kind: 'binary' }>): [number, number] {
  const p = precedence[e.op];
  return rightAssociative.has(e.op) ? [p + 1, p] : [p, p + 1];
}

function flatUncached(e: Expr): string {
  switch (e.kind) {
    case 'nil': return 'nil';
    case 'boolean': return e.value ? 'true' : 'false';
    case 'integer': return integerText(e);
    case 'string': return luaStringLiteral(e.value);
    case 'identifier': return assertIdentifier(e.name);
    case 'index': {
      const name = keyText(e.key);
      return name !== undefined ? `${prefix(e.object)}.${name}` : `${prefix(e.object)}[${flat(e.key)}]`;
    }
    case 'call': return `${prefix(e.callee)}(${e.args.map(flat).join(', ')})`;
    case 'method': return `${prefix(e.object)}:${assertIdentifier(e.name)}(${e.args.map(flat).join(', ')})`;
    case 'binary': {
      const [l, r] = binaryParts(e);
      return `${operand(e.left, l, e.op)} ${e.op} ${operand(e.right, r, e.op)}`;
    }
    case 'unary': {
      const inner = operand(e.operand, UNARY_PRECEDENCE);
      if (e.op === 'not') return `not ${inner}`;
      // `- -1` must never print as `--1`, which starts a comment.
      return inner.startsWith('-') ? `${e.op} ${inner}` : `${e.op}${inner}`;
    }
    case 'table': return e.fields.length === 0 ? '{}' : `{ ${e.fields.map(fieldText).join(', ')} }`;
    // Functions always span lines; the marker makes every enclosing expression take the multi-line path.
    case 'function': return FUNCTION_MARKER;
  }
}

class Printer {
  private readonly lines: string[] = [];

  private indentText(level: number): string {
    return '\t'.repeat(level);
  }

  line(level: number, text: string): void {
    this.lines.push(this.indentText(level) + text);
  }

  /**
   * Renders `e` for a line at `level` that already holds `col` columns and must keep `tail` columns
   * free after it. Returns text that may span lines; continuation lines carry their own indentation.
   */
  expr(e: Expr, level: number, col: number, tail: number): string {
    if (e.kind === 'function') return this.functionExpr(e, level);
    const one = e.kind === 'table' && e.fields.length > TABLE_FLAT_LIMIT ? undefined : flat(e);
    const fits = one !== undefined && !one.includes(FUNCTION_MARKER) && col + width(one) + tail <= MAX_COLUMNS;
    if (fits) return one;
    const inner = this.indentText(level + 1);
    const innerCol = (level + 1) * TAB_WIDTH;
    switch (e.kind) {
      case 'table': {
        if (e.fields.length > TABLE_FLAT_LIMIT && e.fields.every(isLeafField)) return this.literalTable(e.fields, level);
        const rows = e.fields.map((f) => inner + this.field(f, level + 1, innerCol) + ',');
        return `{\n${rows.join('\n')}\n${this.indentText(level)}}`;
      }
      case 'binary': {
        // Flatten a left-leaning chain of one operator and put each operand on its own line.
        const parts: Expr[] = [];
        let cur: Expr = e;
        while (cur.kind === 'binary' && cur.op === e.op && !rightAssociative.has(e.op)) {
          parts.unshift(cur.right);
          cur = cur.left;
        }
        parts.unshift(cur);
        const [l, r] = binaryParts(e);
        const rendered = parts.map((p, i) => {
          const min = i === 0 ? l : r;
          const c = i === 0 ? col : innerCol;
          const text = this.expr(p, level + 1, c, tail + e.op.length + 1);
          return needsParens(p, min, e.op) ? `(${text})` : text;
        });
        return rendered.map((t, i) => (i === 0 ? t : inner + t)).join(` ${e.op}\n`);
      }
      case 'call':
      case 'method': {
        const head = e.kind === 'call' ? prefix(e.callee) : `${prefix(e.object)}:${e.name}`;
        if (e.args.length === 0) return `${head}()`;
        const rows = e.args.map((a, i) => inner + this.expr(a, level + 1, innerCol, 1) + (i < e.args.length - 1 ? ',' : ''));
        return `${head}(\n${rows.join('\n')}\n${this.indentText(level)})`;
      }
      case 'string': return this.longString(e.value, level);
      default: return flat(e);
    }
  }

  private field(f: TableField, level: number, col: number): string {
    if (f.kind === 'item') return this.expr(f.value, level, col, 1);
    const name = keyText(f.key);
    const key = name !== undefined ? name : `[${this.expr(f.key, level, col + 1, 0)}]`;
    return `${key} = ${this.expr(f.value, level, col + width(key) + 3, 1)}`;
  }

  /** Big literal tables (sets of addresses, ports, names): one entry per line without per-entry layout work. */
  private literalTable(fields: TableField[], level: number): string {
    const inner = this.indentText(level + 1);
    const room = MAX_COLUMNS - (level + 1) * TAB_WIDTH - 1;
    const rows = new Array<string>(fields.length);
    for (let i = 0; i < fields.length; i++) {
      const f = fields[i];
      const text = fieldText(f);
      rows[i] = text.length <= room ? inner + text + ',' : inner + this.field(f, level + 1, (level + 1) * TAB_WIDTH) + ',';
    }
    return `{\n${rows.join('\n')}\n${this.indentText(level)}}`;
  }

  /** Splits a long literal into `..`-joined pieces, never inside an escape sequence. */
  private longString(value: string | Uint8Array, level: number): string {
    const room = MAX_COLUMNS - (level + 1) * TAB_WIDTH - 8;
    const pieces: string[] = [];
    let cur = '';
    for (const b of toBytes(value)) {
      const esc = escapeLuaStringBody(Uint8Array.of(b));
      if (cur.length + esc.length > room) {
        pieces.push(cur);
        cur = '';
      }
      cur += esc;
    }
    pieces.push(cur);
    const inner = this.indentText(level + 1);
    return `(\n${pieces.map((p) => `${inner}"${p}"`).join(' ..\n')}\n${this.indentText(level)})`;
  }

  private functionExpr(e: Extract<Expr, { kind: 'function' }>, level: number): string {
    const body = new Printer();
    body.block(e.body, level + 1);
    const inner = body.lines.length ? body.lines.join('\n') + '\n' : '';
    return `function(${e.params.map(assertIdentifier).join(', ')})\n${inner}${this.indentText(level)}end`;
  }

  /** A value list on one line, or (when that is too long) one value per continuation line. */
  private exprList(values: Expr[], level: number, col: number, tail: number): string {
    const one = values.map(flat);
    if (values.length < 2 || one.some((t) => t.includes(FUNCTION_MARKER)) || col + width(one.join(', ')) + tail <= MAX_COLUMNS) {
      return values.map((v, i) => this.expr(v, level, col, i === values.length - 1 ? tail : 1)).join(', ');
    }
    const inner = this.indentText(level + 1);
    const innerCol = (level + 1) * TAB_WIDTH;
    return '\n' + values.map((v, i) => inner + this.expr(v, level + 1, innerCol, i === values.length - 1 ? tail : 1)).join(',\n');
  }

  block(stmts: Stmt[], level: number): void {
    for (const s of stmts) this.stmt(s, level);
  }

  private stmt(s: Stmt, level: number): void {
    const col = level * TAB_WIDTH;
    switch (s.kind) {
      case 'local': {
        const head = `local ${s.names.map(assertIdentifier).join(', ')}`;
        this.line(level, s.values.length ? `${head} =${spaced(this.exprList(s.values, level, col + width(head) + 3, 0))}` : head);
        return;
      }
      case 'assign': {
        const head = s.targets.map(flat).join(', ');
        this.line(level, `${head} =${spaced(this.exprList(s.values, level, col + width(head) + 3, 0))}`);
        return;
      }
      case 'callStmt': {
        const text = this.expr(s.call, level, col, 0);
        this.line(level, text.startsWith('(') ? `;${text}` : text);
        return;
      }
      case 'if': {
        s.clauses.forEach((c, i) => {
          const kw = i === 0 ? 'if' : 'elseif';
          this.line(level, `${kw} ${this.expr(c.cond, level, col + kw.length + 1, 5)} then`);
          this.block(c.body, level + 1);
        });
        if (s.orelse && s.orelse.length) {
          this.line(level, 'else');
          this.block(s.orelse, level + 1);
        }
        this.line(level, 'end');
        return;
      }
      case 'return':
        this.line(level, s.values.length ? `return${spaced(this.exprList(s.values, level, col + 7, 0))}` : 'return');
        return;
      case 'localFunction':
        this.line(level, `local function ${assertIdentifier(s.name)}(${s.params.map(assertIdentifier).join(', ')})`);
        this.block(s.body, level + 1);
        this.line(level, 'end');
        return;
      case 'numericFor': {
        if (assignsTo(s.body, s.variable)) throw new Error(`assignment to loop variable ${s.variable}: Lua 5.5 makes it const; copy it to a local`);
        const parts = [s.start, s.limit, ...(s.step ? [s.step] : [])].map(flat).join(', ');
        this.line(level, `for ${assertIdentifier(s.variable)} = ${parts} do`);
        this.block(s.body, level + 1);
        this.line(level, 'end');
        return;
      }
      case 'while':
        this.line(level, `while ${this.expr(s.cond, level, col + 6, 3)} do`);
        this.block(s.body, level + 1);
        this.line(level, 'end');
        return;
      case 'do':
        this.line(level, 'do');
        this.block(s.body, level + 1);
        this.line(level, 'end');
        return;
      case 'break':
        this.line(level, 'break');
        return;
      case 'comment':
        for (const l of wrapComment(sanitizeComment(s.text), MAX_COLUMNS - col - 3)) this.line(level, l === '' ? '--' : `-- ${l}`);
        return;
      case 'blank':
        this.lines.push('');
        return;
    }
  }

  text(): string {
    return this.lines.join('\n') + '\n';
  }
}

/** Whether any statement in the tree (nested blocks and functions included) assigns to `name`. */
function assignsTo(stmts: Stmt[], name: string): boolean {
  const inExpr = (e: Expr): boolean => e.kind === 'function' && assignsTo(e.body, name);
  return stmts.some((s) => {
    switch (s.kind) {
      case 'assign': return s.targets.some((t) => t.kind === 'identifier' && t.name === name) || s.values.some(inExpr);
      case 'local': return s.values.some(inExpr);
      case 'if': return s.clauses.some((c) => assignsTo(c.body, name)) || (s.orelse !== undefined && assignsTo(s.orelse, name));
      case 'numericFor': case 'while': case 'do': case 'localFunction': return assignsTo(s.body, name);
      default: return false;
    }
  });
}

/** A list that starts on a continuation line follows `=` / `return` directly; otherwise after a space. */
const spaced = (text: string): string => (text.startsWith('\n') ? text : ` ${text}`);

/** Greedy word wrap; a word longer than the room is cut (comment text is free-form). */
export function wrapComment(text: string, room: number): string[] {
  const out: string[] = [];
  let cur = '';
  for (let word of text.split(/ +/)) {
    while ([...word].length > room) {
      if (cur) {
        out.push(cur);
        cur = '';
      }
      const chars = [...word];
      out.push(chars.slice(0, room).join(''));
      word = chars.slice(room).join('');
    }
    if (!cur) cur = word;
    else if ([...cur].length + 1 + [...word].length <= room) cur += ' ' + word;
    else {
      out.push(cur);
      cur = word;
    }
  }
  if (cur || out.length === 0) out.push(cur);
  return out;
}

export function headerLine(policyName: string, revision: number): string {
  if (!Number.isSafeInteger(revision) || revision < 0) throw new Error(`bad revision ${revision}`);
  return `-- Generated by lunawall from policy ${luaStringLiteral(policyName)} revision ${revision}. Do not edit.`;
}

export function printChunk(chunk: Chunk): string {
  const p = new Printer();
  p.line(0, headerLine(chunk.policyName, chunk.revision));
  p.block(chunk.body, 0);
  return p.text();
}

export function printStatements(stmts: Stmt[]): string {
  const p = new Printer();
  p.block(stmts, 0);
  return p.text();
}

export function printExpr(e: Expr): string {
  return new Printer().expr(e, 0, 0, 0);
}
