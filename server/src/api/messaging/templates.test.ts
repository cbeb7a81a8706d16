// Issue 20's message templates against the fake Graph API and the fake Twilio, on SQLite and PostgreSQL: validation
// named by field, the per-channel preview with SMS segments, a WhatsApp template submitted to Meta and approved by
// its signed review webhook (TEMPLATE_STATUS pending → approved), then the seed's send: the template submitted to a
// customer with `auto` leaves on WhatsApp as the approved template with its parameters and is followed to `read`; a
// rejected template never leaves on WhatsApp, and `auto` sends it by SMS instead.
import { FakeTwilio } from '@causerie/test-support/fakes/twilio';
import { FakeWhatsApp } from '@causerie/test-support/fakes/whatsapp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ChannelTestSetup, closeChannelTest, connectFake, startChannelApp } from '../../test/channel-app.js';
import {
  type CallbackReceiver,
  messagingCaller,
  startCallbackReceiver,
  until as untilWithin,
} from '../../test/messaging.js';
import type { MessengerMessageView } from './messages.js';
import type { TemplateView } from './templates.js';

/** The worker's calls to Meta wait behind whatever else the machine runs (CI runs four passes at once): 30 s. */
const until = <T>(check: () => Promise<T> | T, timeoutMs = 30_000) => untilWithin(check, timeoutMs);

const WABA = '102290129340398';
const WHATSAPP = {
  phone_number_id: '106540352242933',
  access_token: 'EAAG-templates-token-0123456789',
  app_secret: 'app-secret-templates',
  verify_token: 'verify-templates',
};
const TWILIO = {
  accountSid: `AC${'e5'.repeat(16)}`,
  authToken: 'twilio-auth-token-templates-01',
  numbers: ['+33757000444'],
};

let s: ChannelTestSetup;
let whatsapp: FakeWhatsApp;
let twilio: FakeTwilio;
let receiver: CallbackReceiver;
let whatsappChannelId: number;
let agentId: number;
const call = messagingCaller(() => s.t.app);

interface StatusCallback {
  type: string;
  id: number;
  state: string;
  previous_state: string | null;
  reason: string | null;
  data: Record<string, unknown>;
}
const callbacks = (type: string, id: number) =>
  receiver
    .deliveries()
    .map((delivery) => delivery.body as unknown as StatusCallback)
    .filter((body) => body.type === type && body.id === id);

async function reportedStates(id: number, last: string): Promise<string[]> {
  return until(() => {
    const states = callbacks('MESSENGER_REPORT', id).map((report) => report.state);
    if (states.at(-1) !== last) throw new Error(`send ${id}: ${states.join(', ')} so far`);
    return states;
  }, 15_000);
}

const ORDER_READY = {
  category: 'UTILITY',
  language: 'fr',
  content: {
    body: 'Bonjour {{firstname}}, votre commande {{order}} est prête.',
    footer: 'Boulangerie Martin',
    buttons: [{ type: 'url', text: 'Suivre', url: 'https://shop.example/o/{{order}}' }],
  },
};

/** For WhatsApp with a fixed link (dynamic ones: template-variables.test.ts). */
const ORDER_READY_WHATSAPP = {
  ...ORDER_READY,
  content: {
    ...ORDER_READY.content,
    buttons: [{ type: 'url', text: 'Suivre', url: 'https://shop.example/commandes' }],
  },
};

