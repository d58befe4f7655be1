// Runs a program from an argv array (never a shell) and collects its output, whatever its exit status.
import { execFile } from 'node:child_process';

export interface ExecResult {
  stdout: string;
  stderr: string;
  /** Exit status; null when the program was killed (timeout) or could not be started. */
  code: number | null;
  /** Set when the program could not be started or timed out. */
  error?: string;
}

export interface ExecOptions {
  timeoutMs?: number;
  env?: NodeJS.ProcessEnv;
}

export function run(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (!file) throw new Error('run: empty argv');
  const timeoutMs = opts.timeoutMs ?? 30_000;
  return new Promise((resolve) => {
    // A process stuck in D state (a wedged /dev/lunatik) ignores the kill; give up on it anyway.
    const guard = setTimeout(
      () => resolve({ stdout: '', stderr: '', code: null, error: `${argv.join(' ')}: did not exit ${timeoutMs} ms after being killed` }),
      2 * timeoutMs + 1_000,
    );
    execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', env: opts.env, maxBuffer: 16 * 1024 * 1024, encoding: 'utf8' },
      (err, stdout, stderr) => {
        clearTimeout(guard);
        if (!err) return resolve({ stdout, stderr, code: 0 });
        const e = err as NodeJS.ErrnoException & { code?: string | number; killed?: boolean };
        if (typeof e.code === 'number') return resolve({ stdout, stderr, code: e.code });
        const why = e.killed ? `timed out after ${timeoutMs} ms` : e.message;
        resolve({ stdout, stderr, code: null, error: `${argv.join(' ')}: ${why}` });
      },
    );
  });
}

/** Runs and throws unless the program exited 0; the message carries its stderr. */
export async function runChecked(argv: readonly string[], opts: ExecOptions = {}): Promise<string> {
  const r = await run(argv, opts);
  if (r.code !== 0) {
    const detail = r.error ?? (r.stderr.trim() || r.stdout.trim() || `exit status ${r.code}`);
    throw new Error(`${argv.join(' ')} failed: ${detail}`);
  }
  return r.stdout;
}
