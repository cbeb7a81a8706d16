// Call meetings (seed 003 "Call meeting") end to end on a real database: fields, validation, updates, filters, isolation.
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
let site: Resource;
let foreignSite: Resource;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Call Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Call Co'));
  site = await create('/website', { url: 'https://calls.example' });
  foreignSite = await create('/website', { url: 'https://foreign.calls.example' }, otherKey);
});
afterAll(async () => t.close());

async function create(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

const meeting = (json: Record<string, unknown> = {}, as: string = key): Promise<Resource> =>
  create(
    '/callmeeting',
    { website_id: site.id, phone_number: '+33 6 11 22 33 44', start_at: '2026-12-01 10:00:00', ...json },
    as,
  );

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

async function payloads(id: number): Promise<Record<string, unknown>[]> {
  const rows = await t.store.db
    .selectFrom('event')
    .select(['payload', 'client_id'])
    .where('subject_type', '=', 'call_meeting')
    .where('subject_id', '=', id)
    .orderBy('id')
    .execute();
  for (const row of rows) expect(row.client_id).toBe(clientId);
  return rows.map((row) => JSON.parse(row.payload) as Record<string, unknown>);
}

describe('creating and reading call meetings', () => {
  it('creates a call meeting with every seed 003 field and reads exactly those back', async () => {
    const skill = await create('/skill', { name: 'Callbacks' });
    const answer = await t.api('POST', '/callmeeting', {
      key,
      json: {
        website_id: site.id,
        phone_number: ' +33 6 12 34 56 78 ',
        start_at: '2026-12-24 18:30:00',
        visitor_uid: 'vuid-123',
        targeting_rule_id: 'rule-9',
        skill_id: String(skill.id),
        status: 'working',
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.meta).toEqual({ status: 'success' });
    const id = answer.body.data.id;
    const expected = {
      id,
      phone_number: '+33 6 12 34 56 78',
      visitor_uid: 'vuid-123',
      status: 'working',
      start_at: '2026-12-24 18:30:00',
      website_id: site.id,
      targeting_rule_id: 'rule-9',
      skill_id: String(skill.id),
      _link: `/callmeeting/${id}`,
    };
    expect(answer.body.data).toEqual(expected);
    expect((await t.api('GET', `/callmeeting/${id}`, { key })).body.data).toEqual(expected);
    const full = await t.api('GET', '/callmeeting?full=1&limit=100', { key });
    expect(full.body.data.find((item) => item.id === id)).toEqual(expected);
    expect(await eventTypesFor(t, 'call_meeting', id)).toEqual(['call_meeting.created']);
    expect(await payloads(id)).toEqual([
      { callMeetingId: id, websiteId: site.id, status: 'working', startAt: '2026-12-24T18:30:00.000Z' },
    ]);
  });

  it('defaults status to pending and the optional references to null; accepts a numeric skill_id', async () => {
    const plain = await meeting();
    expect(plain).toMatchObject({ status: 'pending', visitor_uid: null, targeting_rule_id: null, skill_id: null });
    const skill = await create('/skill', { name: 'Numeric skill' });
    const numeric = await meeting({ skill_id: skill.id });
    expect(numeric.skill_id).toBe(String(skill.id));
  });

  it('requires website_id, phone_number and start_at', async () => {
    const full = { website_id: site.id, phone_number: '0102030405', start_at: '2026-12-01 10:00:00' };
    for (const field of ['website_id', 'phone_number', 'start_at'] as const) {
      const json: Record<string, unknown> = { ...full };
      delete json[field];
      const answer = await t.api('POST', '/callmeeting', { key, json });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message: `Field '${field}' is missing.` });
    }
  });

  it('refuses malformed values, naming the field, and writes nothing', async () => {
    const meetings = await rowCount('call_meeting');
    const events = await rowCount('event');
    const cases: [Record<string, unknown>, string][] = [
      [
        { start_at: '2026-12-01' },
        "Value of field 'start_at' is not valid. Expected a date and time written YYYY-MM-DD HH:MM:SS, such as '2026-11-21 14:30:00'.",
      ],
      [
        { start_at: '01/12/2026 10:00' },
        "Value of field 'start_at' is not valid. Expected a date and time written YYYY-MM-DD HH:MM:SS, such as '2026-11-21 14:30:00'.",
      ],
      [
        { start_at: '2026-02-30 10:00:00' },
        "Value of field 'start_at' is not valid. Expected a real date and time written YYYY-MM-DD HH:MM:SS, such as '2026-11-21 14:30:00'.",
      ],
      [
        { start_at: '2026-12-01 25:00:00' },
        "Value of field 'start_at' is not valid. Expected a real date and time written YYYY-MM-DD HH:MM:SS, such as '2026-11-21 14:30:00'.",
      ],
      [
        { phone_number: 'call me' },
        "Value of field 'phone_number' is not valid. Expected a phone number such as '+33 6 12 34 56 78'.",
      ],
      [
        { phone_number: '' },
        "Value of field 'phone_number' is not valid. Expected a phone number such as '+33 6 12 34 56 78'.",
      ],
      [
        { status: 'cancelled' },
        "Value of field 'status' is not valid. Expected one of: pending, progress, done, failed, working.",
      ],
      [{ skill_id: 'abc' }, "Value of field 'skill_id' is not valid. Expected a skill identifier."],
      [{ skill_id: 987654 }, "Value of field 'skill_id' is not valid. Unknown 'skill' with 'id' 987654."],
      [{ website_id: 'x' }, "Value of field 'website_id' is not valid. Expected a whole number identifier."],
      [
        { website_id: foreignSite.id },
        `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${foreignSite.id}.`,
      ],
      [{ website_id: 999999 }, "Value of field 'website_id' is not valid. Unknown 'website' with 'id' 999999."],
      [
        { visitor_uid: 'v'.repeat(256) },
        "Value of field 'visitor_uid' is not valid. Expected text of at most 255 characters.",
      ],
      [{ website: 3 }, "Field 'website' is not a field of 'callmeeting'."],
    ];
    for (const [json, message] of cases) {
      const answer = await t.api('POST', '/callmeeting', {
        key,
        json: { website_id: site.id, phone_number: '0102030405', start_at: '2026-12-01 10:00:00', ...json },
      });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message });
    }
    expect(await rowCount('call_meeting')).toBe(meetings);
    expect(await rowCount('event')).toBe(events);
  });

  it("refuses another client's skill", async () => {
    const foreignSkill = await create('/skill', { name: 'Foreign skill' }, otherKey);
    const answer = await t.api('POST', '/callmeeting', {
      key,
      json: {
        website_id: site.id,
        phone_number: '0102030405',
        start_at: '2026-12-01 10:00:00',
        skill_id: String(foreignSkill.id),
      },
    });
    expect(answer.status).toBe(400);
    expect(answer.body.meta.message).toBe(
      `Value of field 'skill_id' is not valid. Unknown 'skill' with 'id' ${foreignSkill.id}.`,
    );
  });

  it('accepts a form-encoded body', async () => {
    const answer = await t.api('POST', '/callmeeting', {
      key,
      form: {
        website_id: String(site.id),
        phone_number: '06 11 22 33 44',
        start_at: '2026-12-02 09:15:00',
        visitor_uid: '',
      },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      website_id: site.id,
      phone_number: '06 11 22 33 44',
      start_at: '2026-12-02 09:15:00',
      visitor_uid: null,
      status: 'pending',
    });
  });

  it("lets a partner key create a call meeting on a managed client's website; the meeting belongs to that client", async () => {
    const partner = await partnerWithKey(t, 'Call Partner');
    const managed = await clientWithKey(t, 'Managed Call Co', partner.key);
    const managedSite = await create('/website', { url: 'https://managed.calls.example' }, managed.key);
    const made = await meeting({ website_id: managedSite.id }, partner.key);
    const row = await t.store.db
      .selectFrom('call_meeting')
      .select('client_id')
      .where('id', '=', made.id)
      .executeTakeFirstOrThrow();
    expect(row.client_id).toBe(managed.clientId);
    expect((await t.api('GET', `/callmeeting/${made.id}`, { key: managed.key })).status).toBe(200);
    const foreign = await t.api('POST', '/callmeeting', {
      key: partner.key,
      json: { website_id: site.id, phone_number: '0102030405', start_at: '2026-12-01 10:00:00' },
    });
    expect(foreign.status).toBe(400);
    expect(foreign.body.meta.message).toBe(
      `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${site.id}.`,
    );
  });
});

