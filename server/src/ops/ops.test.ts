// Operations endpoints: health probes, Prometheus metrics, the OpenAPI document and the API reference page.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from '../test/harness.js';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Ops Co'));
});
afterAll(async () => t.close());

interface Parameter {
  in: string;
  name: string;
}
interface Operation {
  parameters?: Parameter[];
}
interface OpenApiDocument {
  openapi: string;
  paths: Record<string, Record<string, Operation>>;
  components: { securitySchemes: Record<string, Record<string, string>> };
  security: Record<string, string[]>[];
}
interface HealthAnswer {
  status: string;
  checks?: Record<string, string>;
}

describe('probes', () => {
  it('/healthz answers 200 ok', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json<HealthAnswer>()).toEqual({ status: 'ok' });
  });

  it('/readyz answers 200 once the database answers and every migration is applied', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/readyz' });
    expect(answer.statusCode).toBe(200);
    expect(answer.json<HealthAnswer>()).toEqual({ status: 'ready', checks: { database: 'ok', migrations: 'ok' } });
  });
});

describe('/metrics', () => {
  /** The value of one sample line of causerie_http_requests_total, 0 when absent. */
  function requestCount(text: string, route: string, status: string): number {
    const line = text
      .split('\n')
      .find(
        (row) =>
          row.startsWith('causerie_http_requests_total{') &&
          row.includes(`route="${route}"`) &&
          row.includes(`status="${status}"`) &&
          row.includes('method="GET"'),
      );
    return line === undefined ? 0 : Number(line.split(' ').at(-1));
  }

  it('is Prometheus text that counts requests by route pattern and status', async () => {
    await t.api('GET', '/operator', { key });
    const first = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(first.statusCode).toBe(200);
    expect(String(first.headers['content-type'])).toMatch(/^text\/plain/);
    expect(first.body).toContain('# TYPE causerie_http_requests_total counter');
    expect(first.body).toContain('causerie_http_request_duration_seconds_bucket');
    const before = requestCount(first.body, '/api/2/operator', '200');
    expect(before).toBeGreaterThanOrEqual(1);

    await t.api('GET', '/operator', { key });
    await t.api('GET', '/operator/424242', { key });
    const second = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(requestCount(second.body, '/api/2/operator', '200')).toBe(before + 1);
    // The route pattern, not the raw URL, labels the 404.
    expect(requestCount(second.body, '/api/2/operator/:id', '404')).toBe(1);
    expect(second.body).not.toContain('424242');
    // Each answer is timed under its route too.
    expect(second.body).toMatch(
      /causerie_http_request_duration_seconds_count\{method="GET",route="\/api\/2\/operator"\} \d+/,
    );

    // A URL no route matches counts as 'unmatched', whatever its path.
    const unmatchedBefore = requestCount(second.body, 'unmatched', '404');
    await t.app.inject({ method: 'GET', url: '/no/such/page-31337' });
    const third = await t.app.inject({ method: 'GET', url: '/metrics' });
    expect(requestCount(third.body, 'unmatched', '404')).toBe(unmatchedBefore + 1);
    expect(third.body).not.toContain('31337');
  });

  it('says how many route schemas are still to compile, down to 0 once they all are', async () => {
    const pendingOf = async (): Promise<number> => {
      const text = (await t.app.inject({ method: 'GET', url: '/metrics' })).body;
      const line = text.split('\n').find((row) => row.startsWith('causerie_route_schemas_pending '));
      return Number(line?.split(' ')[1]);
    };
    const before = await pendingOf();
    // A test app compiles on first use only: most of the API's ~250 routes are not used here.
    expect(before).toBeGreaterThan(100);
    expect(before).toBe(t.schemas.remaining);
    await t.schemas.compileRemaining();
    expect(await pendingOf()).toBe(0);
  });
});

describe('/openapi.json', () => {
  let doc: OpenApiDocument;
  beforeAll(async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(answer.statusCode).toBe(200);
    doc = answer.json<OpenApiDocument>();
  });

  it('is OpenAPI 3.1', () => {
    expect(doc.openapi).toMatch(/^3\.1\./);
  });

  it.each([
    '/api/2/operator',
    '/api/2/operator/{id}',
    '/api/2/client/{id}/key',
    '/api/2/group',
    '/api/2/skill',
    '/api/2/website',
  ])('documents %s', (route) => {
    expect(Object.keys(doc.paths)).toContain(route);
  });

  it('does not document operations routes', () => {
    for (const route of Object.keys(doc.paths))
      expect(route.startsWith('/api/') || route.startsWith('/auth/')).toBe(true);
    expect(Object.keys(doc.paths)).not.toContain('/metrics');
    expect(Object.keys(doc.paths)).not.toContain('/openapi.json');
  });

  it('documents the filters[name] query parameter of GET /operator, and paging', () => {
    const parameters = doc.paths['/api/2/operator']?.get?.parameters ?? [];
    const query = parameters.filter((parameter) => parameter.in === 'query').map((parameter) => parameter.name);
    expect(query).toEqual(expect.arrayContaining(['filters[name]', 'filters[group_id]', 'page', 'limit', 'full']));
  });

  it('declares the three ways to pass a key', () => {
    const schemes = Object.values(doc.components.securitySchemes);
    expect(schemes).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'apiKey', in: 'header', name: 'X-API-Key' }),
        expect.objectContaining({ type: 'apiKey', in: 'query', name: 'key' }),
        expect.objectContaining({ type: 'http', scheme: 'basic' }),
      ]),
    );
    const required = doc.security.flatMap((entry) => Object.keys(entry));
    expect(required.sort()).toEqual(Object.keys(doc.components.securitySchemes).sort());
  });
});

describe('/docs', () => {
  it('redirects to /docs/, which serves an HTML page pointing at /openapi.json', async () => {
    let url = '/docs';
    let answer = await t.app.inject({ method: 'GET', url });
    for (let hops = 0; hops < 3 && answer.statusCode >= 300 && answer.statusCode < 400; hops += 1) {
      url = new URL(String(answer.headers.location), 'http://localhost').pathname;
      answer = await t.app.inject({ method: 'GET', url });
    }
    expect(url).toBe('/docs/');
    expect(answer.statusCode).toBe(200);
    expect(String(answer.headers['content-type'])).toMatch(/^text\/html/);
    expect(answer.body).toMatch(/<html/i);
    expect(answer.body).toContain('/openapi.json');
    // The page is empty without its script: the reference bundle must be served from the installed package.
    const scripts = [...answer.body.matchAll(/<script[^>]*\ssrc="([^"]+)"/g)].map((match) => match[1] ?? '');
    expect(scripts.length).toBeGreaterThan(0);
    for (const src of scripts) {
      const bundle = await t.app.inject({ method: 'GET', url: new URL(src, 'http://localhost/docs/').pathname });
      expect(bundle.statusCode, src).toBe(200);
      expect(String(bundle.headers['content-type'])).toMatch(/javascript/);
      expect(bundle.body).toContain('createApiReference');
    }
  });
});
