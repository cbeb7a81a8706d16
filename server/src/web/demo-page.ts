// /demo and /demo/delivery: two pages of a pretend shop embedding the widget for the demo website, to try it and to test it.
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { AppContext } from '../context.js';
import { DEMO_CLIENT_NAME } from '../demo.js';

/** Escapes text for HTML element content and double-quoted attributes. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`);
}

interface DemoPage {
  path: string;
  title: string;
  body: string;
}

const PAGES: DemoPage[] = [
  {
    path: '/demo',
    title: 'Home',
    body: '<p>Welcome to the Demo Shop. Open the chat with the button at the bottom right, or with <button type="button" id="open-chat">Causerie.open()</button>.</p><p>Sign in to the agent console in another window with the demo login to answer.</p>',
  },
  {
    path: '/demo/delivery',
    title: 'Delivery',
    body: '<p>Orders ship within two days. Moving between pages sends navigation entries to the operator; so does this <button type="button" id="spa-link">single-page link</button> (history.pushState).</p>',
  },
];

/** The demo website: the first website of the demo client, when the demo data exists. */
async function demoWebsiteId(context: AppContext): Promise<number | undefined> {
  const row = await context.db
    .selectFrom('website')
    .innerJoin('client', 'client.id', 'website.client_id')
    .select('website.id')
    .where('client.name', '=', DEMO_CLIENT_NAME)
    .orderBy('website.id')
    .executeTakeFirst();
  return row?.id;
}

/** The page's HTML: navigation between the two pages, the widget tag (relative, so it follows the host in the address bar), and an event log. */
export function demoPageHtml(
  page: DemoPage,
  websiteId: number,
  publicUrl: string,
  options: { lang?: 'en' | 'fr'; transport?: 'http' },
): string {
  const query = new URLSearchParams({
    ...(options.lang !== undefined && { lang: options.lang }),
    ...(options.transport !== undefined && { transport: options.transport }),
  }).toString();
  const suffix = query === '' ? '' : `?${query}`;
  const nav = PAGES.map((other) =>
    other.path === page.path
      ? `<strong>${escapeHtml(other.title)}</strong>`
      : `<a href="${escapeHtml(other.path + suffix)}">${escapeHtml(other.title)}</a>`,
  ).join(' · ');
  const attributes = [
    `data-website="${websiteId}"`,
    ...(options.lang !== undefined ? [`data-lang="${options.lang}"`] : []),
    ...(options.transport !== undefined ? [`data-transport="${options.transport}"`] : []),
  ].join(' ');
  const tag = `<script src="${escapeHtml(publicUrl)}/widget.js" data-website="${websiteId}" async></script>`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(page.title)} · Demo Shop</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:720px;margin:2rem auto;padding:0 1rem;color:#1f2328}pre{background:#f6f8fa;padding:1rem;overflow:auto;white-space:pre-wrap}#events{font:13px ui-monospace,monospace;color:#59636e}</style>
</head>
<body>
<header><h1>Demo Shop</h1><nav aria-label="Pages">${nav}</nav></header>
<main>
<h2>${escapeHtml(page.title)}</h2>
${page.body}
<h3>Add the chat to your site</h3>
<pre>${escapeHtml(tag)}</pre>
<h3>Widget events</h3>
<ol id="events"></ol>
</main>
<script>
window.Causerie=window.Causerie||{q:[]};['open','close','identify','on'].forEach(function(m){Causerie[m]=Causerie[m]||function(){Causerie.q.push([m,arguments])}});
['ready','open','close','message','conversation.started','conversation.closed','survey'].forEach(function(name){
  Causerie.on(name,function(data){var li=document.createElement('li');li.textContent=name+(data===undefined?'':' '+JSON.stringify(data));document.getElementById('events').append(li);});
});
document.getElementById('open-chat')?.addEventListener('click',function(){Causerie.open();});
document.getElementById('spa-link')?.addEventListener('click',function(){history.pushState({},'','/demo/delivery?section=returns');});
</script>
<script src="/widget.js" ${attributes} async></script>
</body>
</html>
`;
}

/** Registers the demo pages; without demo data they say how to get it. */
export function registerDemoPages(app: FastifyInstance, context: AppContext): void {
  for (const page of PAGES) {
    app.get<{ Querystring: { lang?: string; transport?: string } }>(
      page.path,
      { schema: { hide: true } },
      async (request, reply: FastifyReply) => {
        const websiteId = await demoWebsiteId(context);
        if (websiteId === undefined) {
          return reply
            .code(404)
            .type('text/plain; charset=utf-8')
            .send(
              'No demo data on this server: start it with `npm run demo` (node server/dist/main.js demo) to get the demo shop and its widget.',
            );
        }
        const lang = request.query.lang === 'fr' || request.query.lang === 'en' ? request.query.lang : undefined;
        const transport = request.query.transport === 'http' ? 'http' : undefined;
        reply.header('cache-control', 'no-store');
        return reply.type('text/html; charset=utf-8').send(
          demoPageHtml(page, websiteId, context.config.publicUrl, {
            ...(lang !== undefined && { lang }),
            ...(transport !== undefined && { transport }),
          }),
        );
      },
    );
  }
}
