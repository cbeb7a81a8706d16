// A flow's send_template step with a template whose header and URL button carry a variable: Meta (the fake Graph API)
// counts the header's and the button's parameters as well as the body's and refuses a send missing one (132000). The
// step gives them as the messenger's sends do — a `header` component, a `button` component of sub_type url at the
// button's index — filled from the run's variables.
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { freePort } from '@causerie/test-support/processes';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, channelsSettled, connectFake, eventually } from '../../test/channel-app.js';
import { clientWithKey, startTestApp } from '../../test/harness.js';

const credentials = {
  phone_number_id: '106540352242977',
  access_token: 'EAAG-template-parameters-token',
  app_secret: 'template-parameters-secret',
  verify_token: 'tplparams',
};

let s: ChannelTestSetup;
let whatsapp: FakeWhatsApp;
let channelId: number;

async function commerce(method: 'GET' | 'POST', path: string, json?: unknown) {
  const response = await s.t.app.inject({
    method,
    url: `/api/commerce/v1${path}`,
    headers: { 'x-api-key': s.key, ...(json !== undefined && { 'content-type': 'application/json' }) },
    ...(json !== undefined && { payload: JSON.stringify(json) }),
  });
  return {
    status: response.statusCode,
    body: response.json<{ meta: { message?: string; field?: string }; data: Record<string, unknown> }>(),
  };
}

/** The flow run of a customer once it ended, with the conversation its message went to. */
async function endedRun(userKey: string) {
  return eventually(async () => {
    const run = await s.t.store.db
      .selectFrom('flow_run')
      .select(['state', 'conversation_id'])
      .where('user_key', '=', userKey)
      .executeTakeFirst();
    return run !== undefined && run.state !== 'running' && run.state !== 'waiting' ? run : undefined;
  }, 15_000);
}

beforeAll(async () => {
  whatsapp = await new FakeWhatsApp({
    phoneNumberId: credentials.phone_number_id,
    accessToken: credentials.access_token,
    appSecret: credentials.app_secret,
  }).start();
  // Filed and approved at Meta (in WhatsApp Manager): a text header and a dynamic URL button, each with its {{1}}.
  whatsapp.templates.push({
    id: '1700000000999',
    name: 'order_ready',
    language: 'fr',
    category: 'UTILITY',
    status: 'APPROVED',
    edits: 0,
    components: [
      { type: 'HEADER', format: 'TEXT', text: 'Commande {{1}}', example: { header_text: ['A-1042'] } },
      { type: 'BODY', text: 'Bonjour {{1}}, votre commande est prête.', example: { body_text: [['Léa']] } },
      {
        type: 'BUTTONS',
        buttons: [
          {
            type: 'URL',
            text: 'Suivre',
            url: 'https://suivi.example/{{1}}',
            example: ['https://suivi.example/A-1042'],
          },
        ],
      },
    ],
  });
  const port = await freePort();
  const publicUrl = `http://127.0.0.1:${port}`;
  const t = await startTestApp({ publicUrl, outboundAllowlist: '127.0.0.0/8,::1' });
  await t.app.listen({ port, host: '127.0.0.1' });
  const { clientId, key } = await clientWithKey(t, 'Boutique Modèles');
  const website = await t.api('POST', '/website', {
    key,
    json: { label: 'Boutique', url: 'https://boutique.example' },
  });
  s = { t, publicUrl, key, clientId, websiteId: Number(website.body.data.id), operatorId: 0 };
  channelId = await connectFake(s, whatsapp, { type: 'whatsapp', credentials });
});

afterAll(async () => {
  await whatsapp.settle();
  await channelsSettled(s.t);
  await whatsapp.stop();
  await s.t.close();
});

describe('a flow send_template step with header and URL-button variables', () => {
  it('sends the header and the button parameters with the body: Meta accepts the template', async () => {
    const flow = await commerce('POST', '/flows', {
      code: 'order-ready',
      name: 'Commande prête',
      trigger: { type: 'request' },
      definition: {
        channel_id: channelId,
        steps: [
          {
            id: 'ready',
            type: 'send_template',
            name: 'order_ready',
            language: 'fr',
            parameters: ['{{firstname}}'],
            header: { type: 'text', text: '{{order}}' },
            buttons: [{ index: 0, text: '{{order}}' }],
          },
        ],
      },
    });
    expect(flow.status).toBe(200);
    const customer = '+33612340001';
    const request = await commerce('POST', '/createRequest', {
      flow: 'order-ready',
      user_key: customer,
      data: { phone: customer, firstname: 'Léa', order: 'A-1042' },
    });
    expect(request.status).toBe(200);
    const sent = await eventually(async () => whatsapp.accepted.find((message) => message.to === customer.slice(1)));
    expect((sent.body.template as Record<string, unknown>).components).toEqual([
      { type: 'header', parameters: [{ type: 'text', text: 'A-1042' }] },
      { type: 'body', parameters: [{ type: 'text', text: 'Léa' }] },
      { type: 'button', sub_type: 'url', index: '0', parameters: [{ type: 'text', text: 'A-1042' }] },
    ]);
    expect((await endedRun(customer)).state).toBe('done');
  });

  it('a step without the header parameter is refused by Meta with 132000 (the delivery fails)', async () => {
    const flow = await commerce('POST', '/flows', {
      code: 'order-ready-body-only',
      name: 'Commande prête (corps seul)',
      trigger: { type: 'request' },
      definition: {
        channel_id: channelId,
        steps: [{ id: 'ready', type: 'send_template', name: 'order_ready', language: 'fr', parameters: ['{{x}}'] }],
      },
    });
    expect(flow.status).toBe(200);
    const customer = '+33612340002';
    await commerce('POST', '/createRequest', { flow: 'order-ready-body-only', user_key: customer, data: { x: 'Léa' } });
    const run = await endedRun(customer);
    const delivery = await eventually(async () => {
      const answer = await s.t.api('GET', `/conversation/${run.conversation_id}/delivery`, { key: s.key });
      const items = answer.body.data as unknown as Array<{ state: string; error?: { code: string; message: string } }>;
      return items.find((item) => item.state === 'failed');
    }, 15_000);
    expect(delivery.error?.code).toBe('132000');
    expect(whatsapp.accepted.some((message) => message.to === customer.slice(1))).toBe(false);
  });

  it('names a button index given twice', async () => {
    const flow = await commerce('POST', '/flows', {
      code: 'twice',
      name: 'Deux fois',
      trigger: { type: 'request' },
      definition: {
        channel_id: channelId,
        steps: [
          {
            id: 'ready',
            type: 'send_template',
            name: 'order_ready',
            language: 'fr',
            buttons: [
              { index: 0, text: 'a' },
              { index: 0, text: 'b' },
            ],
          },
        ],
      },
    });
    expect(flow.status).toBe(400);
    expect(JSON.stringify(flow.body)).toContain('/steps/0/buttons/1/index');
  });
});
