// Conversations (seed 003 "Conversation") end to end: create and import, history format, the outcome of live ones, the
// 3-month list period, filters, updates, closing, history entries with their seq, events and tenant isolation.
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
import { addMonths, formatDateTime } from '../../time.js';
import { conversationPeriod } from './period.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let site: number;
let operatorId: number;
let secondOperatorId: number;

const DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function created(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

let counter = 0;
const website = async (as: string = key): Promise<number> =>
  (await created('/website', { url: `https://site${++counter}.conversations.example` }, as)).id;
const operator = async (name: string, as: string = key): Promise<number> =>
  (await created('/operator', { name, email: `${name.toLowerCase()}.${++counter}@conv.example` }, as)).id;
const conversation = (json: Record<string, unknown>, as: string = key): Promise<Resource> =>
  created('/conversation', { website_id: site, ...json }, as);

/** `YYYY-MM-DD HH:MM:SS` of a moment `ms` from now. */
const ago = (ms: number): string => formatDateTime(new Date(Date.now() - ms).toISOString());
const DAY = 86_400_000;

async function listIds(query: string, as: string = key): Promise<number[]> {
  const answer = await t.api('GET', `/conversation?limit=100${query}`, { key: as });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return answer.body.data.map((item) => item.id);
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key, clientId } = await clientWithKey(t, 'Conversation Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Conversation Co'));
  site = await website();
  operatorId = await operator('Julie');
  secondOperatorId = await operator('Marc');
});
afterAll(async () => t.close());

