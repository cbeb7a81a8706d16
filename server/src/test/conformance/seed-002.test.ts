// Seed 002 (the legacy v1 API): every method's example call, written as the seed writes it (`?key=` and the
// parameters with the seed's names, `opId=` included), against data set up through the public APIs, answers the
// example's shape: `{'result':'success'}` for writes, all-string operator and website lists, chat histories in json
// and well-formed xml, transactions, satisfaction answers and operator statistics in json and csv.
//
// The seed's URLs carry a stray space before some parameters (`&id={OPID} &name=…`, lines 151, 198, 224, 352, 405,
// 536): an artefact of the PDF export, left out here.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, startTestApp, type TestApp } from '../harness.js';
import { shapeOf, V1_DATE_TIME } from './shape.js';
import { dateTimeIn, dayIn, ok } from './support.js';
import { childText, parseXml, type XmlElement } from './xml.js';

// ——— The seed's examples, transcribed ———

/** Lines 97-101 (and 153-157, 178-182, 202-206, 228-232, 254-258, 276-280, 298-302). */
const SUCCESS = { result: 'success' };

/** Lines 119-131: every value a string. */
const OPERATOR_LIST = {
  operators: [
    {
      id: '7869',
      external_id: '',
      name: 'John Doe',
      nick: 'John',
      pseudo: 'John',
      rights: 'admin',
      curchat: '0',
      maxchat: '2',
      is_online: '0',
      messenger_isonline: '0',
    },
    {
      id: '1523',
      external_id: '',
      name: 'Judy Who',
      nick: 'Judy',
      pseudo: 'Judy',
      rights: 'operator',
      curchat: '0',
      maxchat: '2',
      is_online: '0',
      messenger_isonline: '0',
    },
  ],
};

/** Lines 320-327. */
const WEBSITE_LIST = {
  websites: [
    { id: '17', label: 'Google', url: 'google.com' },
    { id: '979', label: 'Gmail', url: 'mail.google.com' },
  ],
};

/**
 * Lines 357-375, one conversation of the list `getHistory` answers. Two typos of the seed's example are read as its
 * attribute table (lines 380-390) names the fields: "user agent" (line 361) is `user_agent` (line 388), and "msq"
 * (line 370) is `msg`. The history is a list (the example's `]` on line 374 closes it).
 */
const HISTORY_ITEM = {
  id: '427437',
  duration: '02:14',
  datetime: '27.12.2011 11:58',
  opid: '35',
  opname: 'John Doe',
  group: 'Grp1',
  vuid: 'c8db748bfb239a3ad005f99014bdc0824f8c088890cc8',
  user_agent:
    'Mozilla/5.0 (Macintosh; Intel Mac OS X 10 7 3) AppleWebKit/534.54.16 (KHTML, like Gecko) Version/5.1.4 Safari/534.54.16',
  extid: '0',
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
};

/** Line 435: the transaction columns (json keys and csv header). */
const TRANSACTION_COLUMNS = ['id', 'operator', 'chat_id', 'client_email', 'transaction_id', 'amount', 'date'];
/** Lines 436-437: a csv row (`;` then an optional space, as the seed writes `; `). */
const TRANSACTION_ROW = /^\d+; ?"[^"]*"; ?\d*; ?"[^"]*"; ?"[^"]*"; ?\d+\.\d{2}; ?"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}"$/;

