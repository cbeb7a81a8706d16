// Tags (seed 003 "Tag") end to end: fields, the website filter, case-insensitive unique names, events and isolation.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ADMIN_KEY,
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
let siteA: number;
let siteB: number;

let counter = 0;
async function created(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}
const website = async (as: string = key): Promise<number> =>
  (await created('/website', { url: `https://tags${++counter}.example` }, as)).id;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Tag Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Tag Co'));
  siteA = await website();
  siteB = await website();
});
afterAll(async () => t.close());

describe('tags', () => {
  it('creates a tag with its websites and reads the seed fields back', async () => {
    const answer = await t.api('POST', '/tag', {
      key,
      json: { name: '  Livraison ', website_id: [siteB, siteA, siteB] },
    });
    expect(answer.status).toBe(200);
    const id = answer.body.data.id;
    const expected = {
      id,
      name: 'Livraison',
      website_id: [siteA, siteB].sort((a, b) => a - b),
      client_id: clientId,
      _link: `/tag/${id}`,
    };
    expect(answer.body.data).toMatchObject(expected);
    expect(answer.body.data.created_at).toMatch(/^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/);
    const read = await t.api('GET', `/tag/${id}`, { key });
    expect(read.body.data).toEqual(answer.body.data);
    expect(await eventTypesFor(t, 'tag', id)).toEqual(['tag.created']);
    const event = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'tag.created')
      .where('subject_id', '=', id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload)).toEqual({ tagId: id, name: 'Livraison', websiteIds: [siteB, siteA] });
  });

  it('creates a tag with no website and accepts form bodies (website_id=1,2)', async () => {
    const bare = await created('/tag', { name: 'Bare' });
    expect(bare.website_id).toEqual([]);
    const form = await t.api('POST', '/tag', { key, form: `name=Form&website_id=${siteA},${siteB}` });
    expect(form.status).toBe(200);
    expect(form.body.data.website_id).toEqual([siteA, siteB].sort((a, b) => a - b));
  });

  it('lists short or full, and filters by website_id', async () => {
    const only = await created('/tag', { name: 'Only B', website_id: [siteB] });
    const listed = await t.api('GET', `/tag?filters[website_id]=${siteB}&full=1`, { key });
    expect(listed.status).toBe(200);
    expect(listed.body.data.map((tag) => tag.name)).toContain('Only B');
    expect(listed.body.data.every((tag) => (tag.website_id as number[]).includes(siteB))).toBe(true);
    const onA = await t.api('GET', `/tag?filters[website_id]=${siteA}`, { key });
    expect(onA.body.data.map((tag) => tag.id)).not.toContain(only.id);
    expect(onA.body.data[0]).toEqual({ id: onA.body.data[0]?.id, _link: `/tag/${onA.body.data[0]?.id}` });
  });

  it('requires a non-blank name', async () => {
    const missing = await t.api('POST', '/tag', { key, json: {} });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.message).toBe("Field 'name' is missing.");
    const blank = await t.api('POST', '/tag', { key, json: { name: '   ' } });
    expect(blank.body.meta.message).toBe("Value of field 'name' is not valid. It must not be empty.");
    const renamedBlank = await t.api('PUT', `/tag/${(await created('/tag', { name: 'Keep me' })).id}`, {
      key,
      json: { name: '' },
    });
    expect(renamedBlank.status).toBe(400);
    expect(renamedBlank.body.meta.message).toBe("Value of field 'name' is not valid. It must not be empty.");
  });

  it('keeps names unique per client whatever the case (409), while another client may reuse them', async () => {
    await created('/tag', { name: 'Retour' });
    const clash = await t.api('POST', '/tag', { key, json: { name: 'RETOUR' } });
    expect(clash.status).toBe(409);
    expect(clash.body.meta).toMatchObject({
      status: 'fail',
      message: "Value of field 'name' is not valid. A tag named 'RETOUR' already exists.",
    });
    const other = await t.api('POST', '/tag', { key: otherKey, json: { name: 'Retour' } });
    expect(other.status).toBe(200);
    const second = await created('/tag', { name: 'Échange' });
    const renamed = await t.api('PUT', `/tag/${second.id}`, { key, json: { name: 'retour' } });
    expect(renamed.status).toBe(409);
    // Renaming a tag to its own name in another case is fine.
    const recased = await t.api('PUT', `/tag/${second.id}`, { key, json: { name: 'ÉCHANGE' } });
    expect(recased.status).toBe(200);
    expect(recased.body.data.name).toBe('ÉCHANGE');
  });

  it('gives one name to one tag when creates race', async () => {
    const answers = await Promise.all([1, 2, 3, 4].map(() => t.api('POST', '/tag', { key, json: { name: 'Race' } })));
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409, 409]);
    const rows = await t.store.db
      .selectFrom('tag')
      .select('id')
      .where('client_id', '=', clientId)
      .where('name', '=', 'Race')
      .execute();
    expect(rows).toHaveLength(1);
  });

  it('renames a tag and changes its websites, with tag.updated naming what changed', async () => {
    const tag = await created('/tag', { name: 'Old name', website_id: [siteA] });
    const answer = await t.api('PUT', `/tag/${tag.id}`, { key, json: { name: 'New name', website_id: [siteB] } });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ name: 'New name', website_id: [siteB] });
    const cleared = await t.api('PUT', `/tag/${tag.id}`, { key, json: { website_id: [] } });
    expect(cleared.body.data.website_id).toEqual([]);
    const same = await t.api('PUT', `/tag/${tag.id}`, { key, json: { name: 'New name' } });
    expect(same.status).toBe(200);
    const events = await t.store.db
      .selectFrom('event')
      .select(['type', 'payload'])
      .where('subject_type', '=', 'tag')
      .where('subject_id', '=', tag.id)
      .orderBy('id')
      .execute();
    expect(events.map((event) => [event.type, JSON.parse(event.payload).changed])).toEqual([
      ['tag.created', undefined],
      ['tag.updated', ['name', 'website_id']],
      ['tag.updated', ['website_id']],
    ]);
  });

  it("refuses another client's websites and unknown fields", async () => {
    const foreign = await website(otherKey);
    const answer = await t.api('POST', '/tag', { key, json: { name: 'Foreign', website_id: [foreign] } });
    expect(answer.status).toBe(400);
    expect(answer.body.meta.message).toBe(
      `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${foreign}.`,
    );
    const tag = await created('/tag', { name: 'Local' });
    const update = await t.api('PUT', `/tag/${tag.id}`, { key, json: { website_id: [foreign] } });
    expect(update.status).toBe(400);
    const unknown = await t.api('PUT', `/tag/${tag.id}`, { key, json: { color: 'red' } });
    expect(unknown.body.meta.message).toBe("Field 'color' is not a field of 'tag'.");
    expect(await eventTypesFor(t, 'tag', tag.id)).toEqual(['tag.created']);
    const none = await t.store.db.selectFrom('tag').select('id').where('name', '=', 'Foreign').execute();
    expect(none).toHaveLength(0);
  });

  it("answers 404 for another client's tag, and never lists it", async () => {
    const mine = await created('/tag', { name: 'Private' });
    const read = await t.api('GET', `/tag/${mine.id}`, { key: otherKey });
    expect(read.status).toBe(404);
    expect(read.body.meta.message).toBe(`Unknown 'tag' with 'id' ${mine.id}.`);
    const update = await t.api('PUT', `/tag/${mine.id}`, { key: otherKey, json: { name: 'Stolen' } });
    expect(update.status).toBe(404);
    const list = await t.api('GET', '/tag?limit=100', { key: otherKey });
    expect(list.body.data.map((tag) => tag.id)).not.toContain(mine.id);
    expect((await t.api('GET', `/tag/${mine.id}`, { key })).body.data.name).toBe('Private');
  });

  it('needs client_id with a partner or platform key, for a client it can see', async () => {
    const partner = await partnerWithKey(t, 'Tag Partner');
    const managed = await clientWithKey(t, 'Managed Tag Co', partner.key);
    const missing = await t.api('POST', '/tag', { key: partner.key, json: { name: 'P' } });
    expect(missing.status).toBe(400);
    expect(missing.body.meta.message).toBe("Field 'client_id' is missing.");
    const made = await t.api('POST', '/tag', { key: partner.key, json: { name: 'P', client_id: managed.clientId } });
    expect(made.body.data.client_id).toBe(managed.clientId);
    const elsewhere = await t.api('POST', '/tag', { key: partner.key, json: { name: 'P', client_id: clientId } });
    expect(elsewhere.status).toBe(404);
    const platform = await t.api('POST', '/tag', {
      key: ADMIN_KEY,
      json: { name: 'Platform made', client_id: clientId },
    });
    expect(platform.body.data.client_id).toBe(clientId);
  });
});
