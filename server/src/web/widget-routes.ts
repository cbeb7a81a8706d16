// Serves the built visitor widget (widget/dist): /widget.js for sites to embed, the iframe app under /widget/, and /demo.
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import type { AppContext } from '../context.js';
import { findSite } from '../realtime/identity.js';
import { registerDemoPages } from './demo-page.js';
import { targetingWidgetRoutes } from './targeting-routes.js';

/** widget/dist of the repository, from server/src/web or server/dist/web alike. */
export const DEFAULT_WIDGET_DIST = fileURLToPath(new URL('../../../widget/dist/', import.meta.url));

const NOT_BUILT =
  'The Causerie widget is not built (widget/dist is missing). Run `npm run build -w widget`, then restart the server.';

const CONTENT_TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
  '.map': 'application/json; charset=utf-8',
};

/** A hashed asset name as Vite writes them: no path, no leading dot. */
const ASSET_NAME = /^[A-Za-z0-9_-][A-Za-z0-9_.-]{0,200}$/;

export interface WidgetRoutesOptions {
  context: AppContext;
  /** Where the built widget is; tests point it elsewhere. */
  distDir?: string;
}

/**
 * Who may embed the frame: the website's host and its subdomains (as the visitor socket's origin check, any port,
 * http or https), and Causerie itself (the demo pages). The browser enforces it, so another site cannot show this
 * website's chat.
 */
export function frameAncestors(websiteUrl: string | undefined): string {
  if (websiteUrl === undefined) return "'self'";
  let host: string;
  try {
    host = new URL(websiteUrl.includes('://') ? websiteUrl : `https://${websiteUrl}`).hostname.toLowerCase();
  } catch {
    return "'self'";
  }
  if (!/^[a-z0-9.-]+$/.test(host)) return "'self'";
  const hosts = [host, `*.${host}`, ...(host.startsWith('www.') ? [host.slice(4)] : [])];
  return ["'self'", ...hosts.flatMap((name) => [`https://${name}:*`, `http://${name}:*`])].join(' ');
}

/** The frame's policy: its own scripts and styles only, sockets to Causerie, embeddable by the website's pages only. */
function frameSecurityPolicy(publicUrl: string, ancestors: string): string {
  const host = new URL(publicUrl).host;
  return [
    "default-src 'self'",
    `connect-src 'self' ws://${host} wss://${host}`,
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "object-src 'none'",
    `frame-ancestors ${ancestors}`,
  ].join('; ');
}

async function readBuilt(path: string): Promise<Buffer | undefined> {
  try {
    return await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT' || (error as NodeJS.ErrnoException).code === 'EISDIR')
      return undefined;
    throw error;
  }
}

/** Sends a built file with its type and caching, answering 304 to a matching If-None-Match. */
function sendBuilt(
  request: FastifyRequest,
  reply: FastifyReply,
  body: Buffer,
  path: string,
  cacheControl: string,
): FastifyReply {
  const etag = `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"`;
  reply.header('content-type', CONTENT_TYPES[extname(path)] ?? 'application/octet-stream');
  reply.header('cache-control', cacheControl);
  reply.header('etag', etag);
  reply.header('x-content-type-options', 'nosniff');
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.send(body);
}

function notBuilt(reply: FastifyReply): FastifyReply {
  reply.header('x-causerie-error', 'widget_not_built');
  return reply.code(404).type('text/plain; charset=utf-8').send(NOT_BUILT);
}

/** Registers /widget.js, /widget/frame.html, /widget/assets/:file and the demo pages. */
export const widgetRoutes: FastifyPluginAsync<WidgetRoutesOptions> = async (app, options) => {
  const dist = options.distDir ?? DEFAULT_WIDGET_DIST;

  app.get('/widget.js', { schema: { hide: true } }, async (request, reply) => {
    const path = join(dist, 'widget.js');
    const body = await readBuilt(path);
    if (body === undefined) return notBuilt(reply);
    // Any site loads it: readable cross-origin, and cached briefly so a new release reaches pages within minutes.
    reply.header('access-control-allow-origin', '*');
    reply.header('cross-origin-resource-policy', 'cross-origin');
    return sendBuilt(request, reply, body, path, 'public, max-age=300, stale-while-revalidate=3600');
  });

  app.get<{ Querystring: { w?: string } }>('/widget/frame.html', { schema: { hide: true } }, async (request, reply) => {
    const path = join(dist, 'widget', 'frame.html');
    const body = await readBuilt(path);
    if (body === undefined) return notBuilt(reply);
    // `?w=` names the website (the loader adds it); its address decides who may frame the chat.
    const websiteId = /^\d{1,10}$/.test(request.query.w ?? '') ? Number(request.query.w) : 0;
    const site =
      websiteId > 0 && websiteId <= 2_147_483_647 ? await findSite(options.context.db, websiteId) : undefined;
    reply.header(
      'content-security-policy',
      frameSecurityPolicy(options.context.config.publicUrl, frameAncestors(site?.url)),
    );
    reply.header('referrer-policy', 'no-referrer');
    // It names the hashed assets of the current build: always revalidated.
    return sendBuilt(request, reply, body, path, 'no-cache');
  });

  app.get<{ Params: { file: string } }>('/widget/assets/:file', { schema: { hide: true } }, async (request, reply) => {
    const { file } = request.params;
    if (!ASSET_NAME.test(file))
      return reply
        .code(404)
        .type('text/plain; charset=utf-8')
        .send(`No widget asset '${file.slice(0, 80)}'.`);
    const path = join(dist, 'widget', 'assets', file);
    const body = await readBuilt(path);
    if (body === undefined) {
      return (await readBuilt(join(dist, 'widget.js'))) === undefined
        ? notBuilt(reply)
        : reply
            .code(404)
            .type('text/plain; charset=utf-8')
            .send(`No widget asset '${file}': the widget was rebuilt; reload the page.`);
    }
    reply.header('access-control-allow-origin', '*');
    reply.header('cross-origin-resource-policy', 'cross-origin');
    // Names carry a content hash: a new build makes new names, so these never change.
    return sendBuilt(request, reply, body, path, 'public, max-age=31536000, immutable');
  });

  registerDemoPages(app, options.context);
  await app.register(targetingWidgetRoutes, { context: options.context });
};