/** Lines 478-494. */
const SATISFACTION_LIST = [
  {
    id: '154277',
    operator: 'John Doe',
    chat_id: '1153555',
    note_accueil: 3,
    note_delai: 3,
    note_resolution: 3,
    comment: '',
    date: '29.12.2011 16:15',
  },
  {
    id: '154261',
    operator: 'Kilian',
    chat_id: '1153487',
    note_accueil: 3,
    note_delai: 3,
    note_resolution: 3,
    comment: '',
    date: '29.12.2011 16:01',
  },
  {
    id: '153953',
    operator: 'Kilian',
    chat_id: '1151851',
    note_accueil: 3,
    note_delai: 3,
    note_resolution: 3,
    comment: 'Génial le chat !',
    date: '29.12.2011 10:47',
  },
];
/** Line 498: the satisfaction csv header. */
const SATISFACTION_COLUMNS = [
  'id',
  'operator',
  'chat_id',
  'note_accueil',
  'note_delai',
  'note_resolution',
  'comment',
  'date',
];
/** Lines 499-501: a csv row. */
const SATISFACTION_ROW = /^\d+; ?"[^"]*"; ?\d+; ?[1-3]; ?[1-3]; ?[1-3]; ?"[^"]*"; ?"\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}"$/;

/** Lines 541-552. */
const STATS_LIST = [
  {
    operator: 'John Doe',
    id: '5559',
    presence: 0,
    chatcount: '3',
    rate: '0.004149377593361',
    duration: '0.63888889',
    conv_rate: '0.0000',
    turnover: '0.00',
    sales_count: '0',
    problem: '0',
    note_accueil: 0,
    note_delai: 0,
    note_resolution: 0,
    note_globale: 0,
  },
  {
    operator: 'Judy',
    id: '6263',
    presence: 23,
    chatcount: '7',
    rate: '8.53721003975901e-05',
    duration: '3.97857143',
    conv_rate: '0.0000',
    turnover: '0.00',
    sales_count: '0',
    problem: '0',
    note_accueil: 3,
    note_delai: 2,
    note_resolution: 3,
    note_globale: 3,
  },
];

// ——— Calls ———

let t: TestApp;
let key: string;

interface V1Answer {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

/** GET `/api{url}` with `{APIKEY}` replaced by the client key: the url as the seed writes it. */
async function call(url: string): Promise<V1Answer> {
  const response = await t.app.inject({
    method: 'GET',
    url: `/api${url.replace('{APIKEY}', encodeURIComponent(key))}`,
  });
  const contentType = String(response.headers['content-type'] ?? '');
  return {
    status: response.statusCode,
    contentType,
    text: response.body,
    json: contentType.startsWith('application/json') ? JSON.parse(response.body) : null,
  };
}

/** A csv answer's lines, without the final line end. */
function csvLines(text: string): string[] {
  return text.replace(/\r?\n$/, '').split(/\r?\n/);
}

/** The column names of a csv header line (`"id"; "operator"` or `"id";"operator"`). */
function csvHeader(line: string | undefined): string[] {
  return (line ?? '').split(/; ?/).map((cell) => cell.replace(/^"|"$/g, ''));
}

// ——— Data, through the public APIs (v2 for what v1 cannot write) ———

interface Data {
  google: number;
  gmail: number;
  john: number;
  judy: number;
  kilian: number;
  chat1: number;
  chat2: number;
  chatOther: number;
}

let d: Data;
const sdate = dayIn(-7);
const edate = dayIn(0);

/** `YYYY-MM-DD HH:MM:SS` `seconds` after another. */
function later(dateTime: string, seconds: number): string {
  return new Date(Date.parse(`${dateTime.replace(' ', 'T')}Z`) + seconds * 1000)
    .toISOString()
    .replace('T', ' ')
    .slice(0, 19);
}

async function setUp(): Promise<Data> {
  const v2 = async (path: string, json: Record<string, unknown>) => (await ok(t, 'POST', path, { key, json })).id;
  const google = await v2('/website', { url: 'google.com', label: 'Google' });
  const gmail = await v2('/website', { url: 'mail.google.com', label: 'Gmail' });
  const grp1 = await v2('/group', { name: 'Grp1' });
  const john = await v2('/operator', {
    name: 'John Doe',
    first_name: 'John',
    pseudo: 'John',
    email: 'john@v1.example',
    roles: ['admin'],
    group_id: grp1,
    website_list: [google],
  });
  const judy = await v2('/operator', {
    name: 'Judy Who',
    first_name: 'Judy',
    pseudo: 'Judy',
    email: 'judy@v1.example',
    website_list: [gmail],
  });
  const kilian = await v2('/operator', { name: 'Kilian', email: 'kilian@v1.example' });
  // John goes online (line 871 of seed 003: presence for the statistics).
  await ok(t, 'PUT', `/operator/${john}/live`, { key, form: { 'chat[available]': '1' } });

  // A visitor known to the CRM (its extid), browsing with the seed's user agent.
  await v2('/visitor', {
    unique_id: 'c8db748bfb239a3ad005f99014bdc0824f8c088890cc8',
    external_id: 'CRM-0042',
    email: 'daniel@crg.com',
    browser: HISTORY_ITEM.user_agent,
    website_id: [google],
  });
  const start = dateTimeIn(-2);
  const chat1 = await v2('/conversation', {
    website_id: google,
    visitor_uid: 'c8db748bfb239a3ad005f99014bdc0824f8c088890cc8',
    operator_id: john,
    created_at: start,
    history: [
      [5, start, 'http://www.iadvize.com/fonctionnalites/co-browsing'],
      [2, start, 'bonjour, je souhaite savoir si iAdvize permet de se connecter depuis skype ?'],
      [1, start, 'Bonjour, malheureusement non.'],
    ],
  });
  // Closed 2 minutes 14 seconds after it started, as the seed's example lasted (line 357: "duration":"02:14").
  await ok(t, 'POST', `/conversation/${chat1}/close`, { key, json: { closed_at: later(start, 134) } });
  const chat2 = await v2('/conversation', { website_id: google, operator_id: kilian, created_at: dateTimeIn(-1) });
  await ok(t, 'POST', `/conversation/${chat2}/message`, { key, json: { type: 'visitor', text: 'Bonjour' } });
  await ok(t, 'POST', `/conversation/${chat2}/message`, { key, json: { type: 'operator', text: 'Bonjour !' } });
  await ok(t, 'POST', `/conversation/${chat2}/close`, { key, json: {} });
  const chatOther = await v2('/conversation', { website_id: gmail, operator_id: kilian, created_at: dateTimeIn(-1) });
  await ok(t, 'POST', `/conversation/${chatOther}/close`, { key, json: {} });

  // Sales: one after John's chat (found by the visitor's email), one with no conversation.
  await v2('/transaction', {
    website_id: google,
    external_id: '1337',
    amount: 19.9,
    visitor_email: 'daniel@crg.com',
    created_at: dateTimeIn(-1),
  });
  await v2('/transaction', {
    website_id: gmail,
    external_id: '7221',
    amount: 19.9,
    visitor_email: 'jules@crg.com',
    created_at: dateTimeIn(-1),
  });

  // Satisfaction answers as in lines 479-493.
  await v2('/satisfaction', { conversation_id: chat1, note_welcome: 3, note_delay: 3, note_resolution: 3 });
  await v2('/satisfaction', {
    conversation_id: chat2,
    note_welcome: 3,
    note_delay: 3,
    note_resolution: 3,
    comment: 'Génial le chat !',
  });
  await v2('/satisfaction', { conversation_id: chatOther, note_welcome: 2, note_delay: 1, note_resolution: 3 });
  return { google, gmail, john, judy, kilian, chat1, chat2, chatOther };
}

beforeAll(async () => {
  t = await startTestApp();
  ({ key } = await clientWithKey(t, 'Conformance v1'));
  d = await setUp();
});
afterAll(async () => t.close());

/** The account's operators as `getClientOperatorList` lists them. */
async function operators(): Promise<Record<string, string>[]> {
  return ((await call('/operator/getClientOperatorList/?key={APIKEY}')).json as typeof OPERATOR_LIST).operators;
}

async function operatorNamed(name: string): Promise<Record<string, string>> {
  const found = (await operators()).find((operator) => operator.name === name);
  if (!found) throw new Error(`no operator named ${name}`);
  return found;
}

describe('3. Model operator', () => {
  it('3.1 createAccount (line 93) answers {"result":"success"} and the account is listed', async () => {
    const answer = await call(
      '/operator/createAccount/?key={APIKEY}&name=firstname+lastname&email=email@example.com&password=mypass&pseudo=mypseudo',
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(SUCCESS);
    expect(await operatorNamed('firstname lastname')).toMatchObject({
      pseudo: 'mypseudo',
      rights: 'operator',
      maxchat: '2',
    });
  });

  it('3.2 getClientOperatorList (line 109) answers the example shape, every value a string (lines 119-131)', async () => {
    const answer = await call('/operator/getClientOperatorList/?key={APIKEY}');
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.json)).toEqual(shapeOf(OPERATOR_LIST));
    const listed = (answer.json as typeof OPERATOR_LIST).operators;
    // Every item, not only the first: same keys, all strings.
    for (const item of listed) expect(shapeOf(item)).toEqual(shapeOf(OPERATOR_LIST.operators[0]));
    expect(listed.find((item) => item.id === String(d.john))).toMatchObject({
      name: 'John Doe',
      nick: 'John',
      pseudo: 'John',
      rights: 'admin',
      is_online: '1',
      messenger_isonline: '1',
    });
    expect(listed.find((item) => item.id === String(d.judy))).toMatchObject({
      external_id: '',
      name: 'Judy Who',
      nick: 'Judy',
      rights: 'operator',
      curchat: '0',
      maxchat: '2',
      is_online: '0',
      messenger_isonline: '0',
    });
  });

  it('3.2 getWebsiteOperatorList (line 111, parameter `sid` as linkWebsite names a website) answers the same shape, one website only', async () => {
    const answer = await call(`/operator/getWebsiteOperatorList/?key={APIKEY}&sid=${d.gmail}`);
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.json)).toEqual(shapeOf({ operators: [OPERATOR_LIST.operators[0]] }));
    expect((answer.json as typeof OPERATOR_LIST).operators.map((item) => item.id)).toEqual([String(d.judy)]);
  });

  it('3.3 editAccount (line 151) answers {"result":"success"} and changes the fields given', async () => {
    const created = await operatorNamed('firstname lastname');
    const answer = await call(
      `/operator/editAccount/?key={APIKEY}&id=${created.id}&name=firstname+lastname&external_id=EXT-42`,
    );
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(SUCCESS);
    expect(await operatorNamed('firstname lastname')).toMatchObject({ id: created.id, external_id: 'EXT-42' });
  });

  it('3.5 linkWebsite (line 198) and 3.6 unlinkWebsite (line 224) answer {"result":"success"}', async () => {
    const created = await operatorNamed('firstname lastname');
    const linked = await call(`/operator/linkWebsite/?key={APIKEY}&opid=${created.id}&sid=${d.gmail}`);
    expect(linked.status).toBe(200);
    expect(linked.json).toEqual(SUCCESS);
    const onGmail = async () =>
      (
        (await call(`/operator/getWebsiteOperatorList/?key={APIKEY}&sid=${d.gmail}`)).json as typeof OPERATOR_LIST
      ).operators.map((item) => item.id);
    expect(await onGmail()).toContain(created.id);
    const unlinked = await call(`/operator/unlinkWebsite/?key={APIKEY}&opid=${created.id}&sid=${d.gmail}`);
    expect(unlinked.status).toBe(200);
    expect(unlinked.json).toEqual(SUCCESS);
    expect(await onGmail()).not.toContain(created.id);
  });

  it('3.7 setUnavailable, 3.8 setAvailable, 3.9 disconnect with opId= (lines 248, 272, 294) answer {"result":"success"}', async () => {
    const judy = String(d.judy);
    const available = await call(`/operator/setAvailable/?key={APIKEY}&opId=${judy}`);
    expect(available.json).toEqual(SUCCESS);
    expect(await operatorNamed('Judy Who')).toMatchObject({ is_online: '1', messenger_isonline: '1' });
    const unavailable = await call(`/operator/setUnavailable/?key={APIKEY}&opId=${judy}`);
    expect(unavailable.json).toEqual(SUCCESS);
    expect(await operatorNamed('Judy Who')).toMatchObject({ is_online: '1', messenger_isonline: '0' });
    const disconnected = await call(`/operator/disconnect/?key={APIKEY}&opId=${judy}`);
    expect(disconnected.json).toEqual(SUCCESS);
    expect(await operatorNamed('Judy Who')).toMatchObject({ is_online: '0', messenger_isonline: '0' });
    expect([available.status, unavailable.status, disconnected.status]).toEqual([200, 200, 200]);
  });

  it('3.4 deleteAccount (line 174) answers {"result":"success"} and the account is no longer listed', async () => {
    const created = await operatorNamed('firstname lastname');
    const answer = await call(`/operator/deleteAccount/?key={APIKEY}&id=${created.id}`);
    expect(answer.status).toBe(200);
    expect(answer.json).toEqual(SUCCESS);
    expect((await operators()).map((operator) => operator.id)).not.toContain(created.id);
  });
});

