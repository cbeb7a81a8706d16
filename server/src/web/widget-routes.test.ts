// Serving the widget: caching and cross-origin headers per file kind, the frame's security policy, a clear 404 when
// widget/dist is missing, and the demo pages embedding the demo website's widget.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDemoData } from '../demo.js';
import { clientWithKey, startTestApp, type TestApp } from '../test/harness.js';
import { demoPageHtml, escapeHtml } from './demo-page.js';
import { frameAncestors, widgetRoutes } from './widget-routes.js';

let t: TestApp;
let built: string;
let missing: string;
let withWidget: FastifyInstance;
let withoutWidget: FastifyInstance;

beforeAll(async () => {
  t = await startTestApp();
  built = mkdtempSync(join(tmpdir(), 'widget-dist-'));
  mkdirSync(join(built, 'widget', 'assets'), { recursive: true });
  writeFileSync(join(built, 'widget.js'), '(function(){window.loaded=1})();');
  writeFileSync(
    join(built, 'widget', 'frame.html'),
    '<!doctype html><script type="module" src="/widget/assets/frame-abc123.js"></script>',
  );
  writeFileSync(join(built, 'widget', 'assets', 'frame-abc123.js'), 'console.log(1)');
  writeFileSync(join(built, 'widget', 'assets', 'frame-abc123.css'), 'body{}');
  missing = join(built, 'does-not-exist');
  withWidget = Fastify();
  await withWidget.register(widgetRoutes, { context: t.context, distDir: built });
  withoutWidget = Fastify();
  await withoutWidget.register(widgetRoutes, { context: t.context, distDir: missing });
});

afterAll(async () => {
  await withWidget.close();
  await withoutWidget.close();
  await t.close();
  rmSync(built, { recursive: true, force: true });
});

describe('GET /widget.js', () => {
  it('is JavaScript any site may load, cached for minutes, with an ETag that answers 304', async () => {
    const response = await withWidget.inject({ method: 'GET', url: '/widget.js' });
    expect(response.statusCode).toBe(200);
    expect(response.body).toBe('(function(){window.loaded=1})();');
    expect(response.headers).toMatchObject({
      'content-type': 'text/javascript; charset=utf-8',
      'cache-control': 'public, max-age=300, stale-while-revalidate=3600',
      'access-control-allow-origin': '*',
      'cross-origin-resource-policy': 'cross-origin',
      'x-content-type-options': 'nosniff',
    });
    const again = await withWidget.inject({
      method: 'GET',
      url: '/widget.js',
      headers: { 'if-none-match': String(response.headers.etag) },
    });
    expect(again.statusCode).toBe(304);
    expect(again.body).toBe('');
  });

  it('says how to build the widget when widget/dist is missing, rather than failing', async () => {
    for (const url of ['/widget.js', '/widget/frame.html', '/widget/assets/frame-abc123.js']) {
      const response = await withoutWidget.inject({ method: 'GET', url });
      expect(response.statusCode).toBe(404);
      expect(response.headers['x-causerie-error']).toBe('widget_not_built');
      expect(response.body).toBe(
        'The Causerie widget is not built (widget/dist is missing). Run `npm run build -w widget`, then restart the server.',
      );
    }
  });
});

