// Reads hook-error lines (`luanetfilter: …`, `luaxdp: …`) from the kernel log, from a cursor onwards.
import { open, stat } from 'node:fs/promises';
import { run } from './exec.js';

/** Where kernel log lines come from: a file (tests, or a syslog file) or a `dmesg`-style command. */
export type KernelLogSource = { file: string } | { command: string[] };

/**
 * `time`: the last timestamp, how many lines carried exactly that timestamp (printk stamps have
 * microsecond resolution, so several lines often share one) and the total line count.
 */
export type LogCursor = { kind: 'offset'; offset: number } | { kind: 'time'; ts: number; atTs: number; lines: number };

export interface KernelLog {
  /** Where the log ends now; later lines are "since" it. */
  cursor(): Promise<LogCursor>;
  /** Lines written after the cursor, without their `[timestamp]` prefix. */
  since(cursor: LogCursor): Promise<string[]>;
}

const stampRe = /^\[\s*(\d+\.\d+)\]\s?(.*)$/;

export function openKernelLog(source: KernelLogSource): KernelLog {
  return 'file' in source ? fileLog(source.file) : commandLog(source.command);
}

function fileLog(path: string): KernelLog {
  return {
    async cursor() {
      const size = await stat(path).then((s) => s.size, () => 0);
      return { kind: 'offset', offset: size };
    },
    async since(cursor) {
      const size = await stat(path).then((s) => s.size, () => 0);
      // A rotated (shorter) file starts over.
      const from = cursor.kind === 'offset' && cursor.offset <= size ? cursor.offset : 0;
      if (size === from) return [];
      const fh = await open(path, 'r');
      try {
        const buf = Buffer.alloc(size - from);
        await fh.read(buf, 0, buf.length, from);
        return splitLines(buf.toString('utf8')).map((l) => stampRe.exec(l)?.[2] ?? l);
      } finally {
        await fh.close();
      }
    },
  };
}

function commandLog(argv: string[]): KernelLog {
  const read = async (): Promise<{ ts: number; text: string }[]> => {
    const r = await run(argv, { timeoutMs: 10_000 });
    if (r.code !== 0) throw new Error(`${argv.join(' ')}: ${r.error ?? r.stderr.trim()}`);
    return splitLines(r.stdout).map((l) => {
      const m = stampRe.exec(l);
      return m ? { ts: Number(m[1]), text: m[2] } : { ts: -1, text: l };
    });
  };
  return {
    async cursor() {
      const lines = await read();
      const ts = lines.at(-1)?.ts ?? -1;
      return { kind: 'time', ts, atTs: lines.filter((l) => l.ts === ts).length, lines: lines.length };
    },
    async since(cursor) {
      const lines = await read();
      if (cursor.kind !== 'time') return lines.map((l) => l.text);
      // Without timestamps, fall back to the line count (wrong only after the ring buffer wraps).
      if (cursor.ts < 0 || lines.every((l) => l.ts < 0)) return lines.slice(cursor.lines).map((l) => l.text);
      // Lines sharing the cursor's timestamp: the first atTs of them were there at cursor time. After
      // the ring buffer wraps into that very microsecond this skips a few new ones instead, which
      // takes a flood of a whole buffer since the cursor; one reported error is all health needs.
      let same = 0;
      return lines.filter((l) => l.ts > cursor.ts || (l.ts === cursor.ts && ++same > cursor.atTs)).map((l) => l.text);
    },
  };
}

function splitLines(text: string): string[] {
  return text.split('\n').filter((l) => l.length > 0);
}

/** A kernel log line reporting a Lua error in a netfilter hook or an XDP callback, or undefined. */
export function hookError(line: string): { source: 'netfilter' | 'xdp'; message: string } | undefined {
  const m = /^(luanetfilter|luaxdp)(?: hook)?: (?:pcall error )?(.*)$/.exec(line);
  if (!m) return undefined;
  return { source: m[1] === 'luaxdp' ? 'xdp' : 'netfilter', message: m[2] };
}
