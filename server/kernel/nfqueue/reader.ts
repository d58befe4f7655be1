// One NFQUEUE reader: spawns nfq-helper on a queue and answers each packet with a verdict.
import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';

export interface QueuedPacket {
  /** The packet from L3, as the queue delivers it. */
  payload: Uint8Array;
  /** Ifindexes; 0 when the hook has none. */
  indev: number;
  outdev: number;
  mark: number;
  /** EtherType from the queue metadata (0 for locally generated packets). */
  hwProtocol: number;
  /** Link-layer source address when the kernel knows it. */
  srcMac?: Uint8Array;
}

export type Verdict = 'accept' | 'drop';

export interface ReaderOptions {
  helper: string;
  queue: number;
  /** Runs the reader inside this network namespace (`ip netns exec`). */
  netns?: string;
  ipBin?: string;
  /** Called for each packet; a throw accepts the packet (fail open, like a Lunatik hook). */
  onPacket: (p: QueuedPacket) => Verdict;
  /** Reports reader failures (a crashed helper). */
  onError?: (message: string) => void;
  /** How long start() waits for the helper to bind the queue; default 5000 ms. */
  readyTimeoutMs?: number;
}

export class QueueReader {
  private child?: ChildProcess;
  private closing = false;

  constructor(private readonly opts: ReaderOptions) {}

  /** Resolves once the helper has bound the queue. */
  start(): Promise<void> {
    const { helper, queue, netns } = this.opts;
    const argv = netns ? [this.opts.ipBin ?? 'ip', 'netns', 'exec', netns, helper, String(queue)] : [helper, String(queue)];
    const child = spawn(argv[0], argv.slice(1), { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    let stderr = '';
    child.stderr!.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-2000)));
    child.stdin!.on('error', () => undefined);
    const timeoutMs = this.opts.readyTimeoutMs ?? 5_000;
    return new Promise((resolve, reject) => {
      // waiting → ready, or → failed (then later lines and the exit are no news).
      let state: 'waiting' | 'ready' | 'failed' = 'waiting';
      // A helper stuck before READY (a wedged netlink socket, `ip netns exec` waiting) would hang the apply.
      const timer = setTimeout(() => {
        fail(`nfq-helper for queue ${queue} did not bind the queue within ${timeoutMs} ms${tail(stderr)}`);
        child.kill('SIGKILL');
      }, timeoutMs);
      const fail = (message: string) => {
        if (state !== 'waiting') return;
        state = 'failed';
        clearTimeout(timer);
        reject(new Error(message));
      };
      const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (state === 'ready') this.handle(line);
        else if (state === 'waiting' && line === 'READY') {
          state = 'ready';
          clearTimeout(timer);
          resolve();
        }
      });
      child.on('error', (err) => fail(`nfq-helper for queue ${queue}: ${err.message}`));
      child.on('exit', (code, signal) => {
        const why = `nfq-helper for queue ${queue} exited (${signal ?? code})${tail(stderr)}`;
        if (state === 'waiting') fail(why);
        else if (state === 'ready' && !this.closing) this.opts.onError?.(why);
      });
    });
  }

  /** False once the helper has exited. */
  get alive(): boolean {
    const c = this.child;
    return !!c && c.exitCode === null && c.signalCode === null;
  }

  private handle(line: string): void {
    const f = line.split(' ');
    if (f[0] !== 'P' || f.length < 8) return;
    const id = f[1];
    let verdict: Verdict = 'accept';
    try {
      verdict = this.opts.onPacket({
        payload: Buffer.from(f[7], 'hex'),
        indev: Number(f[2]),
        outdev: Number(f[3]),
        mark: Number(f[4]),
        hwProtocol: Number(f[5]),
        srcMac: f[6] === '-' ? undefined : Buffer.from(f[6], 'hex'),
      });
    } catch (err) {
      this.opts.onError?.(`packet ${id}: ${(err as Error).message}`);
    }
    this.child?.stdin?.write(`${id} ${verdict === 'drop' ? 'D' : 'A'}\n`);
  }

  /** Stops the reader. Packets still queued are dropped by the kernel, so remove the iptables rule first. */
  async close(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    this.closing = true;
    const exited = new Promise<void>((r) => child.once('exit', () => r()));
    child.stdin?.end();
    const timer = setTimeout(() => child.kill('SIGKILL'), 2_000);
    await exited;
    clearTimeout(timer);
  }
}

function tail(stderr: string): string {
  const t = stderr.trim();
  return t === '' ? '' : `: ${t.slice(-500)}`;
}
