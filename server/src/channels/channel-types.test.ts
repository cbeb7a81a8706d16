// GET /api/2/channel_type: the defaults a channel form shows are the ones a new channel really gets.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from '../test/harness.js';

let t: TestApp;
let key: string;
let websiteId: number;

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Boulangerie Martin'));
  websiteId = Number((await t.api('POST', '/website', { key, json: { url: 'https://martin.example' } })).body.data.id);
});
afterAll(async () => t.close());

describe('/api/2/channel_type', () => {
  it('lists each provider type with the base URL and send rate of a channel that names neither', async () => {
    const listed = await t.api('GET', '/channel_type', { key });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toEqual([
      { type: 'whatsapp', default_base_url: 'https://graph.facebook.com', default_send_rate: 80 },
      { type: 'sms', default_base_url: 'https://api.twilio.com', default_send_rate: 1 },
      { type: 'rcs', default_base_url: 'https://rcsbusinessmessaging.googleapis.com', default_send_rate: 50 },
    ]);
    const created = await t.api('POST', '/channel', {
      key,
      json: {
        type: 'sms',
        website_id: websiteId,
        credentials: { account_sid: `AC${'0'.repeat(32)}`, auth_token: 'twilio-auth-token-0123', from: '+33612345678' },
      },
    });
    expect(created.body.meta).toEqual({ status: 'success' });
    const sms = listed.body.data.find((row) => row.type === 'sms');
    expect(created.body.data).toMatchObject({ base_url: sms?.default_base_url, send_rate: sms?.default_send_rate });
  });

  it('answers only a key that may list channels', async () => {
    const refused = await t.api('GET', '/channel_type', { key: 'csk_0000000000000000_nope' });
    expect(refused.status).toBe(403);
  });
});