describe('4. Model website', () => {
  it('4.1 getClientWebsiteList (line 316) answers the example shape (lines 320-327)', async () => {
    const answer = await call('/website/getClientWebsiteList/?key={APIKEY}');
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.json)).toEqual(shapeOf(WEBSITE_LIST));
    const listed = (answer.json as typeof WEBSITE_LIST).websites;
    expect(listed.map((item) => [item.id, item.label])).toEqual([
      [String(d.google), 'Google'],
      [String(d.gmail), 'Gmail'],
    ]);
    for (const item of listed) expect(shapeOf(item)).toEqual(shapeOf(WEBSITE_LIST.websites[0]));
  });
});

/** Checks one history item against the seed's: shape, formats, and the four kinds of lines. */
function expectHistoryItem(item: unknown): void {
  expect(shapeOf(item)).toEqual(shapeOf(HISTORY_ITEM));
  const chat = item as typeof HISTORY_ITEM;
  expect(chat.datetime).toMatch(V1_DATE_TIME);
  expect(chat.duration).toMatch(/^\d{2,}:\d{2}$/);
  for (const line of chat.history) {
    expect(shapeOf(line)).toEqual(shapeOf(HISTORY_ITEM.history[0]));
    expect(line.time).toMatch(/^\d{2}:\d{2}$/);
    expect(['NAVIGATION', 'visitor', 'operator', 'alert']).toContain(line.from);
  }
}