describe('updating call meetings', () => {
  it('changes status, start_at and phone_number, recording which fields changed', async () => {
    const original = await meeting({ visitor_uid: 'keep-me' });
    const progress = await t.api('PUT', `/callmeeting/${original.id}`, { key, json: { status: 'progress' } });
    expect(progress.status).toBe(200);
    expect(progress.body.data).toEqual({ ...original, status: 'progress' });
    const moved = await t.api('PUT', `/callmeeting/${original.id}`, {
      key,
      json: { start_at: '2026-12-03 16:45:00', phone_number: '+44 20 7946 0000', status: 'done' },
    });
    expect(moved.body.data).toEqual({
      ...original,
      status: 'done',
      start_at: '2026-12-03 16:45:00',
      phone_number: '+44 20 7946 0000',
    });
    expect((await t.api('GET', `/callmeeting/${original.id}`, { key })).body.data).toEqual(moved.body.data);
    expect(await eventTypesFor(t, 'call_meeting', original.id)).toEqual([
      'call_meeting.created',
      'call_meeting.updated',
      'call_meeting.updated',
    ]);
    const [, first, second] = await payloads(original.id);
    expect(first).toEqual({
      callMeetingId: original.id,
      websiteId: site.id,
      status: 'progress',
      startAt: '2026-12-01T10:00:00.000Z',
      changed: ['status'],
    });
    expect(second).toEqual({
      callMeetingId: original.id,
      websiteId: site.id,
      status: 'done',
      startAt: '2026-12-03T16:45:00.000Z',
      changed: ['status', 'start_at', 'phone_number'],
    });
  });

  it('writes no event when nothing changes', async () => {
    const original = await meeting();
    const same = await t.api('PUT', `/callmeeting/${original.id}`, {
      key,
      json: { status: 'pending', start_at: '2026-12-01 10:00:00' },
    });
    expect(same.status).toBe(200);
    expect(same.body.data).toEqual(original);
    expect(await eventTypesFor(t, 'call_meeting', original.id)).toEqual(['call_meeting.created']);
  });

  it('refuses invalid values and fields that cannot be changed', async () => {
    const original = await meeting();
    const cases: [Record<string, unknown>, string][] = [
      [
        { status: 'lost' },
        "Value of field 'status' is not valid. Expected one of: pending, progress, done, failed, working.",
      ],
      [
        { start_at: 'tomorrow' },
        "Value of field 'start_at' is not valid. Expected a date and time written YYYY-MM-DD HH:MM:SS, such as '2026-11-21 14:30:00'.",
      ],
      [
        { phone_number: 'none' },
        "Value of field 'phone_number' is not valid. Expected a phone number such as '+33 6 12 34 56 78'.",
      ],
      [{ website_id: site.id }, "Field 'website_id' is not a field of 'callmeeting'."],
    ];
    for (const [json, message] of cases) {
      const answer = await t.api('PUT', `/callmeeting/${original.id}`, { key, json });
      expect(answer.status).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message });
    }
    expect((await t.api('GET', `/callmeeting/${original.id}`, { key })).body.data).toEqual(original);
  });
});