describe('creating and reading', () => {
  it('creates a conversation with defaults and shows every seed field', async () => {
    const answer = await t.api('POST', '/conversation', { key, json: { website_id: site } });
    expect(answer.status).toBe(200);
    const data = answer.body.data;
    expect(data).toMatchObject({
      channel: 'chat',
      history: [],
      operator_answer: false,
      operator_closed: false,
      waitinglist: false,
      page_type: null,
      closed_at: null,
      website_id: site,
      operator_id: null,
      skill_id: null,
      tag_list: [],
      rule_id: null,
      contact_type: 'outbound',
      source: 'api',
      status: 'open',
      outcome: null,
      client_id: clientId,
      _link: `/conversation/${data.id}`,
    });
    expect(data.created_at).toMatch(DATE_TIME);
    expect(data.xmpp_id).toMatch(UUID);
    expect(data.visitor_uid).toMatch(/^[0-9a-f]{45}$/);
    expect(typeof data.visitor_id).toBe('number');
    const read = await t.api('GET', `/conversation/${data.id}`, { key });
    expect(read.status).toBe(200);
    expect(read.body.data).toEqual(data);
    expect(await eventTypesFor(t, 'conversation', data.id)).toEqual(['conversation.started']);
    expect(await eventTypesFor(t, 'visitor', Number(data.visitor_id))).toEqual(['visitor.created']);
  });

  it('takes every settable field and reuses a known visitor_uid', async () => {
    const skill = await created('/skill', { name: 'Billing' });
    const tag = await created('/tag', { name: 'Import tag' });
    const first = await conversation({
      visitor_uid: 'visitor-abc',
      channel: 'call',
      operator_id: operatorId,
      skill_id: skill.id,
      rule_id: 77,
      page_type: 'checkout',
      tag_list: [tag.id],
    });
    expect(first).toMatchObject({
      channel: 'call',
      visitor_uid: 'visitor-abc',
      operator_id: operatorId,
      skill_id: skill.id,
      rule_id: 77,
      page_type: 'checkout',
      tag_list: [tag.id],
      operator_answer: false,
    });
    const second = await conversation({ visitor_uid: 'visitor-abc' });
    expect(second.visitor_id).toBe(first.visitor_id);
    expect(second.xmpp_id).not.toBe(first.xmpp_id);
    const rows = await t.store.db.selectFrom('visitor').select('id').where('unique_id', '=', 'visitor-abc').execute();
    expect(rows).toHaveLength(1);
  });

  it('writes conversation.started with the ids a webhook needs', async () => {
    const data = await conversation({ visitor_uid: 'payload-visitor', operator_id: operatorId, channel: 'video' });
    const event = await t.store.db
      .selectFrom('event')
      .select(['payload', 'client_id'])
      .where('type', '=', 'conversation.started')
      .where('subject_id', '=', data.id)
      .executeTakeFirstOrThrow();
    expect(event.client_id).toBe(clientId);
    expect(JSON.parse(event.payload)).toEqual({
      conversationId: data.id,
      websiteId: site,
      clientId,
      operatorId,
      visitorId: data.visitor_id,
      visitorUid: 'payload-visitor',
      channel: 'video',
      source: 'api',
      status: 'open',
    });
  });

  it('imports a history and shows it exactly in seed 003 tuple form, ordered by seq', async () => {
    const history = [
      [5, '2026-02-16 11:24:21', 'http://test.com/'],
      [2, '2026-02-16 11:24:23', 'Hello'],
      [3, '2026-02-16 11:24:31', 'The chat rule has been activated.'],
      [1, '2026-02-16 11:24:43', 'Hello, how can I help you?'],
      [2, '2026-02-16 11:26:09', 'Thanks, goodbye', 1771241169072],
    ];
    const data = await conversation({ operator_id: operatorId, created_at: '2026-02-16 11:24:20', history });
    expect(data.created_at).toBe('2026-02-16 11:24:20');
    expect(data.history).toEqual([
      [5, '2026-02-16 11:24:21', 'http://test.com/'],
      [2, '2026-02-16 11:24:23', 'Hello', Date.UTC(2026, 1, 16, 11, 24, 23)],
      [3, '2026-02-16 11:24:31', 'The chat rule has been activated.'],
      [1, '2026-02-16 11:24:43', 'Hello, how can I help you?', Date.UTC(2026, 1, 16, 11, 24, 43)],
      [2, '2026-02-16 11:26:09', 'Thanks, goodbye', 1771241169072],
    ]);
    // The first operator message answers the conversation.
    expect(data.operator_answer).toBe(true);
    const row = await t.store.db
      .selectFrom('conversation')
      .select(['answered_at', 'last_seq'])
      .where('id', '=', data.id)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ answered_at: '2026-02-16T11:24:43.000Z', last_seq: 5 });
    const events = await eventTypesFor(t, 'conversation', data.id);
    expect(events).toEqual(['conversation.started', ...Array<string>(5).fill('message.created')]);
  });

  it('dates an imported conversation at its first history entry when created_at is omitted', async () => {
    const data = await conversation({ history: [[2, '2026-03-01 08:00:00', 'Bonjour']] });
    expect(data.created_at).toBe('2026-03-01 08:00:00');
  });

  it('refuses bad imports, naming the field and the entry, writing nothing', async () => {
    const before = await t.store.db
      .selectFrom('conversation')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { history: [[4, '2026-02-16 11:24:21', 'x']] },
        "Value of field 'history' is not valid. Entry 1: the type must be 1 (operator), 2 (visitor), 3 (system) or 5 (navigation).",
      ],
      [
        {
          history: [
            [2, '2026-02-16 11:24:21', 'a'],
            [2, '16/02/2026', 'b'],
          ],
        },
        "Value of field 'history' is not valid. Entry 2: the date must be written YYYY-MM-DD HH:MM:SS (UTC).",
      ],
      [
        { history: [[2, '2026-02-16 11:24:21', '   ']] },
        "Value of field 'history' is not valid. Entry 1: the text must not be empty.",
      ],
      [
        { history: [[5, '2026-02-16 11:24:21', 'not a url']] },
        "Value of field 'history' is not valid. Entry 1: A navigation entry is the http or https URL of a page, such as 'https://shop.example/cart'.",
      ],
      [
        {
          history: [
            [2, '2026-02-16 11:24:21', 'b'],
            [2, '2026-02-16 11:24:20', 'a'],
          ],
        },
        "Value of field 'history' is not valid. Entry 2: entries must be in time order, oldest first.",
      ],
      [
        { history: [[2, '2099-01-01 00:00:00', 'future']] },
        "Value of field 'history' is not valid. Entry 1: the date is in the future.",
      ],
      [
        { history: [[1, '2026-02-16 11:24:21', 'Hi']] },
        "Value of field 'history' is not valid. Entry 1: an operator message needs the conversation's operator_id.",
      ],
      [
        { created_at: '2026-02-16 12:00:00', history: [[2, '2026-02-16 11:24:21', 'early']] },
        "Value of field 'history' is not valid. Entry 1: it is dated before the conversation's created_at.",
      ],
      [
        { history: [[2, '2026-02-16 11:24:21', 'a', 5]] },
        "Value of field 'history' is not valid. Entry 1: the fourth element, epoch milliseconds, must fall within the second the date names.",
      ],
      [
        { history: [[2, '2026-02-16 11:24:21']] },
        'Value of field \'history\' is not valid. Expected entries written [type, "YYYY-MM-DD HH:MM:SS", text].',
      ],
      [
        { created_at: '2099-01-01 00:00:00' },
        "Value of field 'created_at' is not valid. It must not be in the future.",
      ],
      [
        { created_at: '2026-02-30 10:00:00' },
        "Value of field 'created_at' is not valid. Expected a real date written YYYY-MM-DD HH:MM:SS (UTC), such as '2026-11-21 14:30:00'.",
      ],
      [
        { created_at: 'yesterday' },
        "Value of field 'created_at' is not valid. Expected a date written YYYY-MM-DD HH:MM:SS (UTC).",
      ],
      [{ channel: 'fax' }, "Value of field 'channel' is not valid. Expected one of: chat, call, video, social."],
      [{ waitinglist: true }, "Field 'waitinglist' is not a field of 'conversation'."],
    ];
    for (const [body, message] of cases) {
      const answer = await t.api('POST', '/conversation', { key, json: { website_id: site, ...body } });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.meta).toMatchObject({ status: 'fail', message });
    }
    const missing = await t.api('POST', '/conversation', { key, json: {} });
    expect(missing.body.meta.message).toBe("Field 'website_id' is missing.");
    const after = await t.store.db
      .selectFrom('conversation')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    expect(Number(after.n)).toBe(Number(before.n));
  });

  it("refuses another client's website, operator, skill and tags, and deleted operators", async () => {
    const otherSite = await website(otherKey);
    const otherOperator = await operator('Other', otherKey);
    const otherSkill = await created('/skill', { name: 'Other skill' }, otherKey);
    const otherTag = await created('/tag', { name: 'Other tag' }, otherKey);
    const gone = await operator('Gone');
    await t.api('DELETE', `/operator/${gone}`, { key });
    const cases: Array<[Record<string, unknown>, string]> = [
      [
        { website_id: otherSite },
        `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${otherSite}.`,
      ],
      [
        { operator_id: otherOperator },
        `Value of field 'operator_id' is not valid. Unknown 'operator' with 'id' ${otherOperator}.`,
      ],
      [{ operator_id: gone }, `Value of field 'operator_id' is not valid. Unknown 'operator' with 'id' ${gone}.`],
      [
        { skill_id: otherSkill.id },
        `Value of field 'skill_id' is not valid. Unknown 'skill' with 'id' ${otherSkill.id}.`,
      ],
      [{ tag_list: [otherTag.id] }, `Value of field 'tag_list' is not valid. Unknown 'tag' with 'id' ${otherTag.id}.`],
    ];
    for (const [body, message] of cases) {
      const answer = await t.api('POST', '/conversation', { key, json: { website_id: site, ...body } });
      expect(answer.status).toBe(400);
      expect(answer.body.meta.message).toBe(message);
    }
  });

  it('accepts a form-encoded body', async () => {
    const tag = await created('/tag', { name: 'Form tag' });
    const answer = await t.api('POST', '/conversation', {
      key,
      form: `website_id=${site}&channel=social&operator_id=${operatorId}&tag_list=${tag.id}&page_type=home`,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      channel: 'social',
      operator_id: operatorId,
      tag_list: [tag.id],
      page_type: 'home',
    });
  });

  it("lets a partner key create on its client's website (the website decides the client) but not on another's", async () => {
    const partner = await partnerWithKey(t, 'Conversation Partner');
    const managed = await clientWithKey(t, 'Managed Co', partner.key);
    const managedSite = await website(managed.key);
    const made = await t.api('POST', '/conversation', { key: partner.key, json: { website_id: managedSite } });
    expect(made.status).toBe(200);
    expect(made.body.data.client_id).toBe(managed.clientId);
    const refused = await t.api('POST', '/conversation', { key: partner.key, json: { website_id: site } });
    expect(refused.status).toBe(400);
    expect(refused.body.meta.message).toBe(
      `Value of field 'website_id' is not valid. Unknown 'website' with 'id' ${site}.`,
    );
    const platform = await t.api('POST', '/conversation', { key: ADMIN_KEY, json: { website_id: site } });
    expect(platform.body.data.client_id).toBe(clientId);
  });

  it("answers 404 for another client's conversation and an absent one, alike", async () => {
    const mine = await conversation({});
    const theirs = await t.api('GET', `/conversation/${mine.id}`, { key: otherKey });
    const absent = await t.api('GET', '/conversation/987654', { key });
    expect(theirs.status).toBe(404);
    expect(theirs.body.meta.message).toBe(`Unknown 'conversation' with 'id' ${mine.id}.`);
    expect(absent.body.meta.message).toBe("Unknown 'conversation' with 'id' 987654.");
    for (const [method, path, json] of [
      ['PUT', `/conversation/${mine.id}`, { page_type: 'x' }],
      ['POST', `/conversation/${mine.id}/close`, {}],
      ['POST', `/conversation/${mine.id}/message`, { type: 'visitor', text: 'hi' }],
      ['GET', `/conversation/${mine.id}/message`, undefined],
    ] as const) {
      const answer = await t.api(method, path, { key: otherKey, ...(json !== undefined && { json }) });
      expect(answer.status, path).toBe(404);
    }
    const after = await t.api('GET', `/conversation/${mine.id}`, { key });
    expect(after.body.data).toMatchObject({ page_type: null, status: 'open', history: [] });
  });
});

