// The legacy v1 exports (seed 002 §5–8): chat history, transactions, satisfaction and operator statistics, in json, xml and csv.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ConversationStatus, MessageKind } from '../../db/schema.js';
import { MESSAGE_KIND } from '../../db/schema.js';
import { rebuildStatistics } from '../../domain/statistics/rebuild.js';
import { clientWithKey, startTestApp, type TestApp } from '../../test/harness.js';
import { MAX_HISTORY_CONVERSATIONS } from './report-routes.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let otherClientId: number;

interface V1Answer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

/** GET `/api{path}` with the parameters and the key in the query string, as seed 002 writes it. */
async function v1(path: string, params: Record<string, string> = {}, as: string = key): Promise<V1Answer> {
  const query = new URLSearchParams({ ...params, key: as }).toString();
  const response = await t.app.inject({ method: 'GET', url: `/api${path}?${query}` });
  const contentType = String(response.headers['content-type'] ?? '');
  return {
    status: response.statusCode,
    contentType,
    text: response.body,
    json: contentType.startsWith('application/json') ? JSON.parse(response.body) : null,
  };
}

const error = (message: string) => ({ result: 'error', message });

/**
 * getStats reads presence, conversation counts, durations and problems from the statistics rollups. Rows written
 * directly carry no event for the projection to follow, so their hours are computed as `causerie stats rebuild` does;
 * then the projection is let finish what the API calls marked.
 */
async function buildRollups(from: string, to: string, clientId?: number): Promise<void> {
  await rebuildStatistics(t.store.db, { from, to, ...(clientId !== undefined && { clientId }) });
  await t.context.statistics?.catchUp();
}

// Factories: the conversation, commerce and satisfaction domains have their own tests; here rows are written directly.
let counter = 0;
const db = () => t.store.db;

async function website(forClient: number, url: string): Promise<number> {
  const at = '2011-01-01T00:00:00.000Z';
  return (
    await db()
      .insertInto('website')
      .values({ client_id: forClient, url, label: url, created_at: at, updated_at: at })
      .returning('id')
      .executeTakeFirstOrThrow()
  ).id;
}

