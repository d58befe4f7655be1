// Diagnostics: every problem found in a policy, with a stable code, a JSON path and a human message.

export type Severity = 'error' | 'warning';

export interface Diagnostic {
  /** Stable, dotted, machine-readable: e.g. "set.unknown", "port.range-inverted". Tests assert on it. */
  code: string;
  /** JSON path into the policy document, e.g. ["rules", 0, "match", "dstPorts", 2]. */
  path: (string | number)[];
  message: string;
  severity: Severity;
}

export const error = (code: string, path: (string | number)[], message: string): Diagnostic => ({
  code,
  path,
  message,
  severity: 'error',
});

export const warning = (code: string, path: (string | number)[], message: string): Diagnostic => ({
  code,
  path,
  message,
  severity: 'warning',
});

export const hasErrors = (ds: readonly Diagnostic[]): boolean => ds.some((d) => d.severity === 'error');

/** "rules[0].match.dstPorts[2]" — how paths read in messages, the UI and the CLI. */
export function formatPath(path: readonly (string | number)[]): string {
  let out = '';
  for (const p of path) out += typeof p === 'number' ? `[${p}]` : out === '' ? p : `.${p}`;
  return out || '(root)';
}
