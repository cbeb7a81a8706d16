// The console is served under /admin/: built files, the app's index for its own routes, and a clear page when not built.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Fastify, { type FastifyInstance } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleRoutes } from './console-routes.js';

let dir: string;
let built: FastifyInstance;
let missing: FastifyInstance;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'causerie-console-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(
    join(dir, 'index.html'),
    '<!doctype html><div id="root"></div><script type="module" src="/admin/assets/app-1234.js"></script>',
  );
  writeFileSync(join(dir, 'assets', 'app-1234.js'), 'console.log("app");');
  writeFileSync(join(dir, 'ding.wav'), 'RIFF');
  built = Fastify();
  await built.register(consoleRoutes, { consoleDir: dir });
  missing = Fastify();
  await missing.register(consoleRoutes, { consoleDir: join(dir, 'nowhere') });
});
afterAll(async () => {
  await built.close();
  await missing.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('GET /admin/…', () => {
  it('serves built assets, hashed ones cached for good', async () => {
    const asset = await built.inject({ method: 'GET', url: '/admin/assets/app-1234.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.body).toBe('console.log("app");');
    expect(asset.headers['content-type']).toMatch(/javascript/);
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable');
    const sound = await built.inject({ method: 'GET', url: '/admin/ding.wav' });
    expect(sound.headers['cache-control']).toBe('no-cache');
  });

  it("answers the app's index for its routes (SSO login, deep links), never framable", async () => {
    for (const url of ['/admin/', '/admin/login?key=abc&backto=/pupitre', '/admin/conversations/12', '/admin/users']) {
      const page = await built.inject({ method: 'GET', url });
      expect(page.statusCode, url).toBe(200);
      expect(page.body, url).toContain('<div id="root"></div>');
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['x-frame-options']).toBe('DENY');
      expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
      expect(page.headers['cache-control']).toBe('no-cache');
    }
  });

  it('redirects /admin to /admin/ keeping the query', async () => {
    const answer = await built.inject({ method: 'GET', url: '/admin?key=abc' });
    expect(answer.statusCode).toBe(301);
    expect(answer.headers.location).toBe('/admin/?key=abc');
  });

  it('answers 404 for a missing asset rather than the page', async () => {
    const answer = await built.inject({ method: 'GET', url: '/admin/assets/old-999.js' });
    expect(answer.statusCode).toBe(404);
    expect(answer.body).toBe('Not found');
  });

  it('explains how to build the console when console/dist is missing', async () => {
    const answer = await missing.inject({ method: 'GET', url: '/admin/login?key=abc' });
    expect(answer.statusCode).toBe(503);
    expect(answer.body).toContain('The console is not built');
    expect(answer.body).toContain('npm run build -w console');
  });
});