describe('outcome', () => {
  /** A visitor's first message through the widget's HTTP fallback: a live conversation, routed as it starts. */
  async function visitorWrites(websiteId: number, text: string): Promise<{ conversationId: number; started: string }> {
    const answer = await t.app.inject({
      method: 'POST',
      url: '/realtime/visitor/messages',
      payload: { website_id: websiteId, text, client_message_id: `outcome-${++counter}` },
    });
    expect(answer.statusCode, answer.body).toBe(200);
    const data = answer.json<{ data: { conversation_id: number; outcome: string } }>().data;
    return { conversationId: data.conversation_id, started: data.outcome };
  }

  it('shows a conversation missed while nobody was online as missed_offline, read alone and in the list', async () => {
    const offlineSite = await website();
    const missed = await visitorWrites(offlineSite, 'Anyone there? Call me back please.');
    expect(missed.started).toBe('offline');
    const read = await t.api('GET', `/conversation/${missed.conversationId}`, { key });
    expect(read.status).toBe(200);
    expect(read.body.data).toMatchObject({ status: 'closed', outcome: 'missed_offline', operator_id: null });
    const listed = await t.api('GET', `/conversation?full=1&filters[website_id]=${offlineSite}`, { key });
    expect(listed.body.data).toEqual([read.body.data]);
  });

  it('shows a conversation an available operator got as answered', async () => {
    const liveSite = await website();
    const agent = await created('/operator', {
      name: 'Outcome Agent',
      email: `outcome.${++counter}@conv.example`,
      website_list: [liveSite],
    });
    expect((await t.api('PUT', `/operator/${agent.id}/live`, { key, form: { 'chat[available]': '1' } })).status).toBe(
      200,
    );
    const answered = await visitorWrites(liveSite, 'Hello, my order is late.');
    expect(answered.started).toBe('assigned');
    const read = await t.api('GET', `/conversation/${answered.conversationId}`, { key });
    expect(read.body.data).toMatchObject({ status: 'open', outcome: 'answered', operator_id: agent.id });
  });
});

