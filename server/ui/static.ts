// Static assets: our stylesheet and script, htmx 4 from node_modules, and the favicon. No CDN.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Hono } from 'hono';

const here = dirname(fileURLToPath(import.meta.url));
const htmxDist = join(dirname(createRequire(import.meta.url).resolve('htmx.org/package.json')), 'dist');

const assets: Record<string, { file: string; type: string }> = {
  'ui.css': { file: join(here, 'static', 'ui.css'), type: 'text/css; charset=utf-8' },
  'ui.js': { file: join(here, 'static', 'ui.js'), type: 'text/javascript; charset=utf-8' },
  'htmx.min.js': { file: join(htmxDist, 'htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'favicon.svg': { file: join(here, 'static', 'favicon.svg'), type: 'image/svg+xml' },
};

/** Read once at start-up: a handful of small files, served from memory with a short cache. */
export function staticRoutes(): Hono {
  const cache = new Map(Object.entries(assets).map(([name, a]) => [name, { body: readFileSync(a.file), type: a.type }]));
  const app = new Hono();
  const send = (name: string) => {
    const a = cache.get(name)!;
    return new Response(new Uint8Array(a.body), { headers: { 'content-type': a.type, 'cache-control': 'public, max-age=300' } });
  };
  app.get('/favicon.ico', () => send('favicon.svg'));
  app.get('/static/:name', (c) => (cache.has(c.req.param('name')) ? send(c.req.param('name')) : c.notFound()));
  return app;
}