beforeAll(async () => {
  s = await startChannelApp();
  whatsapp = await new FakeWhatsApp({
    phoneNumberId: WHATSAPP.phone_number_id,
    accessToken: WHATSAPP.access_token,
    appSecret: WHATSAPP.app_secret,
    wabaId: WABA,
  }).start();
  twilio = await new FakeTwilio({ ...TWILIO, ratePerSecond: 1000 }).start();
  whatsappChannelId = await connectFake(s, whatsapp, { type: 'whatsapp', credentials: WHATSAPP });
  const smsChannelId = await connectFake(s, twilio, {
    type: 'sms',
    credentials: { account_sid: TWILIO.accountSid, auth_token: TWILIO.authToken, from: TWILIO.numbers[0] ?? '' },
  });
  receiver = await startCallbackReceiver();
  const registered = await call<{ secret: string }>('POST', '/system/callback', s.key, { url: receiver.url });
  receiver.trust(registered.body.data.secret);
  const agent = await call<{ id: number }>('POST', '/chatbot/agent', s.key, {
    name: 'Boulangerie Martin',
    description: 'Commandes et retraits',
    logo_url: 'https://cdn.example.fr/logo.png',
    banner_url: 'https://cdn.example.fr/banner.png',
    brand_color: '#0b78d0',
    privacy_url: 'https://example.fr/privacy',
    terms_url: 'https://example.fr/terms',
    channels: ['whatsapp', 'sms'],
    whatsapp_channel_id: whatsappChannelId,
    sms_channel_id: smsChannelId,
  });
  expect(agent.status).toBe(201);
  agentId = agent.body.data.id;
});
afterAll(async () => {
  await receiver.close();
  await closeChannelTest(s, whatsapp, twilio);
});

