// Every documented route, fed malformed input: never a 5xx, always the API's own error envelope with a message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from './harness.js';

/**
 * The sweeps send thousands of requests (every operation × every hostile value): a few seconds alone, but CI runs
 * two passes at once on two cores, so they get their own bound instead of the 30 s default.
 */
const SWEEP_TIMEOUT_MS = 180_000;

interface Operation {
  method: string;
  path: string;
  parameters: Array<{ name: string; in: string }>;
  bodyFields: string[];
}

interface OpenApiDocument {
  paths: Record<
    string,
    Record<
      string,
      {
        parameters?: Array<{ name: string; in: string }>;
        requestBody?: { content?: Record<string, { schema?: { properties?: Record<string, unknown> } }> };
      }
    >
  >;
}

/** Values that break naive handlers: wrong types, extremes, injection-shaped text, deep nesting. */
const HOSTILE_VALUES: unknown[] = [
  null,
  true,
  -1,
  0,
  1.5,
  2_147_483_648,
  // Beyond 2^53: read as 9007199254740992, so a naive handler would store another number than the one sent.
  Number('9007199254740993'),
  1e308,
  '',
  ' ',
  'abc',
  '-1',
  '99999999999999999999',
  'x'.repeat(20_000),
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '\u0000nul',
  '2026-02-30 25:61:61',
  '💥',
  [],
  [null],
  ['a', 'b'],
  [2_147_483_648],
  {},
  { nested: { deeper: [1, { x: 'y' }] } },
];

const HOSTILE_TEXT = [
  'abc',
  '-1',
  '0',
  '2147483648',
  '99999999999999999999',
  '1e3',
  '%00',
  '💥',
  ' ',
  '<b>',
  'null',
  '!null',
  '*',
  '2026-13-45',
];

/** A small deterministic generator, so a failure reproduces. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

let t: TestApp;
let key: string;
let operations: Operation[] = [];
/** A real id per resource, to put in paths; and a valid body per route, to carry one hostile field past the required ones. */
const realIds: Record<string, number> = {};
const validBodies: Record<string, Record<string, unknown>> = {};

function realPath(template: string): string {
  return template
    .replace(
      /\/api\/2\/([a-z_]+)\/\{id\}/,
      (_match, resource: string) => `/api/2/${resource}/${realIds[resource] ?? 1}`,
    )
    .replace(/\{[^}]+\}/g, '1');
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Robust Co'));
  // Real rows to aim at, so that handlers get past "unknown id" and meet the bad fields.
  const created = async (resource: string, json: Record<string, unknown>): Promise<number> => {
    const answer = await t.api('POST', `/${resource}`, { key, json });
    if (answer.status !== 200) throw new Error(`setup ${resource}: ${JSON.stringify(answer.body)}`);
    realIds[resource] = answer.body.data.id;
    return answer.body.data.id;
  };
  const website = await created('website', { url: 'https://robust.example' });
  const operator = await created('operator', {
    name: 'Robust Agent',
    email: 'agent@robust.example',
    external_id: 'R-1',
    website_list: [website],
  });
  await created('group', { name: 'Robust group' });
  await created('skill', { name: 'Robust skill' });
  await created('tag', { name: 'Robust tag' });
  await created('visitor', { unique_id: 'robust-visitor', website_id: [website] });
  const conversation = await created('conversation', {
    website_id: website,
    visitor_uid: 'robust-visitor',
    operator_id: operator,
  });
  await created('callmeeting', { website_id: website, phone_number: '0600000000', start_at: '2030-01-01 10:00:00' });
  await created('transaction', { website_id: website, external_id: 'R-ORDER', amount: 10 });
  realIds.client = (await t.api('GET', '/client', { key })).body.data[0]?.id ?? 1;
  Object.assign(validBodies, {
    'POST /api/2/website': { url: 'https://robust2.example' },
    'POST /api/2/operator': { name: 'Other Agent', email: 'other@robust.example' },
    'POST /api/2/group': { name: 'G' },
    'POST /api/2/skill': { name: 'S' },
    'POST /api/2/tag': { name: 'T' },
    'POST /api/2/visitor': {},
    'POST /api/2/conversation': { website_id: website },
    'POST /api/2/conversation/{id}/message': { type: 'visitor', text: 'hello' },
    'POST /api/2/transaction': { website_id: website, external_id: 'R-ORDER-2', amount: 5 },
    'POST /api/2/satisfaction': { conversation_id: conversation, note_welcome: 3, note_delay: 3, note_resolution: 3 },
    'POST /api/2/callmeeting': { website_id: website, phone_number: '0600000001', start_at: '2030-01-01 11:00:00' },
    'POST /api/2/odigocallback/pickup': {
      operator_external_id: 'R-1',
      website_id: website,
      phone_number: '0600000002',
    },
    'POST /api/2/odigocallback/hangup': {
      operator_external_id: 'R-1',
      website_id: website,
      phone_number: '0600000002',
    },
  });
  const document = (await t.app.inject({ method: 'GET', url: '/openapi.json' })).json<OpenApiDocument>();
  for (const [path, methods] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(methods)) {
      const schema = operation.requestBody?.content?.['application/json']?.schema;
      operations.push({
        method: method.toUpperCase(),
        path,
        parameters: operation.parameters ?? [],
        bodyFields: Object.keys(schema?.properties ?? {}),
      });
    }
  }
  operations = operations.filter((operation) => operation.method !== 'HEAD');
});
afterAll(async () => t.close());

