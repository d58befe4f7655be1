// Maps diagnostics to the form field that caused them, by their formatted JSON path (the summary lists them all).
import { formatPath, type Diagnostic } from '../../server/policy/diagnostics.js';

export interface PlacedDiagnostic extends Diagnostic {
  /** Where the text is inside a list field, e.g. "line 3" or "item 2". */
  where?: string;
}

export class FieldDiags {
  readonly all: Diagnostic[];
  private readonly keyed: { key: string; d: Diagnostic }[];

  constructor(diagnostics: Diagnostic[]) {
    this.all = diagnostics;
    this.keyed = diagnostics.map((d) => ({ key: formatPath(d.path), d }));
  }

  get errorCount() {
    return this.all.filter((d) => d.severity === 'error').length;
  }

  /**
   * Diagnostics at `key` or below it. `listItem` names what an index after the key means
   * ("line" for textareas, "item" for comma lists) so a message can say which element is wrong.
   */
  at(key: string, listItem?: 'line' | 'item'): PlacedDiagnostic[] {
    const out: PlacedDiagnostic[] = [];
    for (const { key: k, d } of this.keyed) {
      if (k !== key && !k.startsWith(key + '[') && !k.startsWith(key + '.')) continue;
      const rest = k.slice(key.length);
      const idx = /^\[(\d+)\]/.exec(rest);
      out.push(idx && listItem ? { ...d, where: `${listItem} ${Number(idx[1]) + 1}` } : d);
    }
    return out;
  }
}