describe('call meeting filters', () => {
  let fk: string;
  let siteA: Resource;
  let siteB: Resource;
  let early: Resource;
  let lateOnDay: Resource;
  let nextDay: Resource;

  beforeAll(async () => {
    ({ key: fk } = await clientWithKey(t, 'Call Filters Co'));
    siteA = await create('/website', { url: 'https://a.calls.example' }, fk);
    siteB = await create('/website', { url: 'https://b.calls.example' }, fk);
    const at = (website: Resource, start: string) =>
      create('/callmeeting', { website_id: website.id, phone_number: '0102030405', start_at: start }, fk);
    early = await at(siteA, '2026-03-31 08:00:00');
    lateOnDay = await at(siteB, '2026-03-31 23:59:59');
    nextDay = await at(siteA, '2026-04-01 00:00:00');
  });

  it('filters by website_id', async () => {
    expect(await listIds(`/callmeeting?filters[website_id]=${siteA.id}`, fk)).toEqual([nextDay.id, early.id]);
    expect(await listIds(`/callmeeting?filters[website_id]=${siteB.id}`, fk)).toEqual([lateOnDay.id]);
  });

  it('filters on start_at with from and to; a date-only `to` includes its whole day', async () => {
    expect(await listIds('/callmeeting?filters[from]=2026-03-31 09:00:00', fk)).toEqual([nextDay.id, lateOnDay.id]);
    expect(await listIds('/callmeeting?filters[to]=2026-03-31', fk)).toEqual([lateOnDay.id, early.id]);
    expect(await listIds('/callmeeting?filters[to]=2026-03-31 08:00:00', fk)).toEqual([early.id]);
    expect(await listIds('/callmeeting?filters[from]=2026-04-01&filters[to]=2026-04-01', fk)).toEqual([nextDay.id]);
    expect(await listIds(`/callmeeting?filters[from]=2026-03-31&filters[website_id]=${siteA.id}`, fk)).toEqual([
      nextDay.id,
      early.id,
    ]);
  });

  it('refuses a malformed date or an unknown filter', async () => {
    const bad = await t.api('GET', '/callmeeting?filters[from]=31/03/2026', { key: fk });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toBe(
      "Value of field 'filters[from]' is not valid. Expected a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.",
    );
    const unknown = await t.api('GET', '/callmeeting?filters[status]=done', { key: fk });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toBe(
      "Filter 'status' is not supported for 'callmeeting'. Supported filters: website_id, from, to.",
    );
  });
});