describe('message templates', () => {
  it('names the field of a content the channels refuse, and of a name Meta would refuse', async () => {
    const badVariable = await call('POST', '/messenger/template', s.key, {
      name: 'rappel',
      language: 'fr',
      category: 'UTILITY',
      content: { body: 'Bonjour {{first name}}' },
    });
    expect(badVariable.status).toBe(400);
    expect(badVariable.body.meta.field).toBe('content.body');
    expect(badVariable.body.meta.message).toContain("'{{first name}}' is not a variable");
    const buttons = await call('POST', '/messenger/template', s.key, {
      name: 'sondage',
      language: 'fr',
      category: 'MARKETING',
      content: {
        body: 'Votre avis ?',
        buttons: ['Oui', 'Non', 'Peut-être', 'Jamais'].map((text) => ({ type: 'reply', text })),
      },
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    expect(buttons.status).toBe(400);
    expect(buttons.body.meta.field).toBe('content.buttons[3]');
    // Meta takes a URL button's variable at the end of its url only, and a body's not as its first or last word.
    const linkVariable = await call('POST', '/messenger/template', s.key, {
      ...ORDER_READY,
      content: {
        ...ORDER_READY.content,
        buttons: [{ type: 'url', text: 'Suivre', url: 'https://shop.example/o/{{order}}/suivi' }],
      },
      name: 'lien_variable',
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    expect(linkVariable.status).toBe(400);
    expect(linkVariable.body.meta.field).toBe('content.buttons[0].url');
    const edge = await call('POST', '/messenger/template', s.key, {
      ...ORDER_READY_WHATSAPP,
      name: 'variable_en_tete',
      content: { body: '{{firstname}}, votre commande est prête.' },
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    expect(edge.status).toBe(400);
    expect(edge.body.meta.message).toContain('starts or ends with a {{variable}}');
    const name = await call('POST', '/messenger/template', s.key, { ...ORDER_READY, name: 'Commande Prête' });
    expect(name.status).toBe(400);
    expect(name.body.meta.field).toBe('name');
  });

  it('previews each channel with the SMS encoding and segments, and names a missing variable', async () => {
    const created = await call<TemplateView>('POST', '/messenger/template', s.key, { ...ORDER_READY, name: 'apercu' });
    expect(created.status).toBe(201);
    expect(created.body.data).toMatchObject({ variables: ['firstname', 'order'], whatsapp: null });
    const preview = await call<Record<string, Record<string, unknown>>>(
      'POST',
      `/messenger/template/${created.body.data.id}/preview`,
      s.key,
      { variables: { firstname: 'Léa', order: 'A-1042' } },
    );
    expect(preview.body.data.sms).toMatchObject({
      text: 'Bonjour Léa, votre commande A-1042 est prête.\nBoulangerie Martin\nSuivre: https://shop.example/o/A-1042',
      encoding: 'UCS-2',
      segments: 2,
    });
    expect(preview.body.data.rcs?.text).toContain('Suivre: https://shop.example/o/A-1042');
    const missing = await call('POST', `/messenger/template/${created.body.data.id}/preview`, s.key, {
      variables: { firstname: 'Léa' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.field).toBe('variables.order');
    const twice = await call('POST', '/messenger/template', s.key, { ...ORDER_READY, name: 'apercu' });
    expect(twice.status).toBe(409);
  });

  it('submits a WhatsApp template to Meta, follows its approval, and sends it on WhatsApp with auto', async () => {
    const created = await call<TemplateView>('POST', '/messenger/template', s.key, {
      ...ORDER_READY_WHATSAPP,
      name: 'commande_prete',
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    expect(created.status).toBe(201);
    expect(created.body.data.whatsapp?.status).toBe('pending');
    const id = created.body.data.id;
    const submitted = await until(() => {
      const found = whatsapp.templates.find((template) => template.name === 'commande_prete');
      if (found === undefined) throw new Error('not submitted yet');
      return found;
    });
    expect(submitted.components).toContainEqual({
      type: 'BODY',
      text: 'Bonjour {{1}}, votre commande {{2}} est prête.',
      example: { body_text: [['<firstname>', '<order>']] },
    });
    await until(async () => {
      const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
      expect(read.body.data.whatsapp?.meta_template_id).toBe(submitted.id);
    });
    expect(await whatsapp.review('commande_prete', 'APPROVED')).toBe(200);
    await until(async () => {
      const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
      expect(read.body.data.whatsapp?.status).toBe('approved');
    });
    await until(() =>
      expect(callbacks('TEMPLATE_STATUS', id).map((c) => [c.previous_state, c.state])).toEqual([
        ['none', 'pending'],
        ['pending', 'approved'],
      ]),
    );

    const sent = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612340101',
      content: { template_id: id },
      variables: { firstname: 'Léa', order: 'A-1042' },
      reference: 'A-1042',
    });
    expect(sent.status).toBe(202);
    expect(await reportedStates(sent.body.data.id, 'read')).toEqual(['queued', 'sent', 'delivered', 'read']);
    const message = whatsapp.accepted.find((item) => item.to === '33612340101');
    expect(message?.type).toBe('template');
    expect(message?.body.template).toMatchObject({
      name: 'commande_prete',
      language: { code: 'fr' },
      components: [
        {
          type: 'body',
          parameters: [
            { type: 'text', text: 'Léa' },
            { type: 'text', text: 'A-1042' },
          ],
        },
      ],
    });
    const read = await call<MessengerMessageView>('GET', `/messenger/message/${sent.body.data.id}`, s.key);
    expect(read.body.data).toMatchObject({ channel: 'whatsapp', state: 'read' });
  });

  it('edits a template Meta filed in place, refuses a change during its review, deletes it at Meta and frees its name', async () => {
    // A name of its own each attempt: a retried attempt must not run into the template the first one left.
    const name = `horaires_${Date.now().toString(36)}`;
    const created = await call<TemplateView>('POST', '/messenger/template', s.key, {
      ...ORDER_READY_WHATSAPP,
      name,
      content: { body: 'Bonjour {{firstname}}, nous ouvrons à 8 h.' },
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    const id = created.body.data.id;
    const metaId = await until(async () => {
      const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
      const found = read.body.data.whatsapp?.meta_template_id;
      if (found === null || found === undefined) throw new Error('not filed yet');
      return found;
    });
    const inReview = await call('PUT', `/messenger/template/${id}`, s.key, {
      content: { body: 'Bonjour {{firstname}}, nous ouvrons à 9 h.' },
    });
    expect(inReview.status).toBe(409);
    expect(inReview.body.meta.message).toContain("in Meta's review");
    await whatsapp.review(name, 'APPROVED');
    await until(async () => {
      const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
      expect(read.body.data.whatsapp?.status).toBe('approved');
    });
    // Unchanged: the review stands.
    const same = await call<TemplateView>('PUT', `/messenger/template/${id}`, s.key, { category: 'UTILITY' });
    expect(same.body.data.whatsapp?.status).toBe('approved');
    const changed = await call<TemplateView>('PUT', `/messenger/template/${id}`, s.key, {
      content: { body: 'Bonjour {{firstname}}, nous ouvrons à 9 h.' },
    });
    expect(changed.status).toBe(200);
    expect(changed.body.data.whatsapp).toMatchObject({ status: 'pending', meta_template_id: metaId });
    await until(() => {
      const filed = whatsapp.templates.find((template) => template.name === name);
      expect(filed).toMatchObject({ id: metaId, edits: 1, status: 'PENDING' });
      expect(filed?.components).toContainEqual({
        type: 'BODY',
        text: 'Bonjour {{1}}, nous ouvrons à 9 h.',
        example: { body_text: [['<firstname>']] },
      });
    });
    expect(whatsapp.templates.filter((template) => template.name === name)).toHaveLength(1);

    const deleted = await call('DELETE', `/messenger/template/${id}`, s.key);
    expect(deleted.status).toBe(200);
    expect((await call('GET', `/messenger/template/${id}`, s.key)).status).toBe(404);
    await until(() =>
      expect(callbacks('TEMPLATE_STATUS', id).map((c) => [c.previous_state, c.state])).toEqual([
        ['none', 'pending'],
        ['pending', 'approved'],
        ['approved', 'pending'],
        ['pending', 'disabled'],
      ]),
    );
    // Deleted at Meta too, that language by its id.
    await until(() => expect(whatsapp.deleted.map((template) => template.id)).toContain(metaId));
    expect(whatsapp.templates.some((template) => template.name === name)).toBe(false);
    const again = await call('POST', '/messenger/template', s.key, {
      ...ORDER_READY,
      name,
      content: { body: 'Bonjour {{firstname}}, nous ouvrons à 10 h.' },
    });
    expect(again.status).toBe(201);
  });

  it('deletes at Meta a template deleted while Meta was still answering its edit, without waiting out the lease', async () => {
    const created = await call<TemplateView>('POST', '/messenger/template', s.key, {
      ...ORDER_READY_WHATSAPP,
      name: 'edition_lente',
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    const id = created.body.data.id;
    await until(() => expect(whatsapp.templates.find((t) => t.name === 'edition_lente')?.status).toBe('PENDING'));
    await whatsapp.review('edition_lente', 'APPROVED');
    await until(async () => {
      const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
      expect(read.body.data.whatsapp?.status).toBe('approved');
    });
    let answer = () => {};
    whatsapp.templateAnswersHeldBy = new Promise<void>((resolve) => {
      answer = resolve;
    });
    try {
      await call('PUT', `/messenger/template/${id}`, s.key, { content: { body: 'Votre commande est prête !' } });
      // Meta has edited the template; its answer is on its way when the account deletes it.
      await until(() => expect(whatsapp.templates.find((t) => t.name === 'edition_lente')?.edits).toBe(1));
      expect((await call('DELETE', `/messenger/template/${id}`, s.key)).status).toBe(200);
    } finally {
      whatsapp.templateAnswersHeldBy = undefined;
      answer();
    }
    // The worker's lease lasts a minute: the deletion must not wait for it.
    await until(() => expect(whatsapp.deleted.map((t) => t.name)).toContain('edition_lente'), 15_000);
  });

  it('deletes at Meta a template deleted before Meta answered its first filing', async () => {
    let answer = () => {};
    whatsapp.templateAnswersHeldBy = new Promise<void>((resolve) => {
      answer = resolve;
    });
    try {
      const created = await call<TemplateView>('POST', '/messenger/template', s.key, {
        ...ORDER_READY_WHATSAPP,
        name: 'depot_lent',
        whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
      });
      await until(() => expect(whatsapp.templates.some((t) => t.name === 'depot_lent')).toBe(true));
      expect((await call('DELETE', `/messenger/template/${created.body.data.id}`, s.key)).status).toBe(200);
    } finally {
      whatsapp.templateAnswersHeldBy = undefined;
      answer();
    }
    // Meta filed it before the deletion reached us: it is deleted there too, not left counting against the account.
    await until(() => expect(whatsapp.deleted.map((t) => t.name)).toContain('depot_lent'), 15_000);
    expect(whatsapp.templates.some((t) => t.name === 'depot_lent')).toBe(false);
  });

  it("keeps Meta's approval that came before its answer to the filing was recorded, and files it once", async () => {
    let answer = () => {};
    whatsapp.templateAnswersHeldBy = new Promise<void>((resolve) => {
      answer = resolve;
    });
    let id: number;
    try {
      const created = await call<TemplateView>('POST', '/messenger/template', s.key, {
        ...ORDER_READY_WHATSAPP,
        name: 'revue_rapide',
        whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
      });
      id = created.body.data.id;
      // Meta filed it and approves it at once, while its answer to the filing is still on its way.
      await until(() => expect(whatsapp.templates.some((t) => t.name === 'revue_rapide')).toBe(true));
      expect(await whatsapp.review('revue_rapide', 'APPROVED')).toBe(200);
      await until(async () => {
        const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
        expect(read.body.data.whatsapp?.status).toBe('approved');
      });
    } finally {
      whatsapp.templateAnswersHeldBy = undefined;
      answer();
    }
    const filed = whatsapp.templates.find((t) => t.name === 'revue_rapide');
    // The answer ("PENDING") is recorded after the approval: the approval stays, and nothing is filed again.
    await until(async () => {
      const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
      expect(read.body.data.whatsapp?.meta_template_id).toBe(filed?.id);
      const row = await s.t.store.db
        .selectFrom('messenger_template')
        .select(['work', 'lease_until'])
        .where('id', '=', id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ work: null, lease_until: null });
    });
    const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
    expect(read.body.data.whatsapp?.status).toBe('approved');
    expect(whatsapp.templates.filter((t) => t.name === 'revue_rapide').map((t) => t.edits)).toEqual([0]);
  });

  it('lets one of two simultaneous creations of a name win, the other a 409', async () => {
    const create = () => call('POST', '/messenger/template', s.key, { ...ORDER_READY, name: 'course' });
    const answers = await Promise.all([create(), create(), create()]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409, 409]);
    const listed = await call<TemplateView[]>('GET', '/messenger/template?name=course', s.key);
    expect(listed.body.data).toHaveLength(1);
  });

  it('keeps a rejected template off WhatsApp, with Meta’s reason; auto sends it by SMS', async () => {
    const created = await call<TemplateView>('POST', '/messenger/template', s.key, {
      ...ORDER_READY_WHATSAPP,
      name: 'promo_refusee',
      category: 'MARKETING',
      whatsapp: { channel_id: whatsappChannelId, waba_id: WABA },
    });
    const id = created.body.data.id;
    await until(() => {
      if (!whatsapp.templates.some((template) => template.name === 'promo_refusee')) throw new Error('not yet');
    });
    await until(async () => {
      const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
      expect(read.body.data.whatsapp?.meta_template_id).not.toBeNull();
    });
    await whatsapp.review('promo_refusee', 'REJECTED', 'INVALID_FORMAT');
    await until(async () => {
      const read = await call<TemplateView>('GET', `/messenger/template/${id}`, s.key);
      expect(read.body.data.whatsapp).toMatchObject({ status: 'rejected', reason: 'INVALID_FORMAT' });
    });
    const forced = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612340102',
      channel: 'whatsapp',
      content: { template_id: id },
      variables: { firstname: 'Hugo', order: 'B-7' },
    });
    await reportedStates(forced.body.data.id, 'failed');
    expect(callbacks('MESSENGER_REPORT', forced.body.data.id).at(-1)?.data.error).toMatchObject({
      code: 'template_not_approved',
    });
    const auto = await call<{ id: number }>('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612340103',
      content: { template_id: id },
      variables: { firstname: 'Inès', order: 'C-9' },
    });
    await reportedStates(auto.body.data.id, 'delivered');
    expect(twilio.accepted.find((item) => item.to === '+33612340103')?.body).toContain(
      'Bonjour Inès, votre commande C-9',
    );
    expect(whatsapp.accepted.some((item) => item.to === '33612340102' || item.to === '33612340103')).toBe(false);
  });

  it('refuses a send naming a template the account does not have, and one missing a variable', async () => {
    const unknown = await call('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612340104',
      content: { template_id: 999_999 },
    });
    expect(unknown.status).toBe(404);
    expect(unknown.body.meta.field).toBe('content.template_id');
    const list = await call<TemplateView[]>('GET', '/messenger/template?name=commande_prete', s.key);
    const id = list.body.data[0]?.id;
    const missing = await call('POST', '/messenger/submit', s.key, {
      agent_id: agentId,
      to: '+33612340104',
      content: { template_id: id },
      variables: { firstname: 'Léa' },
    });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.field).toBe('variables.order');
  });
});