/** The xml answer holds the json answer: one element per conversation, its fields as elements in the json's order. */
function expectXmlMirrors(xml: string, json: (typeof HISTORY_ITEM)[]): void {
  const root = parseXml(xml);
  expect(root.children).toHaveLength(json.length);
  root.children.forEach((chat: XmlElement, index) => {
    const expected = json[index] as typeof HISTORY_ITEM;
    expect(chat.children.map((child) => child.name)).toEqual(Object.keys(HISTORY_ITEM));
    for (const field of Object.keys(HISTORY_ITEM).filter(
      (name) => name !== 'history',
    ) as (keyof typeof HISTORY_ITEM)[]) {
      expect(childText(chat, field), field).toBe(expected[field]);
    }
    const history = chat.children.find((child) => child.name === 'history') as XmlElement;
    expect(
      history.children.map((line) => ({
        from: childText(line, 'from'),
        time: childText(line, 'time'),
        msg: childText(line, 'msg'),
      })),
    ).toEqual(expected.history);
  });
}

describe('5. Model chat_history', () => {
  it('5.1 getHistory (line 352) answers a list of the example item (lines 357-375), newest first', async () => {
    const answer = await call(`/chat_history/getHistory/?key={APIKEY}&sdate=${sdate}&edate=${edate}`);
    expect(answer.status).toBe(200);
    const chats = answer.json as (typeof HISTORY_ITEM)[];
    expect(chats.map((chat) => chat.id)).toEqual([d.chatOther, d.chat2, d.chat1].map(String));
    for (const chat of chats) expectHistoryItem(chat);
    const first = chats.find((chat) => chat.id === String(d.chat1));
    expect(first).toMatchObject({
      opid: String(d.john),
      duration: HISTORY_ITEM.duration,
      opname: 'John Doe',
      group: 'Grp1',
      vuid: HISTORY_ITEM.vuid,
      user_agent: HISTORY_ITEM.user_agent,
      extid: 'CRM-0042',
    });
    expect(first?.history.map((line) => [line.from, line.msg])).toEqual([
      ['NAVIGATION', HISTORY_ITEM.history[0]?.msg],
      ['visitor', HISTORY_ITEM.history[1]?.msg],
      ['operator', HISTORY_ITEM.history[2]?.msg],
      ['alert', 'OPERATOR_CHAT_CLOSE'],
    ]);
  });

  it('5.1 getHistory with out=xml (line 348) is a well-formed document with the same fields', async () => {
    const json = (await call(`/chat_history/getHistory/?key={APIKEY}&sdate=${sdate}&edate=${edate}`))
      .json as (typeof HISTORY_ITEM)[];
    const answer = await call(`/chat_history/getHistory/?key={APIKEY}&sdate=${sdate}&edate=${edate}&out=xml`);
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^application\/xml/);
    expectXmlMirrors(answer.text, json);
  });

  it('5.2 getHistoryByID (line 405) answers the same as 5.1 for one conversation (line 409), in json and xml', async () => {
    const answer = await call(`/chat_history/getHistoryByID/?key={APIKEY}&chatid=${d.chat1}`);
    expect(answer.status).toBe(200);
    const chats = answer.json as (typeof HISTORY_ITEM)[];
    expect(chats.map((chat) => chat.id)).toEqual([String(d.chat1)]);
    expectHistoryItem(chats[0]);
    const fromList = (
      (await call(`/chat_history/getHistory/?key={APIKEY}&sdate=${sdate}&edate=${edate}`))
        .json as (typeof HISTORY_ITEM)[]
    ).find((chat) => chat.id === String(d.chat1));
    expect(chats[0]).toEqual(fromList);
    const xml = await call(`/chat_history/getHistoryByID/?key={APIKEY}&chatid=${d.chat1}&out=xml`);
    expect(xml.status).toBe(200);
    expectXmlMirrors(xml.text, chats);
  });
});

