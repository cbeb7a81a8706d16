// Route schemas compiled on first use: validation and serialization behave as when compiled at start, and every
// schema of the API compiles (what a start with eager compilation proved before).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from '../test/harness.js';

let t: TestApp;
let key: string;

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Lazy Schemas Co'));
});
afterAll(async () => t.close());

describe('route schemas compiled on first use', () => {
  it('leaves most routes uncompiled after start: a test or a node pays only for the routes it serves', () => {
    expect(t.schemas.remaining).toBeGreaterThan(200);
  });

  it('still refuses bad input naming the field, coerces query strings, and fills defaults', async () => {
    const bad = await t.api('GET', '/conversation?limit=abc', { key });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.field).toContain('limit');
    const paged = await t.api('GET', '/website?limit=5&page=1', { key });
    expect(paged.status).toBe(200);
    expect(paged.body.pagination).toMatchObject({ page: 1, limit: 5 });
    const defaults = await t.api('GET', '/website', { key });
    expect(defaults.body.pagination.page).toBe(1);
  });

  it('serializes answers through the response schemas (fields outside a schema do not leak)', async () => {
    const created = await t.api('POST', '/website', { key, json: { url: 'https://lazy.example', label: 'Lazy' } });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ url: 'https://lazy.example', label: 'Lazy' });
    expect(Object.keys(created.body.data)).not.toContain('client_secret');
  });

  it('compiles every remaining schema of the API without an error, in batches between other work', async () => {
    const before = t.schemas.remaining;
    await t.schemas.compileRemaining(16);
    expect(t.schemas.remaining).toBe(0);
    expect(before).toBeGreaterThan(0);
    // And the routes answer the same once compiled.
    expect((await t.api('GET', '/conversation?limit=abc', { key })).status).toBe(400);
  });
});
