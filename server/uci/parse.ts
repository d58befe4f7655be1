// A reader of OpenWrt's UCI file format (libuci's file.c grammar), with errors that name file and line.

export interface UciOption {
  name: string;
  value: string | string[];
  line: number;
}

export interface UciSection {
  type: string;
  /** Absent for an anonymous section (`config rule` without a name). */
  name?: string;
  line: number;
  options: Map<string, UciOption>;
}

export interface UciPackage {
  file: string;
  sections: UciSection[];
}

export class UciParseError extends Error {
  constructor(
    readonly file: string,
    readonly line: number,
    readonly reason: string,
  ) {
    super(`${file}:${line}: ${reason}`);
    this.name = 'UciParseError';
  }
}

interface Token {
  text: string;
  line: number;
}

/** Splits the text into commands: lists of words, each ending at an unquoted newline. */
function* commands(text: string, file: string): Generator<Token[]> {
  let words: Token[] = [];
  let word = '';
  let inWord = false;
  let wordLine = 1;
  let line = 1;
  let i = 0;
  const start = () => {
    if (!inWord) {
      inWord = true;
      word = '';
      wordLine = line;
    }
  };
  const endWord = () => {
    if (inWord) words.push({ text: word, line: wordLine });
    inWord = false;
  };
  while (i < text.length) {
    const c = text[i];
    if (c === '\n') {
      endWord();
      if (words.length) yield words;
      words = [];
      line++;
      i++;
    } else if (c === ' ' || c === '\t' || c === '\r') {
      endWord();
      i++;
    } else if (c === '#' && !inWord) {
      while (i < text.length && text[i] !== '\n') i++;
    } else if (c === "'" || c === '"') {
      start();
      const openedAt = line;
      i++;
      for (;;) {
        if (i >= text.length) throw new UciParseError(file, openedAt, `unterminated ${c === "'" ? 'single' : 'double'} quote`);
        const d = text[i];
        if (d === c) break;
        if (d === '\\' && c === '"' && i + 1 < text.length) {
          const e = text[i + 1];
          if (e === '\n') line++;
          else word += e;
          i += 2;
          continue;
        }
        if (d === '\n') line++;
        word += d;
        i++;
      }
      i++;
    } else if (c === '\\') {
      if (i + 1 >= text.length) throw new UciParseError(file, line, 'backslash at end of file');
      const e = text[i + 1];
      if (e === '\n') {
        line++;
      } else {
        start();
        word += e;
      }
      i += 2;
    } else {
      start();
      word += c;
      i++;
    }
  }
  endWord();
  if (words.length) yield words;
}

const namePattern = /^[A-Za-z0-9_]+$/;
const typePattern = /^[A-Za-z0-9_-]+$/;

function arity(cmd: Token[], min: number, max: number, file: string, usage: string): void {
  if (cmd.length < min || cmd.length > max) {
    const why = cmd.length < min ? 'missing argument' : 'too many arguments';
    throw new UciParseError(file, cmd[0].line, `${why} (expected: ${usage})`);
  }
}

/** Parses UCI text; throws UciParseError at the first malformed line, as `uci` does. */
export function parseUci(text: string, file: string): UciPackage {
  const sections: UciSection[] = [];
  let current: UciSection | undefined;
  for (const cmd of commands(text, file)) {
    const [head] = cmd;
    switch (head.text) {
      case 'package':
        arity(cmd, 2, 2, file, 'package <name>');
        break;
      case 'config': {
        arity(cmd, 2, 3, file, "config <type> ['<name>']");
        const [, type, name] = cmd;
        if (!typePattern.test(type.text)) throw new UciParseError(file, type.line, `invalid section type '${type.text}'`);
        if (name && !namePattern.test(name.text)) throw new UciParseError(file, name.line, `invalid section name '${name.text}'`);
        // A second `config` with an existing name continues that section, as in libuci.
        const existing = name ? sections.find((s) => s.name === name.text) : undefined;
        if (existing && existing.type !== type.text) {
          throw new UciParseError(file, head.line, `section '${name.text}' redefined with type '${type.text}' (was '${existing.type}')`);
        }
        current = existing ?? { type: type.text, name: name?.text, line: head.line, options: new Map() };
        if (!existing) sections.push(current);
        break;
      }
      case 'option':
      case 'list': {
        arity(cmd, 3, 3, file, `${head.text} <name> '<value>'`);
        if (!current) throw new UciParseError(file, head.line, `'${head.text}' before the first 'config' section`);
        const [, name, value] = cmd;
        if (!namePattern.test(name.text)) throw new UciParseError(file, name.line, `invalid option name '${name.text}'`);
        const prior = current.options.get(name.text);
        if (head.text === 'option') {
          current.options.set(name.text, { name: name.text, value: value.text, line: head.line });
        } else {
          const values = prior === undefined ? [] : Array.isArray(prior.value) ? prior.value : [prior.value];
          current.options.set(name.text, { name: name.text, value: [...values, value.text], line: head.line });
        }
        break;
      }
      default:
        throw new UciParseError(file, head.line, `unknown command '${head.text}' (expected package, config, option or list)`);
    }
  }
  return { file, sections };
}