describe('6. Model transactions', () => {
  it('6.1 getTransactions (line 430) answers items with the columns of line 435, dates jj.mm.aaaa hh:mm', async () => {
    const answer = await call(`/transactions/getTransactions/?key={APIKEY}&sdate=${sdate}&edate=${edate}&chatted=0`);
    expect(answer.status).toBe(200);
    const items = answer.json as Record<string, unknown>[];
    expect(items).toHaveLength(2);
    for (const item of items) {
      expect(Object.keys(item)).toEqual(TRANSACTION_COLUMNS);
      expect(item.date).toMatch(V1_DATE_TIME);
      expect(item.amount).toBe('19.90');
    }
    expect(items.map((item) => item.transaction_id).sort()).toEqual(['1337', '7221']);
    // The sale after John's chat (found by the visitor's email) names him and the chat.
    expect(items.find((item) => item.transaction_id === '1337')).toMatchObject({
      operator: 'John Doe',
      chat_id: String(d.chat1),
      client_email: 'daniel@crg.com',
    });
    const chatted = await call(`/transactions/getTransactions/?key={APIKEY}&sdate=${sdate}&edate=${edate}&chatted=1`);
    expect((chatted.json as Record<string, unknown>[]).map((item) => item.transaction_id)).toEqual(['1337']);
  });

  it('6.1 getTransactions with out=csv (line 426) answers the header of line 435 and rows like lines 436-439', async () => {
    const answer = await call(
      `/transactions/getTransactions/?key={APIKEY}&sdate=${sdate}&edate=${edate}&chatted=0&out=csv`,
    );
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/csv/);
    const [header, ...rows] = csvLines(answer.text);
    expect(csvHeader(header)).toEqual(TRANSACTION_COLUMNS);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(TRANSACTION_ROW);
  });
});

