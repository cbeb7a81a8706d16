// Serves the agent console (the React app built into console/dist) under /admin/, with a fallback to its index for client-side routes.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { FastifyPluginAsync, FastifyReply } from 'fastify';

/** console/dist, from both server/src/web and server/dist/web. */
export const DEFAULT_CONSOLE_DIR = fileURLToPath(new URL('../../../console/dist', import.meta.url));

/** The console's pages may not be framed (clickjacking of an admin) and load scripts and styles only from this origin. */
const PAGE_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; media-src 'self' data: blob:; connect-src 'self' ws: wss:; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'x-frame-options': 'DENY',
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'cache-control': 'no-cache',
};

const NOT_BUILT = `<!doctype html><html lang="en"><meta charset="utf-8"><title>Causerie console not built</title>
<body style="font-family:sans-serif;max-width:40rem;margin:4rem auto">
<h1>The console is not built</h1>
<p>This server serves the agent console from <code>console/dist</code>, which does not exist yet. Build it with
<code>npm run build -w console</code> and reload this page.</p>
<p>The REST API (<a href="/docs">/docs</a>) and the realtime sockets work without it.</p></body></html>`;

export interface ConsoleRoutesOptions {
  /** Where the built console is; default console/dist of this repository. */
  consoleDir?: string;
}

function sendPage(reply: FastifyReply, status: number, html: string): FastifyReply {
  return reply.code(status).headers(PAGE_HEADERS).type('text/html; charset=utf-8').send(html);
}

/** `/admin/` and everything under it: built assets as files, any other path the app's index (its router decides). */
export const consoleRoutes: FastifyPluginAsync<ConsoleRoutesOptions> = async (app, options) => {
  const root = options.consoleDir ?? DEFAULT_CONSOLE_DIR;
  const indexPath = join(root, 'index.html');
  const built = existsSync(indexPath);
  // Read once: the index is tiny and changes only with a new build (which restarts the server).
  const index = built ? readFileSync(indexPath, 'utf8') : null;

  app.get('/admin', { schema: { hide: true } }, async (request, reply) => {
    const search = request.url.indexOf('?');
    return reply.redirect(`/admin/${search === -1 ? '' : request.url.slice(search)}`, 301);
  });

  if (built) {
    await app.register(fastifyStatic, {
      root,
      prefix: '/admin/',
      // Files are listed once at start-up, so unknown paths fall through to the index route below.
      wildcard: false,
      index: false,
      decorateReply: false,
      cacheControl: false,
      schemaHide: true,
      setHeaders: (response, path) => {
        // Vite names built assets by content hash: they never change under the same name.
        if (path.includes(`${join(root, 'assets')}`))
          response.setHeader('cache-control', 'public, max-age=31536000, immutable');
        else response.setHeader('cache-control', 'no-cache');
        if (path.endsWith('.html'))
          for (const [name, value] of Object.entries(PAGE_HEADERS)) response.setHeader(name, value);
        response.setHeader('x-content-type-options', 'nosniff');
      },
    });
  }

  app.get('/admin/*', { schema: { hide: true } }, async (request, reply) => {
    if (index === null) return sendPage(reply, 503, NOT_BUILT);
    // A missing asset is a 404, not the app's page (a stale tab asking for an old bundle must not get HTML).
    const path = request.url.split('?')[0] ?? '';
    if (path.startsWith('/admin/assets/')) return reply.code(404).type('text/plain; charset=utf-8').send('Not found');
    return sendPage(reply, 200, index);
  });
};