describe('the 3-month period', () => {
  it('follows seed 003 rules on its own', () => {
    const now = new Date('2026-11-21T13:00:00.000Z');
    expect(conversationPeriod(undefined, undefined, now)).toEqual({
      start: new Date('2026-08-21T13:00:00.000Z'),
      endExclusive: new Date('2026-11-21T13:00:00.001Z'),
    });
    expect(conversationPeriod('2013-08-22', undefined, now)).toEqual({
      start: new Date('2013-08-22T00:00:00Z'),
      endExclusive: new Date('2013-11-22T00:00:00Z'),
    });
    expect(conversationPeriod(undefined, '2013-08-25', now)).toEqual({
      start: new Date('2013-05-26T00:00:00Z'),
      endExclusive: new Date('2013-08-26T00:00:00Z'),
    });
    expect(conversationPeriod(undefined, '2013-08-25 10:00:00', now)).toEqual({
      start: new Date('2013-05-25T10:00:01Z'),
      endExclusive: new Date('2013-08-25T10:00:01Z'),
    });
    expect(conversationPeriod('2013-05-25', '2013-08-25', now)).toEqual({
      start: new Date('2013-05-25T00:00:00Z'),
      endExclusive: new Date('2013-08-26T00:00:00Z'),
    });
    expect(conversationPeriod('2013-08-25', '2013-08-25', now)).toEqual({
      start: new Date('2013-08-25T00:00:00Z'),
      endExclusive: new Date('2013-08-26T00:00:00Z'),
    });
    // Month ends clamp: 3 months after 30 November is 28 February.
    expect(() => conversationPeriod('2013-11-30', '2014-02-28', now)).not.toThrow();
    expect(() => conversationPeriod('2013-11-30', '2014-03-01', now)).toThrow(
      "The period from '2013-11-30' to '2014-03-01' is longer than 3 months. Ask for 3 months at most.",
    );
    expect(() => conversationPeriod('2013-05-25', '2013-08-26', now)).toThrow('longer than 3 months');
    expect(() => conversationPeriod('2013-08-26', '2013-08-25', now)).toThrow(
      "The period from '2013-08-26' to '2013-08-25' ends before it starts.",
    );
    expect(() => conversationPeriod('2013-08-25 10:00:00', '2013-08-25 09:59:59', now)).toThrow(
      'ends before it starts',
    );
  });

  it('lists the last 3 months when no dates are given, including a conversation created now', async () => {
    const periodSite = await website();
    const old = await conversation({ website_id: periodSite, created_at: ago(100 * DAY) });
    const recent = await conversation({ website_id: periodSite, created_at: ago(80 * DAY) });
    const now = await conversation({ website_id: periodSite });
    expect(await listIds(`&filters[website_id]=${periodSite}`)).toEqual([now.id, recent.id]);
    expect(old.id).toBeGreaterThan(0);
  });

  it('lists the 3 months after from, and the 3 months before to (its whole day)', async () => {
    const periodSite = await website();
    const at = async (created_at: string) => (await conversation({ website_id: periodSite, created_at })).id;
    const beforeFrom = await at('2025-03-31 23:59:59');
    const onFrom = await at('2025-04-01 00:00:00');
    const lastIn = await at('2025-06-30 23:59:59');
    const afterThree = await at('2025-07-01 00:00:00');
    const onTo = await at('2025-09-30 23:59:59');
    const filter = `&filters[website_id]=${periodSite}`;
    // Newest first by created_at (here the reverse of creation order for the ones returned).
    expect(await listIds(`${filter}&filters[from]=2025-04-01`)).toEqual([lastIn, onFrom]);
    expect(await listIds(`${filter}&filters[to]=2025-06-30`)).toEqual([lastIn, onFrom]);
    expect(await listIds(`${filter}&filters[to]=2025-09-30`)).toEqual([onTo, afterThree]);
    expect(await listIds(`${filter}&filters[from]=2025-03-31&filters[to]=2025-06-30`)).toEqual([
      lastIn,
      onFrom,
      beforeFrom,
    ]);
    expect(await listIds(`${filter}&filters[from]=2025-04-01 00:00:01&filters[to]=2025-06-30 23:59:59`)).toEqual([
      lastIn,
    ]);
  });

  it('answers 400 with a message in meta for a period over 3 months or ending before it starts', async () => {
    const tooLong = await t.api('GET', '/conversation?filters[from]=2013-05-25&filters[to]=2013-08-26', { key });
    expect(tooLong.status).toBe(400);
    expect(tooLong.body).toMatchObject({
      meta: {
        status: 'fail',
        message: "The period from '2013-05-25' to '2013-08-26' is longer than 3 months. Ask for 3 months at most.",
      },
    });
    const exact = await t.api('GET', '/conversation?filters[from]=2013-05-25&filters[to]=2013-08-25', { key });
    expect(exact.status).toBe(200);
    const reversed = await t.api('GET', '/conversation?filters[from]=2013-08-26&filters[to]=2013-08-25', { key });
    expect(reversed.status).toBe(400);
    expect(reversed.body.meta.message).toBe(
      "The period from '2013-08-26' to '2013-08-25' ends before it starts. Give a 'from' date before the 'to' date.",
    );
    const badDate = await t.api('GET', '/conversation?filters[from]=2013-02-30', { key });
    expect(badDate.status).toBe(400);
    expect(badDate.body.meta.message).toBe(
      "Value of field 'filters[from]' is not valid. Expected a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.",
    );
  });

  it('uses calendar months (addMonths), not 90 days', () => {
    const from = new Date(Date.UTC(2025, 0, 31));
    expect(addMonths(from, 3).toISOString()).toBe('2025-04-30T00:00:00.000Z');
    expect(() => conversationPeriod('2025-01-31', '2025-04-30', new Date())).not.toThrow();
    expect(() => conversationPeriod('2025-01-31', '2025-05-01', new Date())).toThrow('longer than 3 months');
  });
});

