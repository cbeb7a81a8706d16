// A flow's handover reaches an available operator at once: the customer's conversation (opened by the flow, no
// operator yet: a business-initiated WhatsApp conversation takes only templates until the customer writes) is queued (`conversation.queued`) and queue serving, a reaction to that event, assigns it — no other event needed.
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { availableOperator, liveTenant } from '@causerie/test-support/live-sockets';
import type { RealtimeClient } from '@causerie/test-support/realtime-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { type ChannelTestSetup, channelsSettled, eventually, startChannelApp } from '../../test/channel-app.js';
import { ADMIN_KEY } from '../../test/harness.js';

const credentials = {
  phone_number_id: '300000000000077',
  access_token: 'EAAG-handover-token',
  app_secret: 'handover-app-secret',
  verify_token: 'handover',
};
const CUSTOMER = '+393330001122';

let s: ChannelTestSetup;
let fake: FakeWhatsApp;
let operator: RealtimeClient;
let tenant: { websiteId: number; operatorId: number; token: string };
let key: string;
let channelId: number;

async function commerce(method: 'GET' | 'POST', path: string, json?: unknown) {
  const response = await s.t.app.inject({
    method,
    url: `/api/commerce/v1${path}`,
    headers: { 'x-api-key': key, ...(json !== undefined && { 'content-type': 'application/json' }) },
    ...(json !== undefined && { payload: JSON.stringify(json) }),
  });
  return { status: response.statusCode, body: response.json() };
}

beforeAll(async () => {
  s = await startChannelApp();
  tenant = await liveTenant(s.publicUrl, 'Flow handover');
  fake = await new FakeWhatsApp({
    phoneNumberId: credentials.phone_number_id,
    accessToken: credentials.access_token,
    appSecret: credentials.app_secret,
  }).start();
  const website = await s.t.api('GET', `/website/${tenant.websiteId}`, { key: ADMIN_KEY });
  const clientId = Number(website.body.data.client_id);
  const created = await s.t.api('POST', '/channel', {
    key: ADMIN_KEY,
    json: { type: 'whatsapp', website_id: tenant.websiteId, client_id: clientId, base_url: fake.url, credentials },
  });
  expect(created.status).toBe(200);
  channelId = Number(created.body.data.id);
  fake.webhookUrl = String(created.body.data.webhook_url);
  const minted = await s.t.api('POST', `/client/${clientId}/key`, { key: ADMIN_KEY, json: { name: 'flows' } });
  key = String(minted.body.data.key);
  operator = await availableOperator(s.publicUrl, tenant.token);
});
afterAll(async () => {
  await operator.close();
  await fake.settle();
  await channelsSettled(s.t);
  await fake.stop();
  await s.t.close();
});

it('assigns the conversation a flow hands over to the operator who is available', async () => {
  const flow = await commerce('POST', '/flows', {
    code: 'to_human',
    name: 'To a human',
    trigger: { type: 'request' },
    definition: {
      channel_id: channelId,
      steps: [{ id: 'human', type: 'handover', note: 'Il cliente chiede un operatore' }],
    },
  });
  expect(flow.status).toBe(200);
  const request = await commerce('POST', '/createRequest', {
    flow: 'to_human',
    user_key: CUSTOMER,
    data: { phone: CUSTOMER },
  });
  expect(request.status).toBe(200);

  const assigned = await operator.next('assigned', 10_000);
  const conversation = await eventually(async () =>
    s.t.store.db
      .selectFrom('conversation')
      .select(['id', 'status', 'operator_id'])
      .where('website_id', '=', tenant.websiteId)
      .where('operator_id', '=', tenant.operatorId)
      .executeTakeFirst(),
  );
  expect(conversation).toMatchObject({ status: 'open', operator_id: tenant.operatorId });
  expect(JSON.stringify(assigned)).toContain(String(conversation.id));
});
