// The `lunatik` CLI (run, stop, list), where printed text means failure because the CLI exits 0 regardless.
import { run } from './exec.js';
import type { LunatikVersion } from './lunatik-version.js';

export interface LunatikCliOptions {
  /** The `lunatik` executable. */
  bin?: string;
  /** Extra environment for the CLI. */
  env?: NodeJS.ProcessEnv;
  timeoutMs?: number;
}

export class LunatikCli {
  /** Options are read at each call, so the backend's options object can be passed as is. */
  constructor(private readonly opts: LunatikCliOptions = {}) {}

  /** Runs the CLI; Lunatik exits 0 even on failure, so any printed text is the answer. */
  async run(args: string[]): Promise<string> {
    const r = await run([this.opts.bin ?? 'lunatik', ...args], {
      timeoutMs: this.opts.timeoutMs ?? 30_000,
      env: this.opts.env ? { ...process.env, ...this.opts.env } : undefined,
    });
    if (r.code !== 0) {
      throw new Error(`lunatik ${args.join(' ')}: ${r.error ?? (r.stderr.trim() || r.stdout.trim() || `exit status ${r.code}`)}`);
    }
    return r.stdout.trim();
  }

  /** Every running runtime, ours or not. */
  async list(): Promise<string[]> {
    const out = await this.run(['list']);
    const names = out === '' ? [] : out.split(', ').map((s) => s.trim());
    // `list` exits 0 on failure too; error text read as names would make every runtime look stopped.
    const odd = names.find((n) => !/^[A-Za-z0-9_./-]+$/.test(n));
    if (odd !== undefined) throw new Error(`lunatik list printed something that is not a runtime list: ${out}`);
    return names;
  }

  /** Starts a runtime; returns the failure text, or undefined. Never throws, never leaves it half started. */
  async start(runtime: string, v: LunatikVersion): Promise<string | undefined> {
    const said = await this.run(['run', runtime, v.runContext]).catch((e: Error) => e.message);
    if (said !== '') return said;
    try {
      if (!(await this.list()).includes(runtime)) return `${runtime} is not listed by \`lunatik list\` after run`;
    } catch (err) {
      const stopped = await this.stop(runtime).then(
        () => '',
        (e: Error) => `; stopping it again failed: ${e.message}`,
      );
      return `checking \`lunatik list\` after run failed: ${(err as Error).message}${stopped}`;
    }
    return undefined;
  }

  async stop(runtime: string): Promise<void> {
    const said = await this.run(['stop', runtime]);
    if (said !== '') throw new Error(`lunatik stop ${runtime}: ${said}`);
  }

  /**
   * Stops a runtime; returns why it still runs, or undefined once it is gone. A `stop` that prints
   * an error but stopped the runtime anyway counts as done: what matters is what runs.
   */
  async stopChecked(runtime: string): Promise<string | undefined> {
    const failure = await this.stop(runtime).then(
      () => undefined,
      (e: Error) => e.message,
    );
    if (failure === undefined) return undefined;
    const still = await this.list().then(
      (all) => all.includes(runtime),
      (e: Error) => `${failure}; whether it still runs is unknown: ${e.message}`,
    );
    if (still === false) return undefined;
    return still === true ? failure : still;
  }
}