describe('list filters', () => {
  let filterSite: number;
  let otherSite: number;
  let skillId: number;
  let tagId: number;
  const ids: Record<string, number> = {};

  beforeAll(async () => {
    filterSite = await website();
    otherSite = await website();
    skillId = (await created('/skill', { name: 'Filter skill' })).id;
    tagId = (await created('/tag', { name: 'Filter tag' })).id;
    ids.chat = (
      await conversation({ website_id: filterSite, operator_id: operatorId, visitor_uid: 'filter-visitor' })
    ).id;
    ids.call = (await conversation({ website_id: filterSite, channel: 'call', skill_id: skillId, rule_id: 12 })).id;
    ids.video = (
      await conversation({ website_id: filterSite, channel: 'video', tag_list: [tagId], operator_id: secondOperatorId })
    ).id;
    ids.elsewhere = (await conversation({ website_id: otherSite, channel: 'social', operator_id: operatorId })).id;
  });

  it('lists short items by default and every field with full=1', async () => {
    const short = await t.api('GET', `/conversation?filters[website_id]=${filterSite}`, { key });
    expect(short.body.data).toEqual(
      [ids.video, ids.call, ids.chat].map((id) => ({ id, _link: `/conversation/${id}` })),
    );
    expect(short.body.pagination).toEqual({ page: 1, pages: 1, limit: 20, count: 3 });
    const full = await t.api('GET', `/conversation?full=1&filters[website_id]=${filterSite}`, { key });
    expect(full.body.data.map((item) => item.channel)).toEqual(['video', 'call', 'chat']);
    expect(full.body.data[2]).toMatchObject({
      visitor_uid: 'filter-visitor',
      history: [],
      xmpp_id: expect.stringMatching(UUID),
    });
  });

  it('filters by each of the nine filters', async () => {
    const visitor = await t.store.db
      .selectFrom('visitor')
      .select('id')
      .where('unique_id', '=', 'filter-visitor')
      .executeTakeFirstOrThrow();
    const both = `&filters[website_id]=${filterSite}`;
    expect(await listIds(`${both}&filters[channel]=call`)).toEqual([ids.call]);
    expect(await listIds(`&filters[channel]=social&filters[website_id]=${otherSite}`)).toEqual([ids.elsewhere]);
    expect(await listIds(`&filters[website_id]=${otherSite}`)).toEqual([ids.elsewhere]);
    expect(await listIds(`${both}&filters[operator_id]=${operatorId}`)).toEqual([ids.chat]);
    expect(await listIds(`${both}&filters[operator_id]=null`)).toEqual([ids.call]);
    expect(await listIds(`${both}&filters[operator_id]=!null`)).toEqual([ids.video, ids.chat]);
    expect(await listIds(`&filters[visitor_id]=${visitor.id}`)).toEqual([ids.chat]);
    expect(await listIds(`&filters[skill_id]=${skillId}`)).toEqual([ids.call]);
    expect(await listIds(`&filters[tag_id]=${tagId}`)).toEqual([ids.video]);
    expect(await listIds(`${both}&filters[rule_id]=12`)).toEqual([ids.call]);
    const today = formatDateTime(new Date().toISOString()).slice(0, 10);
    expect(await listIds(`${both}&filters[from]=${today}`)).toEqual([ids.video, ids.call, ids.chat]);
    expect(await listIds(`${both}&filters[to]=${today}`)).toEqual([ids.video, ids.call, ids.chat]);
  });

  it('shows who started each conversation and filters by it', async () => {
    const both = `&filters[website_id]=${filterSite}`;
    // Started through the API: outbound. A rule's invitation accepted in the widget is proactive.
    await t.store.db
      .updateTable('conversation')
      .set({ contact_type: 'proactive' })
      .where('id', '=', ids.call)
      .execute();
    expect(await listIds(`${both}&filters[contact_type]=proactive`)).toEqual([ids.call]);
    expect(await listIds(`${both}&filters[contact_type]=outbound`)).toEqual([ids.video, ids.chat]);
    expect(await listIds(`${both}&filters[contact_type]=visitor`)).toEqual([]);
    const read = await t.api('GET', `/conversation/${ids.call}`, { key });
    expect(read.body.data.contact_type).toBe('proactive');
    const wrong = await t.api('GET', '/conversation?filters[contact_type]=inbound', { key });
    expect(wrong.status).toBe(400);
    expect(JSON.stringify(wrong.body)).toContain('filters[contact_type]');
    expect(JSON.stringify(wrong.body)).toContain('visitor, proactive, outbound');
  });

  it('filters by status, and refuses an unknown one', async () => {
    const both = `&filters[website_id]=${filterSite}`;
    expect(await listIds(`${both}&filters[status]=open`)).toEqual([ids.video, ids.call, ids.chat]);
    expect(await listIds(`${both}&filters[status]=waiting`)).toEqual([]);
    const closing = await conversation({ website_id: filterSite, operator_id: operatorId });
    await t.api('POST', `/conversation/${closing.id}/close`, { key, json: {} });
    expect(await listIds(`${both}&filters[status]=closed`)).toEqual([closing.id]);
    expect(await listIds(`${both}&filters[status]=closed&filters[operator_id]=${secondOperatorId}`)).toEqual([]);
    const wrong = await t.api('GET', '/conversation?filters[status]=pending', { key });
    expect(wrong.status).toBe(400);
    expect(wrong.body.meta.message).toBe(
      "Value of field 'filters[status]' is not valid. Expected one of: waiting, open, closed.",
    );
  });

  it('refuses an unknown channel, a bad id and an unknown filter, naming them', async () => {
    const channel = await t.api('GET', '/conversation?filters[channel]=fax', { key });
    expect(channel.status).toBe(400);
    expect(channel.body.meta.message).toBe(
      "Value of field 'filters[channel]' is not valid. Expected one of: chat, call, video, social.",
    );
    const id = await t.api('GET', '/conversation?filters[operator_id]=abc', { key });
    expect(id.body.meta.message).toBe(
      "Value of field 'filters[operator_id]' is not valid. Expected a whole number identifier, null or !null.",
    );
    const unknown = await t.api('GET', '/conversation?filters[mood]=happy', { key });
    expect(unknown.status).toBe(400);
    expect(unknown.body.meta.message).toContain("Filter 'mood' is not supported for 'conversation'.");
  });

  it("never lists another client's conversations", async () => {
    expect(await listIds(`&filters[website_id]=${filterSite}`, otherKey)).toEqual([]);
    expect(await listIds('', otherKey)).not.toContain(ids.chat);
  });
});

