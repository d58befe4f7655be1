// Rendering helpers: full pages get a DOCTYPE (no quirks mode); htmx requests are told apart from plain ones.
import type { Context } from 'hono';
import type { JSX } from 'hono/jsx/jsx-runtime';

/**
 * No 422 here: Chromium logs every 4xx document or fetch as a console error, so a form with
 * validation messages is answered 200, as LuCI does; the messages sit at their fields.
 */
type Status = 200 | 201 | 403 | 404 | 409 | 429;

export async function page(c: Context, node: JSX.Element, status: Status = 200): Promise<Response> {
  return c.html('<!DOCTYPE html>' + (await node.toString()), status);
}

export async function fragment(c: Context, node: JSX.Element, status: Status = 200): Promise<Response> {
  return c.html(await node.toString(), status);
}

/** htmx sends HX-Request; our own fetch() calls in ui.js do too. */
export const isHtmx = (c: Context) => c.req.header('hx-request') === 'true';

/** POST-redirect-GET for plain forms; htmx follows HX-Redirect instead of a 303 it would swap in. */
export function redirect(c: Context, to: string): Response {
  if (isHtmx(c)) return c.body(null, 200, { 'HX-Redirect': to });
  return c.redirect(to, 303);
}

/** Form fields, all as strings (files and repeated fields are read with formAll). */
export async function form(c: Context): Promise<Record<string, string>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(body)) {
    const first = Array.isArray(v) ? v[0] : v;
    if (typeof first === 'string') out[k] = first;
  }
  return out;
}

export async function formAll(c: Context): Promise<Record<string, (string | File)[]>> {
  const body = await c.req.parseBody({ all: true });
  const out: Record<string, (string | File)[]> = {};
  for (const [k, v] of Object.entries(body)) out[k] = Array.isArray(v) ? v : [v];
  return out;
}
