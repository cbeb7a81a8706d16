// Partners, clients, websites and API keys (seed 003 "Client", "Website", authentication) end to end on a real database.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/schema.js';
import {
  ADMIN_KEY,
  clientWithKey,
  eventTypesFor,
  partnerWithKey,
  startTestApp,
  type TestApp,
} from '../../test/harness.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp();
});
afterAll(async () => t.close());

async function rowCount(table: keyof Database): Promise<number> {
  const row = await t.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

async function listIds(path: string, key: string): Promise<number[]> {
  const answer = await t.api('GET', `${path}${path.includes('?') ? '&' : '?'}limit=100`, { key });
  expect(answer.status).toBe(200);
  return answer.body.data.map((item) => item.id);
}

describe('clients', () => {
  it('creates a client with a platform key, lang defaulting to en', async () => {
    const created = await t.api('POST', '/client', { key: ADMIN_KEY, json: { name: 'Plain Shop' } });
    expect(created.status).toBe(200);
    expect(created.body.meta.status).toBe('success');
    const id = created.body.data.id;
    expect(created.body.data).toMatchObject({
      name: 'Plain Shop',
      lang: 'en',
      partner_id: null,
      _link: `/client/${id}`,
    });
    expect(created.body.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const read = await t.api('GET', `/client/${id}`, { key: ADMIN_KEY });
    expect(read.body.data).toEqual(created.body.data);
    const french = await t.api('POST', '/client', { key: ADMIN_KEY, json: { name: 'Boutique', lang: 'FR' } });
    expect(french.body.data.lang).toBe('fr');
  });

  it('requires a name and a 2-letter lang', async () => {
    const before = await rowCount('client');
    const events = await rowCount('event');
    const noName = await t.api('POST', '/client', { key: ADMIN_KEY, json: { lang: 'en' } });
    expect(noName.status).toBe(400);
    expect(noName.body.meta).toMatchObject({ status: 'fail', message: "Field 'name' is missing." });
    for (const lang of ['fra', 'f', 'f1', '']) {
      const answer = await t.api('POST', '/client', { key: ADMIN_KEY, json: { name: 'Bad lang', lang } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta.message).toBe(
        "Value of field 'lang' is not valid. Expected 2 letters, such as 'fr' or 'en'.",
      );
    }
    for (const name of ['', '   ']) {
      const blank = await t.api('POST', '/client', { key: ADMIN_KEY, json: { name } });
      expect(blank.status).toBe(400);
      expect(blank.body.meta.message).toBe("Value of field 'name' is not valid. It must not be empty.");
    }
    expect(await rowCount('client')).toBe(before);
    expect(await rowCount('event')).toBe(events);
  });

  it("creates clients owned by a partner key's partner", async () => {
    const { partnerId, key } = await partnerWithKey(t, 'Reseller');
    const created = await t.api('POST', '/client', { key, json: { name: 'Resold Shop', lang: 'de' } });
    expect(created.status).toBe(200);
    expect(created.body.data).toMatchObject({ name: 'Resold Shop', lang: 'de', partner_id: partnerId });
    const row = await t.store.db
      .selectFrom('client')
      .select('partner_id')
      .where('id', '=', created.body.data.id)
      .executeTakeFirstOrThrow();
    expect(row.partner_id).toBe(partnerId);
    const { partnerId: otherPartner } = await partnerWithKey(t, 'Other reseller');
    const foreign = await t.api('POST', '/client', { key, json: { name: 'Stolen', partner_id: otherPartner } });
    expect(foreign.status).toBe(404);
  });

  it('lets a platform key assign a client to a partner', async () => {
    const { partnerId } = await partnerWithKey(t, 'Assigned reseller');
    const created = await t.api('POST', '/client', {
      key: ADMIN_KEY,
      json: { name: 'Assigned', partner_id: partnerId },
    });
    expect(created.body.data.partner_id).toBe(partnerId);
    const unknown = await t.api('POST', '/client', { key: ADMIN_KEY, json: { name: 'Nowhere', partner_id: 999999 } });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toContain("'partner_id'");
  });

  it('refuses client creation with a client key: 403 with status error', async () => {
    const { key } = await clientWithKey(t, 'Tenant');
    const before = await rowCount('client');
    const answer = await t.api('POST', '/client', { key, json: { name: 'Sneaky' } });
    expect(answer.status).toBe(403);
    expect(answer.body.meta.status).toBe('error');
    expect(await rowCount('client')).toBe(before);
    expect((await t.api('POST', '/partner', { key, json: { name: 'Sneaky partner' } })).status).toBe(403);
  });

  it('lists only the clients a key may see', async () => {
    const { partnerId, key: partnerKey } = await partnerWithKey(t, 'Lister');
    const own = await clientWithKey(t, 'Partner client one', partnerKey);
    const own2 = await clientWithKey(t, 'Partner client two', partnerKey);
    const independent = await clientWithKey(t, 'Independent');

    expect(await listIds('/client', own.key)).toEqual([own.clientId]);
    expect(await listIds('/client', independent.key)).toEqual([independent.clientId]);
    expect(await listIds('/client', partnerKey)).toEqual([own2.clientId, own.clientId]);
    const all = await listIds('/client', ADMIN_KEY);
    for (const id of [own.clientId, own2.clientId, independent.clientId]) expect(all).toContain(id);
    expect(await listIds(`/client?filters[partner_id]=${partnerId}`, ADMIN_KEY)).toEqual([own2.clientId, own.clientId]);

    expect((await t.api('GET', `/client/${independent.clientId}`, { key: own.key })).status).toBe(404);
    expect((await t.api('GET', `/client/${independent.clientId}`, { key: partnerKey })).status).toBe(404);
    expect((await t.api('GET', `/client/${own.clientId}`, { key: partnerKey })).status).toBe(200);
  });
});

describe('API keys', () => {
  it('mints a csk_ key that works at once and sees only its client', async () => {
    const first = await clientWithKey(t, 'Key owner');
    const second = await clientWithKey(t, 'Key neighbour');
    const minted = await t.api('POST', `/client/${first.clientId}/key`, {
      key: ADMIN_KEY,
      json: { name: 'integration' },
    });
    expect(minted.status).toBe(200);
    const fresh = String(minted.body.data.key);
    expect(fresh.startsWith('csk_')).toBe(true);
    expect(minted.body.data).toMatchObject({
      scope: 'client',
      name: 'integration',
      client_id: first.clientId,
      revoked_at: null,
    });

    expect(await listIds('/client', fresh)).toEqual([first.clientId]);
    await t.api('POST', '/website', { key: second.key, json: { url: 'https://neighbour.example' } });
    const mine = await t.api('POST', '/website', { key: fresh, json: { url: 'https://owner.example' } });
    expect(mine.body.data.client_id).toBe(first.clientId);
    expect(await listIds('/website', fresh)).toEqual([mine.body.data.id]);
    expect((await t.api('GET', `/client/${second.clientId}`, { key: fresh })).status).toBe(404);
    const stored = await t.store.db
      .selectFrom('api_key')
      .select('secret_hash')
      .where('id', '=', minted.body.data.id)
      .executeTakeFirstOrThrow();
    expect(stored.secret_hash.startsWith('$argon2id$')).toBe(true);
    expect(fresh).not.toContain(stored.secret_hash);
  });

  it('lists keys without ever showing the key itself', async () => {
    const owner = await clientWithKey(t, 'Listed keys');
    await t.api('POST', `/client/${owner.clientId}/key`, { key: ADMIN_KEY, json: { name: 'second' } });
    const listed = await t.api('GET', '/key?full=1', { key: owner.key });
    expect(listed.status).toBe(200);
    expect(listed.body.data).toHaveLength(2);
    for (const item of listed.body.data) {
      expect(item).not.toHaveProperty('key');
      expect(item.client_id).toBe(owner.clientId);
      expect(item._link).toBe(`/key/${item.id}`);
    }
    expect(JSON.stringify(listed.body)).not.toContain(owner.key);
    const platform = await t.api('GET', '/key?full=1&limit=100', { key: ADMIN_KEY });
    for (const item of platform.body.data) expect(item).not.toHaveProperty('key');
    const one = await t.api('GET', `/key/${listed.body.data[0].id}`, { key: owner.key });
    expect(one.body.data).not.toHaveProperty('key');
  });

  it('revokes a key with DELETE /key/{id}', async () => {
    const owner = await clientWithKey(t, 'Revoker');
    const minted = await t.api('POST', `/client/${owner.clientId}/key`, { key: owner.key, json: { name: 'rotated' } });
    expect(minted.status).toBe(200);
    const fresh = String(minted.body.data.key);
    expect((await t.api('GET', '/client', { key: fresh })).status).toBe(200);
    const revoked = await t.api('DELETE', `/key/${minted.body.data.id}`, { key: owner.key });
    expect(revoked.status).toBe(200);
    expect(revoked.body.meta.status).toBe('success');
    const refused = await t.api('GET', '/client', { key: fresh });
    expect(refused.status).toBe(403);
    expect(refused.body).toEqual({ meta: { status: 'error', message: 'Forbidden', error: 'forbidden' } });
    expect((await t.api('GET', '/client', { key: owner.key })).status).toBe(200);
    const shown = await t.api('GET', `/key/${minted.body.data.id}`, { key: owner.key });
    expect(shown.body.data.revoked_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    expect(await listIds('/key?filters[revoked]=1', owner.key)).toEqual([minted.body.data.id]);
    expect(await eventTypesFor(t, 'api_key', minted.body.data.id)).toEqual(['api_key.created', 'api_key.revoked']);
  });

  it('refuses minting or revoking keys of another client', async () => {
    const mine = await clientWithKey(t, 'Minter');
    const theirs = await clientWithKey(t, 'Target');
    const before = await rowCount('api_key');
    const mint = await t.api('POST', `/client/${theirs.clientId}/key`, { key: mine.key, json: {} });
    expect(mint.status).toBe(404);
    expect(await rowCount('api_key')).toBe(before);
    const theirKeys = await listIds('/key', theirs.key);
    const revoke = await t.api('DELETE', `/key/${theirKeys[0]}`, { key: mine.key });
    expect(revoke.status).toBe(404);
    expect((await t.api('GET', '/client', { key: theirs.key })).status).toBe(200);
  });
});

describe('websites', () => {
  let key: string;
  let clientId: number;

  beforeAll(async () => {
    ({ key, clientId } = await clientWithKey(t, 'Web Co'));
  });

  it('has a routing strategy (least_loaded by default, round_robin on request) and an identity secret per website', async () => {
    const plain = await t.api('POST', '/website', { key, json: { url: 'https://routing.example' } });
    expect(plain.body.data).toMatchObject({
      routing_strategy: 'least_loaded',
      identity_secret: expect.stringMatching(/^[\w-]{40,}$/),
    });
    const other = await t.api('POST', '/website', {
      key,
      json: { url: 'https://routing2.example', routing_strategy: 'round_robin' },
    });
    expect(other.body.data.routing_strategy).toBe('round_robin');
    expect(other.body.data.identity_secret).not.toBe(plain.body.data.identity_secret);
    const changed = await t.api('PUT', `/website/${plain.body.data.id}`, {
      key,
      form: { routing_strategy: 'round_robin' },
    });
    expect(changed.body.data.routing_strategy).toBe('round_robin');
    const wrong = await t.api('PUT', `/website/${plain.body.data.id}`, { key, json: { routing_strategy: 'random' } });
    expect(wrong.body.meta.message).toBe(
      "Value of field 'routing_strategy' is not valid. Expected least_loaded or round_robin.",
    );
  });

  it('creates, reads, lists and updates websites with id, url and label', async () => {
    const created = await t.api('POST', '/website', {
      key,
      json: { url: 'https://www.shop.example/', label: 'Main shop' },
    });
    expect(created.status).toBe(200);
    const id = created.body.data.id;
    expect(created.body.data).toMatchObject({
      id,
      url: 'https://www.shop.example',
      label: 'Main shop',
      client_id: clientId,
      _link: `/website/${id}`,
    });
    expect((await t.api('GET', `/website/${id}`, { key })).body.data).toEqual(created.body.data);
    expect(await listIds('/website', key)).toContain(id);

    const relabelled = await t.api('PUT', `/website/${id}`, { key, json: { label: 'Flagship' } });
    expect(relabelled.status).toBe(200);
    expect(relabelled.body.data).toEqual({ ...created.body.data, label: 'Flagship' });
    const moved = await t.api('PUT', `/website/${id}`, { key, json: { url: 'http://shop.example/fr' } });
    expect(moved.body.data).toMatchObject({ url: 'http://shop.example/fr', label: 'Flagship' });
    expect((await t.api('GET', `/website/${id}`, { key })).body.data).toEqual(moved.body.data);
    const blank = await t.api('PUT', `/website/${id}`, { key, json: { label: '   ' } });
    expect(blank.status).toBe(400);
    expect(blank.body.meta.message).toBe("Value of field 'label' is not valid. It must not be empty.");
    expect((await t.api('GET', `/website/${id}`, { key })).body.data.label).toBe('Flagship');
  });

  it('defaults the label to the host name', async () => {
    const created = await t.api('POST', '/website', { key, json: { url: 'https://blog.shop.example/news' } });
    expect(created.body.data.label).toBe('blog.shop.example');
    const bare = await t.api('POST', '/website', { key, json: { url: 'store.example' } });
    expect(bare.body.data).toMatchObject({ url: 'https://store.example', label: 'store.example' });
  });

  it('refuses a bad URL, naming url, writing nothing', async () => {
    const sites = await rowCount('website');
    const events = await rowCount('event');
    for (const url of ['not a url', 'ftp://files.example', 'https://']) {
      const answer = await t.api('POST', '/website', { key, json: { url } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta.status).toBe('fail');
      expect(answer.body.meta.message).toContain("Value of field 'url' is not valid.");
    }
    const missing = await t.api('POST', '/website', { key, json: { label: 'No url' } });
    expect(missing.body.meta.message).toBe("Field 'url' is missing.");
    const existing = await t.api('POST', '/website', { key, json: { url: 'https://kept.example' } });
    const update = await t.api('PUT', `/website/${existing.body.data.id}`, {
      key,
      json: { url: 'javascript:alert(1)' },
    });
    expect(update.status).toBe(400);
    expect(update.body.meta.message).toContain("'url'");
    expect((await t.api('GET', `/website/${existing.body.data.id}`, { key })).body.data.url).toBe(
      'https://kept.example',
    );
    expect(await rowCount('website')).toBe(sites + 1);
    expect(await rowCount('event')).toBe(events + 1);
  });

  it('requires client_id from partner and platform keys', async () => {
    const { key: partnerKey } = await partnerWithKey(t, 'Web reseller');
    const partnerClient = await clientWithKey(t, 'Web resold', partnerKey);
    for (const managerKey of [partnerKey, ADMIN_KEY]) {
      const answer = await t.api('POST', '/website', { key: managerKey, json: { url: 'https://managed.example' } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message: "Field 'client_id' is missing." });
    }
    const viaPartner = await t.api('POST', '/website', {
      key: partnerKey,
      json: { url: 'https://managed.example', client_id: partnerClient.clientId },
    });
    expect(viaPartner.status).toBe(200);
    expect(viaPartner.body.data.client_id).toBe(partnerClient.clientId);
    const foreign = await t.api('POST', '/website', {
      key: partnerKey,
      json: { url: 'https://stolen.example', client_id: clientId },
    });
    expect(foreign.status).toBe(404);
    const viaPlatform = await t.api('POST', '/website', {
      key: ADMIN_KEY,
      json: { url: 'https://platform.example', client_id: clientId },
    });
    expect(viaPlatform.body.data.client_id).toBe(clientId);
    expect(await listIds('/website', partnerKey)).toEqual([viaPartner.body.data.id]);
    expect(await listIds('/website', partnerClient.key)).toEqual([viaPartner.body.data.id]);
  });

  it("answers 404 for another client's website", async () => {
    const other = await clientWithKey(t, 'Web rival');
    const theirs = await t.api('POST', '/website', { key: other.key, json: { url: 'https://rival.example' } });
    const id = theirs.body.data.id;
    expect((await t.api('GET', `/website/${id}`, { key })).status).toBe(404);
    const update = await t.api('PUT', `/website/${id}`, { key, json: { label: 'Mine' } });
    expect(update.status).toBe(404);
    expect(update.body.meta.message).toBe(`Unknown 'website' with 'id' ${id}.`);
    expect((await t.api('GET', `/website/${id}`, { key: other.key })).body.data.label).toBe('rival.example');
  });
});

describe('events', () => {
  it('writes client.created, api_key.created, website.created and website.updated', async () => {
    const { clientId, key } = await clientWithKey(t, 'Evented client');
    expect(await eventTypesFor(t, 'client', clientId)).toEqual(['client.created']);
    const keys = await t.store.db.selectFrom('api_key').select('id').where('client_id', '=', clientId).execute();
    expect(keys).toHaveLength(1);
    const keyId = keys[0]?.id ?? 0;
    expect(await eventTypesFor(t, 'api_key', keyId)).toEqual(['api_key.created']);
    const site = await t.api('POST', '/website', { key, json: { url: 'https://evented.example' } });
    await t.api('PUT', `/website/${site.body.data.id}`, { key, json: { label: 'Renamed' } });
    expect(await eventTypesFor(t, 'website', site.body.data.id)).toEqual(['website.created', 'website.updated']);

    const rows = await t.store.db
      .selectFrom('event')
      .select(['type', 'client_id', 'payload'])
      .where('client_id', '=', clientId)
      .orderBy('id')
      .execute();
    expect(rows.map((row) => row.type)).toEqual([
      'client.created',
      'api_key.created',
      'website.created',
      'website.updated',
    ]);
    for (const row of rows) expect(row.payload).not.toContain(key);
  });

  it('records the partner on events of a partner-created client', async () => {
    const { partnerId, key } = await partnerWithKey(t, 'Evented partner');
    expect(await eventTypesFor(t, 'partner', partnerId)).toEqual(['partner.created']);
    const created = await t.api('POST', '/client', { key, json: { name: 'Partner evented' } });
    const row = await t.store.db
      .selectFrom('event')
      .select(['partner_id', 'client_id'])
      .where('subject_type', '=', 'client')
      .where('subject_id', '=', created.body.data.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ partner_id: partnerId, client_id: created.body.data.id });
  });
});
