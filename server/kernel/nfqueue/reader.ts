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
    return new Promise((resolve, reject) => {
      let ready = false;
      const lines = createInterface({ input: child.stdout!, crlfDelay: Infinity });
      lines.on('line', (line) => {
        if (!ready) {
          if (line === 'READY') {
            ready = true;
            resolve();
          }
          return;
        }
        this.handle(line);
      });
      child.on('error', (err) => reject(new Error(`nfq-helper for queue ${queue}: ${err.message}`)));
      child.on('exit', (code, signal) => {
        const why = `nfq-helper for queue ${queue} exited (${signal ?? code}): ${stderr.trim()}`;
        if (!ready) reject(new Error(why));
        else if (!this.closing) this.opts.onError?.(why);
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
