// Integer-only check for Lua source: a Lua 5.4 lexer that finds float literals and the `/` and `^` operators.
// Lunatik's kernel Lua has no floats (lunatik.md §10): `1.5` and `2^3` are syntax errors there and `/` is
// integer division, while stock Lua 5.4 would silently compute floats; so the emulator refuses all three.

export interface LintProblem {
  line: number;
  /** The message as Lua would print it, with the chunk id and line: `x.lua:3: malformed number near '1.5'`. */
  message: string;
}

const LUA_IDSIZE = 60;

/** luaO_chunkid: how Lua names a chunk in messages. */
export function chunkId(source: string): string {
  const max = LUA_IDSIZE - 1;
  if (source.startsWith('=')) return source.slice(1, 1 + max);
  if (source.startsWith('@')) {
    const name = source.slice(1);
    return name.length <= max ? name : '...' + name.slice(name.length - (max - 3));
  }
  const nl = source.indexOf('\n');
  const first = nl >= 0 ? source.slice(0, nl) : source;
  const room = max - '[string "..."]'.length;
  if (nl < 0 && source.length <= room + 3) return `[string "${source}"]`;
  return `[string "${first.slice(0, room)}..."]`;
}

const isDigit = (c: string) => c >= '0' && c <= '9';
const isHex = (c: string) => isDigit(c) || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
const isAlpha = (c: string) => (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c === '_';
const MAX_INT = 9223372036854775807n;

/** Whether a numeral (already known to be well formed) denotes a float in Lua 5.4. */
function isFloatNumeral(text: string): boolean {
  const t = text.toLowerCase();
  if (t.startsWith('0x')) return t.includes('.') || t.includes('p');
  if (t.includes('.') || t.includes('e')) return true;
  // A decimal integer numeral that overflows becomes a float (l_str2int fails, l_str2d takes it).
  return BigInt(t) > MAX_INT;
}

/**
 * Scans `src` (already accepted by Lua's own parser) and returns the first use of a float literal,
 * `/` or `^` outside strings and comments, or null.
 */
export function lintIntegerOnly(src: string, chunkname: string): LintProblem | null {
  const id = chunkId(chunkname);
  let i = 0;
  let line = 1;
  const n = src.length;
  const problem = (message: string): LintProblem => ({ line, message: `${id}:${line}: ${message}` });

  const newline = () => {
    const c = src[i];
    i++;
    if ((src[i] === '\n' || src[i] === '\r') && src[i] !== c) i++;
    line++;
  };
  // `[` `=`* `[`: returns the level, or -1 when this is not a long bracket.
  const longBracketLevel = (): number => {
    let j = i + 1;
    let level = 0;
    while (src[j] === '=') {
      level++;
      j++;
    }
    return src[j] === '[' ? level : -1;
  };
  const skipLong = (level: number) => {
    i += level + 2;
    const close = ']' + '='.repeat(level) + ']';
    while (i < n) {
      if (src[i] === '\n' || src[i] === '\r') newline();
      else if (src.startsWith(close, i)) {
        i += close.length;
        return;
      } else i++;
    }
  };

  while (i < n) {
    const c = src[i];
    if (c === '\n' || c === '\r') {
      newline();
    } else if (c === '-' && src[i + 1] === '-') {
      i += 2;
      const level = src[i] === '[' ? longBracketLevel() : -1;
      if (level >= 0) skipLong(level);
      else while (i < n && src[i] !== '\n' && src[i] !== '\r') i++;
    } else if (c === '[') {
      const level = longBracketLevel();
      if (level >= 0) skipLong(level);
      else i++;
    } else if (c === '"' || c === "'") {
      i++;
      while (i < n && src[i] !== c) {
        if (src[i] === '\\') {
          i++;
          if (src[i] === '\n' || src[i] === '\r') newline();
          else if (src[i] === 'z') {
            i++;
            while (i < n && /\s/.test(src[i])) {
              if (src[i] === '\n' || src[i] === '\r') newline();
              else i++;
            }
          } else i++;
        } else if (src[i] === '\n' || src[i] === '\r') {
          newline();
        } else i++;
      }
      i++;
    } else if (isDigit(c) || (c === '.' && isDigit(src[i + 1] ?? ''))) {
      // read_numeral (llex.c)
      const start = i;
      let expo = 'Ee';
      if (c === '0' && (src[i + 1] === 'x' || src[i + 1] === 'X')) {
        expo = 'Pp';
        i += 2;
      }
      for (;;) {
        if (expo.includes(src[i] ?? '\0')) {
          i++;
          if (src[i] === '+' || src[i] === '-') i++;
        } else if (isHex(src[i] ?? '') || src[i] === '.') i++;
        else break;
      }
      while (i < n && (isAlpha(src[i]) || isDigit(src[i]))) i++;
      const text = src.slice(start, i);
      if (isFloatNumeral(text)) return problem(`malformed number near '${text}'`);
    } else if (c === '.') {
      i += src[i + 1] === '.' ? (src[i + 2] === '.' ? 3 : 2) : 1;
    } else if (c === '/') {
      if (src[i + 1] === '/') i += 2;
      else return problem("'/' is float division in Lua 5.4 (Lunatik has only integers): use '//'");
    } else if (c === '^') {
      return problem("unexpected symbol near '^'");
    } else if (isAlpha(c)) {
      while (i < n && (isAlpha(src[i]) || isDigit(src[i]))) i++;
    } else {
      i++;
    }
  }
  return null;
}
