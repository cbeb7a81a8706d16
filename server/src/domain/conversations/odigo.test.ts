// The Odigo call-backs (seed 003 "Callback Odigo"): pick-up opens a call conversation, hang-up closes it, call meetings follow.
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
import { nowInstant } from '../../time.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let site: number;
let operatorId: number;

let counter = 0;
async function created(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}
const website = async (as: string = key): Promise<number> =>
  (await created('/website', { url: `https://odigo${++counter}.example` }, as)).id;
const operator = async (externalId: string, as: string = key): Promise<number> =>
  (
    await created(
      '/operator',
      {
        name: `Agent ${externalId}`,
        email: `agent.${++counter}@odigo.example`,
        external_id: externalId,
        call_enabled: true,
      },
      as,
    )
  ).id;
const form = (fields: Record<string, string | number>): string =>
  new URLSearchParams(
    Object.entries(fields).map(([name, value]): [string, string] => [name, String(value)]),
  ).toString();

/** A call meeting row as the call-meeting resource stores it (ids as text). */
async function meeting(fields: {
  website_id: number;
  phone_number: string;
  status?: 'pending' | 'progress' | 'done';
  targeting_rule_id?: string | null;
  skill_id?: string | null;
  visitor_uid?: string | null;
  client_id?: number;
}): Promise<number> {
  const at = nowInstant();
  const row = await t.store.db
    .insertInto('call_meeting')
    .values({
      client_id: fields.client_id ?? clientId,
      website_id: fields.website_id,
      phone_number: fields.phone_number,
      visitor_uid: fields.visitor_uid ?? null,
      status: fields.status ?? 'pending',
      start_at: at,
      targeting_rule_id: fields.targeting_rule_id ?? null,
      skill_id: fields.skill_id ?? null,
      created_at: at,
      updated_at: at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

const meetingStatus = async (id: number): Promise<string> =>
  (await t.store.db.selectFrom('call_meeting').select('status').where('id', '=', id).executeTakeFirstOrThrow()).status;

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Odigo Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Odigo Co'));
  site = await website();
  operatorId = await operator('ODG-1');
});
afterAll(async () => t.close());

describe('pick-up', () => {
  it('ignores parameters the telephony platform adds beyond the three it documents', async () => {
    const answer = await t.api('POST', '/odigocallback/pickup', {
      key,
      form: form({
        operator_external_id: 'ODG-1',
        website_id: site,
        phone_number: '0699999901',
        call_id: 'odg-77',
        queue: 'sales',
      }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ website_id: site, visitor_phone_number: '0699999901' });
  });

  it('opens an answered call conversation for a new caller and answers exactly as seed 003', async () => {
    const answer = await t.api('POST', '/odigocallback/pickup', {
      key,
      form: form({ operator_external_id: 'ODG-1', website_id: site, phone_number: '0614037735' }),
    });
    expect(answer.status).toBe(200);
    const data = answer.body.data as unknown as Record<string, unknown>;
    expect(Object.keys(answer.body)).toEqual(['meta', 'data']);
    expect(answer.body.meta).toEqual({ status: 'success' });
    expect(Object.keys(data)).toEqual([
      'targeting_rule_id',
      'website_id',
      'conversation_id',
      'skill_id',
      'visitor_phone_number',
      'visitor_uid',
    ]);
    expect(data).toMatchObject({
      targeting_rule_id: null,
      website_id: site,
      skill_id: null,
      visitor_phone_number: '0614037735',
    });
    expect(data.visitor_uid).toMatch(/^[0-9a-f]{45}$/);
    const conversationId = Number(data.conversation_id);
    const conversation = await t.api('GET', `/conversation/${conversationId}`, { key });
    expect(conversation.body.data).toMatchObject({
      channel: 'call',
      source: 'odigo',
      status: 'open',
      operator_id: operatorId,
      operator_answer: true,
      phone_number: '0614037735',
      visitor_uid: data.visitor_uid,
      website_id: site,
      waitinglist: false,
    });
    const visitor = await t.store.db
      .selectFrom('visitor')
      .select(['id', 'phone'])
      .where('unique_id', '=', String(data.visitor_uid))
      .executeTakeFirstOrThrow();
    expect(visitor.phone).toBe('0614037735');
    expect(await eventTypesFor(t, 'visitor', visitor.id)).toEqual(['visitor.created']);
    expect(await eventTypesFor(t, 'conversation', conversationId)).toEqual(['conversation.started']);
    const event = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'conversation.started')
      .where('subject_id', '=', conversationId)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload)).toMatchObject({
      conversationId,
      websiteId: site,
      clientId,
      operatorId,
      channel: 'call',
      source: 'odigo',
      visitorUid: data.visitor_uid,
    });
  });

  it("finds the client's visitor by phone number, and answers a retried pick-up with the same call", async () => {
    const at = nowInstant();
    await t.store.db
      .insertInto('visitor')
      .values({
        client_id: clientId,
        unique_id: 'known-caller',
        external_id: null,
        lastname: null,
        firstname: null,
        address: null,
        city: null,
        zip: null,
        country: null,
        phone: '0600000001',
        email: null,
        browser: null,
        created_at: at,
        updated_at: at,
        deleted_at: null,
      })
      .execute();
    const body = { operator_external_id: 'ODG-1', website_id: site, phone_number: '0600000001' };
    const first = await t.api('POST', '/odigocallback/pickup', { key, json: body });
    expect(first.body.data).toMatchObject({ visitor_uid: 'known-caller', visitor_phone_number: '0600000001' });
    const retried = await t.api('POST', '/odigocallback/pickup', { key, json: body });
    expect(retried.body.data).toEqual(first.body.data);
    const calls = await t.store.db
      .selectFrom('conversation')
      .select('id')
      .where('phone_number', '=', '0600000001')
      .execute();
    expect(calls).toHaveLength(1);
  });

  it('takes the rule and skill of the pending call meeting for that number (as numbers) and moves it to progress', async () => {
    const skill = await created('/skill', { name: 'Callback skill' });
    const elsewhere = await meeting({ website_id: site, phone_number: '0699999999', targeting_rule_id: '5' });
    const booked = await meeting({
      website_id: site,
      phone_number: '0611111111',
      targeting_rule_id: '107',
      skill_id: String(skill.id),
      visitor_uid: 'booked-visitor',
    });
    const answer = await t.api('POST', '/odigocallback/pickup', {
      key,
      form: form({ operator_external_id: 'ODG-1', website_id: site, phone_number: '0611111111' }),
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      targeting_rule_id: 107,
      skill_id: skill.id,
      visitor_uid: 'booked-visitor',
      visitor_phone_number: '0611111111',
    });
    const conversation = await t.api('GET', `/conversation/${Number(answer.body.data.conversation_id)}`, { key });
    expect(conversation.body.data).toMatchObject({ rule_id: 107, skill_id: skill.id });
    expect(await meetingStatus(booked)).toBe('progress');
    expect(await meetingStatus(elsewhere)).toBe('pending');
    expect(await eventTypesFor(t, 'call_meeting', booked)).toEqual(['call_meeting.updated']);
    const event = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'call_meeting.updated')
      .where('subject_id', '=', booked)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload)).toMatchObject({
      callMeetingId: booked,
      websiteId: site,
      status: 'progress',
      previousStatus: 'pending',
      conversationId: Number(answer.body.data.conversation_id),
    });
  });

  it('requires the three fields, naming the missing one', async () => {
    const full = { operator_external_id: 'ODG-1', website_id: String(site), phone_number: '0612345678' };
    for (const field of ['operator_external_id', 'website_id', 'phone_number'] as const) {
      const body = { ...full };
      delete (body as Partial<typeof full>)[field];
      for (const path of ['/odigocallback/pickup', '/odigocallback/hangup']) {
        const answer = await t.api('POST', path, { key, form: body });
        expect(answer.status).toBe(400);
        expect(answer.body.meta).toMatchObject({ status: 'fail', message: `Field '${field}' is missing.` });
      }
    }
    const blank = await t.api('POST', '/odigocallback/pickup', { key, form: { ...full, phone_number: '  ' } });
    expect(blank.body.meta.message).toBe("Value of field 'phone_number' is not valid. It must not be empty.");
    const badSite = await t.api('POST', '/odigocallback/pickup', { key, form: { ...full, website_id: 'abc' } });
    expect(badSite.body.meta.message).toBe(
      "Value of field 'website_id' is not valid. Expected a whole number identifier.",
    );
  });

  it("refuses an unknown external id, a deleted operator, another client's operator or website", async () => {
    const otherSite = await website(otherKey);
    await operator('FOREIGN', otherKey);
    const gone = await operator('GONE');
    await t.api('DELETE', `/operator/${gone}`, { key });
    const cases: Array<[Record<string, string | number>, string]> = [
      [
        { operator_external_id: 'NOPE', website_id: site },
        "Value of field 'operator_external_id' is not valid. No operator has the external id 'NOPE'.",
      ],
      [
        { operator_external_id: 'GONE', website_id: site },
        "Value of field 'operator_external_id' is not valid. No operator has the external id 'GONE'.",
      ],
      [
        { operator_external_id: 'FOREIGN', website_id: site },
        "Value of field 'operator_external_id' is not valid. No operator has the external id 'FOREIGN'.",
      ],
      [
        { operator_external_id: 'ODG-1', website_id: otherSite },
        `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${otherSite}.`,
      ],
    ];
    for (const [fields, message] of cases) {
      const answer = await t.api('POST', '/odigocallback/pickup', {
        key,
        form: form({ ...fields, phone_number: '0622222222' }),
      });
      expect(answer.status).toBe(400);
      expect(answer.body.meta.message).toBe(message);
    }
    const calls = await t.store.db
      .selectFrom('conversation')
      .select('id')
      .where('phone_number', '=', '0622222222')
      .execute();
    expect(calls).toHaveLength(0);
  });

  it("lets a partner key call back on its client's website (the website decides the client)", async () => {
    const partner = await partnerWithKey(t, 'Odigo Partner');
    const managed = await clientWithKey(t, 'Managed Odigo Co', partner.key);
    const managedSite = await website(managed.key);
    await operator('MANAGED-1', managed.key);
    const answer = await t.api('POST', '/odigocallback/pickup', {
      key: partner.key,
      form: form({ operator_external_id: 'MANAGED-1', website_id: managedSite, phone_number: '0633333333' }),
    });
    expect(answer.status).toBe(200);
    const row = await t.store.db
      .selectFrom('conversation')
      .select('client_id')
      .where('id', '=', Number(answer.body.data.conversation_id))
      .executeTakeFirstOrThrow();
    expect(row.client_id).toBe(managed.clientId);
    const refused = await t.api('POST', '/odigocallback/pickup', {
      key: partner.key,
      form: form({ operator_external_id: 'ODG-1', website_id: site, phone_number: '0633333333' }),
    });
    expect(refused.status).toBe(400);
    const platform = await t.api('POST', '/odigocallback/hangup', {
      key: ADMIN_KEY,
      form: form({ operator_external_id: 'MANAGED-1', website_id: managedSite, phone_number: '0633333333' }),
    });
    expect(platform.status).toBe(200);
  });
});

