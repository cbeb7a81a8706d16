// The SDK against a real node: typed calls succeed, and failures surface the API's own messages.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CauserieError, createCauserieClient, unwrap } from '../src/index.js';
import { ADMIN_KEY, type RunningServer, startServer } from './server.js';

let server: RunningServer;
beforeAll(async () => {
  server = await startServer();
});
afterAll(async () => server?.stop());

describe('createCauserieClient', () => {
  it('provisions a client with the platform key, then works with that client key', async () => {
    const platform = createCauserieClient({ baseUrl: server.baseUrl, apiKey: ADMIN_KEY });
    const client = await unwrap(platform.POST('/api/2/client', { body: { name: 'SDK Shop' } }));
    expect(client.data.name).toBe('SDK Shop');
    const minted = await unwrap(
      platform.POST('/api/2/client/{id}/key', { params: { path: { id: client.data.id } }, body: { name: 'sdk test' } }),
    );
    const clientKey = minted.data.key ?? '';
    expect(clientKey).toMatch(/^csk_/);

    const causerie = createCauserieClient({ baseUrl: `${server.baseUrl}/`, apiKey: clientKey });
    const created = await unwrap(
      causerie.POST('/api/2/operator', {
        body: { name: 'Ada Lovelace', email: 'ada@sdk.example', chat_max_number: 3 },
      }),
    );
    expect(created.data).toMatchObject({ name: 'Ada Lovelace', email: 'ada@sdk.example', chat_max_number: 3 });

    const listed = await unwrap(
      causerie.GET('/api/2/operator', { params: { query: { full: '1', 'filters[name]': 'Ada*' } } }),
    );
    expect(listed.data.map((operator) => operator.id)).toEqual([created.data.id]);
    expect(listed.pagination.count).toBe(1);
  });

  it('throws CauserieError with the meta message and status of a failed call', async () => {
    const platform = createCauserieClient({ baseUrl: server.baseUrl, apiKey: ADMIN_KEY });
    const failure = await unwrap(platform.GET('/api/2/client/{id}', { params: { path: { id: 987654 } } })).catch(
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(CauserieError);
    expect(failure).toMatchObject({ status: 404, message: "Unknown 'client' with 'id' 987654." });
  });

  it("names a failure's error id, which programs compare instead of the message", async () => {
    const platform = createCauserieClient({ baseUrl: server.baseUrl, apiKey: ADMIN_KEY });
    const missing = await unwrap(platform.GET('/api/2/client/{id}', { params: { path: { id: 987655 } } })).catch(
      (error: unknown) => error,
    );
    expect(missing).toMatchObject({ status: 404, id: 'not_found' });
    const stranger = createCauserieClient({ baseUrl: server.baseUrl, apiKey: 'csk_0000000000000000_nope' });
    const refused = await unwrap(stranger.GET('/api/2/operator', {})).catch((error: unknown) => error);
    expect(refused).toMatchObject({ status: 403, id: 'forbidden', message: 'Forbidden' });
  });

  it("acts as an operator with a console session's token", async () => {
    const platform = createCauserieClient({ baseUrl: server.baseUrl, apiKey: ADMIN_KEY });
    const client = await unwrap(platform.POST('/api/2/client', { body: { name: 'SDK Session Shop' } }));
    const key = await unwrap(
      platform.POST('/api/2/client/{id}/key', { params: { path: { id: client.data.id } }, body: { name: 'sdk' } }),
    );
    const causerie = createCauserieClient({ baseUrl: server.baseUrl, apiKey: key.data.key ?? '' });
    const operator = await unwrap(
      causerie.POST('/api/2/operator', {
        body: { name: 'Grace Hopper', email: 'grace@sdk.example', password: 'correct horse battery' },
      }),
    );
    const anonymous = createCauserieClient({ baseUrl: server.baseUrl });
    const session = await unwrap(
      anonymous.POST('/auth/login', { body: { email: 'grace@sdk.example', password: 'correct horse battery' } }),
    );
    const asGrace = createCauserieClient({ baseUrl: server.baseUrl, token: session.data.token });
    const me = await unwrap(asGrace.GET('/api/2/operator/{id}', { params: { path: { id: operator.data.id } } }));
    expect(me.data.name).toBe('Grace Hopper');
    await unwrap(asGrace.POST('/auth/logout', {}));
    const after = await asGrace.GET('/api/2/operator/{id}', { params: { path: { id: operator.data.id } } });
    expect(after.response.status).toBe(403);
  });

  it('reports a wrong key as 403 Forbidden', async () => {
    const stranger = createCauserieClient({ baseUrl: server.baseUrl, apiKey: 'csk_0000000000000000_nope' });
    const { response, error } = await stranger.GET('/api/2/operator', {});
    expect(response.status).toBe(403);
    expect(error).toEqual({ meta: { status: 'error', message: 'Forbidden', error: 'forbidden' } });
  });

  it('names the field a failure concerns, with the seed message unchanged', async () => {
    const platform = createCauserieClient({ baseUrl: server.baseUrl, apiKey: ADMIN_KEY });
    const client = await unwrap(platform.POST('/api/2/client', { body: { name: 'SDK Field Shop' } }));
    const key = await unwrap(
      platform.POST('/api/2/client/{id}/key', { params: { path: { id: client.data.id } }, body: { name: 'sdk' } }),
    );
    const causerie = createCauserieClient({ baseUrl: server.baseUrl, apiKey: key.data.key ?? '' });
    // The body lacks a required field on purpose: the server, not the types, is under test.
    const body = { name: 'No Email' } as { name: string; email: string };
    const { error } = await causerie.POST('/api/2/operator', { body });
    // The generated types know meta.error and meta.field.
    expect([error?.meta.error, error?.meta.field]).toEqual(['field_missing', 'email']);
    const failure = await unwrap(causerie.POST('/api/2/operator', { body })).catch((thrown: unknown) => thrown);
    expect(failure).toBeInstanceOf(CauserieError);
    expect(failure).toMatchObject({
      status: 400,
      id: 'field_missing',
      field: 'email',
      message: "Field 'email' is missing.",
    });
  });
});