describe('updating', () => {
  it('replaces tags, assigns and transfers the operator, sets skill, rule and page type, with one event naming the changes', async () => {
    const [a, b] = [(await created('/tag', { name: 'Upd A' })).id, (await created('/tag', { name: 'Upd B' })).id];
    const skill = await created('/skill', { name: 'Upd skill' });
    const conv = await conversation({ tag_list: [a] });
    const answer = await t.api('PUT', `/conversation/${conv.id}`, {
      key,
      json: { tag_list: [b, a], operator_id: operatorId, skill_id: skill.id, rule_id: 5, page_type: 'cart' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({
      tag_list: [a, b].sort((x, y) => x - y),
      operator_id: operatorId,
      skill_id: skill.id,
      rule_id: 5,
      page_type: 'cart',
    });
    const transfer = await t.api('PUT', `/conversation/${conv.id}`, {
      key,
      json: { operator_id: secondOperatorId, tag_list: [] },
    });
    expect(transfer.body.data).toMatchObject({ operator_id: secondOperatorId, tag_list: [] });
    const events = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'conversation.updated')
      .where('subject_id', '=', conv.id)
      .orderBy('id')
      .execute();
    expect(events.map((event) => JSON.parse(event.payload))).toEqual([
      expect.objectContaining({
        conversationId: conv.id,
        websiteId: site,
        clientId,
        operatorId,
        previousOperatorId: null,
        changed: ['operator_id', 'skill_id', 'rule_id', 'page_type', 'tag_list'],
        tagList: [a, b].sort((x, y) => x - y),
      }),
      expect.objectContaining({
        operatorId: secondOperatorId,
        previousOperatorId: operatorId,
        changed: ['operator_id', 'tag_list'],
        tagList: [],
      }),
    ]);
  });

  it('writes nothing when nothing changes', async () => {
    const conv = await conversation({ page_type: 'home' });
    const answer = await t.api('PUT', `/conversation/${conv.id}`, { key, json: { page_type: 'home' } });
    expect(answer.status).toBe(200);
    expect(await eventTypesFor(t, 'conversation', conv.id)).toEqual(['conversation.started']);
  });

  it('refuses unknown fields, bad values and references to other clients', async () => {
    const conv = await conversation({});
    const otherOperator = await operator('Stranger', otherKey);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ status: 'closed' }, "Field 'status' is not a field of 'conversation'."],
      [{ channel: 'call' }, "Field 'channel' is not a field of 'conversation'."],
      [
        { operator_id: otherOperator },
        `Value of field 'operator_id' is not valid. Unknown 'operator' with 'id' ${otherOperator}.`,
      ],
      [{ tag_list: [987654] }, "Value of field 'tag_list' is not valid. Unknown 'tag' with 'id' 987654."],
      [
        { operator_id: 'abc' },
        "Value of field 'operator_id' is not valid. Expected a whole number identifier, or empty for none.",
      ],
    ];
    for (const [body, message] of cases) {
      const answer = await t.api('PUT', `/conversation/${conv.id}`, { key, json: body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.meta.message).toBe(message);
    }
    expect(await eventTypesFor(t, 'conversation', conv.id)).toEqual(['conversation.started']);
  });

  it('keeps tags editable after closing, but not the operator', async () => {
    const tag = (await created('/tag', { name: 'After close' })).id;
    const conv = await conversation({ operator_id: operatorId });
    await t.api('POST', `/conversation/${conv.id}/close`, { key, json: {} });
    const tagged = await t.api('PUT', `/conversation/${conv.id}`, { key, json: { tag_list: [tag] } });
    expect(tagged.status).toBe(200);
    expect(tagged.body.data.tag_list).toEqual([tag]);
    const moved = await t.api('PUT', `/conversation/${conv.id}`, { key, json: { operator_id: secondOperatorId } });
    expect(moved.status).toBe(409);
    expect(moved.body.meta.message).toBe(`Conversation ${conv.id} is closed; its operator can no longer change.`);
  });
});

