// Bench: process start → listening, and resident memory after start, of `npm start` vs a bare Node HTTP server.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROUNDS = 5;
const root = fileURLToPath(new URL('..', import.meta.url));

/** Starts `args`, waits for a stdout line matching /listening on/, then reads RSS and stops it. */
function measure(args: string[], env: NodeJS.ProcessEnv): Promise<{ ms: number; rssMb: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = spawn(process.execPath, args, { cwd: root, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`no "listening on" within 30 s: ${out} ${err}`));
    }, 30_000);
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (!/listening on/.test(out)) return;
      const ms = performance.now() - t0;
      clearTimeout(timer);
      // Let start-up work queued behind the listen callback settle before reading memory.
      setTimeout(() => {
        const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
        const rssKb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
        child.once('exit', () => resolve({ ms, rssMb: rssKb / 1024 }));
        child.kill('SIGTERM');
      }, 300);
    });
    child.once('exit', (code) => {
      if (!/listening on/.test(out)) {
        clearTimeout(timer);
        reject(new Error(`exited ${code} before listening: ${err.trim().split('\n').at(-1)}`));
      }
    });
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

const dir = mkdtempSync(join(tmpdir(), 'lunawall-startup-'));
const env = { ...process.env, LUNAWALL_PORT: '0', LUNAWALL_HOST: '127.0.0.1', LUNAWALL_DATA_DIR: dir, LUNAWALL_BACKEND: 'emulator', LUNAWALL_ADMIN_PASSWORD: 'bench-password' };
const bare = `require('node:http').createServer((q, s) => s.end('ok')).listen(0, '127.0.0.1', () => console.log('listening on'))`;

const ours: { ms: number; rssMb: number }[] = [];
const base: { ms: number; rssMb: number }[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    ours.push(await measure(['--no-liftoff', '--import', 'tsx', 'server/main.ts'], env));
    base.push(await measure(['-e', bare], process.env));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ms = median(ours.map((r) => r.ms));
const rss = median(ours.map((r) => r.rssMb));
const bms = median(base.map((r) => r.ms));
const brss = median(base.map((r) => r.rssMb));
console.log(
  `startup: npm start (tsx) → listening ${Math.round(ms)} ms, RSS ${rss.toFixed(1)} MB (median of ${ROUNDS}, first run ${Math.round(ours[0]!.ms)} ms); ` +
    `bare node http server ${Math.round(bms)} ms, ${brss.toFixed(1)} MB = ${(ms / bms).toFixed(1)}× time, ${(rss / brss).toFixed(1)}× RSS (goal < 1000 ms, < 80 MB)`,
);
