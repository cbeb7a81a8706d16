// Transactions (seed 003 "Transaction"): reporting sales, attribution to conversations, idempotent retries, filters, isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/schema.js';
import {
  clientWithKey,
  eventTypesFor,
  partnerWithKey,
  type Resource,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let otherClientId: number;
let site: Resource;
let site2: Resource;
let operator: Resource;
let operator2: Resource;

const DAY = 86_400_000;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Shop Co'));
  ({ key: otherKey, clientId: otherClientId } = await clientWithKey(t, 'Other Shop Co'));
  site = await create('/website', { url: 'https://shop.example' });
  site2 = await create('/website', { url: 'https://second.shop.example' });
  operator = await create('/operator', { name: 'Seller', email: 'seller@shop.example' });
  operator2 = await create('/operator', { name: 'Closer', email: 'closer@shop.example' });
});
afterAll(async () => t.close());

async function create(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

let counter = 0;
const fresh = (stem: string): string => `${stem}-${++counter}`;

/** A visitor through the API (a fresh unique id unless given). */
const visitor = (json: Record<string, unknown> = {}, as: string = key): Promise<Resource> =>
  create('/visitor', { unique_id: fresh('buyer'), ...json }, as);

interface ConversationSeed {
  visitorId: number;
  websiteId: number;
  operatorId?: number | null;
  /** How long before now the conversation started. */
  agoMs?: number;
  clientId?: number;
}

/** A conversation row written directly (the conversation API belongs to another domain). */
async function conversation(seed: ConversationSeed): Promise<number> {
  const at = new Date(Date.now() - (seed.agoMs ?? 60_000)).toISOString();
  const row = await t.store.db
    .insertInto('conversation')
    .values({
      client_id: seed.clientId ?? clientId,
      website_id: seed.websiteId,
      channel: 'chat',
      source: 'web',
      visitor_id: seed.visitorId,
      operator_id: seed.operatorId ?? null,
      skill_id: null,
      rule_id: null,
      status: 'closed',
      page_type: null,
      user_agent: null,
      phone_number: null,
      xmpp_id: fresh('xmpp'),
      created_at: at,
      answered_at: at,
      closed_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const sale = (json: Record<string, unknown>, as: string = key) =>
  t.api('POST', '/transaction', {
    key: as,
    json: { website_id: site.id, external_id: fresh('order'), amount: 10, ...json },
  });

async function rowCount(table: keyof Database): Promise<number> {
  const row = await t.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function listIds(path: string, as: string = key): Promise<number[]> {
  const answer = await t.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100`, { key: as });
  expect(answer.status).toBe(200);
  return answer.body.data.map((item) => item.id);
}

/** `YYYY-MM-DD HH:MM:SS` of an instant some time ago. */
const apiDate = (agoMs: number): string => new Date(Date.now() - agoMs).toISOString().slice(0, 19).replace('T', ' ');

describe('reporting a transaction', () => {
  it('records a sale with every seed 003 field (plus currency) and reads exactly those back', async () => {
    const answer = await t.api('POST', '/transaction', {
      key,
      json: {
        website_id: site.id,
        external_id: 'ORDER-1001',
        amount: 149.9,
        currency: 'eur',
        visitor_uid: 'unknown-uid',
        visitor_email: 'buyer@mail.example',
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.meta).toEqual({ status: 'success' });
    const id = answer.body.data.id;
    const expected = {
      id,
      external_id: 'ORDER-1001',
      visitor_uid: 'unknown-uid',
      visitor_email: 'buyer@mail.example',
      amount: 149.9,
      currency: 'EUR',
      created_at: answer.body.data.created_at,
      website_id: site.id,
      operator_id: null,
      conversation_id: null,
      _link: `/transaction/${id}`,
    };
    expect(answer.body.data).toEqual(expected);
    expect(answer.body.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect((await t.api('GET', `/transaction/${id}`, { key })).body.data).toEqual(expected);
    const full = await t.api('GET', '/transaction?full=1&limit=100', { key });
    expect(full.body.data.find((item) => item.id === id)).toEqual(expected);
    expect(await eventTypesFor(t, 'transaction', id)).toEqual(['transaction.created']);
    const event = await t.store.db
      .selectFrom('event')
      .select(['payload', 'client_id'])
      .where('subject_type', '=', 'transaction')
      .where('subject_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(event.client_id).toBe(clientId);
    expect(JSON.parse(event.payload)).toEqual({
      transactionId: id,
      websiteId: site.id,
      conversationId: null,
      operatorId: null,
      amount: 149.9,
      currency: 'EUR',
      externalId: 'ORDER-1001',
    });
  });

  it('requires website_id, external_id and amount', async () => {
    for (const field of ['website_id', 'external_id', 'amount'] as const) {
      const json: Record<string, unknown> = { website_id: site.id, external_id: fresh('order'), amount: 5 };
      delete json[field];
      const answer = await t.api('POST', '/transaction', { key, json });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message: `Field '${field}' is missing.` });
    }
  });

  it('refuses malformed values, naming the field, and writes nothing', async () => {
    const sales = await rowCount('sale');
    const events = await rowCount('event');
    const cases: [Record<string, unknown>, string][] = [
      [{ amount: -1 }, "Value of field 'amount' is not valid. Expected an amount from 0 to 1000000000, such as 49.90."],
      [
        { amount: 'a lot' },
        "Value of field 'amount' is not valid. Expected an amount from 0 to 1000000000, such as 49.90.",
      ],
      [
        { amount: null },
        "Value of field 'amount' is not valid. Expected an amount from 0 to 1000000000, such as 49.90.",
      ],
      [
        { amount: true },
        "Value of field 'amount' is not valid. Expected an amount from 0 to 1000000000, such as 49.90.",
      ],
      [
        { amount: [3] },
        "Value of field 'amount' is not valid. Expected an amount from 0 to 1000000000, such as 49.90.",
      ],
      [{ amount: '' }, "Value of field 'amount' is not valid. Expected an amount from 0 to 1000000000, such as 49.90."],
      [
        { amount: 1e15 },
        "Value of field 'amount' is not valid. Expected an amount from 0 to 1000000000, such as 49.90.",
      ],
      [
        { currency: 'EURO' },
        "Value of field 'currency' is not valid. Expected a 3-letter ISO 4217 currency code, such as 'EUR'.",
      ],
      [
        { currency: '€' },
        "Value of field 'currency' is not valid. Expected a 3-letter ISO 4217 currency code, such as 'EUR'.",
      ],
      [{ external_id: '  ' }, "Value of field 'external_id' is not valid. It must not be empty."],
      [
        { visitor_email: 'not-an-email' },
        "Value of field 'visitor_email' is not valid. Expected an email address, such as 'julie@shop.example'.",
      ],
      [
        { created_at: '2026-13-01 00:00:00' },
        "Value of field 'created_at' is not valid. Expected a real date written YYYY-MM-DD HH:MM:SS.",
      ],
      [
        { created_at: 'yesterday' },
        "Value of field 'created_at' is not valid. Expected a date written YYYY-MM-DD HH:MM:SS.",
      ],
      [
        { created_at: apiDate(-2 * DAY) },
        "Value of field 'created_at' is not valid. A sale cannot be dated in the future.",
      ],
      [{ website_id: 999999 }, "Value of field 'website_id' is not valid. Unknown 'website' with 'id' 999999."],
      [
        { conversation_id: 999999 },
        "Value of field 'conversation_id' is not valid. Unknown 'conversation' with 'id' 999999.",
      ],
      [{ operator_id: operator.id }, "Field 'operator_id' is not a field of 'transaction'."],
    ];
    for (const [json, message] of cases) {
      const answer = await sale(json);
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message });
    }
    expect(await rowCount('sale')).toBe(sales);
    expect(await rowCount('event')).toBe(events);
  });

  it('accepts a free order (amount 0), a form-encoded body, and an imported past date', async () => {
    const free = await sale({ amount: 0 });
    expect(free.status).toBe(200);
    expect(free.body.data.amount).toBe(0);
    const text = await sale({ amount: '12.50' });
    expect(text.body.data.amount).toBe(12.5);
    const form = await t.api('POST', '/transaction', {
      key,
      form: {
        website_id: String(site.id),
        external_id: fresh('form'),
        amount: '19.90',
        currency: '',
        visitor_email: '',
      },
    });
    expect(form.status).toBe(200);
    expect(form.body.data).toMatchObject({ amount: 19.9, currency: null, visitor_email: null });
    const imported = await sale({ created_at: '2025-06-30 12:34:56' });
    expect(imported.body.data.created_at).toBe('2025-06-30 12:34:56');
    const dateOnly = await sale({ created_at: '2025-07-01' });
    expect(dateOnly.body.data.created_at).toBe('2025-07-01 00:00:00');
  });

  it("refuses another client's website and conversation", async () => {
    const foreignSite = await create('/website', { url: 'https://foreign.shop.example' }, otherKey);
    const foreignVisitor = await visitor({}, otherKey);
    const foreignConversation = await conversation({
      visitorId: foreignVisitor.id,
      websiteId: foreignSite.id,
      clientId: otherClientId,
    });
    const events = await rowCount('event');
    const website = await sale({ website_id: foreignSite.id });
    expect(website.status).toBe(400);
    expect(website.body.meta.message).toBe(
      `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${foreignSite.id}.`,
    );
    const conv = await sale({ conversation_id: foreignConversation });
    expect(conv.status).toBe(400);
    expect(conv.body.meta.message).toBe(
      `Value of field 'conversation_id' is not valid. Unknown 'conversation' with 'id' ${foreignConversation}.`,
    );
    expect(await rowCount('event')).toBe(events);
  });

  it("lets a partner key report a sale on a managed client's website", async () => {
    const partner = await partnerWithKey(t, 'Shop Partner');
    const managed = await clientWithKey(t, 'Managed Shop', partner.key);
    const managedSite = await create('/website', { url: 'https://managed.shop.example' }, managed.key);
    const answer = await sale({ website_id: managedSite.id }, partner.key);
    expect(answer.status).toBe(200);
    const row = await t.store.db
      .selectFrom('sale')
      .select('client_id')
      .where('id', '=', answer.body.data.id)
      .executeTakeFirstOrThrow();
    expect(row.client_id).toBe(managed.clientId);
    expect((await t.api('GET', `/transaction/${answer.body.data.id}`, { key: managed.key })).status).toBe(200);
    expect((await t.api('GET', `/transaction/${answer.body.data.id}`, { key })).status).toBe(404);
  });
});

describe('attribution', () => {
  it("credits the visitor's most recent conversation on that website and its operator, found by visitor_uid", async () => {
    const buyer = await visitor({ website_id: [site.id] });
    await conversation({ visitorId: buyer.id, websiteId: site.id, operatorId: operator2.id, agoMs: 5 * DAY });
    const recent = await conversation({
      visitorId: buyer.id,
      websiteId: site.id,
      operatorId: operator.id,
      agoMs: 2 * DAY,
    });
    await conversation({ visitorId: buyer.id, websiteId: site2.id, operatorId: operator2.id, agoMs: DAY });
    const answer = await sale({ visitor_uid: buyer.unique_id, amount: 80 });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      conversation_id: recent,
      operator_id: operator.id,
      visitor_uid: buyer.unique_id,
    });
    const row = await t.store.db
      .selectFrom('sale')
      .select('visitor_id')
      .where('id', '=', answer.body.data.id)
      .executeTakeFirstOrThrow();
    expect(row.visitor_id).toBe(buyer.id);
    const event = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('subject_type', '=', 'transaction')
      .where('subject_id', '=', answer.body.data.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload)).toMatchObject({ conversationId: recent, operatorId: operator.id, amount: 80 });
  });

  it('ignores conversations more than 30 days before the sale, and conversations after it', async () => {
    const buyer = await visitor();
    await conversation({ visitorId: buyer.id, websiteId: site.id, operatorId: operator.id, agoMs: 31 * DAY });
    const stale = await sale({ visitor_uid: buyer.unique_id });
    expect(stale.body.data).toMatchObject({ conversation_id: null, operator_id: null });
    const inWindow = await conversation({
      visitorId: buyer.id,
      websiteId: site.id,
      operatorId: operator.id,
      agoMs: 29 * DAY,
    });
    const attributed = await sale({ visitor_uid: buyer.unique_id });
    expect(attributed.body.data).toMatchObject({ conversation_id: inWindow, operator_id: operator.id });
    // An imported sale dated before the conversation was not led by it.
    const before = await sale({ visitor_uid: buyer.unique_id, created_at: apiDate(32 * DAY) });
    expect(before.body.data).toMatchObject({ conversation_id: null, operator_id: null });
    // An imported sale 10 days before now counts conversations from 40 to 10 days before now.
    const older = await visitor();
    const old = await conversation({
      visitorId: older.id,
      websiteId: site.id,
      operatorId: operator2.id,
      agoMs: 35 * DAY,
    });
    const importedSale = await sale({ visitor_uid: older.unique_id, created_at: apiDate(10 * DAY) });
    expect(importedSale.body.data).toMatchObject({ conversation_id: old, operator_id: operator2.id });
  });

  it('falls back to the email when the unique id finds no conversation, whatever its case', async () => {
    const chatter = await visitor({ email: 'Chatter@Mail.example' });
    const chat = await conversation({
      visitorId: chatter.id,
      websiteId: site.id,
      operatorId: operator2.id,
      agoMs: DAY,
    });
    const byEmail = await sale({ visitor_email: 'chatter@mail.example' });
    expect(byEmail.body.data).toMatchObject({
      conversation_id: chat,
      operator_id: operator2.id,
      visitor_email: 'chatter@mail.example',
      visitor_uid: null,
    });
    // Bought from another device: a known visitor without conversations, but the same email.
    const otherDevice = await visitor({ email: 'chatter@mail.example' });
    const crossDevice = await sale({ visitor_uid: otherDevice.unique_id, visitor_email: 'CHATTER@mail.example' });
    expect(crossDevice.body.data).toMatchObject({ conversation_id: chat, operator_id: operator2.id });
    const row = await t.store.db
      .selectFrom('sale')
      .select('visitor_id')
      .where('id', '=', crossDevice.body.data.id)
      .executeTakeFirstOrThrow();
    expect(row.visitor_id).toBe(otherDevice.id);
    const nobody = await sale({ visitor_email: 'nobody@mail.example' });
    expect(nobody.body.data).toMatchObject({ conversation_id: null, operator_id: null });
  });

  it("never attributes to a deleted visitor's conversations or another client's visitors", async () => {
    const gone = await visitor({ email: 'gone@mail.example' });
    await conversation({ visitorId: gone.id, websiteId: site.id, operatorId: operator.id });
    await t.api('DELETE', `/visitor/${gone.id}`, { key });
    expect((await sale({ visitor_uid: gone.unique_id, visitor_email: 'gone@mail.example' })).body.data).toMatchObject({
      conversation_id: null,
      operator_id: null,
    });
    const foreignSite = await create('/website', { url: 'https://foreign2.shop.example' }, otherKey);
    const theirs = await visitor({ email: 'shared@mail.example' }, otherKey);
    await conversation({ visitorId: theirs.id, websiteId: foreignSite.id, clientId: otherClientId });
    expect(
      (await sale({ visitor_uid: theirs.unique_id, visitor_email: 'shared@mail.example' })).body.data,
    ).toMatchObject({ conversation_id: null });
  });

  it('uses an explicit conversation_id (on the same website) whatever its age, and refuses one on another website', async () => {
    const buyer = await visitor();
    const old = await conversation({
      visitorId: buyer.id,
      websiteId: site.id,
      operatorId: operator2.id,
      agoMs: 90 * DAY,
    });
    await conversation({ visitorId: buyer.id, websiteId: site.id, operatorId: operator.id, agoMs: DAY });
    const explicit = await sale({ visitor_uid: buyer.unique_id, conversation_id: old });
    expect(explicit.body.data).toMatchObject({ conversation_id: old, operator_id: operator2.id });
    const elsewhere = await conversation({ visitorId: buyer.id, websiteId: site2.id, operatorId: operator.id });
    const wrongSite = await sale({ conversation_id: elsewhere });
    expect(wrongSite.status).toBe(400);
    expect(wrongSite.body.meta.message).toBe(
      `Value of field 'conversation_id' is not valid. Conversation ${elsewhere} is on website ${site2.id}, not on website ${site.id}.`,
    );
    const unanswered = await conversation({ visitorId: buyer.id, websiteId: site.id, operatorId: null });
    expect((await sale({ conversation_id: unanswered })).body.data).toMatchObject({
      conversation_id: unanswered,
      operator_id: null,
    });
  });
});

describe('idempotent reports', () => {
  it('returns the first report unchanged when the same order is reported again on the same website', async () => {
    const externalId = fresh('retry');
    const first = await sale({ external_id: externalId, amount: 42.5, currency: 'EUR' });
    const sales = await rowCount('sale');
    const events = await rowCount('event');
    const retry = await sale({
      external_id: externalId,
      amount: 42.5,
      currency: 'eur',
      visitor_email: 'late@mail.example',
    });
    expect(retry.status).toBe(200);
    expect(retry.body.data).toEqual(first.body.data);
    const padded = await sale({ external_id: ` ${externalId} `, amount: 42.5 });
    expect(padded.body.data).toEqual(first.body.data);
    expect(await rowCount('sale')).toBe(sales);
    expect(await rowCount('event')).toBe(events);
    const otherSite = await sale({ website_id: site2.id, external_id: externalId, amount: 42.5 });
    expect(otherSite.status).toBe(200);
    expect(otherSite.body.data.id).not.toBe(first.body.data.id);
  });

  it('answers 409 when a retry carries another amount or currency', async () => {
    const externalId = fresh('clash');
    const first = await sale({ external_id: externalId, amount: 10, currency: 'EUR' });
    const amount = await sale({ external_id: externalId, amount: 12 });
    expect(amount.status).toBe(409);
    expect(amount.body.meta).toMatchObject({
      status: 'fail',
      message: `Value of field 'amount' is not valid. The transaction with the external_id '${externalId}' on website ${site.id} was already reported with the amount 10; a retry must send the same amount, and another order needs another external_id.`,
    });
    const currency = await sale({ external_id: externalId, amount: 10, currency: 'USD' });
    expect(currency.status).toBe(409);
    expect(currency.body.meta.message).toBe(
      `Value of field 'currency' is not valid. The transaction with the external_id '${externalId}' on website ${site.id} was already reported in EUR; a retry must send the same currency.`,
    );
    expect((await t.api('GET', `/transaction/${first.body.data.id}`, { key })).body.data).toEqual(first.body.data);
  });

  it('keeps one sale and one event when the same order is reported several times at once', async () => {
    const externalId = fresh('race');
    const answers = await Promise.all([1, 2, 3, 4].map(() => sale({ external_id: externalId, amount: 99 })));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200]);
    const ids = new Set(answers.map((answer) => answer.body.data.id));
    expect(ids.size).toBe(1);
    const rows = await t.store.db.selectFrom('sale').select('id').where('external_id', '=', externalId).execute();
    expect(rows).toHaveLength(1);
    expect(await eventTypesFor(t, 'transaction', [...ids][0] ?? 0)).toEqual(['transaction.created']);
  });
});

describe('transaction filters', () => {
  let fk: string;
  let fClientId: number;
  let siteA: Resource;
  let siteB: Resource;
  let seller: Resource;
  let attributed: number;
  let otherOperator: number;
  let unattributed: number;
  let old: number;
  let conversationId: number;

  beforeAll(async () => {
    ({ key: fk, clientId: fClientId } = await clientWithKey(t, 'Filters Shop'));
    siteA = await create('/website', { url: 'https://a.filters.shop.example' }, fk);
    siteB = await create('/website', { url: 'https://b.filters.shop.example' }, fk);
    seller = await create('/operator', { name: 'Filter Seller', email: 'seller@filters.example' }, fk);
    const closer = await create('/operator', { name: 'Filter Closer', email: 'closer@filters.example' }, fk);
    const buyer = await create('/visitor', { unique_id: 'filters-buyer' }, fk);
    conversationId = await conversation({
      visitorId: buyer.id,
      websiteId: siteA.id,
      operatorId: seller.id,
      clientId: fClientId,
    });
    const otherConversation = await conversation({
      visitorId: buyer.id,
      websiteId: siteB.id,
      operatorId: closer.id,
      clientId: fClientId,
    });
    const report = async (json: Record<string, unknown>) =>
      (await create('/transaction', { external_id: fresh('f'), amount: 1, ...json }, fk)).id;
    attributed = await report({
      website_id: siteA.id,
      conversation_id: conversationId,
      created_at: '2026-01-10 10:00:00',
    });
    otherOperator = await report({
      website_id: siteB.id,
      conversation_id: otherConversation,
      created_at: '2026-01-11 23:59:59',
    });
    unattributed = await report({ website_id: siteA.id, created_at: '2026-01-12 00:00:00' });
    old = await report({ website_id: siteB.id, created_at: '2025-12-31 08:00:00' });
  });

  it('filters by website_id and operator_id', async () => {
    expect(await listIds(`/transaction?filters[website_id]=${siteA.id}`, fk)).toEqual([unattributed, attributed]);
    expect(await listIds(`/transaction?filters[website_id]=${siteB.id}`, fk)).toEqual([old, otherOperator]);
    expect(await listIds(`/transaction?filters[operator_id]=${seller.id}`, fk)).toEqual([attributed]);
  });

  it('filters by conversation_id: an id, null (none) or !null (any)', async () => {
    expect(await listIds(`/transaction?filters[conversation_id]=${conversationId}`, fk)).toEqual([attributed]);
    expect(await listIds('/transaction?filters[conversation_id]=null', fk)).toEqual([old, unattributed]);
    expect(await listIds('/transaction?filters[conversation_id]=!null', fk)).toEqual([otherOperator, attributed]);
    const bad = await t.api('GET', '/transaction?filters[conversation_id]=none', { key: fk });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toBe(
      "Value of field 'filters[conversation_id]' is not valid. Expected a whole number identifier, null or !null.",
    );
  });

  it('filters on created_at with from and to; a date-only `to` includes its whole day', async () => {
    expect(await listIds('/transaction?filters[from]=2026-01-01', fk)).toEqual([
      unattributed,
      otherOperator,
      attributed,
    ]);
    expect(await listIds('/transaction?filters[to]=2026-01-11', fk)).toEqual([old, otherOperator, attributed]);
    expect(await listIds('/transaction?filters[from]=2026-01-11&filters[to]=2026-01-11', fk)).toEqual([otherOperator]);
    expect(await listIds('/transaction?filters[from]=2026-01-10 10:00:01&filters[conversation_id]=!null', fk)).toEqual([
      otherOperator,
    ]);
    const bad = await t.api('GET', '/transaction?filters[to]=2026-02-30', { key: fk });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toBe(
      "Value of field 'filters[to]' is not valid. Expected a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.",
    );
  });
});

describe('transaction isolation', () => {
  it("answers 404 for another client's transaction and never lists it", async () => {
    const foreignSite = await create('/website', { url: 'https://iso.shop.example' }, otherKey);
    const theirs = await create(
      '/transaction',
      { website_id: foreignSite.id, external_id: 'THEIRS-1', amount: 5 },
      otherKey,
    );
    const read = await t.api('GET', `/transaction/${theirs.id}`, { key });
    expect(read.status).toBe(404);
    expect(read.body.meta).toMatchObject({ status: 'fail', message: `Unknown 'transaction' with 'id' ${theirs.id}.` });
    expect(await listIds('/transaction')).not.toContain(theirs.id);
    expect(await listIds(`/transaction?filters[website_id]=${foreignSite.id}`)).toEqual([]);
    // The same order id on one's own website is another sale, not the other client's.
    const mine = await sale({ external_id: 'THEIRS-1', amount: 7 });
    expect(mine.status).toBe(200);
    expect(mine.body.data.id).not.toBe(theirs.id);
  });
});

describe('OpenAPI document', () => {
  it('documents the transaction routes with tags, summaries and filters', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = answer.json<{
      paths: Record<string, Record<string, { tags?: string[]; summary?: string; parameters?: { name: string }[] }>>;
    }>();
    const expected: [string, string[]][] = [
      ['/api/2/transaction', ['get', 'post']],
      ['/api/2/transaction/{id}', ['get']],
    ];
    for (const [path, methods] of expected) {
      for (const method of methods) {
        const operation = doc.paths[path]?.[method];
        expect(operation?.tags).toEqual(['Transaction']);
        expect(operation?.summary).toBeTruthy();
      }
    }
    const filters = (doc.paths['/api/2/transaction']?.get?.parameters ?? []).map((parameter) => parameter.name);
    expect(filters).toEqual(
      expect.arrayContaining([
        'filters[website_id]',
        'filters[operator_id]',
        'filters[conversation_id]',
        'filters[from]',
        'filters[to]',
      ]),
    );
  });
});
