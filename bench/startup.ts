// Bench: process start → listening and resident memory after start: the router build (esbuild bundle) and `npm start` (tsx), vs a bare Node HTTP server.
import { execFileSync, spawn } from 'node:child_process';
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

// The router runs the esbuild bundle (openwrt/build-bundle.mjs); development runs TypeScript through tsx.
const bundle = join(dir, 'bundle');
execFileSync(process.execPath, [join(root, 'openwrt/build-bundle.mjs'), '--out', bundle, '--native', 'host'], { stdio: 'ignore' });

const bundled: { ms: number; rssMb: number }[] = [];
const tsx: { ms: number; rssMb: number }[] = [];
const base: { ms: number; rssMb: number }[] = [];
try {
  for (let i = 0; i < ROUNDS; i++) {
    bundled.push(await measure(['--no-liftoff', join(bundle, 'lunawall.mjs'), 'serve'], { ...env, LUNAWALL_DATA_DIR: join(dir, 'b') }));
    tsx.push(await measure(['--no-liftoff', '--import', 'tsx', 'server/main.ts'], { ...env, LUNAWALL_DATA_DIR: join(dir, 't') }));
    base.push(await measure(['-e', bare], process.env));
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}

const ms = (rs: { ms: number }[]) => median(rs.map((r) => r.ms));
const rss = (rs: { rssMb: number }[]) => median(rs.map((r) => r.rssMb));
const show = (rs: { ms: number; rssMb: number }[]) => `${Math.round(ms(rs))} ms, RSS ${rss(rs).toFixed(1)} MB = ${(ms(rs) / ms(base)).toFixed(1)}× time, ${(rss(rs) / rss(base)).toFixed(1)}× RSS of a bare node http server`;
console.log(
  `startup (start → listening, median of ${ROUNDS}): router bundle ${show(bundled)}; npm start (tsx) ${show(tsx)}; ` +
    `bare node http server ${Math.round(ms(base))} ms, ${rss(base).toFixed(1)} MB (goal < 1000 ms, < 80 MB)`,
);