describe('closing', () => {
  it('closes with the operator by default: OPERATOR_CHAT_CLOSE, status closed, closed_at, event', async () => {
    const conv = await conversation({ operator_id: operatorId, visitor_uid: 'closing-visitor' });
    const answer = await t.api('POST', `/conversation/${conv.id}/close`, { key });
    expect(answer.status).toBe(200);
    expect(answer.body.data).toMatchObject({ status: 'closed', operator_closed: true });
    expect(answer.body.data.closed_at).toMatch(DATE_TIME);
    const history = answer.body.data.history as unknown[][];
    expect(history).toHaveLength(1);
    expect(history[0]).toEqual([3, answer.body.data.closed_at, 'OPERATOR_CHAT_CLOSE']);
    expect(await eventTypesFor(t, 'conversation', conv.id)).toEqual([
      'conversation.started',
      'message.created',
      'conversation.closed',
    ]);
    const event = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'conversation.closed')
      .where('subject_id', '=', conv.id)
      .executeTakeFirstOrThrow();
    expect(JSON.parse(event.payload)).toEqual({
      conversationId: conv.id,
      websiteId: site,
      clientId,
      operatorId,
      visitorId: conv.visitor_id,
      visitorUid: 'closing-visitor',
      channel: 'chat',
      source: 'api',
      operatorClosed: true,
    });
  });

  it('closes on the visitor side when there is no operator, or when asked (operator_closed=0, form)', async () => {
    const alone = await conversation({});
    const closed = await t.api('POST', `/conversation/${alone.id}/close`, { key, json: {} });
    expect(closed.body.data).toMatchObject({
      operator_closed: false,
      history: [[3, closed.body.data.closed_at, 'VISITOR_CHAT_CLOSE']],
    });
    const withOperator = await conversation({ operator_id: operatorId });
    const byVisitor = await t.api('POST', `/conversation/${withOperator.id}/close`, { key, form: 'operator_closed=0' });
    expect(byVisitor.body.data).toMatchObject({ operator_closed: false, operator_id: operatorId });
    expect((byVisitor.body.data.history as unknown[][])[0]?.[2]).toBe('VISITOR_CHAT_CLOSE');
    const noOperator = await conversation({});
    const refused = await t.api('POST', `/conversation/${noOperator.id}/close`, { key, json: { operator_closed: 1 } });
    expect(refused.status).toBe(400);
    expect(refused.body.meta.message).toBe(
      "Value of field 'operator_closed' is not valid. The conversation has no operator to close it.",
    );
  });

  it('answers 409 when closing a closed conversation, writing nothing more', async () => {
    const conv = await conversation({});
    await t.api('POST', `/conversation/${conv.id}/close`, { key, json: {} });
    const again = await t.api('POST', `/conversation/${conv.id}/close`, { key, json: {} });
    expect(again.status).toBe(409);
    expect(again.body.meta).toMatchObject({ status: 'fail', message: `Conversation ${conv.id} is already closed.` });
    expect(await eventTypesFor(t, 'conversation', conv.id)).toEqual([
      'conversation.started',
      'message.created',
      'conversation.closed',
    ]);
  });

  it('closes once when two closes race', async () => {
    const conv = await conversation({});
    const answers = await Promise.all(
      [1, 2, 3].map(() => t.api('POST', `/conversation/${conv.id}/close`, { key, json: {} })),
    );
    expect(answers.map((answer) => answer.status).sort()).toEqual([200, 409, 409]);
    expect(
      (await eventTypesFor(t, 'conversation', conv.id)).filter((type) => type === 'conversation.closed'),
    ).toHaveLength(1);
  });

  it('dates an imported close with closed_at, never before the last entry nor in the future', async () => {
    const conv = await conversation({ created_at: '2026-01-10 09:00:00', history: [[2, '2026-01-10 09:05:00', 'Hi']] });
    const early = await t.api('POST', `/conversation/${conv.id}/close`, {
      key,
      json: { closed_at: '2026-01-10 09:04:00' },
    });
    expect(early.status).toBe(400);
    expect(early.body.meta.message).toBe(
      "Value of field 'closed_at' is not valid. It is before the conversation's last history entry.",
    );
    const future = await t.api('POST', `/conversation/${conv.id}/close`, {
      key,
      json: { closed_at: '2099-01-01 00:00:00' },
    });
    expect(future.body.meta.message).toBe("Value of field 'closed_at' is not valid. It must not be in the future.");
    const done = await t.api('POST', `/conversation/${conv.id}/close`, {
      key,
      json: { closed_at: '2026-01-10 09:30:00' },
    });
    expect(done.status).toBe(200);
    expect(done.body.data).toMatchObject({
      closed_at: '2026-01-10 09:30:00',
      history: [
        [2, '2026-01-10 09:05:00', 'Hi', Date.UTC(2026, 0, 10, 9, 5)],
        [3, '2026-01-10 09:30:00', 'VISITOR_CHAT_CLOSE'],
      ],
    });
  });
});

