// Seed 003's conventions end to end: authentication, envelope, pagination, filters, errors, form bodies.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_KEY, clientWithKey, startTestApp, type TestApp } from '../test/harness.js';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Conventions Co'));
});
afterAll(async () => t.close());

describe('authentication', () => {
  it('accepts the key as X-API-Key header, key parameter, and HTTP Basic user name', async () => {
    const viaHeader = await t.api('GET', '/client', { key });
    const viaQuery = await t.api('GET', `/client?key=${encodeURIComponent(key)}`);
    const viaBasic = await t.api('GET', '/client', {
      headers: { authorization: `Basic ${Buffer.from(`${key}:anything`).toString('base64')}` },
    });
    for (const answer of [viaHeader, viaQuery, viaBasic]) {
      expect(answer.status).toBe(200);
      expect(answer.body.meta.status).toBe('success');
    }
  });

  it('answers 403 with the exact Forbidden body for a missing, wrong or malformed key', async () => {
    const wrong = key.slice(0, -4) + 'AAAA';
    for (const options of [{}, { key: 'nope' }, { key: wrong }, { headers: { authorization: 'Bearer x' } }]) {
      const answer = await t.api('GET', '/operator', options);
      expect(answer.status).toBe(403);
      expect(answer.body).toEqual({ meta: { status: 'error', message: 'Forbidden', error: 'forbidden' } });
    }
  });

  it('accepts CAUSERIE_ADMIN_KEY exactly as given, as a platform key', async () => {
    const answer = await t.api('GET', '/partner', { key: ADMIN_KEY });
    expect(answer.status).toBe(200);
    expect((await t.api('GET', '/partner', { key: ADMIN_KEY + 'x' })).status).toBe(403);
  });

  it('stops accepting a key once it is revoked', async () => {
    const minted = await t.api('POST', '/client/1/key', { key: ADMIN_KEY });
    const fresh = String(minted.body.data.key);
    expect((await t.api('GET', '/client', { key: fresh })).status).toBe(200);
    expect((await t.api('DELETE', `/key/${minted.body.data.id}`, { key: ADMIN_KEY })).status).toBe(200);
    expect((await t.api('GET', '/client', { key: fresh })).status).toBe(403);
  });

  it('stores keys as argon2id hashes, never in plaintext', async () => {
    const rows = await t.store.db.selectFrom('api_key').select(['secret_hash', 'public_id']).execute();
    expect(rows.length).toBeGreaterThan(0);
    for (const row of rows) {
      expect(row.secret_hash.startsWith('$argon2id$')).toBe(true);
      expect(key.includes(row.secret_hash)).toBe(false);
    }
  });
});

