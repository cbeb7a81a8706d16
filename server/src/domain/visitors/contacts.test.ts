// Contacts (issue 22): search, custom attributes, phone numbers, and merging two visitors, on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { transact } from '../../events/transact.js';
import { clientWithKey, eventTypesFor, type Resource, startTestApp, type TestApp } from '../../test/harness.js';
import { nowInstant } from '../../time.js';
import { findOrCreateVisitor } from './identity.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let site: Resource;
let otherSite: Resource;
// Unique per run, so that a retried test does not meet the first attempt's visitors.
const run = Math.random().toString(36).slice(2, 8);

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Contacts Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Elsewhere Co'));
  site = await create('/website', { url: `https://contacts-${run}.example` });
  otherSite = await create('/website', { url: `https://elsewhere-${run}.example` }, otherKey);
});
afterAll(async () => t.close());

async function create(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

async function search(q: string, as: string = key): Promise<number[]> {
  const answer = await t.api('GET', `/visitor?filters[q]=${encodeURIComponent(q)}&limit=100`, { key: as });
  expect(answer.status).toBe(200);
  return answer.body.data.map((item: Resource) => item.id);
}

describe('finding contacts', () => {
  it('searches first and last name, full name, email and phone, case-insensitively, within the client', async () => {
    const julie = await create('/visitor', {
      firstname: 'Julie',
      lastname: `Martin${run}`,
      email: `julie.${run}@shop.example`,
      phone: '+33 6 11 22 33 44',
    });
    const theirs = await create('/visitor', { lastname: `Martin${run}` }, otherKey);
    expect(await search(`martin${run}`)).toEqual([julie.id]);
    expect(await search(`JULIE MARTIN${run}`)).toEqual([julie.id]);
    expect(await search(`julie.${run}@`)).toEqual([julie.id]);
    expect(await search('+33611223344')).toContain(julie.id);
    expect(await search(`martin${run}`, otherKey)).toEqual([theirs.id]);
    // A LIKE wildcard in the words is taken literally.
    expect(await search(`%${run}`)).toEqual([]);
    const page = await t.api('GET', `/visitor?filters[q]=${run}&limit=1&page=1`, { key });
    expect(page.body.pagination).toMatchObject({ limit: 1, page: 1 });
  });
});

describe('editing a contact', () => {
  it('keeps custom attributes as text, removes a key given null, and keeps the keys not given', async () => {
    const contact = await create('/visitor', { custom_attributes: { plan: 'premium', order_ref: 'A-1' } });
    expect(contact.custom_attributes).toEqual({ plan: 'premium', order_ref: 'A-1' });
    const updated = await t.api('PUT', `/visitor/${contact.id}`, {
      key,
      json: { custom_attributes: { order_ref: null, segment: 'b2b' } },
    });
    expect(updated.status).toBe(200);
    expect(updated.body.data.custom_attributes).toEqual({ plan: 'premium', segment: 'b2b' });
    const events = await eventTypesFor(t, 'visitor', contact.id);
    expect(events).toEqual(['visitor.created', 'visitor.updated']);
    // Nothing changes: no event.
    await t.api('PUT', `/visitor/${contact.id}`, { key, json: { custom_attributes: { plan: 'premium' } } });
    expect(await eventTypesFor(t, 'visitor', contact.id)).toEqual(events);
  });

  it('refuses a bad email, phone or custom attribute with a 400 naming the field', async () => {
    const contact = await create('/visitor', {});
    const cases: [Record<string, unknown>, string][] = [
      [{ email: 'not-an-email' }, 'email'],
      [{ phone: '+0 12' }, 'phone'],
      [{ phone: 'call me' }, 'phone'],
      [{ custom_attributes: { '1bad': 'x' } }, 'custom_attributes'],
      [{ custom_attributes: { note: 'x'.repeat(1001) } }, 'custom_attributes'],
      [
        { custom_attributes: Object.fromEntries(Array.from({ length: 51 }, (_, n) => [`k${n}`, 'v'])) },
        'custom_attributes',
      ],
      [{ custom_attributes: { plan: { nested: 'x' } } }, 'custom_attributes'],
    ];
    for (const [json, field] of cases) {
      const answer = await t.api('PUT', `/visitor/${contact.id}`, { key, json });
      expect(answer.status, JSON.stringify(json)).toBe(400);
      expect(answer.body.meta.message, JSON.stringify(json)).toContain(field);
    }
    expect(await eventTypesFor(t, 'visitor', contact.id)).toEqual(['visitor.created']);
  });
});

describe('a visitor found or made by its unique id', () => {
  it('is linked to each website it is met on, once, however often it comes back', async () => {
    const secondSite = await create('/website', { url: `https://second-${run}.example` });
    const uniqueId = `links-${run}`;
    const meet = (websiteId: number) =>
      transact(t.store.db, (trx) => findOrCreateVisitor(trx, { clientId, websiteId, uniqueId, at: nowInstant() }));
    const first = await meet(site.id);
    expect(first.created).toBe(true);
    for (const websiteId of [site.id, secondSite.id, secondSite.id, site.id])
      expect(await meet(websiteId)).toEqual({ ...first, created: false });
    const links = await t.store.db
      .selectFrom('visitor_website')
      .select('website_id')
      .where('visitor_id', '=', first.id)
      .orderBy('website_id')
      .execute();
    expect(links.map((link) => link.website_id)).toEqual([site.id, secondSite.id].sort((a, b) => a - b));
  });
});

describe('merging contacts', () => {
  it('moves identities, conversations and blank fields to the target; the merged one answers 404', async () => {
    const webUid = `web-${run}`;
    const phone = `+3361${Math.floor(1000000 + Math.random() * 8999999)}`;
    const web = await create('/visitor', {
      unique_id: webUid,
      firstname: 'Julie',
      email: `julie.merge.${run}@shop.example`,
      website_id: [site.id],
      custom_attributes: { plan: 'premium' },
    });
    const whatsapp = await create('/visitor', {
      unique_id: `whatsapp:${phone}`,
      firstname: 'Juju',
      lastname: 'Martin',
      phone,
      website_id: [site.id],
      custom_attributes: { plan: 'free', city: 'Nantes' },
    });
    const webConversation = await create('/conversation', { website_id: site.id, visitor_uid: webUid });
    const whatsappConversation = await create('/conversation', {
      website_id: site.id,
      visitor_uid: `whatsapp:${phone}`,
    });

    const merged = await t.api('POST', `/visitor/${web.id}/merge`, { key, json: { from_id: whatsapp.id } });
    expect(merged.status).toBe(200);
    expect(merged.body.data).toMatchObject({
      id: web.id,
      firstname: 'Julie', // the target's value wins
      lastname: 'Martin', // the other's fills a blank
      phone,
      email: `julie.merge.${run}@shop.example`,
      custom_attributes: { plan: 'premium', city: 'Nantes' },
      conversation_id: [whatsappConversation.id, webConversation.id],
    });
    expect(merged.body.data.identities).toEqual(
      expect.arrayContaining([
        { type: 'web', value: webUid },
        { type: 'whatsapp', value: phone },
        { type: 'email', value: `julie.merge.${run}@shop.example` },
      ]),
    );
    const conversations = await t.api('GET', `/conversation?filters[visitor_id]=${web.id}&limit=100`, { key });
    expect(conversations.body.data.map((item: Resource) => item.id).sort()).toEqual(
      [webConversation.id, whatsappConversation.id].sort(),
    );
    expect((await t.api('GET', `/visitor/${whatsapp.id}`, { key })).status).toBe(404);
    expect(await search(phone)).toEqual([web.id]);
    expect(await eventTypesFor(t, 'visitor', web.id)).toEqual(['visitor.created', 'visitor.updated']);
    expect(await eventTypesFor(t, 'visitor', whatsapp.id)).toEqual(['visitor.created', 'visitor.deleted']);

    // The WhatsApp number writing again finds the contact it was merged into.
    const returning = await transact(t.store.db, (trx) =>
      findOrCreateVisitor(trx, { clientId, websiteId: site.id, uniqueId: `whatsapp:${phone}`, at: nowInstant() }),
    );
    expect(returning).toMatchObject({ id: web.id, created: false });
    // Merging it again: it is gone.
    const again = await t.api('POST', `/visitor/${web.id}/merge`, { key, json: { from_id: whatsapp.id } });
    expect(again.status).toBe(400);
    expect(again.body.meta.message).toContain('from_id');
  });

  it("moves the merged one's sales in the merge, and a sale reported later with its unique id counts for the survivor", async () => {
    const survivor = await create('/visitor', { unique_id: `sale-survivor-${run}`, website_id: [site.id] });
    const mergedUid = `sale-merged-${run}`;
    const merged = await create('/visitor', { unique_id: mergedUid, website_id: [site.id] });
    const conversation = await create('/conversation', { website_id: site.id, visitor_uid: mergedUid });
    const before = await create('/transaction', {
      website_id: site.id,
      external_id: `before-${run}`,
      amount: 20,
      visitor_uid: mergedUid,
    });
    expect(before.conversation_id).toBe(conversation.id);
    const merging = await t.api('POST', `/visitor/${survivor.id}/merge`, { key, json: { from_id: merged.id } });
    expect(merging.status).toBe(200);
    const owners = await t.store.db
      .selectFrom('sale')
      .select('visitor_id')
      .where('id', '=', Number(before.id))
      .executeTakeFirstOrThrow();
    expect(owners.visitor_id).toBe(survivor.id);
    // The shop still knows the merged browser's id: its next order counts for the survivor's conversation.
    const after = await create('/transaction', {
      website_id: site.id,
      external_id: `after-${run}`,
      amount: 35,
      visitor_uid: mergedUid,
    });
    expect(after.conversation_id).toBe(conversation.id);
    const afterRow = await t.store.db
      .selectFrom('sale')
      .select('visitor_id')
      .where('id', '=', Number(after.id))
      .executeTakeFirstOrThrow();
    expect(afterRow.visitor_id).toBe(survivor.id);
    const read = await t.api('GET', `/visitor/${survivor.id}`, { key });
    expect(read.body.data.conversation_id).toContain(conversation.id);
  });

  it('refuses merging a contact into itself, and keeps clients apart (404 / 400 naming from_id)', async () => {
    const mine = await create('/visitor', { website_id: [site.id] });
    const theirs = await create('/visitor', { website_id: [otherSite.id] }, otherKey);
    const self = await t.api('POST', `/visitor/${mine.id}/merge`, { key, json: { from_id: mine.id } });
    expect(self.status).toBe(400);
    expect(self.body.meta.message).toContain('from_id');
    const intoTheirs = await t.api('POST', `/visitor/${theirs.id}/merge`, { key, json: { from_id: mine.id } });
    expect(intoTheirs.status).toBe(404);
    const fromTheirs = await t.api('POST', `/visitor/${mine.id}/merge`, { key, json: { from_id: theirs.id } });
    expect(fromTheirs.status).toBe(400);
    expect(fromTheirs.body.meta.message).toContain('from_id');
    const missing = await t.api('POST', `/visitor/${mine.id}/merge`, { key, json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.message).toContain('from_id');
    expect((await t.api('GET', `/visitor/${theirs.id}`, { key: otherKey })).status).toBe(200);
    expect(await eventTypesFor(t, 'visitor', mine.id)).toEqual(['visitor.created']);
  });

  it('erases the merged visitors too when the contact is deleted', async () => {
    const target = await create('/visitor', { firstname: 'Erase' });
    const source = await create('/visitor', { unique_id: `erase-${run}`, email: `erase.${run}@shop.example` });
    await t.api('POST', `/visitor/${target.id}/merge`, { key, json: { from_id: source.id } });
    expect((await t.api('DELETE', `/visitor/${target.id}`, { key })).status).toBe(200);
    const row = await t.store.db
      .selectFrom('visitor')
      .select(['email', 'unique_id'])
      .where('id', '=', source.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ email: null, unique_id: `deleted:${source.id}` });
  });
});