describe('call meeting isolation', () => {
  it("answers 404 for another client's call meeting on read and update, and never lists it", async () => {
    const theirs = await meeting({ website_id: foreignSite.id }, otherKey);
    const read = await t.api('GET', `/callmeeting/${theirs.id}`, { key });
    expect(read.status).toBe(404);
    expect(read.body.meta).toMatchObject({ status: 'fail', message: `Unknown 'callmeeting' with 'id' ${theirs.id}.` });
    const update = await t.api('PUT', `/callmeeting/${theirs.id}`, { key, json: { status: 'failed' } });
    expect(update.status).toBe(404);
    expect(update.body.meta.message).toBe(`Unknown 'callmeeting' with 'id' ${theirs.id}.`);
    expect(await listIds('/callmeeting')).not.toContain(theirs.id);
    expect(await listIds(`/callmeeting?filters[website_id]=${foreignSite.id}`)).toEqual([]);
    expect((await t.api('GET', `/callmeeting/${theirs.id}`, { key: otherKey })).body.data.status).toBe('pending');
    expect(await eventTypesFor(t, 'call_meeting', theirs.id)).toEqual(['call_meeting.created']);
  });
});

describe('OpenAPI document', () => {
  it('documents the call meeting routes with tags, summaries and filters', async () => {
    const answer = await t.app.inject({ method: 'GET', url: '/openapi.json' });
    const doc = answer.json<{
      paths: Record<string, Record<string, { tags?: string[]; summary?: string; parameters?: { name: string }[] }>>;
    }>();
    const expected: [string, string[]][] = [
      ['/api/2/callmeeting', ['get', 'post']],
      ['/api/2/callmeeting/{id}', ['get', 'put']],
    ];
    for (const [path, methods] of expected) {
      for (const method of methods) {
        const operation = doc.paths[path]?.[method];
        expect(operation?.tags).toEqual(['Call meeting']);
        expect(operation?.summary).toBeTruthy();
      }
    }
    const filters = (doc.paths['/api/2/callmeeting']?.get?.parameters ?? []).map((parameter) => parameter.name);
    expect(filters).toEqual(expect.arrayContaining(['filters[website_id]', 'filters[from]', 'filters[to]']));
  });
});