function expectEnvelope(path: string, status: number, body: string, what: string): void {
  expect(status, `${what} → ${status} ${body.slice(0, 300)}`).toBeLessThan(500);
  if (status < 400) return;
  const parsed = JSON.parse(body) as {
    meta?: { status?: string; message?: string };
    result?: string;
    message?: string;
  };
  // REST v2, the console's auth, the commerce and the messaging APIs answer in the v2 envelope; v1 in its own.
  const v2Envelope = ['/api/2/', '/auth/', '/api/commerce/', '/api/messaging/'];
  if (v2Envelope.some((prefix) => path.startsWith(prefix))) {
    expect(['fail', 'error'], what).toContain(parsed.meta?.status);
    expect(parsed.meta?.message, what).toMatch(/\S/);
  } else {
    expect(parsed.result, what).toBe('error');
    expect(parsed.message, what).toMatch(/\S/);
  }
}

describe('malformed input on every route', () => {
  it('covers the v1 and v2 routes of the OpenAPI document', () => {
    expect(operations.length).toBeGreaterThan(80);
  });

  it('hostile path ids and query parameters never cause a 5xx', async () => {
    for (const operation of operations) {
      for (const text of HOSTILE_TEXT) {
        const path = operation.path.replace(/\{[^}]+\}/g, encodeURIComponent(text));
        const query = operation.parameters
          .filter((parameter) => parameter.in === 'query')
          .map((parameter) => `${encodeURIComponent(parameter.name)}=${encodeURIComponent(text)}`);
        const url = `${path}${query.length > 0 ? `?${query.join('&')}` : ''}`;
        const answer = await t.app.inject({ method: operation.method, url, headers: { 'x-api-key': key } });
        expectEnvelope(operation.path, answer.statusCode, answer.body, `${operation.method} ${url.slice(0, 200)}`);
      }
    }
  });

  it(
    'hostile JSON bodies never cause a 5xx',
    async () => {
      const random = generator(20261121);
      const pick = <T>(values: readonly T[]): T => values[Math.floor(random() * values.length)] as T;
      for (const operation of operations.filter(
        (candidate) => candidate.method === 'POST' || candidate.method === 'PUT',
      )) {
        const path = realPath(operation.path);
        const base = validBodies[`${operation.method} ${operation.path}`] ?? {};
        const bodies: string[] = [
          '',
          'null',
          '[]',
          '"text"',
          '123',
          '{',
          '{"a":',
          JSON.stringify({ unknown_field: 1 }),
        ];
        for (const field of operation.bodyFields) {
          for (const value of HOSTILE_VALUES) {
            bodies.push(JSON.stringify({ [field]: value }));
            bodies.push(JSON.stringify({ ...base, [field]: value }));
          }
        }
        for (let round = 0; round < 20; round += 1) {
          const body: Record<string, unknown> = {};
          for (const field of operation.bodyFields) if (random() < 0.6) body[field] = pick(HOSTILE_VALUES);
          bodies.push(JSON.stringify(body));
        }
        for (const body of bodies) {
          const answer = await t.app.inject({
            method: operation.method,
            url: path,
            headers: { 'x-api-key': key, 'content-type': 'application/json' },
            payload: body,
          });
          expectEnvelope(
            operation.path,
            answer.statusCode,
            answer.body,
            `${operation.method} ${path} ${body.slice(0, 200)}`,
          );
        }
      }
    },
    SWEEP_TIMEOUT_MS,
  );

  it('bodies nested 5,000 levels deep answer 4xx on every entry point, 400 naming the limit where the body is read', async () => {
    const deep = `${'['.repeat(5000)}${']'.repeat(5000)}`;
    for (const operation of operations.filter(
      (candidate) => candidate.method === 'POST' || candidate.method === 'PUT',
    )) {
      const path = realPath(operation.path);
      const field = operation.bodyFields[0] ?? 'anything';
      const answer = await t.app.inject({
        method: operation.method,
        url: path,
        headers: { 'x-api-key': key, 'content-type': 'application/json' },
        payload: `{"${field}":${deep}}`,
      });
      expectEnvelope(operation.path, answer.statusCode, answer.body, `${operation.method} ${path} (deep)`);
    }
    const limit = /nested more than 32 levels deep/;
    const v2 = await t.app.inject({
      method: 'POST',
      url: '/api/2/operator',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      payload: `{"name":${deep}}`,
    });
    expect(v2.statusCode).toBe(400);
    expect(v2.json().meta.message).toMatch(limit);
    const v1 = await t.app.inject({
      method: 'POST',
      url: `/api/operator/createAccount/?key=${key}`,
      headers: { 'content-type': 'application/json' },
      payload: `{"name":${deep}}`,
    });
    expect(v1.statusCode).toBe(400);
    expect(v1.json().message).toMatch(limit);
    // The visitor's HTTP fallback takes no key: the limit holds before anything else.
    const visitor = await t.app.inject({
      method: 'POST',
      url: '/realtime/visitor/messages',
      headers: { 'content-type': 'application/json' },
      payload: `{"website_id":1,"text":${deep}}`,
    });
    expect(visitor.statusCode).toBe(400);
    expect(visitor.body).toMatch(limit);
  });

  it(
    'hostile form bodies never cause a 5xx',
    async () => {
      for (const operation of operations.filter(
        (candidate) => candidate.method === 'POST' || candidate.method === 'PUT',
      )) {
        const path = realPath(operation.path);
        for (const field of operation.bodyFields) {
          for (const text of [...HOSTILE_TEXT, `${field}[x][y]=1`, 'a,b,,c']) {
            const payload = `${encodeURIComponent(field)}=${encodeURIComponent(text)}&${encodeURIComponent(field)}[]=1&${encodeURIComponent(field)}[a]=2`;
            const answer = await t.app.inject({
              method: operation.method,
              url: path,
              headers: { 'x-api-key': key, 'content-type': 'application/x-www-form-urlencoded' },
              payload,
            });
            expectEnvelope(
              operation.path,
              answer.statusCode,
              answer.body,
              `${operation.method} ${path} form ${payload.slice(0, 200)}`,
            );
          }
        }
      }
    },
    SWEEP_TIMEOUT_MS,
  );
});