describe('history entries', () => {
  it("appends entries numbered by seq; an operator message defaults to the conversation's operator and answers it", async () => {
    const conv = await conversation({ operator_id: operatorId });
    const visitor = await t.api('POST', `/conversation/${conv.id}/message`, {
      key,
      json: { type: 'visitor', text: 'Bonjour' },
    });
    expect(visitor.status).toBe(200);
    expect(visitor.body.data).toMatchObject({ seq: 1, type: 2, text: 'Bonjour', operator_id: null });
    expect(visitor.body.data.created_at).toMatch(DATE_TIME);
    const reply = await t.api('POST', `/conversation/${conv.id}/message`, {
      key,
      form: 'type=1&text=Bonjour, que puis-je faire ?',
    });
    expect(reply.body.data).toMatchObject({
      seq: 2,
      type: 1,
      operator_id: operatorId,
      text: 'Bonjour, que puis-je faire ?',
    });
    const nav = await t.api('POST', `/conversation/${conv.id}/message`, {
      key,
      json: { type: 5, text: ' https://shop.example/cart ' },
    });
    expect(nav.body.data).toMatchObject({ seq: 3, type: 5, text: 'https://shop.example/cart' });
    const system = await t.api('POST', `/conversation/${conv.id}/message`, {
      key,
      json: { type: 'system', text: 'The chat rule has been activated.' },
    });
    expect(system.body.data.seq).toBe(4);
    const read = await t.api('GET', `/conversation/${conv.id}`, { key });
    expect(read.body.data.operator_answer).toBe(true);
    expect(read.body.data.history).toEqual([
      [2, visitor.body.data.created_at, 'Bonjour', visitor.body.data.created_at_ms],
      [1, reply.body.data.created_at, 'Bonjour, que puis-je faire ?', reply.body.data.created_at_ms],
      [5, nav.body.data.created_at, 'https://shop.example/cart'],
      [3, system.body.data.created_at, 'The chat rule has been activated.'],
    ]);
    const events = await t.store.db
      .selectFrom('event')
      .select('payload')
      .where('type', '=', 'message.created')
      .where('subject_id', '=', conv.id)
      .orderBy('id')
      .execute();
    expect(events.map((event) => JSON.parse(event.payload))).toEqual([
      expect.objectContaining({
        conversationId: conv.id,
        seq: 1,
        type: 'visitor',
        operatorId: null,
        websiteId: site,
        clientId,
      }),
      expect.objectContaining({ seq: 2, type: 'operator', operatorId }),
      expect.objectContaining({ seq: 3, type: 'navigation' }),
      expect.objectContaining({ seq: 4, type: 'system' }),
    ]);
  });

  it('lists entries after a seq, for integrations that resume', async () => {
    const conv = await conversation({});
    for (const text of ['one', 'two', 'three'])
      await t.api('POST', `/conversation/${conv.id}/message`, { key, json: { type: 'visitor', text } });
    const all = await t.api('GET', `/conversation/${conv.id}/message`, { key });
    expect(all.status).toBe(200);
    expect(all.body.data.map((entry) => [entry.seq, entry.text])).toEqual([
      [1, 'one'],
      [2, 'two'],
      [3, 'three'],
    ]);
    expect(all.body.pagination).toEqual({ page: 1, pages: 1, limit: 100, count: 3 });
    const after = await t.api('GET', `/conversation/${conv.id}/message?after_seq=1&limit=1`, { key });
    expect(after.body.data.map((entry) => entry.seq)).toEqual([2]);
    expect(after.body.pagination).toEqual({ page: 1, pages: 2, limit: 1, count: 2 });
    const bad = await t.api('GET', `/conversation/${conv.id}/message?after_seq=-1`, { key });
    expect(bad.status).toBe(400);
    expect(bad.body.meta.message).toBe("Value of field 'after_seq' is not valid. Expected a whole number from 0.");
  });

  it('gives an operator message the named operator, who takes an unassigned conversation', async () => {
    const conv = await conversation({});
    const noOperator = await t.api('POST', `/conversation/${conv.id}/message`, {
      key,
      json: { type: 'operator', text: 'Hello' },
    });
    expect(noOperator.status).toBe(400);
    expect(noOperator.body.meta.message).toBe(
      "Value of field 'operator_id' is not valid. The conversation has no operator: name the operator who writes.",
    );
    const named = await t.api('POST', `/conversation/${conv.id}/message`, {
      key,
      json: { type: 'operator', text: 'Hello', operator_id: secondOperatorId },
    });
    expect(named.body.data).toMatchObject({ seq: 1, operator_id: secondOperatorId });
    const read = await t.api('GET', `/conversation/${conv.id}`, { key });
    expect(read.body.data).toMatchObject({ operator_id: secondOperatorId, operator_answer: true });
    expect(await eventTypesFor(t, 'conversation', conv.id)).toEqual([
      'conversation.started',
      'conversation.updated',
      'message.created',
    ]);
  });

  it('refuses bad entries naming the field, and any entry on a closed conversation (409)', async () => {
    const conv = await conversation({ operator_id: operatorId });
    const otherOperator = await operator('Outsider', otherKey);
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ type: 'visitor', text: '   ' }, "Value of field 'text' is not valid. It must not be empty."],
      [{ type: 'visitor' }, "Field 'text' is missing."],
      [{ text: 'x' }, "Field 'type' is missing."],
      [
        { type: 'bot', text: 'x' },
        "Value of field 'type' is not valid. Expected operator, visitor, system, navigation or note (or 1, 2, 3, 5, 6).",
      ],
      [
        { type: 4, text: 'x' },
        "Value of field 'type' is not valid. Expected operator, visitor, system, navigation or note (or 1, 2, 3, 5, 6).",
      ],
      [
        { type: 'navigation', text: 'cart page' },
        "Value of field 'text' is not valid. A navigation entry is the http or https URL of a page, such as 'https://shop.example/cart'.",
      ],
      [
        { type: 'visitor', text: 'x', operator_id: operatorId },
        "Value of field 'operator_id' is not valid. Only operator messages and notes have an operator.",
      ],
      [
        { type: 'operator', text: 'x', operator_id: otherOperator },
        `Value of field 'operator_id' is not valid. Unknown 'operator' with 'id' ${otherOperator}.`,
      ],
      [{ type: 'visitor', text: 'x', seq: 4 }, "Field 'seq' is not a field of 'conversation'."],
    ];
    for (const [body, message] of cases) {
      const answer = await t.api('POST', `/conversation/${conv.id}/message`, { key, json: body });
      expect(answer.status, JSON.stringify(body)).toBe(400);
      expect(answer.body.meta.message).toBe(message);
    }
    await t.api('POST', `/conversation/${conv.id}/close`, { key, json: {} });
    const late = await t.api('POST', `/conversation/${conv.id}/message`, {
      key,
      json: { type: 'visitor', text: 'Still there?' },
    });
    expect(late.status).toBe(409);
    expect(late.body.meta.message).toBe(`Conversation ${conv.id} is closed.`);
    const stored = await t.store.db
      .selectFrom('conversation_message')
      .select('seq')
      .where('conversation_id', '=', conv.id)
      .execute();
    expect(stored.map((row) => row.seq)).toEqual([1]);
  });

  it('numbers concurrent entries without gaps or duplicates', async () => {
    const conv = await conversation({});
    const answers = await Promise.all(
      Array.from({ length: 8 }, (_, index) =>
        t.api('POST', `/conversation/${conv.id}/message`, { key, json: { type: 'visitor', text: `m${index}` } }),
      ),
    );
    expect(answers.every((answer) => answer.status === 200)).toBe(true);
    expect(answers.map((answer) => Number(answer.body.data.seq)).sort((a, b) => a - b)).toEqual([
      1, 2, 3, 4, 5, 6, 7, 8,
    ]);
  });
});

describe('private notes', () => {
  it('are kept with the conversation, listed with type 6, and never in history', async () => {
    const site = await t.api('POST', '/website', { key, json: { url: 'https://notes.example' } });
    const agent = await t.api('POST', '/operator', {
      key,
      json: { name: 'Note Taker', email: 'note.taker@notes.example' },
    });
    const conv = await t.api('POST', '/conversation', {
      key,
      json: { website_id: site.body.data.id, operator_id: agent.body.data.id },
    });
    const id = conv.body.data.id;
    expect(
      (await t.api('POST', `/conversation/${id}/message`, { key, json: { type: 'visitor', text: 'Hello' } })).status,
    ).toBe(200);
    const note = await t.api('POST', `/conversation/${id}/message`, {
      key,
      json: { type: 'note', text: 'VIP customer, be quick' },
    });
    expect(note.status).toBe(200);
    expect(note.body.data).toMatchObject({ type: 6, text: 'VIP customer, be quick', operator_id: agent.body.data.id });
    const details = await t.api('GET', `/conversation/${id}`, { key });
    expect(details.body.data.history).toEqual([[2, expect.any(String), 'Hello', expect.any(Number)]]);
    const listed = await t.api('GET', `/conversation/${id}/message`, { key });
    expect(listed.body.data.map((entry) => entry.type)).toEqual([2, 6]);
  });
});
