// The web pages' static files: one stylesheet, the icon and htmx, all served by the app (never a
// CDN), under names that carry their version or content hash so browsers may keep them for a year.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Hono } from 'hono';

const require = createRequire(import.meta.url);
const htmxVersion = (require('htmx.org/package.json') as { version: string }).version;
const htmx = readFileSync(require.resolve('htmx.org/dist/htmx.min.js'));
const stylesheet = readFileSync(new URL('./assets/web.css', import.meta.url));
const icon = readFileSync(new URL('./assets/icon.svg', import.meta.url));
const contentHash = (content: Buffer) => createHash('sha256').update(content).digest('hex').slice(0, 12);

export const assetPaths = {
  htmx: `/assets/htmx-${htmxVersion}.min.js`,
  stylesheet: `/assets/web-${contentHash(stylesheet)}.css`,
  icon: `/assets/icon-${contentHash(icon)}.svg`,
};

const cached = { 'Cache-Control': 'public, max-age=31536000, immutable', 'X-Content-Type-Options': 'nosniff' };

export const assetsRouter = new Hono()
  .get(assetPaths.htmx.slice('/assets'.length), (c) => c.body(new Uint8Array(htmx), 200, { ...cached, 'Content-Type': 'text/javascript; charset=utf-8' }))
  .get(assetPaths.stylesheet.slice('/assets'.length), (c) => c.body(new Uint8Array(stylesheet), 200, { ...cached, 'Content-Type': 'text/css; charset=utf-8' }))
  .get(assetPaths.icon.slice('/assets'.length), (c) => c.body(new Uint8Array(icon), 200, { ...cached, 'Content-Type': 'image/svg+xml' }));
