// Lookup tables both families use (domain suffixes): built once at the top level and referenced by each family's rules.
import type { Expr, Stmt } from '../lua/ast.js';
import { assign, blank, comment, id, index, int, local, table } from '../lua/build.js';

export class SharedTables {
  private readonly byKey = new Map<string, Expr>();
  private readonly objectIds = new WeakMap<object, number>();
  private nextObject = 1;
  private readonly defs: Stmt[] = [];

  /** A stable key for data made of these parts (objects by identity: a set resolved once is one array). */
  key(parts: (object | number | string)[]): string {
    return parts
      .map((p) => {
        if (typeof p !== 'object') return String(p);
        let n = this.objectIds.get(p);
        if (n === undefined) {
          n = this.nextObject++;
          this.objectIds.set(p, n);
        }
        return `#${n}`;
      })
      .join('|');
  }

  /** `shared[k]`, defining it from `build()` the first time this key is asked for. */
  use(key: string, build: () => Expr): Expr {
    let ref = this.byKey.get(key);
    if (!ref) {
      ref = index(id('shared'), int(this.byKey.size + 1));
      this.byKey.set(key, ref);
      this.defs.push(assign(ref, build()));
    }
    return ref;
  }

  statements(): Stmt[] {
    if (this.defs.length === 0) return [];
    return [blank, comment('Lookup tables the IPv4 and IPv6 rules share.'), local('shared', table()), ...this.defs];
  }
}
