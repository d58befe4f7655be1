// AST traversal: which identifiers a tree references (emitters include only the helpers a script uses).
import type { Expr, Stmt } from './ast.js';

export function referencedIdentifiers(stmts: Stmt[]): Set<string> {
  const out = new Set<string>();
  const expr = (e: Expr): void => {
    switch (e.kind) {
      case 'identifier': out.add(e.name); return;
      case 'index': expr(e.object); expr(e.key); return;
      case 'call': expr(e.callee); e.args.forEach(expr); return;
      case 'method': expr(e.object); e.args.forEach(expr); return;
      case 'binary': expr(e.left); expr(e.right); return;
      case 'unary': expr(e.operand); return;
      case 'table': for (const f of e.fields) { if (f.kind === 'keyed') expr(f.key); expr(f.value); } return;
      case 'function': block(e.body); return;
      default: return;
    }
  };
  const block = (ss: Stmt[]): void => ss.forEach(stmt);
  const stmt = (s: Stmt): void => {
    switch (s.kind) {
      case 'local': s.values.forEach(expr); return;
      case 'assign': s.targets.forEach(expr); s.values.forEach(expr); return;
      case 'callStmt': expr(s.call); return;
      case 'if': for (const c of s.clauses) { expr(c.cond); block(c.body); } if (s.orelse) block(s.orelse); return;
      case 'return': s.values.forEach(expr); return;
      case 'localFunction': block(s.body); return;
      case 'numericFor': expr(s.start); expr(s.limit); if (s.step) expr(s.step); block(s.body); return;
      case 'while': expr(s.cond); block(s.body); return;
      case 'do': block(s.body); return;
      default: return;
    }
  };
  block(stmts);
  return out;
}