describe('envelope and pagination', () => {
  beforeAll(async () => {
    for (const label of ['Alpha', 'Bravo', 'Charlie', 'Delta', 'Echo']) {
      await t.api('POST', '/website', { key, json: { url: `https://${label.toLowerCase()}.example`, label } });
    }
  });

  it('lists ids and _link only, newest first, with pagination', async () => {
    const answer = await t.api('GET', '/website?limit=2', { key });
    expect(answer.status).toBe(200);
    expect(answer.body.pagination).toEqual({ page: 1, pages: 3, limit: 2, count: 5 });
    expect(answer.body.data).toHaveLength(2);
    for (const item of answer.body.data) expect(Object.keys(item).sort()).toEqual(['_link', 'id']);
    expect(answer.body.data[0].id).toBeGreaterThan(answer.body.data[1].id);
    expect(answer.body.data[0]._link).toBe(`/website/${answer.body.data[0].id}`);
  });

  it('shows every field with full=1 and walks pages', async () => {
    const page3 = await t.api('GET', '/website?limit=2&page=3&full=1', { key });
    expect(page3.body.data).toHaveLength(1);
    expect(page3.body.data[0]).toMatchObject({ label: 'Alpha', url: 'https://alpha.example' });
    expect(page3.body.data[0].created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
  });

  it('filters with * wildcards, case-insensitively, and exactly without them', async () => {
    const wild = await t.api('GET', '/website?filters[label]=*HARL*&full=1', { key });
    expect(wild.body.data.map((site) => site.label)).toEqual(['Charlie']);
    const exact = await t.api('GET', '/website?filters[label]=harl', { key });
    expect(exact.body.pagination.count).toBe(0);
    const literal = await t.api('GET', '/website?filters[label]=*%25*', { key });
    expect(literal.body.pagination.count).toBe(0);
  });

  it('refuses limit over 100, page 0 and unknown filters with a message naming them', async () => {
    const limit = await t.api('GET', '/website?limit=101', { key });
    expect(limit.status).toBe(400);
    expect(limit.body.meta).toEqual({
      status: 'fail',
      message: "Value of field 'limit' is not valid. Expected a whole number from 1 to 100.",
      error: 'field_invalid',
      field: 'limit',
    });
    expect((await t.api('GET', '/website?page=0', { key })).body.meta.message).toContain("'page'");
    const unknown = await t.api('GET', '/website?filters[colour]=red', { key });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toContain("Filter 'colour' is not supported for 'website'");
    expect(unknown.body.meta).toMatchObject({ error: 'filter_unknown', field: 'filters[colour]' });
    const badId = await t.api('GET', '/operator?filters[group_id]=abc', { key });
    expect(badId.body.meta.message).toBe(
      "Value of field 'filters[group_id]' is not valid. Expected a whole number identifier.",
    );
    expect(badId.body.meta.field).toBe('filters[group_id]');
  });
});

describe('errors', () => {
  it("answers an unknown id with seed 003's 404 message", async () => {
    const answer = await t.api('GET', '/operator/456', { key });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      meta: { status: 'fail', message: "Unknown 'operator' with 'id' 456.", error: 'not_found' },
    });
    expect((await t.api('DELETE', '/group/456', { key })).body.meta.message).toBe("Unknown 'group' with 'id' 456.");
  });

  it('names a missing field, an invalid one and an unknown one', async () => {
    const missing = await t.api('POST', '/operator', { key, json: { name: 'No Email' } });
    expect(missing.status).toBe(400);
    // The seed's message, plus what a program compares: the error id (also in X-Causerie-Error) and the field.
    expect(missing.body).toEqual({
      meta: { status: 'fail', message: "Field 'email' is missing.", error: 'field_missing', field: 'email' },
    });
    expect(missing.headers['x-causerie-error']).toBe('field_missing');
    const invalid = await t.api('POST', '/client', { key: ADMIN_KEY, json: { name: 'X', lang: 'fra' } });
    expect(invalid.body.meta.message).toBe(
      "Value of field 'lang' is not valid. Expected 2 letters, such as 'fr' or 'en'.",
    );
    const unknown = await t.api('POST', '/skill', { key, json: { name: 'S', colour: 'red' } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toContain("'colour'");
  });

  it('names the limit a nullable text field broke, not just its type', async () => {
    const answer = await t.api('POST', '/operator', {
      key,
      json: { name: 'Long Name', email: 'long.name@conventions.example', first_name: 'x'.repeat(300) },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.meta.message).toBe(
      "Value of field 'first_name' is not valid. It must be at most 255 characters long.",
    );
  });

  it('reads "3" as 3 but refuses null, true or [5] where a number is expected, rather than storing 0, 1 or 5', async () => {
    const text = await t.api('POST', '/operator', {
      key,
      json: { name: 'Text Number', email: 'text.number@conventions.example', chat_max_number: '3' },
    });
    expect(text.status).toBe(200);
    expect(text.body.data.chat_max_number).toBe(3);
    for (const value of [null, true, [5]]) {
      const answer = await t.api('PUT', `/operator/${text.body.data.id}`, { key, json: { chat_max_number: value } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta.message).toMatch(/^Value of field 'chat_max_number' is not valid\./);
    }
    expect((await t.api('GET', `/operator/${text.body.data.id}`, { key })).body.data.chat_max_number).toBe(3);
  });

  it('answers malformed JSON, a wrong media type and an unknown route in the envelope, never with a 500', async () => {
    const malformed = await t.app.inject({
      method: 'POST',
      url: '/api/2/skill',
      headers: { 'x-api-key': key, 'content-type': 'application/json' },
      payload: '{"name":',
    });
    expect(malformed.statusCode).toBe(400);
    expect(malformed.json().meta).toEqual({
      status: 'fail',
      message: 'The body is not valid JSON.',
      error: 'invalid_body',
    });
    const xml = await t.app.inject({
      method: 'POST',
      url: '/api/2/skill',
      headers: { 'x-api-key': key, 'content-type': 'application/xml' },
      payload: '<a/>',
    });
    expect(xml.statusCode).toBe(415);
    expect(xml.json().meta.status).toBe('fail');
    const nowhere = await t.api('GET', '/nowhere', { key });
    expect(nowhere.status).toBe(404);
    expect(nowhere.body.meta.status).toBe('fail');
  });

  it('keeps or assigns a request id', async () => {
    const kept = await t.app.inject({ method: 'GET', url: '/healthz', headers: { 'x-request-id': 'trace-123' } });
    expect(kept.headers['x-request-id']).toBe('trace-123');
    const assigned = await t.app.inject({ method: 'GET', url: '/healthz' });
    expect(String(assigned.headers['x-request-id'])).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe('form-encoded bodies', () => {
  it('creates and updates with form fields, 1/0 booleans, bracket and comma lists, empty for null', async () => {
    const site = await t.api('POST', '/website', { key, form: 'url=https%3A%2F%2Fform.example&label=Form' });
    expect(site.status).toBe(200);
    const group = await t.api('POST', '/group', { key, form: { name: 'Form group' } });
    const created = await t.api('POST', '/operator', {
      key,
      form: `name=Julie+Martin&email=julie.form%40shop.example&chat_enabled=0&video_enabled=1&chat_max_number=4&chat_priority=10&roles[]=manager&roles[]=expert&website_list=${site.body.data.id}&group_id=${group.body.data.id}&language_list=fr,en`,
    });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      name: 'Julie Martin',
      chat_enabled: false,
      video_enabled: true,
      chat_max_number: 4,
      chat_priority: 10,
      roles: ['manager', 'expert'],
      role: 'manager',
      website_list: [site.body.data.id],
      group_id: group.body.data.id,
      language_list: ['fr', 'en'],
    });
    const updated = await t.api('PUT', `/operator/${created.body.data.id}`, {
      key,
      form: 'group_id=&chat_enabled=true',
    });
    expect(updated.body.data).toMatchObject({ group_id: null, chat_enabled: true });
  });
});
