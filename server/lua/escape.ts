// The one Lua string escaper and the comment sanitiser: user text reaches Lua only through these.

const encoder = new TextEncoder();

export function toBytes(value: string | Uint8Array): Uint8Array {
  return typeof value === 'string' ? encoder.encode(value) : value;
}

const letterEscapes: Record<number, string> = { 0x5c: '\\\\', 0x22: '\\"', 0x0a: '\\n', 0x0d: '\\r', 0x09: '\\t' };

/**
 * The body of a double-quoted Lua string literal (without the quotes). Printable ASCII stays as is;
 * `\ " LF CR TAB` use letter escapes; every other byte is `\ddd` with exactly three digits, so a
 * following digit can never extend the escape.
 */
export function escapeLuaStringBody(value: string | Uint8Array): string {
  if (typeof value === 'string' && /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/.test(value)) return value;
  const bytes = toBytes(value);
  let out = '';
  for (const b of bytes) {
    const letter = letterEscapes[b];
    if (letter !== undefined) out += letter;
    else if (b >= 0x20 && b <= 0x7e) out += String.fromCharCode(b);
    else out += '\\' + b.toString(10).padStart(3, '0');
  }
  return out;
}

export function luaStringLiteral(value: string | Uint8Array): string {
  return `"${escapeLuaStringBody(value)}"`;
}

/**
 * Comment text safe on one `-- ` line: control characters (C0, DEL, C1), line and paragraph
 * separators become spaces, and `]]` / `[[` / `[=` are broken up so no long bracket can start or end.
 */
export function sanitizeComment(text: string): string {
  let out = text.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\ufeff]/g, ' ');
  while (/\]=*\]|\[=*\[/.test(out)) out = out.replace(/\]=*\]/g, (m) => m.split('').join(' ')).replace(/\[=*\[/g, (m) => m.split('').join(' '));
  return out.replace(/\s+$/, '');
}
