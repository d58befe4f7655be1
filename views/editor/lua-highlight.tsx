// Server-side Lua syntax highlighting for the read-only script view: a single-pass tokenizer, no library.
import type { Child } from 'hono/jsx';

const keywords = new Set(
  'and break do else elseif end false for function goto if in local nil not or repeat return then true until while'.split(' '),
);

// Order matters: long comments/strings before short ones, numbers before identifiers.
const token =
  /(--\[(=*)\[[\s\S]*?\]\2\]|--[^\n]*)|(\[(=*)\[[\s\S]*?\]\4\]|"(?:[^"\\\n]|\\[\s\S])*"|'(?:[^'\\\n]|\\[\s\S])*')|(\b0[xX][0-9a-fA-F]+\b|\b\d+\b)|([A-Za-z_][A-Za-z0-9_]*)(\s*\()?/g;

/** Lua source as a list of text and <span class> pieces for a <pre class="lua">. */
export function highlightLua(src: string): Child[] {
  const out: Child[] = [];
  let last = 0;
  for (const m of src.matchAll(token)) {
    const at = m.index ?? 0;
    if (at > last) out.push(src.slice(last, at));
    if (m[1] !== undefined) out.push(<span class="com">{m[1]}</span>);
    else if (m[3] !== undefined) out.push(<span class="str">{m[3]}</span>);
    else if (m[5] !== undefined) out.push(<span class="num">{m[5]}</span>);
    else if (m[6] !== undefined) {
      const word = m[6];
      if (keywords.has(word)) out.push(<span class="kw">{word}</span>, m[7] ?? '');
      else if (m[7] !== undefined) out.push(<span class="fn">{word}</span>, m[7]);
      else out.push(word);
    }
    last = at + m[0].length;
  }
  if (last < src.length) out.push(src.slice(last));
  return out;
}
