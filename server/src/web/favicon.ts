// The product's icon, one small SVG for every page the server serves (the console, the widget's chat page, /docs, the
// demo): /favicon.svg, and /favicon.ico for browsers that ask for it without being told where the icon is.
import type { FastifyPluginAsync } from 'fastify';

/** A speech bubble in the console's accent colour, readable at 16 px. */
export const FAVICON_SVG = `<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">\
<path fill="#2f5bd3" d="M6 3h20a4 4 0 0 1 4 4v13a4 4 0 0 1-4 4H14l-7 6v-6H6a4 4 0 0 1-4-4V7a4 4 0 0 1 4-4z"/>\
<circle cx="10" cy="13.5" r="2" fill="#fff"/><circle cx="16" cy="13.5" r="2" fill="#fff"/>\
<circle cx="22" cy="13.5" r="2" fill="#fff"/></svg>
`;

export const FAVICON_PATH = '/favicon.svg';

export const faviconRoutes: FastifyPluginAsync = async (app) => {
  app.get(FAVICON_PATH, { schema: { hide: true } }, async (_request, reply) =>
    reply
      .type('image/svg+xml')
      .header('cache-control', 'public, max-age=86400')
      .header('x-content-type-options', 'nosniff')
      .send(FAVICON_SVG),
  );
  // Browsers follow the redirect for an icon; the SVG needs its own type, which an .ico address would not give it.
  app.get('/favicon.ico', { schema: { hide: true } }, async (_request, reply) => reply.redirect(FAVICON_PATH, 301));
};