async function operator(
  forClient: number,
  name: string,
  extra: { first_name?: string; external_id?: string; group_id?: number } = {},
): Promise<number> {
  counter += 1;
  const at = '2011-01-01T00:00:00.000Z';
  const row = await db()
    .insertInto('operator')
    .values({
      client_id: forClient,
      name,
      first_name: extra.first_name ?? null,
      pseudo: null,
      email: `op${counter}@reports.example`,
      external_id: extra.external_id ?? null,
      roles: '["operator"]',
      chat_enabled: 1,
      call_enabled: 0,
      video_enabled: 0,
      chat_max_number: 2,
      chat_and_call: 0,
      chat_priority: 0,
      call_priority: 0,
      video_priority: 0,
      language_list: '["fr"]',
      language_admin: 'fr',
      group_id: extra.group_id ?? null,
      password_hash: null,
      sso_key_hash: `sso-reports-${counter}`,
      created_at: at,
      updated_at: at,
      deleted_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function visitor(
  forClient: number,
  uniqueId: string,
  extra: { external_id?: string; email?: string; browser?: string } = {},
): Promise<number> {
  const at = '2011-01-01T00:00:00.000Z';
  const row = await db()
    .insertInto('visitor')
    .values({
      client_id: forClient,
      unique_id: uniqueId,
      external_id: extra.external_id ?? null,
      lastname: null,
      firstname: null,
      address: null,
      city: null,
      zip: null,
      country: null,
      phone: null,
      email: extra.email ?? null,
      browser: extra.browser ?? null,
      created_at: at,
      updated_at: at,
      deleted_at: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

interface ConversationSpec {
  client: number;
  website: number;
  visitor: number;
  operator: number | null;
  created: string;
  closed?: string;
  rule?: number;
  userAgent?: string;
  messages?: [MessageKind, string, string][];
}

async function conversation(spec: ConversationSpec): Promise<number> {
  counter += 1;
  const status: ConversationStatus = spec.closed ? 'closed' : spec.operator === null ? 'waiting' : 'open';
  const messages = spec.messages ?? [];
  const row = await db()
    .insertInto('conversation')
    .values({
      client_id: spec.client,
      website_id: spec.website,
      channel: 'chat',
      source: 'web',
      visitor_id: spec.visitor,
      operator_id: spec.operator,
      skill_id: null,
      rule_id: spec.rule ?? null,
      status,
      user_agent: spec.userAgent ?? null,
      xmpp_id: `reports-${counter}`,
      last_seq: messages.length,
      created_at: spec.created,
      closed_at: spec.closed ?? null,
      updated_at: spec.closed ?? spec.created,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  let seq = 0;
  for (const [kind, at, body] of messages) {
    seq += 1;
    await db()
      .insertInto('conversation_message')
      .values({
        conversation_id: row.id,
        seq,
        kind,
        operator_id: kind === MESSAGE_KIND.operator ? spec.operator : null,
        body,
        created_at: at,
      })
      .execute();
  }
  return row.id;
}

interface SaleSpec {
  client: number;
  website: number;
  externalId: string;
  amount: number;
  at: string;
  conversation?: number;
  operator?: number;
  visitor?: number;
  email?: string;
}

async function sale(spec: SaleSpec): Promise<number> {
  const row = await db()
    .insertInto('sale')
    .values({
      client_id: spec.client,
      website_id: spec.website,
      external_id: spec.externalId,
      visitor_id: spec.visitor ?? null,
      visitor_uid: null,
      visitor_email: spec.email ?? null,
      amount: spec.amount,
      currency: 'EUR',
      operator_id: spec.operator ?? null,
      conversation_id: spec.conversation ?? null,
      created_at: spec.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function satisfaction(spec: {
  client: number;
  website: number;
  conversation: number;
  operator?: number;
  notes: [number, number, number];
  comment?: string;
  at: string;
}): Promise<number> {
  const row = await db()
    .insertInto('satisfaction')
    .values({
      client_id: spec.client,
      website_id: spec.website,
      conversation_id: spec.conversation,
      operator_id: spec.operator ?? null,
      note_welcome: spec.notes[0],
      note_delay: spec.notes[1],
      note_resolution: spec.notes[2],
      comment: spec.comment ?? '',
      created_at: spec.at,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

async function presence(forClient: number, operatorId: number, started: string, ended: string | null): Promise<void> {
  await db()
    .insertInto('presence_session')
    .values({ client_id: forClient, operator_id: operatorId, started_at: started, ended_at: ended })
    .execute();
}

const UA =
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_7_3) AppleWebKit/534.54.16 (KHTML, like Gecko) Version/5.1.4 Safari/534.54.16';
const VUID = 'c8db748bfb239a3ad005f99014bdc0824f8c088890cc8';

// The account the exports read: seed 002's examples, dated December 2011.
const ids = {
  site: 0,
  john: 0,
  judy: 0,
  kilian: 0,
  idle: 0,
  gone: 0,
  c1: 0,
  c2: 0,
  c3: 0,
  c4: 0,
  c5: 0,
  s1: 0,
  s2: 0,
  sat1: 0,
  sat2: 0,
  satToday: 0,
  theirChat: 0,
};

beforeAll(async () => {
  // Reads go to the database every time: these tests change the rollups under the answers, which no event announces.
  t = await startTestApp({ readCacheMs: 0 });
  ({ key, clientId } = await clientWithKey(t, 'Reports Co'));
  ({ key: otherKey, clientId: otherClientId } = await clientWithKey(t, 'Reports Other Co'));
  ids.site = await website(clientId, 'https://reports.example');
  const group = await db()
    .insertInto('operator_group')
    .values({
      client_id: clientId,
      name: 'Grp1',
      parent_id: null,
      created_at: '2011-01-01T00:00:00.000Z',
      updated_at: '2011-01-01T00:00:00.000Z',
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  ids.john = await operator(clientId, 'John Doe', { external_id: 'JD-EXT', group_id: group.id });
  ids.judy = await operator(clientId, 'Judy Who', { first_name: 'Judy' });
  ids.kilian = await operator(clientId, 'Kilian');
  ids.idle = await operator(clientId, 'Idle Op');
  ids.gone = await operator(clientId, 'Gone Op');
  const v1Visitor = await visitor(clientId, VUID, { external_id: 'CRM-1', browser: 'Old browser' });
  const v2Visitor = await visitor(clientId, 'vuid-2', { email: 'jules@crg.com' });

  ids.c1 = await conversation({
    client: clientId,
    website: ids.site,
    visitor: v1Visitor,
    operator: ids.john,
    created: '2011-12-27T11:58:03.000Z',
    closed: '2011-12-27T12:00:17.000Z',
    rule: 7,
    userAgent: UA,
    messages: [
      [MESSAGE_KIND.navigation, '2011-12-27T11:58:03.000Z', 'http://www.iadvize.com/fonctionnalites/co-browsing'],
      [
        MESSAGE_KIND.visitor,
        '2011-12-27T11:58:30.000Z',
        'bonjour, je souhaite savoir si iAdvize permet de se connecter depuis skype ?',
      ],
      [MESSAGE_KIND.operator, '2011-12-27T11:59:10.000Z', 'Bonjour, malheureusement non.'],
      [MESSAGE_KIND.system, '2011-12-27T12:00:17.000Z', 'OPERATOR CHAT CLOSE'],
    ],
  });
  ids.c2 = await conversation({
    client: clientId,
    website: ids.site,
    visitor: v2Visitor,
    operator: ids.judy,
    created: '2011-12-27T16:00:00.000Z',
    closed: '2011-12-27T16:30:00.000Z',
    messages: [[MESSAGE_KIND.visitor, '2011-12-27T16:01:00.000Z', 'a < b & "c" \u0001']],
  });
  ids.c3 = await conversation({
    client: clientId,
    website: ids.site,
    visitor: v2Visitor,
    operator: ids.john,
    created: '2011-12-28T09:00:00.000Z',
  });
  ids.c4 = await conversation({
    client: clientId,
    website: ids.site,
    visitor: v2Visitor,
    operator: null,
    created: '2011-12-28T10:00:00.000Z',
  });
  ids.c5 = await conversation({
    client: clientId,
    website: ids.site,
    visitor: v1Visitor,
    operator: ids.kilian,
    created: '2011-12-27T13:00:00.000Z',
    closed: '2011-12-27T13:10:00.000Z',
  });

  ids.s1 = await sale({
    client: clientId,
    website: ids.site,
    externalId: '1337',
    amount: 19.9,
    at: '2011-12-27T16:26:00.000Z',
    conversation: ids.c1,
    email: 'daniel@crg.com',
  });
  ids.s2 = await sale({
    client: clientId,
    website: ids.site,
    externalId: '7221',
    amount: 19.9,
    at: '2011-12-26T12:44:00.000Z',
    operator: ids.judy,
    visitor: v2Visitor,
  });
  await sale({
    client: clientId,
    website: ids.site,
    externalId: 'LATER',
    amount: 5,
    at: '2012-01-05T10:00:00.000Z',
    operator: ids.john,
  });

  ids.sat1 = await satisfaction({
    client: clientId,
    website: ids.site,
    conversation: ids.c1,
    notes: [3, 3, 3],
    at: '2011-12-29T16:15:00.000Z',
  });
  ids.sat2 = await satisfaction({
    client: clientId,
    website: ids.site,
    conversation: ids.c2,
    operator: ids.judy,
    notes: [3, 2, 1],
    comment: 'Génial le chat ! "vraiment"; merci',
    at: '2011-12-29T10:47:00.000Z',
  });
  ids.satToday = await satisfaction({
    client: clientId,
    website: ids.site,
    conversation: ids.c3,
    notes: [1, 1, 2],
    at: new Date().toISOString(),
  });

  await presence(clientId, ids.john, '2011-12-27T08:00:00.000Z', '2011-12-27T18:00:00.000Z');
  await presence(clientId, ids.john, '2011-12-26T22:00:00.000Z', '2011-12-27T02:00:00.000Z');
  await presence(clientId, ids.judy, '2011-12-27T20:00:00.000Z', null);

  // Kilian left since; Gone left having done nothing.
  await db()
    .updateTable('operator')
    .set({ deleted_at: '2012-02-01T00:00:00.000Z' })
    .where('id', 'in', [ids.kilian, ids.gone])
    .execute();

  // Another account's activity on the same days, which no export of the first may show.
  const theirSite = await website(otherClientId, 'https://other-reports.example');
  const theirOp = await operator(otherClientId, 'John Doe');
  const theirVisitor = await visitor(otherClientId, VUID, { external_id: 'CRM-1' });
  ids.theirChat = await conversation({
    client: otherClientId,
    website: theirSite,
    visitor: theirVisitor,
    operator: theirOp,
    created: '2011-12-27T12:00:00.000Z',
    closed: '2011-12-27T12:05:00.000Z',
    rule: 7,
  });
  await sale({
    client: otherClientId,
    website: theirSite,
    externalId: '1337',
    amount: 99,
    at: '2011-12-27T16:26:00.000Z',
    conversation: ids.theirChat,
  });
  await satisfaction({
    client: otherClientId,
    website: theirSite,
    conversation: ids.theirChat,
    notes: [1, 1, 1],
    at: '2011-12-29T16:15:00.000Z',
  });
  await presence(otherClientId, theirOp, '2011-12-27T08:00:00.000Z', '2011-12-27T09:00:00.000Z');
  await buildRollups('2011-12-26T00:00:00.000Z', '2012-01-06T00:00:00.000Z');
});
afterAll(async () => t.close());

interface V1Chat {
  id: string;
  duration: string;
  history: unknown[];
  [field: string]: unknown;
}

describe('chat_history/getHistory', () => {
  it("answers seed 002's example shape: every field a string, the history in order", async () => {
    // http://www.iadvize.com/api/chat_history/getHistory/?key={APIKEY}&sdate={START-DATE}&edate={END-DATE}
    const answer = await v1('/chat_history/getHistory/', { sdate: '2011-12-27', edate: '2011-12-27' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/json; charset=utf-8');
    const chats = answer.json as V1Chat[];
    expect(chats.map((chat) => chat.id)).toEqual([String(ids.c2), String(ids.c5), String(ids.c1)]);
    expect(chats[2]).toEqual({
      id: String(ids.c1),
      duration: '02:14',
      datetime: '27.12.2011 11:58',
      opid: String(ids.john),
      opname: 'John Doe',
      group: 'Grp1',
      vuid: VUID,
      user_agent: UA,
      extid: 'CRM-1',
      history: [
        { from: 'NAVIGATION', time: '11:58', msg: 'http://www.iadvize.com/fonctionnalites/co-browsing' },
        {
          from: 'visitor',
          time: '11:58',
          msg: 'bonjour, je souhaite savoir si iAdvize permet de se connecter depuis skype ?',
        },
        { from: 'operator', time: '11:59', msg: 'Bonjour, malheureusement non.' },
        { from: 'alert', time: '12:00', msg: 'OPERATOR CHAT CLOSE' },
      ],
    });
    expect(chats[0]).toMatchObject({ duration: '30:00', opname: 'Judy Who', group: '', user_agent: '', extid: '' });
    expect(chats[1]).toMatchObject({ opname: 'Kilian', user_agent: 'Old browser', history: [] });
  });

  it('runs an open conversation to now, and shows conversations no operator took', async () => {
    const chats = (await v1('/chat_history/getHistory/', { sdate: '2011-12-28', edate: '2011-12-28' }))
      .json as V1Chat[];
    expect(chats.map((chat) => chat.id)).toEqual([String(ids.c4), String(ids.c3)]);
    expect(chats[1]?.duration).toMatch(/^\d{7,}:[0-5]\d$/);
    expect(chats[0]).toMatchObject({ opid: '', opname: '', group: '' });
  });

  it('filters by operator (opid or external_id), visitor external id (extid) and targeting rule (ruleid)', async () => {
    const idsOf = async (params: Record<string, string>) =>
      ((await v1('/chat_history/getHistory/', params)).json as V1Chat[]).map((chat) => chat.id);
    expect(await idsOf({ opid: String(ids.john) })).toEqual([String(ids.c3), String(ids.c1)]);
    expect(await idsOf({ external_id: 'JD-EXT' })).toEqual([String(ids.c3), String(ids.c1)]);
    expect(await idsOf({ opid: String(ids.kilian) })).toEqual([String(ids.c5)]);
    expect(await idsOf({ extid: 'CRM-1' })).toEqual([String(ids.c5), String(ids.c1)]);
    expect(await idsOf({ ruleid: '7' })).toEqual([String(ids.c1)]);
    expect(await idsOf({ sdate: '2011-12-28' })).toEqual([String(ids.c4), String(ids.c3)]);
    expect(await idsOf({ edate: '2011-12-27' })).toEqual([String(ids.c2), String(ids.c5), String(ids.c1)]);
    expect(await idsOf({ extid: 'NOBODY' })).toEqual([]);
  });

  it('answers 404 for an operator that is not yours, and 400 naming a bad date or id', async () => {
    const cases: [Record<string, string>, number, string][] = [
      [{ opid: '999999' }, 404, "Unknown 'operator' with 'id' 999999."],
      [{ external_id: 'NOBODY' }, 404, "Unknown 'operator' with 'external_id' 'NOBODY'."],
      [
        { sdate: '27.12.2011' },
        400,
        "Value of field 'sdate' is not valid. Expected a date written aaaa-mm-jj (YYYY-MM-DD), such as 2011-12-27.",
      ],
      [
        { edate: '2011-02-30' },
        400,
        "Value of field 'edate' is not valid. Expected a date written aaaa-mm-jj (YYYY-MM-DD), such as 2011-12-27.",
      ],
      [
        { sdate: '2011-12-28', edate: '2011-12-27' },
        400,
        "Value of field 'edate' is not valid. It must not be before sdate.",
      ],
      [{ ruleid: 'seven' }, 400, "Value of field 'ruleid' is not valid. Expected a whole number identifier."],
      [{ out: 'csv' }, 400, "Value of field 'out' is not valid. Expected one of: json, xml."],
    ];
    for (const [params, status, message] of cases) {
      const answer = await v1('/chat_history/getHistory/', params);
      expect(answer.status, message).toBe(status);
      expect(answer.json).toEqual(error(message));
    }
  });

  it("never shows another account's conversations", async () => {
    const chats = (await v1('/chat_history/getHistory/', {})).json as V1Chat[];
    expect(chats.map((chat) => chat.id)).not.toContain(String(ids.theirChat));
    expect(chats).toHaveLength(5);
  });

  it('answers out=xml with the same fields as elements, escaped', async () => {
    const answer = await v1('/chat_history/getHistory/', {
      sdate: '2011-12-27',
      edate: '2011-12-27',
      opid: String(ids.judy),
      out: 'xml',
    });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('application/xml; charset=utf-8');
    expect(answer.text).toBe(
      [
        '<?xml version="1.0" encoding="UTF-8"?>',
        '<chats>',
        '  <chat>',
        `    <id>${ids.c2}</id>`,
        '    <duration>30:00</duration>',
        '    <datetime>27.12.2011 16:00</datetime>',
        `    <opid>${ids.judy}</opid>`,
        '    <opname>Judy Who</opname>',
        '    <group></group>',
        '    <vuid>vuid-2</vuid>',
        '    <user_agent></user_agent>',
        '    <extid></extid>',
        '    <history>',
        '      <message>',
        '        <from>visitor</from>',
        '        <time>16:01</time>',
        '        <msg>a &lt; b &amp; &quot;c&quot; </msg>',
        '      </message>',
        '    </history>',
        '  </chat>',
        '</chats>',
        '',
      ].join('\n'),
    );
    const empty = await v1('/chat_history/getHistory/', { sdate: '2001-01-01', edate: '2001-01-01', out: 'xml' });
    expect(empty.text).toBe('<?xml version="1.0" encoding="UTF-8"?>\n<chats/>\n');
  });
});

describe('chat_history/getHistoryByID', () => {
  it('answers the one conversation in the shape of getHistory, json and xml', async () => {
    // http://www.iadvize.com/api/chat_history/getHistoryByID/?key={KEY}&chatid={ID_HISTORIQUE}
    const answer = await v1('/chat_history/getHistoryByID/', { chatid: String(ids.c1) });
    expect(answer.status).toBe(200);
    const chats = answer.json as V1Chat[];
    expect(chats).toHaveLength(1);
    expect(chats[0]).toMatchObject({ id: String(ids.c1), duration: '02:14', opname: 'John Doe', group: 'Grp1' });
    expect(chats[0]?.history).toHaveLength(4);
    const xml = await v1('/chat_history/getHistoryByID/', { chatid: String(ids.c1), out: 'xml' });
    expect(xml.contentType).toBe('application/xml; charset=utf-8');
    expect(xml.text).toContain(`<id>${ids.c1}</id>`);
    expect(xml.text).toContain('<msg>http://www.iadvize.com/fonctionnalites/co-browsing</msg>');
    expect(xml.text.match(/<message>/g)).toHaveLength(4);
  });

  it("answers 404 for an unknown chat or another account's, 400 for a bad chatid", async () => {
    for (const chatid of [String(ids.theirChat), '424242']) {
      const answer = await v1('/chat_history/getHistoryByID/', { chatid });
      expect(answer.status).toBe(404);
      expect(answer.json).toEqual(error(`Unknown 'chat' with 'id' ${chatid}.`));
    }
    expect((await v1('/chat_history/getHistoryByID/', {})).json).toEqual(error("Field 'chatid' is missing."));
    expect((await v1('/chat_history/getHistoryByID/', { chatid: '12abc' })).status).toBe(400);
  });
});

describe('transactions/getTransactions', () => {
  const s1 = () => ({
    id: String(ids.s1),
    operator: 'John Doe',
    chat_id: String(ids.c1),
    client_email: 'daniel@crg.com',
    transaction_id: '1337',
    amount: '19.90',
    date: '27.12.2011 16:26',
  });
  const s2 = () => ({
    id: String(ids.s2),
    operator: 'Judy Who',
    chat_id: '',
    client_email: 'jules@crg.com',
    transaction_id: '7221',
    amount: '19.90',
    date: '26.12.2011 12:44',
  });

  it('lists the sales of the days, newest first, crediting the operator of the conversation', async () => {
    // http://www.iadvize.com/api/transactions/getTransactions/?key={APYKEY}&sdate={START-DATE}&edate={END-DATE}&chatted={CHATTED}
    const answer = await v1('/transactions/getTransactions/', { sdate: '2011-12-26', edate: '2011-12-27' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual([s1(), s2()]);
    expect(
      (await v1('/transactions/getTransactions/', { sdate: '2011-12-26', edate: '2011-12-27', chatted: '0' })).json,
    ).toEqual([s1(), s2()]);
    expect(
      (await v1('/transactions/getTransactions/', { sdate: '2011-12-26', edate: '2011-12-27', chatted: '1' })).json,
    ).toEqual([s1()]);
    expect((await v1('/transactions/getTransactions/', { sdate: '2011-12-27', edate: '2011-12-27' })).json).toEqual([
      s1(),
    ]);
  });

  it("answers seed 002's csv: quoted header, ';' separators, text quoted, numbers bare", async () => {
    const answer = await v1('/transactions/getTransactions/', { sdate: '2011-12-26', edate: '2011-12-27', out: 'csv' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/csv; charset=utf-8');
    expect(answer.text).toBe(
      '"id";"operator";"chat_id";"client_email";"transaction_id";"amount";"date"\r\n' +
        `${ids.s1};"John Doe";${ids.c1};"daniel@crg.com";"1337";19.90;"27.12.2011 16:26"\r\n` +
        `${ids.s2};"Judy Who";;"jules@crg.com";"7221";19.90;"26.12.2011 12:44"\r\n`,
    );
    const empty = await v1('/transactions/getTransactions/', { sdate: '2001-01-01', edate: '2001-01-01', out: 'csv' });
    expect(empty.text).toBe('"id";"operator";"chat_id";"client_email";"transaction_id";"amount";"date"\r\n');
  });

  it('requires both dates and refuses bad ones, chatted other than 0 or 1, and out=xml', async () => {
    const cases: [Record<string, string>, string][] = [
      [{ edate: '2011-12-27' }, "Field 'sdate' is missing."],
      [{ sdate: '2011-12-27' }, "Field 'edate' is missing."],
      [
        { sdate: 'yesterday', edate: '2011-12-27' },
        "Value of field 'sdate' is not valid. Expected a date written aaaa-mm-jj (YYYY-MM-DD), such as 2011-12-27.",
      ],
      [
        { sdate: '2011-12-27', edate: '2011-12-26' },
        "Value of field 'edate' is not valid. It must not be before sdate.",
      ],
      [
        { sdate: '2011-12-27', edate: '2011-12-27', chatted: '2' },
        "Value of field 'chatted' is not valid. Expected 0 or 1.",
      ],
      [
        { sdate: '2011-12-27', edate: '2011-12-27', out: 'xml' },
        "Value of field 'out' is not valid. Expected one of: json, csv.",
      ],
    ];
    for (const [params, message] of cases) {
      const answer = await v1('/transactions/getTransactions/', params);
      expect(answer.status, message).toBe(400);
      expect(answer.json).toEqual(error(message));
    }
  });

  it("never lists another account's sales", async () => {
    const theirs = (await v1('/transactions/getTransactions/', { sdate: '2011-12-27', edate: '2011-12-27' }, otherKey))
      .json as { amount: string }[];
    expect(theirs.map((item) => item.amount)).toEqual(['99.00']);
  });
});

describe('satisfaction/getSatisfaction', () => {
  const sat1 = () => ({
    id: String(ids.sat1),
    operator: 'John Doe',
    chat_id: String(ids.c1),
    note_accueil: 3,
    note_delai: 3,
    note_resolution: 3,
    comment: '',
    date: '29.12.2011 16:15',
  });
  const sat2 = () => ({
    id: String(ids.sat2),
    operator: 'Judy Who',
    chat_id: String(ids.c2),
    note_accueil: 3,
    note_delai: 2,
    note_resolution: 1,
    comment: 'Génial le chat ! "vraiment"; merci',
    date: '29.12.2011 10:47',
  });

  it("answers seed 002's json: a bare array, ids as strings, notes as numbers, newest first", async () => {
    // http://www.iadvize.com/api/satisfaction/getSatisfaction/?key={APIKEY}&sdate={START-DATE}&edate={END-DATE}&opid={OP-ID}
    const answer = await v1('/satisfaction/getSatisfaction/', { sdate: '2011-12-29', edate: '2011-12-29' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual([sat1(), sat2()]);
    expect(
      (await v1('/satisfaction/getSatisfaction/', { sdate: '2011-12-29', edate: '2011-12-29', opid: String(ids.judy) }))
        .json,
    ).toEqual([sat2()]);
    expect(
      (await v1('/satisfaction/getSatisfaction/', { sdate: '2011-12-29', edate: '2011-12-29', opname: 'john doe' }))
        .json,
    ).toEqual([sat1()]);
    expect(
      (await v1('/satisfaction/getSatisfaction/', { sdate: '2011-12-29', edate: '2011-12-29', opname: 'Nobody' })).json,
    ).toEqual([]);
  });

  it("answers today's answers (UTC) when no date is given", async () => {
    const answer = await v1('/satisfaction/getSatisfaction/');
    expect(answer.status).toBe(200);
    expect((answer.json as { id: string }[]).map((item) => item.id)).toEqual([String(ids.satToday)]);
  });

  it("answers seed 002's csv", async () => {
    const answer = await v1('/satisfaction/getSatisfaction/', { sdate: '2011-12-29', edate: '2011-12-29', out: 'csv' });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/csv; charset=utf-8');
    expect(answer.text).toBe(
      '"id";"operator";"chat_id";"note_accueil";"note_delai";"note_resolution";"comment";"date"\r\n' +
        `${ids.sat1};"John Doe";${ids.c1};3;3;3;"";"29.12.2011 16:15"\r\n` +
        `${ids.sat2};"Judy Who";${ids.c2};3;2;1;"Génial le chat ! ""vraiment""; merci";"29.12.2011 10:47"\r\n`,
    );
  });

  it("refuses bad filters, and never shows another account's answers", async () => {
    expect(await v1('/satisfaction/getSatisfaction/', { opid: 'x' })).toMatchObject({
      status: 400,
      json: error("Value of field 'opid' is not valid. Expected a whole number identifier."),
    });
    expect(await v1('/satisfaction/getSatisfaction/', { opid: '999999' })).toMatchObject({
      status: 404,
      json: error("Unknown 'operator' with 'id' 999999."),
    });
    expect(await v1('/satisfaction/getSatisfaction/', { out: 'xml' })).toMatchObject({
      status: 400,
      json: error("Value of field 'out' is not valid. Expected one of: json, csv."),
    });
    const theirs = (await v1('/satisfaction/getSatisfaction/', { sdate: '2011-12-29', edate: '2011-12-29' }, otherKey))
      .json as { note_accueil: number }[];
    expect(theirs.map((item) => item.note_accueil)).toEqual([1]);
  });
});

describe('operator_stats/getStats', () => {
  const zero = {
    rate: '0',
    conv_rate: '0.0000',
    turnover: '0.00',
    sales_count: '0',
    problem: '0',
    note_accueil: 0,
    note_delai: 0,
    note_resolution: 0,
    note_globale: 0,
  };

  it('computes one day per operator, in the types of seed 002, listing idle operators and leavers who worked', async () => {
    // http://www.iadvize.com/api/operator_stats/getStats/?key={APIKEY}&sdate={START-DATE}&edate={END-DATE}&opid={OP-ID}
    const answer = await v1('/operator_stats/getStats/', { sdate: '2011-12-27', edate: '2011-12-27' });
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual([
      {
        ...zero,
        operator: 'John Doe',
        id: String(ids.john),
        presence: 12,
        chatcount: '1',
        duration: '2.23333333',
        conv_rate: '1.0000',
        turnover: '19.90',
        sales_count: '1',
      },
      { ...zero, operator: 'Judy Who', id: String(ids.judy), presence: 4, chatcount: '1', duration: '30.00000000' },
      { ...zero, operator: 'Kilian', id: String(ids.kilian), presence: 0, chatcount: '1', duration: '10.00000000' },
      { ...zero, operator: 'Idle Op', id: String(ids.idle), presence: 0, chatcount: '0', duration: '0.00000000' },
    ]);
  });

  it('averages notes, conversion and duration over a longer period', async () => {
    const answer = await v1('/operator_stats/getStats/', {
      sdate: '2011-12-26',
      edate: '2011-12-29',
      opid: String(ids.john),
    });
    expect(answer.json).toEqual([
      {
        operator: 'John Doe',
        id: String(ids.john),
        presence: 14,
        chatcount: '2',
        rate: '3',
        duration: '2.23333333',
        conv_rate: '0.5000',
        turnover: '19.90',
        sales_count: '1',
        problem: '0',
        note_accueil: 3,
        note_delai: 3,
        note_resolution: 3,
        note_globale: 3,
      },
    ]);
    const judy = await v1('/operator_stats/getStats/', {
      sdate: '2011-12-26',
      edate: '2011-12-29',
      opname: 'JUDY WHO',
    });
    expect(judy.json).toEqual([
      {
        operator: 'Judy Who',
        id: String(ids.judy),
        presence: 52,
        chatcount: '1',
        rate: '2',
        duration: '30.00000000',
        conv_rate: '0.0000',
        turnover: '19.90',
        sales_count: '1',
        problem: '0',
        note_accueil: 3,
        note_delai: 2,
        note_resolution: 1,
        note_globale: 2,
      },
    ]);
  });

  it('answers csv: the name quoted, the figures bare', async () => {
    const answer = await v1('/operator_stats/getStats/', {
      sdate: '2011-12-27',
      edate: '2011-12-27',
      opid: String(ids.john),
      out: 'csv',
    });
    expect(answer.status).toBe(200);
    expect(answer.contentType).toBe('text/csv; charset=utf-8');
    expect(answer.text).toBe(
      '"operator";"id";"presence";"chatcount";"rate";"duration";"conv_rate";"turnover";"sales_count";"problem";"note_accueil";"note_delai";"note_resolution";"note_globale"\r\n' +
        `"John Doe";${ids.john};12;1;0;2.23333333;1.0000;19.90;1;0;0;0;0;0\r\n`,
    );
  });

  it('requires both dates, and never counts another account', async () => {
    expect(await v1('/operator_stats/getStats/', { sdate: '2011-12-27' })).toMatchObject({
      status: 400,
      json: error("Field 'edate' is missing."),
    });
    expect(await v1('/operator_stats/getStats/', { edate: '2011-12-27' })).toMatchObject({
      status: 400,
      json: error("Field 'sdate' is missing."),
    });
    const theirs = (await v1('/operator_stats/getStats/', { sdate: '2011-12-27', edate: '2011-12-27' }, otherKey))
      .json as { chatcount: string; presence: number; turnover: string }[];
    expect(theirs.map((item) => [item.chatcount, item.presence, item.turnover])).toEqual([['1', 1, '99.00']]);
  });
});

describe('operator_stats/getStats from the rollups', () => {
  it('reads every figure from the rollups: without them they are 0, a rebuild brings them back', async () => {
    const john = async () =>
      (await v1('/operator_stats/getStats/', { sdate: '2011-12-27', edate: '2011-12-27', opid: String(ids.john) }))
        .json;
    const full = await john();
    expect(full).toMatchObject([{ presence: 12, chatcount: '1', duration: '2.23333333', turnover: '19.90' }]);
    await db().deleteFrom('stats_hour').where('client_id', '=', clientId).execute();
    await db().deleteFrom('stats_day').where('client_id', '=', clientId).execute();
    // Sales, notes and the conversion rate too (the operator credits of the rollups: docs/STATISTICS.md).
    expect(await john()).toEqual([
      {
        ...(full as object[])[0],
        presence: 0,
        chatcount: '0',
        duration: '0.00000000',
        problem: '0',
        conv_rate: '0.0000',
        turnover: '0.00',
        sales_count: '0',
      },
    ]);
    await buildRollups('2011-12-26T00:00:00.000Z', '2012-01-06T00:00:00.000Z', clientId);
    expect(await john()).toEqual(full);
  });

  it('widens a period given with times to whole hours', async () => {
    // 11:58:03 (John's conversation) is inside 11:30-11:45 widened to 11:00-12:00, and so is all of that hour's
    // presence; the sale of 16:26 is outside it.
    const answer = await v1('/operator_stats/getStats/', {
      sdate: '2011-12-27 11:30:00',
      edate: '2011-12-27 11:45:00',
      opid: String(ids.john),
    });
    expect(answer.json).toMatchObject([{ presence: 1, chatcount: '1', duration: '2.23333333', turnover: '0.00' }]);
  });
});

describe('large exports', () => {
  it(`refuses a history of more than ${MAX_HISTORY_CONVERSATIONS} conversations, asking for narrower dates`, async () => {
    const busy = await clientWithKey(t, 'Reports Busy Co');
    const site = await website(busy.clientId, 'https://busy.example');
    const someone = await visitor(busy.clientId, 'busy-visitor');
    const rows = Array.from({ length: MAX_HISTORY_CONVERSATIONS + 1 }, (_, index) => {
      const at = index < MAX_HISTORY_CONVERSATIONS ? '2011-01-01T10:00:00.000Z' : '2011-01-02T10:00:00.000Z';
      return {
        client_id: busy.clientId,
        website_id: site,
        channel: 'chat' as const,
        source: 'web' as const,
        visitor_id: someone,
        operator_id: null,
        skill_id: null,
        rule_id: null,
        status: 'waiting' as const,
        xmpp_id: `busy-${index}`,
        created_at: at,
        updated_at: at,
      };
    });
    for (let index = 0; index < rows.length; index += 500)
      await db()
        .insertInto('conversation')
        .values(rows.slice(index, index + 500))
        .execute();
    const all = await v1('/chat_history/getHistory/', {}, busy.key);
    expect(all.status).toBe(400);
    expect(all.json).toEqual(
      error(
        `The filters match ${MAX_HISTORY_CONVERSATIONS + 1} conversations, more than the ${MAX_HISTORY_CONVERSATIONS} one answer holds: narrow 'sdate' and 'edate'.`,
      ),
    );
    const narrowed = await v1('/chat_history/getHistory/', { sdate: '2011-01-02' }, busy.key);
    expect(narrowed.status).toBe(200);
    expect(narrowed.json).toHaveLength(1);
  });
});

describe('operator_stats/getStats problem', () => {
  it("counts the operator's conversations of the period with a problem reported, once each, whoever reported it", async () => {
    const problems = await clientWithKey(t, 'Problem Reports Co');
    const site = await website(problems.clientId, 'https://problems.reports.example');
    const guest = await visitor(problems.clientId, 'problem-visitor');
    const ada = await operator(problems.clientId, 'Ada');
    const bob = await operator(problems.clientId, 'Bob');
    const on = (operatorId: number, created: string) =>
      conversation({ client: problems.clientId, website: site, visitor: guest, operator: operatorId, created });
    const adaFirst = await on(ada, '2012-02-01T09:00:00.000Z');
    const adaSecond = await on(ada, '2012-02-01T10:00:00.000Z');
    await on(ada, '2012-02-01T11:00:00.000Z');
    const adaNextDay = await on(ada, '2012-02-02T09:00:00.000Z');
    const bobs = await on(bob, '2012-02-01T12:00:00.000Z');
    const report = async (conversationId: number, json: Record<string, unknown>) => {
      const answer = await t.api('POST', `/conversation/${conversationId}/problem`, { key: problems.key, json });
      expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    };
    await report(adaFirst, { reason: 'Visitor insulted the operator' });
    // Reported twice: still one conversation with a problem.
    await report(adaSecond, { reason: 'Wrong price shown' });
    await report(adaSecond, { reason: 'Wrong price shown, again' });
    await report(adaNextDay, { reason: 'Outside the day asked for' });
    // Ada reports on Bob's conversation: it counts for Bob, whose conversation it is.
    await report(bobs, { reason: 'Bob was away', operator_id: ada });
    await buildRollups('2012-02-01T00:00:00.000Z', '2012-02-03T00:00:00.000Z', problems.clientId);

    const day = async (sdate: string, edate: string) =>
      (
        (await v1('/operator_stats/getStats/', { sdate, edate }, problems.key)).json as {
          operator: string;
          chatcount: string;
          problem: string;
        }[]
      ).map((row) => [row.operator, row.chatcount, row.problem]);
    // 2012-02-01: Ada 3 conversations of which 2 flagged; Bob 1 of which 1.
    expect(await day('2012-02-01', '2012-02-01')).toEqual([
      ['Ada', '3', '2'],
      ['Bob', '1', '1'],
    ]);
    // Both days: Ada's conversation of 2012-02-02 is counted too.
    expect(await day('2012-02-01', '2012-02-02')).toEqual([
      ['Ada', '4', '3'],
      ['Bob', '1', '1'],
    ]);
    const csv = await v1(
      '/operator_stats/getStats/',
      { sdate: '2012-02-01', edate: '2012-02-01', opid: String(ada), out: 'csv' },
      problems.key,
    );
    expect(csv.text.split('\r\n')[1]).toBe(`"Ada";${ada};0;3;0;0.00000000;0.0000;0.00;0;2;0;0;0;0`);
  });
});

describe('bad input', () => {
  it('answers 4xx in the v1 envelope, never 500', async () => {
    const attempts: [string, Record<string, string>][] = [
      ['/chat_history/getHistory/', { sdate: '9999-99-99' }],
      ['/chat_history/getHistory/', { sdate: '2011-12-27 25:00:00' }],
      ['/chat_history/getHistory/', { opid: '1,5' }],
      ['/chat_history/getHistory/', { opid: '3000000000' }],
      ['/chat_history/getHistory/', { extid: 'a\u0000b' }],
      ['/chat_history/getHistoryByID/', { chatid: '-5' }],
      ['/transactions/getTransactions/', { sdate: '', edate: '' }],
      ['/transactions/getTransactions/', { sdate: '2011-12-27', edate: '2011-12-27', chatted: 'yes' }],
      ['/satisfaction/getSatisfaction/', { sdate: '2011-13-01' }],
      ['/satisfaction/getSatisfaction/', { opname: 'x'.repeat(300) }],
      ['/operator_stats/getStats/', { sdate: '2011-12-27', edate: '2011-12-27', out: 'XML' }],
      ['/operator_stats/getStats/', { sdate: '2011-12-27', edate: '2011-12-27', opid: '0' }],
    ];
    for (const [path, params] of attempts) {
      const answer = await v1(path, params);
      expect(answer.status, `${path} ${JSON.stringify(params)}`).toBeGreaterThanOrEqual(400);
      expect(answer.status, `${path} ${JSON.stringify(params)}`).toBeLessThan(500);
      expect(answer.json).toMatchObject({
        result: 'error',
        message: expect.stringMatching(/'(sdate|edate|opid|chatid|extid|chatted|opname|out)'/),
      });
    }
  });
});