describe('7. Model satisfaction', () => {
  it('7.1 getSatisfaction (line 473) answers the example list shape (lines 478-494)', async () => {
    const answer = await call(
      `/satisfaction/getSatisfaction/?key={APIKEY}&sdate=${sdate}&edate=${edate}&opid=${d.kilian}`,
    );
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.json)).toEqual(shapeOf(SATISFACTION_LIST));
    const items = answer.json as typeof SATISFACTION_LIST;
    for (const item of items) {
      expect(shapeOf(item)).toEqual(shapeOf(SATISFACTION_LIST[0]));
      expect(item.date).toMatch(V1_DATE_TIME);
    }
    // Only Kilian's conversations (opid), newest first.
    expect(items.map((item) => [item.operator, item.chat_id])).toEqual([
      ['Kilian', String(d.chatOther)],
      ['Kilian', String(d.chat2)],
    ]);
    expect(items[1]).toMatchObject({ note_accueil: 3, note_delai: 3, note_resolution: 3, comment: 'Génial le chat !' });
  });

  it('7.1 getSatisfaction with out=csv (line 469) answers the header of line 498 and rows like lines 499-501', async () => {
    const answer = await call(
      `/satisfaction/getSatisfaction/?key={APIKEY}&sdate=${sdate}&edate=${edate}&opid=${d.kilian}&out=csv`,
    );
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/csv/);
    const [header, ...rows] = csvLines(answer.text);
    expect(csvHeader(header)).toEqual(SATISFACTION_COLUMNS);
    expect(rows).toHaveLength(2);
    for (const row of rows) expect(row).toMatch(SATISFACTION_ROW);
  });
});

