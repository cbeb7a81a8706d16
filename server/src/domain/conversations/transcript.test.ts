// Transcripts by e-mail (POST/GET /conversation/{id}/transcript): a real SMTP server receives the mail, whose body has
// the visitor's and operators' messages and never a private note; bad addresses get 400 naming `email`; another
// client's conversation is 404; without SMTP_URL the answer is 409 mail_not_configured; a dead SMTP server leaves the error and, after the
// retries, `failed`.
import { randomUUID } from 'node:crypto';
import { quotedPrintableText } from '@causerie/test-support/mailbox';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, type Resource, startTestApp, type TestApp } from '../../test/harness.js';
import { Mailbox, until } from '../../test/messaging.js';

interface TranscriptMail {
  id: number;
  email: string;
  status: string;
  attempts: number;
  error: string | null;
  sent_at: string | null;
}
interface TranscriptList {
  mail_configured: boolean;
  requests: TranscriptMail[];
}

/** A client with a website, an operator and a conversation with a visitor (with `visitorEmail`), messages and a note. */
async function conversationIn(t: TestApp, visitorEmail: string | null) {
  const suffix = randomUUID().slice(0, 8);
  const { key } = await clientWithKey(t, `Transcript Co ${suffix}`);
  const post = async (path: string, json: Record<string, unknown>): Promise<Resource> => {
    const answer = await t.api('POST', path, { key, json });
    if (answer.status !== 200) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body.data;
  };
  const site = await post('/website', { url: `https://shop-${suffix}.example`, label: 'Maison Lumen' });
  const operator = await post('/operator', {
    name: 'Camille Durand',
    email: `camille-${suffix}@shop.example`,
  });
  const uid = `visitor-${suffix}`;
  await post('/visitor', { unique_id: uid, ...(visitorEmail !== null && { email: visitorEmail }) });
  const conversation = await post('/conversation', { website_id: site.id, operator_id: operator.id, visitor_uid: uid });
  await post(`/conversation/${conversation.id}/message`, { type: 'visitor', text: 'Where is my order 1042?' });
  await post(`/conversation/${conversation.id}/message`, {
    type: 'note',
    text: 'Secret: this customer asked for a refund twice',
  });
  await post(`/conversation/${conversation.id}/message`, { type: 'operator', text: 'It ships tomorrow morning.' });
  return { key, conversationId: Number(conversation.id) };
}