describe('the iframe app', () => {
  it("serves frame.html revalidated every time, embeddable only by the website's pages, with a strict content security policy", async () => {
    const { key } = await clientWithKey(t, 'Frame Co');
    const websiteId = (await t.api('POST', '/website', { key, json: { url: 'https://www.shop.example' } })).body.data
      .id;
    const response = await withWidget.inject({ method: 'GET', url: `/widget/frame.html?w=${websiteId}` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(response.headers['cache-control']).toBe('no-cache');
    expect(response.headers['x-frame-options']).toBeUndefined();
    const policy = String(response.headers['content-security-policy']);
    expect(policy).toContain("script-src 'self'");
    expect(policy).toContain(
      "frame-ancestors 'self' https://www.shop.example:* http://www.shop.example:* https://*.www.shop.example:* http://*.www.shop.example:* https://shop.example:* http://shop.example:*",
    );
    // An unknown website, or none: only Causerie's own pages may frame it.
    for (const url of ['/widget/frame.html?w=999999', '/widget/frame.html', '/widget/frame.html?w=1%27%20*']) {
      expect(String((await withWidget.inject({ method: 'GET', url })).headers['content-security-policy'])).toMatch(
        /frame-ancestors 'self'$/,
      );
    }
    expect(policy).toContain(`wss://${new URL(t.context.config.publicUrl).host}`);
  });

  it('serves hashed assets with a year of immutable caching, and nothing outside the assets folder', async () => {
    const script = await withWidget.inject({ method: 'GET', url: '/widget/assets/frame-abc123.js' });
    expect(script.statusCode).toBe(200);
    expect(script.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    expect(script.headers['content-type']).toBe('text/javascript; charset=utf-8');
    const style = await withWidget.inject({ method: 'GET', url: '/widget/assets/frame-abc123.css' });
    expect(style.headers['content-type']).toBe('text/css; charset=utf-8');
    for (const url of [
      '/widget/assets/..%2Fwidget.js',
      '/widget/assets/.hidden',
      '/widget/assets/%2e%2e%2f%2e%2e%2fpackage.json',
    ]) {
      expect((await withWidget.inject({ method: 'GET', url })).statusCode).toBe(404);
    }
    const gone = await withWidget.inject({ method: 'GET', url: '/widget/assets/frame-old999.js' });
    expect(gone.statusCode).toBe(404);
    expect(gone.body).toBe("No widget asset 'frame-old999.js': the widget was rebuilt; reload the page.");
  });
});

describe('the demo pages', () => {
  it('say how to get demo data when there is none', async () => {
    const response = await withWidget.inject({ method: 'GET', url: '/demo' });
    expect(response.statusCode).toBe(404);
    expect(response.body).toContain('npm run demo');
  });

  it("embed the demo website's widget and link to each other", async () => {
    const demo = await ensureDemoData(t.store.db);
    const home = await withWidget.inject({ method: 'GET', url: '/demo' });
    expect(home.statusCode).toBe(200);
    expect(home.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(home.body).toContain(`<script src="/widget.js" data-website="${demo.websiteId}" async></script>`);
    expect(home.body).toContain('<a href="/demo/delivery">Delivery</a>');
    const delivery = await withWidget.inject({ method: 'GET', url: '/demo/delivery?lang=fr&transport=http' });
    expect(delivery.body).toContain(
      `<script src="/widget.js" data-website="${demo.websiteId}" data-lang="fr" data-transport="http" async></script>`,
    );
    expect(delivery.body).toContain('<a href="/demo?lang=fr&#38;transport=http">Home</a>');
    // Anything else in the query is ignored, not echoed.
    const hostile = await withWidget.inject({ method: 'GET', url: '/demo?lang=%22%3E%3Cscript%3E' });
    expect(hostile.body).not.toContain('"><script>');
  });

  it('are registered on the real application too', async () => {
    expect((await t.app.inject({ method: 'GET', url: '/demo' })).statusCode).toBe(200);
    expect([200, 404]).toContain((await t.app.inject({ method: 'GET', url: '/widget.js' })).statusCode);
  });
});

describe('frameAncestors', () => {
  it('allows the website host and its subdomains on any port, and refuses odd addresses', () => {
    expect(frameAncestors('shop.example')).toBe(
      "'self' https://shop.example:* http://shop.example:* https://*.shop.example:* http://*.shop.example:*",
    );
    expect(frameAncestors('https://shop.example/path?x=1')).toBe(frameAncestors('shop.example'));
    expect(frameAncestors(undefined)).toBe("'self'");
    expect(frameAncestors('https://exa mple;script-src *')).toBe("'self'");
  });
});

describe('escapeHtml', () => {
  it('escapes markup and quotes', () => {
    expect(escapeHtml(`<a href="x" onclick='y'>&</a>`)).toBe(
      '&#60;a href=&#34;x&#34; onclick=&#39;y&#39;&#62;&#38;&#60;/a&#62;',
    );
    expect(demoPageHtml({ path: '/demo', title: '<i>', body: '' }, 1, 'https://c.example/"', {})).toContain(
      '<title>&#60;i&#62; · Demo Shop</title>',
    );
  });
});
