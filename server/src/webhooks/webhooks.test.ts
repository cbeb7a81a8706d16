// Webhook subscriptions through the API: create (secret shown once), read, update, delete, rotate; validation and isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { secretsKey } from '../channels/secrets.js';
import {
  ADMIN_KEY,
  clientWithKey,
  eventTypesFor,
  partnerWithKey,
  startTestApp,
  type TestApp,
} from '../test/harness.js';
import { openWebhookSecret } from './signing.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let siteId: number;
let otherSiteId: number;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Hooks Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Hooks Co'));
  siteId = (await t.api('POST', '/website', { key, json: { url: 'https://hooks.example' } })).body.data.id;
  otherSiteId = (await t.api('POST', '/website', { key: otherKey, json: { url: 'https://other.example' } })).body.data
    .id;
});
afterAll(async () => t.close());

describe('webhook subscriptions', () => {
  it('creates a subscription and shows its secret once', async () => {
    const created = await t.api('POST', '/webhook', {
      key,
      json: {
        url: 'https://hooks.example.com/causerie',
        events: ['conversations.domain', 'message.created'],
        website_id: [siteId],
        name: 'CRM',
      },
    });
    expect(created.status).toBe(200);
    const data = created.body.data;
    expect(data).toMatchObject({
      client_id: clientId,
      name: 'CRM',
      url: 'https://hooks.example.com/causerie',
      events: ['conversations.domain', 'message.created'],
      website_id: [siteId],
      content_type: 'application/json',
      compat: 'standard',
      format: 'v2',
      enabled: true,
      disabled_reason: null,
      previous_secret_expires_at: null,
      _link: `/webhook/${data.id}`,
    });
    expect(String(data.secret)).toMatch(/^whsec_[A-Za-z0-9+/]{32}$/);
    expect(Buffer.from(String(data.secret).slice(6), 'base64')).toHaveLength(24);
    const read = await t.api('GET', `/webhook/${data.id}`, { key });
    expect(read.status).toBe(200);
    expect(read.body.data).not.toHaveProperty('secret');
    expect(read.body.data.url).toBe('https://hooks.example.com/causerie');
    expect(await eventTypesFor(t, 'webhook', data.id)).toEqual(['webhook.created']);
    const stored = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('subject_type', '=', 'webhook')
      .where('subject_id', '=', data.id)
      .executeTakeFirstOrThrow();
    expect(stored.payload).not.toContain('whsec_');
  });

  it('defaults the name to the URL host and accepts form bodies', async () => {
    const created = await t.api('POST', '/webhook', {
      key,
      form: 'url=https%3A%2F%2Fform.example%2Fhook&events[]=*&content_type=application%2Fx-www-form-urlencoded&compat=iadvize',
    });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({
      name: 'form.example',
      events: ['*'],
      content_type: 'application/x-www-form-urlencoded',
      compat: 'iadvize',
    });
  });

  it('lists, updates, re-enables and deletes', async () => {
    const { id } = (await t.api('POST', '/webhook', { key, json: { url: 'https://list.example/h', events: ['*'] } }))
      .body.data;
    const list = await t.api('GET', '/webhook?full=1&limit=100', { key });
    expect(list.status).toBe(200);
    expect(list.body.data.map((item) => item.id)).toContain(id);
    expect(list.body.data.every((item) => !('secret' in item))).toBe(true);
    await t.store.db
      .updateTable('webhook')
      .set({ enabled: 0, disabled_reason: 'gone: The receiver answered 410 Gone.' })
      .where('id', '=', id)
      .execute();
    const disabled = await t.api('GET', '/webhook?filters[enabled]=0&limit=100', { key });
    expect(disabled.body.data.map((item) => item.id)).toContain(id);
    const updated = await t.api('PUT', `/webhook/${id}`, {
      key,
      json: { enabled: true, events: ['user.created'], name: 'Renamed' },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({
      enabled: true,
      disabled_reason: null,
      events: ['user.created'],
      name: 'Renamed',
    });
    expect((await t.api('DELETE', `/webhook/${id}`, { key })).body).toEqual({ meta: { status: 'success' } });
    expect((await t.api('GET', `/webhook/${id}`, { key })).body.meta.message).toBe(
      "Unknown 'webhook' with 'id' " + id + '.',
    );
    expect(await eventTypesFor(t, 'webhook', id)).toEqual(['webhook.created', 'webhook.updated', 'webhook.deleted']);
  });

  it('rotates the secret with an overlap, showing the new one once', async () => {
    const created = (await t.api('POST', '/webhook', { key, json: { url: 'https://rotate.example/h', events: ['*'] } }))
      .body.data;
    const rotated = await t.api('POST', `/webhook/${created.id}/rotate`, { key, json: { overlap_hours: 2 } });
    expect(rotated.status).toBe(200);
    expect(rotated.body.data.secret).toMatch(/^whsec_/);
    expect(rotated.body.data.secret).not.toBe(created.secret);
    expect(rotated.body.data.previous_secret_expires_at).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    // Both secrets are stored sealed, bound to this subscription: the database never holds them in clear.
    const row = await t.store.db
      .selectFrom('webhook')
      .selectAll()
      .where('id', '=', created.id)
      .executeTakeFirstOrThrow();
    const sealing = secretsKey(t.context.config);
    expect(row.secret).not.toContain('whsec_');
    expect(row.previous_secret).not.toContain('whsec_');
    expect(openWebhookSecret(sealing, created.id, row.secret)).toBe(rotated.body.data.secret);
    expect(openWebhookSecret(sealing, created.id, row.previous_secret ?? '')).toBe(created.secret);
    expect(() => openWebhookSecret(sealing, created.id + 1, row.secret)).toThrow();
    const ended = await t.api('POST', `/webhook/${created.id}/rotate`, { key, json: { overlap_hours: 0 } });
    expect(ended.body.data.previous_secret_expires_at).toBeNull();
    expect(await eventTypesFor(t, 'webhook', created.id)).toEqual([
      'webhook.created',
      'webhook.secret_rotated',
      'webhook.secret_rotated',
    ]);
  });

  it('refuses bad input, naming the field', async () => {
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ events: ['*'] }, "Field 'url' is missing."],
      [{ url: 'https://x.example/h' }, "Field 'events' is missing."],
      [
        { url: 'not a url at all', events: ['*'] },
        "Value of field 'url' is not valid. Expected an absolute URL, such as 'https://hooks.example.com/causerie'.",
      ],
      [{ url: 'ftp://files.example/h', events: ['*'] }, "Value of field 'url' is not valid. Expected an https:// URL."],
      [
        { url: 'http://hooks.example.com/h', events: ['*'] },
        "Value of field 'url' is not valid. Expected an https:// URL: plain http is accepted only for hosts listed in CAUSERIE_OUTBOUND_ALLOWLIST (hooks.example.com is not).",
      ],
      [
        { url: 'https://user:pw@x.example/h', events: ['*'] },
        "Value of field 'url' is not valid. Credentials in the URL are not accepted; verify the signature instead.",
      ],
      [
        { url: 'http://10.1.2.3/h', events: ['*'] },
        "Value of field 'url' is not valid. The address 10.1.2.3 is private, loopback or reserved (allow it with CAUSERIE_OUTBOUND_ALLOWLIST).",
      ],
      [
        { url: 'https://x.example/h', events: ['conversation.exploded'] },
        "Value of field 'events' is not valid. Unknown event 'conversation.exploded'. Expected '*', a domain (conversations.domain, users.domain) or event names such as conversation.started.",
      ],
      [
        { url: 'https://x.example/h', events: ['message.created'], format: 'push' },
        "Value of field 'events' is not valid. The Push API format only has conversation.started, conversation.closed, user.connected and user.disconnected (sent as conversation.start, conversation.end, operator.login, operator.logout).",
      ],
      [
        { url: 'https://x.example/h', events: ['*'], compat: 'github' },
        "Value of field 'compat' is not valid. Expected standard or iadvize.",
      ],
      [
        { url: 'https://x.example/h', events: ['*'], website_id: [otherSiteId] },
        `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${otherSiteId}.`,
      ],
      [{ url: 'https://x.example/h', events: ['*'], secret: 'mine' }, "Field 'secret' is not a field of 'webhook'."],
    ];
    for (const [json, message] of cases) {
      const answer = await t.api('POST', '/webhook', { key, json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body.meta.message, JSON.stringify(json)).toBe(message);
    }
    const id = (await t.api('POST', '/webhook', { key, json: { url: 'https://x.example/h', events: ['*'] } })).body.data
      .id;
    const badRotate = await t.api('POST', `/webhook/${id}/rotate`, { key, json: { overlap_hours: 500 } });
    expect(badRotate.body.meta.message).toBe(
      "Value of field 'overlap_hours' is not valid. Expected a whole number of hours from 0 to 168.",
    );
    const badReplay = await t.api('POST', `/webhook/${id}/replay`, {
      key,
      json: { from: '2026-13-01', to: '2026-11-21' },
    });
    expect(badReplay.body.meta.message).toBe(
      "Value of field 'from' is not valid. Expected a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.",
    );
    const badFilter = await t.api('GET', `/webhook/${id}/delivery?filters[status]=lost`, { key });
    expect(badFilter.body.meta.message).toBe(
      "Value of field 'filters[status]' is not valid. Expected one of pending, delivering, delivered, retrying, failed.",
    );
  });

  it("keeps each client's subscriptions to itself", async () => {
    const id = (await t.api('POST', '/webhook', { key, json: { url: 'https://mine.example/h', events: ['*'] } })).body
      .data.id;
    for (const [method, path] of [
      ['GET', `/webhook/${id}`],
      ['PUT', `/webhook/${id}`],
      ['DELETE', `/webhook/${id}`],
      ['POST', `/webhook/${id}/rotate`],
      ['GET', `/webhook/${id}/delivery`],
    ] as const) {
      const answer = await t.api(method, path, {
        key: otherKey,
        ...(method === 'PUT' || method === 'POST' ? { json: {} } : {}),
      });
      expect(answer.status, `${method} ${path}`).toBe(404);
      expect(answer.body.meta.message).toBe(`Unknown 'webhook' with 'id' ${id}.`);
    }
    const theirs = await t.api('GET', '/webhook?limit=100', { key: otherKey });
    expect(theirs.body.data.map((item) => item.id)).not.toContain(id);
  });

  it('lets partner and platform keys manage a client they can see, naming it', async () => {
    const partner = await partnerWithKey(t, 'Hooks Partner');
    const managed = await t.api('POST', '/client', { key: partner.key, json: { name: 'Managed', lang: 'en' } });
    const missing = await t.api('POST', '/webhook', {
      key: partner.key,
      json: { url: 'https://p.example/h', events: ['*'] },
    });
    expect(missing.body.meta.message).toBe("Field 'client_id' is missing.");
    const made = await t.api('POST', '/webhook', {
      key: partner.key,
      json: { url: 'https://p.example/h', events: ['*'], client_id: managed.body.data.id },
    });
    expect(made.status).toBe(200);
    const foreign = await t.api('POST', '/webhook', {
      key: partner.key,
      json: { url: 'https://p.example/h', events: ['*'], client_id: clientId },
    });
    expect(foreign.status).toBe(404);
    const admin = await t.api('GET', `/webhook/${made.body.data.id}`, { key: ADMIN_KEY });
    expect(admin.status).toBe(200);
  });
});