describe('hang-up', () => {
  it('closes the call (by the operator), marks the meeting done and answers with an empty data list', async () => {
    const booked = await meeting({ website_id: site, phone_number: '0644444444', targeting_rule_id: '9' });
    const fields = { operator_external_id: 'ODG-1', website_id: site, phone_number: '0644444444' };
    const picked = await t.api('POST', '/odigocallback/pickup', { key, form: form(fields) });
    const conversationId = Number(picked.body.data.conversation_id);
    const answer = await t.api('POST', '/odigocallback/hangup', { key, form: form(fields) });
    expect(answer.status).toBe(200);
    expect(answer.body).toEqual({ meta: { status: 'success' }, data: [] });
    const conversation = await t.api('GET', `/conversation/${conversationId}`, { key });
    expect(conversation.body.data).toMatchObject({
      status: 'closed',
      operator_closed: true,
      history: [[3, conversation.body.data.closed_at, 'OPERATOR_CHAT_CLOSE']],
    });
    expect(await meetingStatus(booked)).toBe('done');
    expect(await eventTypesFor(t, 'call_meeting', booked)).toEqual(['call_meeting.updated', 'call_meeting.updated']);
    expect(await eventTypesFor(t, 'conversation', conversationId)).toEqual([
      'conversation.started',
      'message.created',
      'conversation.closed',
    ]);
    // The same number calling again later opens a new call.
    const again = await t.api('POST', '/odigocallback/pickup', { key, json: fields });
    expect(Number(again.body.data.conversation_id)).not.toBe(conversationId);
    expect(again.body.data.targeting_rule_id).toBeNull();
  });

  it('answers 404 when the operator has no open call with that number', async () => {
    const fields = { operator_external_id: 'ODG-1', website_id: site, phone_number: '0655555555' };
    const none = await t.api('POST', '/odigocallback/hangup', { key, form: form(fields) });
    expect(none.status).toBe(404);
    expect(none.body.meta).toMatchObject({
      status: 'fail',
      message: `No open call with the phone number '0655555555' for the operator with the external id 'ODG-1' on website ${site}.`,
    });
    await t.api('POST', '/odigocallback/pickup', { key, form: form(fields) });
    const other = await operator('ODG-2');
    expect(other).toBeGreaterThan(0);
    const wrongOperator = await t.api('POST', '/odigocallback/hangup', {
      key,
      form: form({ ...fields, operator_external_id: 'ODG-2' }),
    });
    expect(wrongOperator.status).toBe(404);
    expect((await t.api('POST', '/odigocallback/hangup', { key, form: form(fields) })).status).toBe(200);
    const twice = await t.api('POST', '/odigocallback/hangup', { key, form: form(fields) });
    expect(twice.status).toBe(404);
  });

  it("never closes another client's call", async () => {
    const fields = { operator_external_id: 'ODG-1', website_id: site, phone_number: '0666666666' };
    const picked = await t.api('POST', '/odigocallback/pickup', { key, form: form(fields) });
    const foreign = await t.api('POST', '/odigocallback/hangup', { key: otherKey, form: form(fields) });
    expect(foreign.status).toBe(400);
    expect(foreign.body.meta.message).toBe(
      `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${site}.`,
    );
    const conversation = await t.api('GET', `/conversation/${Number(picked.body.data.conversation_id)}`, { key });
    expect(conversation.body.data.status).toBe('open');
  });
});