describe('with an SMTP server', () => {
  let t: TestApp;
  let mailbox: Mailbox;

  beforeAll(async () => {
    mailbox = await new Mailbox().start();
    t = await startTestApp({ smtpUrl: mailbox.url });
  });
  afterAll(async () => {
    await t.close();
    await mailbox.close();
  });

  it("mails the visible messages to the visitor's address, never the private note, and shows the status", async () => {
    const email = `julie-${randomUUID().slice(0, 8)}@visitor.example`;
    const { key, conversationId } = await conversationIn(t, email);

    const asked = await t.api('POST', `/conversation/${conversationId}/transcript`, { key, json: {} });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    expect(asked.body.data).toMatchObject({ email, status: 'queued', attempts: 0, locale: 'en' });
    const events = await t.store.db
      .selectFrom('event')
      .select('type')
      .where('subject_type', '=', 'conversation')
      .where('subject_id', '=', conversationId)
      .where('type', '=', 'conversation.transcript_requested')
      .execute();
    expect(events).toHaveLength(1);

    const [mail] = await mailbox.mailsTo(email);
    const text = quotedPrintableText(mail?.raw ?? '');
    expect(text).toContain('Subject: Your conversation with Maison');
    expect(text).toMatch(/\[\d{4}-\d{2}-\d{2} \d{2}:\d{2}\] You: Where is my order 1042\?/);
    expect(text).toMatch(/\] Camille Durand: It ships tomorrow morning\./);
    expect(text).not.toContain('refund');
    expect(text).not.toContain('Secret');

    const listed = await until(async () => {
      const answer = await t.api('GET', `/conversation/${conversationId}/transcript`, { key });
      const list = answer.body.data as unknown as TranscriptList;
      expect(list.requests[0]?.status).toBe('sent');
      return list;
    });
    expect(listed.mail_configured).toBe(true);
    expect(listed.requests[0]).toMatchObject({ email, attempts: 1, error: null, sent_at: expect.any(String) });
  });

  it('mails another address in French when asked', async () => {
    const { key, conversationId } = await conversationIn(t, null);
    const email = `support-${randomUUID().slice(0, 8)}@elsewhere.example`;
    const asked = await t.api('POST', `/conversation/${conversationId}/transcript`, {
      key,
      json: { email, locale: 'fr' },
    });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const [mail] = await mailbox.mailsTo(email);
    const text = quotedPrintableText(mail?.raw ?? '');
    expect(text).toContain('Vous: Where is my order 1042?');
    expect(text).toContain('Bonjour');
  });

  it('answers 400 naming email for a bad address, and when the visitor has none', async () => {
    const { key, conversationId } = await conversationIn(t, null);
    const bad = await t.api('POST', `/conversation/${conversationId}/transcript`, {
      key,
      json: { email: 'not an address' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.meta).toMatchObject({ field: 'email' });
    const none = await t.api('POST', `/conversation/${conversationId}/transcript`, { key, json: {} });
    expect(none.status).toBe(400);
    expect(none.body.meta).toMatchObject({ field: 'email' });
    expect(String(none.body.meta.message)).toContain('no e-mail address');
    const wrongLocale = await t.api('POST', `/conversation/${conversationId}/transcript`, {
      key,
      json: { email: 'a@b.example', locale: 'de' },
    });
    expect(wrongLocale.status).toBe(400);
    expect(wrongLocale.body.meta).toMatchObject({ field: 'locale' });
    const list = (await t.api('GET', `/conversation/${conversationId}/transcript`, { key })).body
      .data as unknown as TranscriptList;
    expect(list.requests).toEqual([]);
  });

  it('limits the mails of a conversation: three at once, then 429 with Retry-After, and nothing more queued', async () => {
    const { key, conversationId } = await conversationIn(t, null);
    const ask = () =>
      t.api('POST', `/conversation/${conversationId}/transcript`, {
        key,
        json: { email: `limit-${randomUUID().slice(0, 8)}@elsewhere.example` },
      });
    for (let count = 0; count < 3; count += 1) expect((await ask()).status).toBe(202);
    const refused = await ask();
    expect(refused.status).toBe(429);
    expect(refused.body.meta).toMatchObject({ status: 'fail' });
    expect(String(refused.body.meta.message)).toContain("this conversation's transcript");
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
    const list = (await t.api('GET', `/conversation/${conversationId}/transcript`, { key })).body
      .data as unknown as TranscriptList;
    expect(list.requests).toHaveLength(3);
    // Another conversation of the same account is not held back by it.
    const other = await conversationIn(t, null);
    const elsewhere = await t.api('POST', `/conversation/${other.conversationId}/transcript`, {
      key: other.key,
      json: { email: 'other@elsewhere.example' },
    });
    expect(elsewhere.status).toBe(202);
  });

  it("takes an agent's console session, and records its operator", async () => {
    const { key, conversationId } = await conversationIn(t, null);
    const email = `agent-${randomUUID().slice(0, 8)}@shop.example`;
    const created = await t.api('POST', '/operator', {
      key,
      json: { name: 'Agent', email, password: 'correct horse', roles: ['operator'] },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(200);
    const login = await t.app.inject({
      method: 'POST',
      url: '/auth/login',
      payload: { email, password: 'correct horse' },
    });
    const token = String(login.json<{ data: { token: string } }>().data.token);
    const asked = await t.app.inject({
      method: 'POST',
      url: `/api/2/conversation/${conversationId}/transcript`,
      headers: { authorization: `Bearer ${token}` },
      payload: { email: `visitor-${randomUUID().slice(0, 8)}@visitor.example` },
    });
    expect(asked.statusCode, asked.body).toBe(202);
    expect(asked.json<{ data: { operator_id: number } }>().data.operator_id).toBe(created.body.data.id);
  });

  it("answers 404 for another client's conversation, and queues nothing", async () => {
    const { conversationId } = await conversationIn(t, 'owner@visitor.example');
    const other = await clientWithKey(t, `Other Transcript Co ${randomUUID().slice(0, 8)}`);
    const asked = await t.api('POST', `/conversation/${conversationId}/transcript`, {
      key: other.key,
      json: { email: 'thief@elsewhere.example' },
    });
    expect(asked.status).toBe(404);
    expect((await t.api('GET', `/conversation/${conversationId}/transcript`, { key: other.key })).status).toBe(404);
    const rows = await t.store.db
      .selectFrom('transcript_mail')
      .select('id')
      .where('conversation_id', '=', conversationId)
      .execute();
    expect(rows).toEqual([]);
  });
});

describe('without an SMTP server', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
  });
  afterAll(async () => t.close());

  it('answers 409 mail_not_configured and says so in the list', async () => {
    const { key, conversationId } = await conversationIn(t, 'julie@visitor.example');
    const asked = await t.api('POST', `/conversation/${conversationId}/transcript`, { key, json: {} });
    expect(asked.status).toBe(409);
    expect(asked.body.meta).toMatchObject({ status: 'fail', error: 'mail_not_configured' });
    expect(String(asked.body.meta.message)).toContain('SMTP_URL');
    const list = (await t.api('GET', `/conversation/${conversationId}/transcript`, { key })).body
      .data as unknown as TranscriptList;
    expect(list).toEqual({ mail_configured: false, requests: [] });
  });
});

describe('with an SMTP server that is down', () => {
  let t: TestApp;
  let port: number;
  beforeAll(async () => {
    // A port that was free a moment ago: nothing listens there, so every attempt fails to connect.
    const closed = await new Mailbox().start();
    port = closed.port;
    await closed.close();
    t = await startTestApp({ smtpUrl: `smtp://127.0.0.1:${port}`, webhookTimeScale: 0.001 });
  });
  afterAll(async () => t.close());

  it('retries with the error shown, then marks the mail failed', async () => {
    const { key, conversationId } = await conversationIn(t, 'julie@visitor.example');
    expect((await t.api('POST', `/conversation/${conversationId}/transcript`, { key, json: {} })).status).toBe(202);
    const failed = await until(async () => {
      const list = (await t.api('GET', `/conversation/${conversationId}/transcript`, { key })).body
        .data as unknown as TranscriptList;
      expect(list.requests[0]?.status).toBe('failed');
      return list.requests[0];
    }, 20_000);
    expect(failed?.attempts).toBe(4);
    expect(failed?.error).toMatch(/ECONNREFUSED|connect/i);
  });
});