describe('8. Model operator_stats', () => {
  // Presence, chatcount, duration and problem come from the statistics rollups: let the projection follow the API calls.
  beforeAll(async () => t.context.statistics?.catchUp());

  it('8.1 getStats (line 536) answers the example item shape (lines 541-552)', async () => {
    const answer = await call(`/operator_stats/getStats/?key={APIKEY}&sdate=${sdate}&edate=${edate}&opid=${d.john}`);
    expect(answer.status).toBe(200);
    expect(shapeOf(answer.json)).toEqual(shapeOf(STATS_LIST));
    const [john] = answer.json as typeof STATS_LIST;
    expect(john).toMatchObject({
      operator: 'John Doe',
      id: String(d.john),
      chatcount: '1',
      turnover: '19.90',
      sales_count: '1',
      conv_rate: '1.0000',
      note_globale: 3,
    });
    expect(typeof john?.presence).toBe('number');
  });

  it('8.1 getStats for every operator: each item has the example shape', async () => {
    const answer = await call(`/operator_stats/getStats/?key={APIKEY}&sdate=${sdate}&edate=${edate}`);
    expect(answer.status).toBe(200);
    const items = answer.json as typeof STATS_LIST;
    expect(items.map((item) => item.id).sort()).toEqual([d.john, d.judy, d.kilian].map(String).sort());
    for (const item of items) expect(shapeOf(item)).toEqual(shapeOf(STATS_LIST[0]));
  });

  it('8.1 getStats with out=csv (line 532) answers a header of the json fields and one row per operator', async () => {
    const answer = await call(
      `/operator_stats/getStats/?key={APIKEY}&sdate=${sdate}&edate=${edate}&opid=${d.john}&out=csv`,
    );
    expect(answer.status).toBe(200);
    expect(answer.contentType).toMatch(/^text\/csv/);
    const [header, ...rows] = csvLines(answer.text);
    expect(csvHeader(header)).toEqual(Object.keys(STATS_LIST[0] as object));
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatch(/^"John Doe"; ?\d+; ?[\d.]+;/);
  });
});
