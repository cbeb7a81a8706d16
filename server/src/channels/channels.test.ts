// The channel resource: CRUD in house style, credentials write-only and sealed at rest, tenancy, bad input named.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, eventTypesFor, startTestApp, type TestApp } from '../test/harness.js';
import { channelRuntime } from './runtime.js';
import { openCredentials } from './secrets.js';

let t: TestApp;
let key: string;
let otherKey: string;
let websiteId: number;
let otherWebsiteId: number;

const whatsapp = {
  phone_number_id: '106540352242922',
  access_token: 'EAAG-secret-token',
  app_secret: 'app-secret-value',
  verify_token: 'verify-me',
};

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Aisac srls'));
  ({ key: otherKey } = await clientWithKey(t, 'Autre'));
  websiteId = Number((await t.api('POST', '/website', { key, json: { url: 'https://aisac.example' } })).body.data.id);
  otherWebsiteId = Number(
    (await t.api('POST', '/website', { key: otherKey, json: { url: 'https://autre.example' } })).body.data.id,
  );
});
afterAll(async () => t.close());

describe('/api/2/channel', () => {
  let channelId: number;

  it('creates a WhatsApp channel, never returning its credentials, and seals them at rest', async () => {
    const created = await t.api('POST', '/channel', {
      key,
      json: { type: 'whatsapp', website_id: websiteId, name: 'Assistenza Clienti', credentials: whatsapp },
    });
    expect(created.status).toBe(200);
    channelId = Number(created.body.data.id);
    expect(created.body.data).toEqual({
      id: channelId,
      type: 'whatsapp',
      name: 'Assistenza Clienti',
      website_id: websiteId,
      base_url: 'https://graph.facebook.com',
      send_rate: 80,
      enabled: true,
      credentials_set: ['access_token', 'app_secret', 'phone_number_id', 'verify_token'],
      webhook_url: `http://localhost:8080/channels/whatsapp/${channelId}/webhook`,
      client_id: expect.any(Number),
      created_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      updated_at: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      _link: `/channel/${channelId}`,
    });
    expect(JSON.stringify(created.body)).not.toContain('EAAG-secret-token');
    const row = await t.store.db
      .selectFrom('channel')
      .select('credentials')
      .where('id', '=', channelId)
      .executeTakeFirstOrThrow();
    expect(row.credentials).toMatch(/^v1\./);
    expect(row.credentials).not.toContain('EAAG');
    expect(openCredentials(channelRuntime(t.context).key, `channel:${channelId}`, row.credentials)).toEqual(whatsapp);
    // Bound to its row: the sealed value does not open as another channel's.
    expect(() => openCredentials(channelRuntime(t.context).key, `channel:${channelId + 1}`, row.credentials)).toThrow();
    expect(await eventTypesFor(t, 'channel', channelId)).toEqual(['channel.created']);
    const events = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('subject_type', '=', 'channel')
      .execute();
    expect(JSON.stringify(events)).not.toContain('secret');
  });

  it('lists and reads channels of the key only; another client sees 404', async () => {
    const list = await t.api('GET', '/channel?full=1', { key });
    expect(list.body.data.map((item) => item.id)).toEqual([channelId]);
    expect((await t.api('GET', `/channel/${channelId}`, { key: otherKey })).status).toBe(404);
    expect((await t.api('GET', `/channel/${channelId}`, { key: otherKey })).body.meta.message).toBe(
      `Unknown 'channel' with 'id' ${channelId}.`,
    );
    expect((await t.api('GET', '/channel', { key: otherKey })).body.data).toEqual([]);
    expect((await t.api('PUT', `/channel/${channelId}`, { key: otherKey, json: { name: 'x' } })).status).toBe(404);
    expect((await t.api('DELETE', `/channel/${channelId}`, { key: otherKey })).status).toBe(404);
  });

  it("refuses another client's website, missing and malformed credentials, naming the field", async () => {
    const foreign = await t.api('POST', '/channel', {
      key,
      json: { type: 'whatsapp', website_id: otherWebsiteId, credentials: whatsapp },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.meta.message).toBe(
      `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${otherWebsiteId}.`,
    );
    const missing = await t.api('POST', '/channel', {
      key,
      json: { type: 'whatsapp', website_id: websiteId, credentials: { ...whatsapp, app_secret: undefined } },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.message).toBe("Field 'credentials[app_secret]' is missing.");
    const bad = await t.api('POST', '/channel', {
      key,
      json: {
        type: 'sms',
        website_id: websiteId,
        credentials: { account_sid: 'nope', auth_token: '0123456789abcdef0123', from: '+33612345678' },
      },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toBe("Value of field 'credentials[account_sid]' is not valid. Account SID (AC…).");
    const unknownField = await t.api('POST', '/channel', {
      key,
      json: {
        type: 'rcs',
        website_id: websiteId,
        credentials: { agent_id: 'a', access_token: 'b', client_token: 'c', password: 'x' },
      },
    });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.meta.message).toMatch(
      /^Value of field 'credentials\[password\]' is not valid\. A rcs channel has no such credential/,
    );
    const type = await t.api('POST', '/channel', { key, json: { type: 'telegram', website_id: websiteId } });
    expect(type.status).toBe(400);
    expect(type.body.meta.message).toContain("'type'");
    const url = await t.api('POST', '/channel', {
      key,
      json: { type: 'chat', website_id: websiteId, base_url: 'ftp://example.com/x' },
    });
    expect(url.status).toBe(400);
    expect(url.body.meta.message).toBe("Value of field 'base_url' is not valid. Expected an https:// URL.");
    // A private provider address is refused when the channel is created, not only when it would send.
    for (const [base, problem] of [
      ['http://169.254.169.254', 'The address 169.254.169.254 is private, loopback or reserved'],
      ['https://167772161', 'The address 10.0.0.1 is private, loopback or reserved'],
      ['http://provider.example', 'Expected an https:// URL: plain http is accepted only for hosts listed in'],
    ]) {
      const refused = await t.api('POST', '/channel', {
        key,
        json: { type: 'chat', website_id: websiteId, base_url: base },
      });
      expect(refused.status).toBe(400);
      expect(refused.body.meta.message).toContain(problem);
    }
  });

  it('merges credentials on update, and deletes (its webhook then answers 404)', async () => {
    const updated = await t.api('PUT', `/channel/${channelId}`, {
      key,
      json: { send_rate: 20, credentials: { access_token: 'EAAG-rotated' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data).toMatchObject({
      send_rate: 20,
      credentials_set: ['access_token', 'app_secret', 'phone_number_id', 'verify_token'],
    });
    const row = await t.store.db
      .selectFrom('channel')
      .select('credentials')
      .where('id', '=', channelId)
      .executeTakeFirstOrThrow();
    expect(openCredentials(channelRuntime(t.context).key, `channel:${channelId}`, row.credentials)).toEqual({
      ...whatsapp,
      access_token: 'EAAG-rotated',
    });
    // A gateway's base URL, then back to Meta's own with null.
    const gateway = await t.api('PUT', `/channel/${channelId}`, {
      key,
      json: { base_url: 'https://wa-gateway.example.com' },
    });
    expect(gateway.body.data).toMatchObject({ base_url: 'https://wa-gateway.example.com' });
    const reset = await t.api('PUT', `/channel/${channelId}`, { key, json: { base_url: null } });
    expect(reset.status).toBe(200);
    expect(reset.body.data).toMatchObject({ base_url: 'https://graph.facebook.com' });
    const chat = await t.api('POST', '/channel', { key, json: { type: 'chat', website_id: websiteId } });
    expect(chat.body.data).toMatchObject({ type: 'chat', webhook_url: null, credentials_set: [] });
    expect((await t.api('DELETE', `/channel/${channelId}`, { key })).status).toBe(200);
    expect((await t.api('GET', `/channel/${channelId}`, { key })).status).toBe(404);
    const hook = await t.app.inject({
      method: 'GET',
      url: `/channels/whatsapp/${channelId}/webhook?hub.mode=subscribe&hub.verify_token=verify-me&hub.challenge=1`,
    });
    expect(hook.statusCode).toBe(404);
    expect(await eventTypesFor(t, 'channel', channelId)).toEqual([
      'channel.created',
      'channel.updated',
      'channel.updated',
      'channel.updated',
      'channel.deleted',
    ]);
  });

  it('answers hostile webhook requests with a 4xx, never a 5xx', async () => {
    const chat = await t.api('POST', '/channel', {
      key,
      json: {
        type: 'sms',
        website_id: websiteId,
        credentials: { account_sid: `AC${'0'.repeat(32)}`, auth_token: 'token-0123456789abcdef', from: '+33612345678' },
      },
    });
    const id = Number(chat.body.data.id);
    const attempts: Array<{ method: 'GET' | 'POST'; url: string; headers?: Record<string, string>; payload?: string }> =
      [
        { method: 'POST', url: '/channels/abc/abc/webhook', payload: '{}' },
        { method: 'POST', url: `/channels/telegram/${id}/webhook`, payload: '{}' },
        {
          method: 'POST',
          url: `/channels/whatsapp/${id}/webhook`,
          headers: { 'content-type': 'application/json' },
          payload: '{}',
        },
        {
          method: 'POST',
          url: `/channels/sms/${id}/webhook`,
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          payload: 'From=%00&Body=x',
        },
        {
          method: 'POST',
          url: `/channels/sms/${id}/webhook`,
          headers: { 'content-type': 'text/plain' },
          payload: 'x'.repeat(2000),
        },
        { method: 'POST', url: `/channels/sms/${id}/webhook` },
        { method: 'GET', url: `/channels/sms/${id}/webhook?hub.mode=subscribe` },
        { method: 'POST', url: `/channels/chat/${id}/webhook`, payload: '{}' },
        { method: 'POST', url: '/channels/rcs/99999999999/webhook', payload: '{}' },
      ];
    for (const attempt of attempts) {
      const answer = await t.app.inject(attempt);
      expect(answer.statusCode, `${attempt.method} ${attempt.url} → ${answer.body}`).toBeGreaterThanOrEqual(400);
      expect(answer.statusCode, `${attempt.method} ${attempt.url} → ${answer.body}`).toBeLessThan(500);
    }
  });
});
