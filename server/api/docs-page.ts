// The API reference at /api/docs, rendered on the server from the OpenAPI document: it must work on a router
// with no internet, where a viewer loading its script from a CDN shows an empty page.
import { esc } from '../../views/html.js';

type Json = Record<string, unknown>;
const obj = (x: unknown): Json => (x && typeof x === 'object' && !Array.isArray(x) ? (x as Json) : {});
const arr = (x: unknown): unknown[] => (Array.isArray(x) ? x : []);
const str = (x: unknown): string => (typeof x === 'string' ? x : '');

const METHODS = ['get', 'put', 'post', 'patch', 'delete'] as const;
const methodLabel: Record<string, string> = { get: 'success', put: 'warning', post: 'notice', patch: 'warning', delete: 'important' };

/** `code` spans for backticked text in descriptions; everything else escaped. */
function prose(text: string): string {
  return esc(text).replace(/`([^`]+)`/g, '<code>$1</code>');
}

const refName = (ref: string): string => ref.replace(/^#\/components\/schemas\//, '');
const anchor = (name: string): string => `schema-${name.replace(/[^A-Za-z0-9_-]/g, '_')}`;
const opAnchor = (method: string, path: string): string => `op-${method}-${path.replace(/[^A-Za-z0-9]+/g, '-')}`;

/** A one-line type: `string`, `integer 1–65535`, `Policy`, `array of string`, `"a" | "b"`. */
function typeOf(s: Json): string {
  if (typeof s.$ref === 'string') {
    const n = refName(s.$ref);
    return `<a href="#${anchor(n)}">${esc(n)}</a>`;
  }
  if (Array.isArray(s.enum)) return s.enum.map((e) => `<code>${esc(JSON.stringify(e))}</code>`).join(' | ');
  for (const k of ['oneOf', 'anyOf'] as const) if (Array.isArray(s[k])) return arr(s[k]).map((x) => typeOf(obj(x))).join(' | ');
  if (Array.isArray(s.allOf)) return arr(s.allOf).map((x) => typeOf(obj(x))).join(' & ');
  let t = str(s.type) || (s.properties ? 'object' : 'any');
  if (t === 'array') t = `array of ${typeOf(obj(s.items))}`;
  else if (t === 'object' && s.additionalProperties && typeof s.additionalProperties === 'object' && !s.properties) t = `map of ${typeOf(obj(s.additionalProperties))}`;
  else t = esc(t);
  const limits: string[] = [];
  if (s.minimum !== undefined || s.maximum !== undefined) limits.push(`${s.minimum ?? ''}–${s.maximum ?? ''}`);
  if (s.minLength !== undefined || s.maxLength !== undefined) limits.push(`length ${s.minLength ?? 0}–${s.maxLength ?? '…'}`);
  if (s.minItems !== undefined || s.maxItems !== undefined) limits.push(`${s.minItems ?? 0}–${s.maxItems ?? '…'} items`);
  if (typeof s.format === 'string') limits.push(esc(s.format));
  if (s.nullable) limits.push('or null');
  return limits.length ? `${t} <span class="descr">${limits.join(', ')}</span>` : t;
}

/** The properties of an object schema as rows; nested inline objects indent one level (refs link instead). */
function propertyRows(s: Json, depth = 0): string {
  const required = new Set(arr(s.required).map(String));
  const props = obj(s.properties);
  const parts = arr(s.allOf).map(obj);
  let rows = parts.map((p) => (p.properties ? propertyRows(p, depth) : '')).join('');
  for (const [name, raw] of Object.entries(props)) {
    const p = obj(raw);
    rows += `<tr><td><code>${'&nbsp;&nbsp;'.repeat(depth * 2)}${esc(name)}</code>${required.has(name) ? ' <span class="label important">required</span>' : ''}</td><td>${typeOf(p)}</td><td>${prose(str(p.description))}</td></tr>`;
    const inner = p.type === 'array' ? obj(p.items) : p;
    if (depth < 3 && inner.properties && !inner.$ref) rows += propertyRows(inner, depth + 1);
  }
  return rows;
}

function schemaBlock(raw: unknown): string {
  const s = obj(raw);
  const variants = arr(s.oneOf ?? s.anyOf).map(obj);
  if (variants.some((v) => v.properties)) {
    return `<p>One of:</p>${variants.map((v, i) => `<h4>${i + 1}.</h4>${schemaBlock(v)}`).join('')}`;
  }
  const rows = s.properties || s.allOf ? propertyRows(s) : '';
  const head = `<p>${typeOf(s)}${s.description ? ` — ${prose(str(s.description))}` : ''}</p>`;
  if (!rows) return head;
  return `${s.$ref ? head : ''}<table class="cbi-section-table"><tr><th>Field</th><th>Type</th><th>Description</th></tr>${rows}</table>`;
}

function operation(method: string, path: string, raw: unknown): string {
  const op = obj(raw);
  const id = opAnchor(method, path);
  const params = arr(op.parameters).map(obj);
  const body = obj(obj(obj(op.requestBody).content));
  const responses = Object.entries(obj(op.responses));
  let html = `<div class="cbi-section" id="${esc(id)}"><h3><span class="label ${methodLabel[method]}">${method.toUpperCase()}</span> <code>${esc(path)}</code> ${esc(str(op.summary))}</h3>`;
  if (op.description) html += `<p class="cbi-section-descr">${prose(str(op.description))}</p>`;
  if (params.length) {
    html += '<h4>Parameters</h4><table class="cbi-section-table"><tr><th>Name</th><th>In</th><th>Type</th><th>Description</th></tr>';
    for (const p of params) html += `<tr><td><code>${esc(str(p.name))}</code>${p.required ? ' <span class="label important">required</span>' : ''}</td><td>${esc(str(p.in))}</td><td>${typeOf(obj(p.schema))}</td><td>${prose(str(p.description))}</td></tr>`;
    html += '</table>';
  }
  for (const [type, media] of Object.entries(body)) html += `<h4>Request body <code>${esc(type)}</code></h4>${schemaBlock(obj(media).schema)}`;
  if (responses.length) {
    html += '<h4>Responses</h4><table class="cbi-section-table"><tr><th>Status</th><th>Description</th><th>Body</th></tr>';
    for (const [status, r] of responses) {
      const content = Object.entries(obj(obj(r).content));
      const bodies = content.map(([type, m]) => `<code>${esc(type)}</code> ${typeOf(obj(obj(m).schema))}`).join('<br>');
      html += `<tr><td>${esc(status)}</td><td>${prose(str(obj(r).description))}</td><td>${bodies}</td></tr>`;
    }
    html += '</table>';
  }
  return `${html}</div>`;
}

/** The whole page: overview, authentication, an index of operations by tag, every operation, every schema. */
export function docsPage(doc: unknown, documentUrl: string): string {
  const d = obj(doc);
  const info = obj(d.info);
  const base = str(obj(arr(d.servers)[0]).url);
  const ops: { tag: string; method: string; path: string; op: unknown }[] = [];
  for (const [path, item] of Object.entries(obj(d.paths))) {
    for (const m of METHODS) {
      const op = obj(item)[m];
      if (op) ops.push({ tag: str(arr(obj(op).tags)[0]) || 'other', method: m, path: base + path, op });
    }
  }
  const tags = [...new Set(ops.map((o) => o.tag))];
  const schemes = Object.entries(obj(obj(d.components).securitySchemes));
  const schemas = Object.entries(obj(obj(d.components).schemas));
  const index = tags
    .map((t) => `<h4>${esc(t)}</h4><ul>${ops.filter((o) => o.tag === t).map((o) => `<li><a href="#${opAnchor(o.method, o.path)}">${o.method.toUpperCase()} ${esc(o.path)}</a> ${esc(str(obj(o.op).summary))}</li>`).join('')}</ul>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${esc(str(info.title) || 'API')}</title><link rel="stylesheet" href="/static/ui.css"></head>
<body><header class="topbar"><div class="inner"><a class="brand" href="/">lunawall</a><nav class="menu"><a href="/">Admin UI</a><a href="${esc(documentUrl)}">OpenAPI JSON</a></nav></div></header>
<main><h2>${esc(str(info.title))} <span class="label">version ${esc(str(info.version))}</span></h2>
<p class="cbi-map-descr">${prose(str(info.description))}</p>
<div class="cbi-section"><h3>Authentication</h3><table class="kv">${schemes.map(([n, s]) => `<tr><th><code>${esc(n)}</code> (${esc(str(obj(s).type))} ${esc(str(obj(s).scheme))})</th><td>${prose(str(obj(s).description))}</td></tr>`).join('')}</table>
<p class="cbi-section-descr">The machine-readable document is <a href="${esc(documentUrl)}"><code>${esc(documentUrl)}</code></a>; every path below is relative to the server root.</p></div>
<div class="cbi-section"><h3>Operations</h3>${index}</div>
${tags.map((t) => `<h2>${esc(t)}</h2>${ops.filter((o) => o.tag === t).map((o) => operation(o.method, o.path, o.op)).join('')}`).join('')}
<h2>Schemas</h2>
${schemas.map(([n, s]) => `<div class="cbi-section" id="${anchor(n)}"><h3>${esc(n)}</h3>${schemaBlock(s)}</div>`).join('')}
</main></body></html>`;
}
