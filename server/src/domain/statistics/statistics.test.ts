// GET /api/2/statistic on a day written by hand: every indicator against a value computed on paper from the rows
// below (the comments show the arithmetic), by resource and period, in the client's time zone, and its errors.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientWithKey, type Resource, startTestApp, type TestApp } from '../../test/harness.js';
import { INDICATOR_NAMES, INDICATORS } from './indicators.js';
import { rebuildStatistics } from './rebuild.js';

let t: TestApp;
let key: string;
let clientId: number;
let otherKey: string;
let site: Resource;
let otherSite: Resource;
let ada: Resource;
let bob: Resource;
let cy: Resource;
let group: Resource;
let visitor: Resource;
const ids: Record<string, number> = {};

const DAY = '2026-11-03';
const at = (time: string) => `${DAY}T${time}.000Z`;

async function create(path: string, json: Record<string, unknown>, as: string = key): Promise<Resource> {
  const answer = await t.api('POST', path, { key: as, json });
  if (answer.status !== 200) throw new Error(`POST ${path} failed: ${JSON.stringify(answer.body)}`);
  return answer.body.data;
}

interface ConversationSeed {
  name: string;
  operatorId: number | null;
  created: string;
  queued?: boolean;
  outcome: 'answered' | 'abandoned' | 'missed_offline' | 'missed_busy' | null;
  waitMs?: number;
  answered?: string;
  closed: string | null;
  operatorClosed?: boolean;
  ruleId?: number;
  pageType?: string;
  /** [kind, time]: 1 operator, 2 visitor. */
  messages: [1 | 2, string][];
  problem?: boolean;
}

async function conversation(seed: ConversationSeed): Promise<number> {
  const db = t.store.db;
  const row = await db
    .insertInto('conversation')
    .values({
      client_id: clientId,
      website_id: site.id,
      channel: 'chat',
      source: 'web',
      visitor_id: visitor.id,
      operator_id: seed.operatorId,
      skill_id: null,
      rule_id: seed.ruleId ?? null,
      status: seed.closed === null ? 'open' : 'closed',
      operator_answer: seed.answered ? 1 : 0,
      operator_closed: seed.operatorClosed ? 1 : 0,
      page_type: seed.pageType ?? null,
      user_agent: null,
      phone_number: null,
      xmpp_id: `stat-${seed.name}`,
      created_at: at(seed.created),
      answered_at: seed.answered ? at(seed.answered) : null,
      closed_at: seed.closed ? at(seed.closed) : null,
      updated_at: at(seed.created),
      queued_at: seed.queued ? at(seed.created) : null,
      outcome: seed.outcome,
      wait_ms: seed.waitMs ?? null,
      problem_reported_at: seed.problem ? at(seed.created) : null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  let seq = 0;
  for (const [kind, time] of seed.messages)
    await db
      .insertInto('conversation_message')
      .values({
        conversation_id: row.id,
        seq: ++seq,
        kind,
        operator_id: kind === 1 ? seed.operatorId : null,
        body: 'hello',
        created_at: at(time),
        data: null,
        client_message_id: null,
      })
      .execute();
  await db.updateTable('conversation').set({ last_seq: seq }).where('id', '=', row.id).execute();
  ids[seed.name] = row.id;
  return row.id;
}

async function sale(externalId: string, time: string, amount: number, conversationId: number | null) {
  await t.store.db
    .insertInto('sale')
    .values({
      client_id: clientId,
      website_id: site.id,
      external_id: externalId,
      visitor_id: null,
      visitor_uid: null,
      visitor_email: null,
      amount,
      currency: 'EUR',
      operator_id: null,
      conversation_id: conversationId,
      created_at: at(time),
    })
    .execute();
}

async function interval(
  table: 'presence_session' | 'availability_interval',
  operatorId: number,
  from: string,
  to: string,
) {
  if (table === 'presence_session')
    await t.store.db
      .insertInto('presence_session')
      .values({ client_id: clientId, operator_id: operatorId, started_at: at(from), ended_at: at(to) })
      .execute();
  else
    await t.store.db
      .insertInto('availability_interval')
      .values({ client_id: clientId, operator_id: operatorId, channel: 'chat', started_at: at(from), ended_at: at(to) })
      .execute();
}

async function holding(conversationId: number, operatorId: number, from: string, to: string) {
  await t.store.db
    .insertInto('conversation_holding')
    .values({
      client_id: clientId,
      website_id: site.id,
      conversation_id: conversationId,
      operator_id: operatorId,
      channel: 'chat',
      started_at: at(from),
      ended_at: at(to),
    })
    .execute();
}

beforeAll(async () => {
  // Answers are not kept (read cache off): each call must see the rollups as they are now.
  t = await startTestApp({ readCacheMs: 0 });
  ({ key, clientId } = await clientWithKey(t, 'Figures Co'));
  ({ key: otherKey } = await clientWithKey(t, 'Other Figures Co'));
  site = await create('/website', { url: 'https://figures.example' });
  otherSite = await create('/website', { url: 'https://other-figures.example' }, otherKey);
  group = await create('/group', { name: 'Front desk' });
  ada = await create('/operator', {
    name: 'Ada',
    email: 'ada@figures.example',
    chat_max_number: 2,
    group_id: group.id,
    website_list: [site.id],
  });
  cy = await create('/operator', {
    name: 'Cy',
    email: 'cy@figures.example',
    chat_max_number: 3,
    group_id: group.id,
    website_list: [site.id],
  });
  bob = await create('/operator', {
    name: 'Bob',
    email: 'bob@figures.example',
    chat_max_number: 1,
    website_list: [site.id],
  });
  visitor = await create('/visitor', { unique_id: 'figures-visitor' });
  // The operators' limit was already theirs that day (their creation rows are dated today).
  await t.store.db
    .updateTable('operator_capacity')
    .set({ started_at: at('00:00:00') })
    .execute();

  // C1: queued 30 s, Ada answers; turns 10:00:10→10:00:40 (30 s) and 10:05:00→10:06:00 (60 s, the 10:05:30 message
  // is the same turn); 10:10:00 is never answered; closed by Ada 600 s after that last visitor message; 1200 s long.
  await conversation({
    name: 'c1',
    operatorId: ada.id,
    created: '10:00:00',
    queued: true,
    outcome: 'answered',
    waitMs: 30_000,
    answered: '10:00:40',
    closed: '10:20:00',
    operatorClosed: true,
    ruleId: 77,
    pageType: 'product',
    messages: [
      [2, '10:00:10'],
      [1, '10:00:40'],
      [2, '10:05:00'],
      [2, '10:05:30'],
      [1, '10:06:00'],
      [2, '10:10:00'],
    ],
    problem: true,
  });
  // C2: queued, the visitor leaves after 90 s, unanswered.
  await conversation({
    name: 'c2',
    operatorId: null,
    created: '11:30:00',
    queued: true,
    outcome: 'abandoned',
    waitMs: 90_000,
    closed: '11:31:30',
    messages: [[2, '11:30:05']],
  });
  // C3: Bob answers 30 s after the first message, not queued; the visitor closes; 660 s long.
  await conversation({
    name: 'c3',
    operatorId: bob.id,
    created: '14:00:00',
    outcome: 'answered',
    answered: '14:01:00',
    closed: '14:11:00',
    messages: [
      [2, '14:00:30'],
      [1, '14:01:00'],
    ],
  });
  // C4: nobody was available.
  await conversation({
    name: 'c4',
    operatorId: null,
    created: '15:00:00',
    outcome: 'missed_offline',
    closed: '15:00:00',
    messages: [],
  });

  await t.store.db
    .insertInto('satisfaction')
    .values({
      client_id: clientId,
      website_id: site.id,
      conversation_id: ids.c1 as number,
      operator_id: ada.id,
      note_welcome: 3,
      note_delay: 2,
      note_resolution: 3,
      comment: '',
      created_at: at('10:21:00'),
    })
    .execute();
  // S1 during C1 (860 s after its answer), S2 after C3 (7140 s after its answer), S3 without contact.
  await sale('s1', '10:15:00', 100, ids.c1 as number);
  await sale('s2', '16:00:00', 50.5, ids.c3 as number);
  await sale('s3', '17:00:00', 20, null);

  // Ada: connected 09:00–12:00, available 09:00–11:00, holds C1 10:00:40–10:20:00 (limit 2: partially occupied).
  await interval('presence_session', ada.id, '09:00:00', '12:00:00');
  await interval('availability_interval', ada.id, '09:00:00', '11:00:00');
  await holding(ids.c1 as number, ada.id, '10:00:40', '10:20:00');
  // Bob: connected and available 13:00–15:00, holds C3 14:01:00–14:11:00 (limit 1: fully occupied).
  await interval('presence_session', bob.id, '13:00:00', '15:00:00');
  await interval('availability_interval', bob.id, '13:00:00', '15:00:00');
  await holding(ids.c3 as number, bob.id, '14:01:00', '14:11:00');
  // Cy: connected 10:00–11:00 while Ada was, never available (not in production): smoothed presence ignores her.
  await interval('presence_session', cy.id, '10:00:00', '11:00:00');

  // Rule 77 was shown 10 times and met 12 times at 10:00; 5 triggers were withheld for want of an operator, 2 because
  // every operator was busy.
  await t.store.db
    .insertInto('targeting_rule_counter')
    .values({
      client_id: clientId,
      website_id: site.id,
      hour: at('10:00:00'),
      channel: 'chat',
      rule_id: 77,
      page_type: 'product',
      displays: 10,
      triggers: 12,
      withheld_busy: 2,
      withheld_offline: 5,
    })
    .execute();

  await rebuildStatistics(t.store.db, { from: at('00:00:00'), to: `2026-11-04T00:00:00.000Z` });
}, 60_000);
afterAll(async () => t.close());

async function statistic(query: string, as: string = key) {
  return t.api('GET', `/statistic?${query}`, { key: as });
}

async function day(indicators?: string, extra = '') {
  const answer = await statistic(
    `filters[from]=${DAY}&filters[to]=${DAY}${indicators ? `&filters[indicators]=${indicators}` : ''}${extra}`,
  );
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return rowsOf(answer.body.data);
}

/** The rows of an answer: a list, or the one row (an object) of an answer without resource nor granularity. */
function rowsOf(data: unknown): Record<string, unknown>[] {
  return (Array.isArray(data) ? data : [data]) as Record<string, unknown>[];
}

describe('GET /api/2/statistic, every indicator of a hand-computed day', () => {
  it('answers the contact indicators', async () => {
    const [row] = await day();
    expect(row).toMatchObject({
      contact_number: 4,
      contact_sent_message_number: 3,
      contact_received_message_number: 6,
      // (30 + 30) / 2
      contact_answered_after_first_message_duration: 30,
      // (30 + 60 + 30) / 3
      contact_answered_duration: 40,
      contact_closed_after_last_message_duration: 600,
      // (1200 + 660) / 2
      contact_duration: 930,
      contact_unanswered_number: 2,
      contact_waiting_number: 2,
      contact_waiting_answered_number: 1,
      contact_waiting_duration: 30,
      contact_waiting_abort_number: 1,
      contact_waiting_before_quit_duration: 90,
      rule_display_number: 10,
      targeting_rule_triggered: 12,
      // 1 conversation from the rule / 10 displays
      rule_contact_rate: 0.1,
      // 0 missed_busy + 2 withheld × 0.1
      contact_missed_with_busy_operators_number: 0.2,
      // 1 missed_offline + 5 withheld × 0.1
      contact_missed_with_no_operators_number: 1.5,
      contact_missed_number: 1.7,
      // 2 answered / (14,400 s in production / 3600)
      contact_per_hour_number: 0.5,
      contact_per_hour_average_number: 0.5,
      // (1160 s × 1 + 600 s × 1) / 21,600 s present = 0.0815
      contact_simultaneous_number: 0.08,
    });
  });

  it('answers the presence indicators', async () => {
    const [row] = await day();
    expect(row).toMatchObject({
      // Ada 10,800 + Bob 7,200 + Cy 3,600; at least one of them 09:00–12:00 and 13:00–15:00
      presence_duration: 21_600,
      presence_smoothed_duration: 18_000,
      // Ada 09:00–10:00:40 and 10:20–11:00 (6040 s), Bob 13:00–14:01 and 14:11–15:00 (6600 s)
      non_occupation_duration: 12_640,
      occupation_duration: 1_160,
      max_occupation_duration: 600,
      max_and_partial_occupation_duration: 1_760,
      // Ada 11:00–12:00, Cy 10:00–11:00
      non_production_duration: 7_200,
      production_duration: 14_400,
      production_smoothed_duration: 14_400,
      // Ada 09:00–11:00 (below her limit all along), Bob 13:00–15:00 but 14:01–14:11
      presentation_duration: 13_800,
      occupation_rate: 0.0806,
      max_occupation_rate: 0.0417,
      max_and_partial_occupation_rate: 0.1222,
      non_occupation_rate: 0.8778,
      // 7,200 / 21,600
      non_production_rate: 0.3333,
    });
  });

  it('answers the satisfaction and transaction indicators', async () => {
    const [row] = await day();
    expect(row).toMatchObject({
      satisfaction_respondent_number: 1,
      satisfaction_respondent_rate: 0.5,
      satisfaction_global_rate: 0.8889,
      satisfaction_welcome_rate: 1,
      satisfaction_delay_rate: 0.6667,
      satisfaction_resolution_rate: 1,
      transaction_total_number: 3,
      transaction_total_amount: 170.5,
      cart_global_amount: 56.83,
      transaction_after_contact_number: 2,
      transaction_after_contact_amount: 150.5,
      cart_after_contact_amount: 75.25,
      // (860 + 7140) / 2
      transaction_after_contact_duration: 4000,
      transaction_in_session: 1,
      conversion_rate: 1,
      transaction_amount_per_conversation: 75.25,
      // 150.5 / 4 production hours
      transaction_after_conversation_amount_per_hour: 37.63,
      transaction_date: '2026-11-03 17:00:00',
      // 0.2 × conversion 1, then × 75.25
      transaction_missed_with_busy_operators_number: 0.2,
      transaction_missed_with_busy_operators_amount: 15.05,
      transaction_missed_with_no_operators_number: 1.5,
      // 1.5 × 75.25
      transaction_missed_with_no_operators_amount: 112.88,
    });
  });

  it('gives every indicator of the chat channel by default, and null for an average over nothing', async () => {
    const [row] = await day();
    expect(Object.keys(row ?? {}).sort()).toEqual([...INDICATOR_NAMES].sort());
    const answer = await statistic('filters[from]=2026-10-01&filters[to]=2026-10-01');
    // Without resource nor granularity, `data` is the one row itself.
    expect(Array.isArray(answer.body.data)).toBe(false);
    const [empty] = rowsOf(answer.body.data);
    expect(empty).toMatchObject({ contact_number: 0, contact_duration: null, satisfaction_global_rate: null });
  });
});

describe('grouped by resource and by period', () => {
  it('gives one row per operator, every operator of the website included', async () => {
    const rows = await day(
      'contact_number,presence_duration,production_duration,satisfaction_global_rate,transaction_date',
      '&filters[resource]=operator',
    );
    expect(rows).toEqual([
      {
        resource: 'operator',
        resource_id: ada.id,
        resource_label: 'Ada',
        contact_number: 1,
        presence_duration: 10_800,
        production_duration: 7_200,
        satisfaction_global_rate: 0.8889,
        transaction_date: '2026-11-03 10:15:00',
      },
      {
        resource: 'operator',
        resource_id: cy.id,
        resource_label: 'Cy',
        contact_number: 0,
        presence_duration: 3_600,
        production_duration: 0,
        satisfaction_global_rate: null,
        transaction_date: null,
      },
      {
        resource: 'operator',
        resource_id: bob.id,
        resource_label: 'Bob',
        contact_number: 1,
        presence_duration: 7_200,
        production_duration: 7_200,
        satisfaction_global_rate: null,
        transaction_date: '2026-11-03 16:00:00',
      },
    ]);
  });

  it('groups by group, rule, contact type and page type, and narrows by resource_id', async () => {
    const groups = await day('contact_number,presence_duration,presence_smoothed_duration', '&filters[resource]=group');
    // Ada and Cy: 10,800 + 3,600 s, of which 10:00–11:00 together (the union is Ada's 10,800 s).
    expect(groups).toEqual([
      {
        resource: 'group',
        resource_id: group.id,
        resource_label: 'Front desk',
        contact_number: 1,
        presence_duration: 14_400,
        presence_smoothed_duration: 10_800,
      },
    ]);
    const types = await day('contact_number', '&filters[resource]=contact_type');
    expect(types.map((row) => [row.resource_id, row.contact_number])).toEqual([
      ['visitor', 4],
      ['proactive', 0],
      ['outbound', 0],
    ]);
    const pages = await day('rule_display_number,rule_contact_rate', '&filters[resource]=page_type');
    expect(pages).toEqual([
      {
        resource: 'page_type',
        resource_id: 'product',
        resource_label: 'product',
        rule_display_number: 10,
        rule_contact_rate: 0.1,
      },
    ]);
    const one = await day('contact_number', `&filters[resource]=operator&filters[resource_id]=${bob.id}`);
    expect(one.map((row) => row.resource_id)).toEqual([bob.id]);
  });

  it('gives continuous periods at hour granularity, combined with a resource', async () => {
    const hours = await day('contact_number', '&filters[granularity]=hour');
    expect(hours).toHaveLength(24);
    expect(hours[0]).toEqual({ period: '2026-11-03 00:00:00', contact_number: 0 });
    expect(hours.filter((row) => row.contact_number === 1).map((row) => row.period)).toEqual([
      '2026-11-03 10:00:00',
      '2026-11-03 11:00:00',
      '2026-11-03 14:00:00',
      '2026-11-03 15:00:00',
    ]);
    const byOperator = await day('contact_number', '&filters[granularity]=day&filters[resource]=operator');
    expect(byOperator).toEqual([
      { period: DAY, resource: 'operator', resource_id: ada.id, resource_label: 'Ada', contact_number: 1 },
      { period: DAY, resource: 'operator', resource_id: cy.id, resource_label: 'Cy', contact_number: 0 },
      { period: DAY, resource: 'operator', resource_id: bob.id, resource_label: 'Bob', contact_number: 1 },
    ]);
    const months = await statistic(
      'filters[from]=2026-10-15&filters[to]=2026-12-02&filters[indicators]=contact_number&filters[granularity]=month',
    );
    expect(months.body.data).toEqual([
      { period: '2026-10', contact_number: 0 },
      { period: '2026-11', contact_number: 4 },
      { period: '2026-12', contact_number: 0 },
    ]);
  });

  it("reads periods in the client's time zone", async () => {
    await t.store.db.updateTable('client').set({ timezone: 'Europe/Paris' }).where('id', '=', clientId).execute();
    try {
      const hours = await day('contact_number', '&filters[granularity]=hour');
      // Paris is UTC+1 in November: 10:00 UTC is 11:00 there.
      expect(hours.filter((row) => row.contact_number === 1).map((row) => row.period)).toEqual([
        '2026-11-03 11:00:00',
        '2026-11-03 12:00:00',
        '2026-11-03 15:00:00',
        '2026-11-03 16:00:00',
      ]);
      const [row] = await day('transaction_date');
      expect(row).toEqual({ transaction_date: '2026-11-03 18:00:00' });
    } finally {
      await t.store.db.updateTable('client').set({ timezone: 'UTC' }).where('id', '=', clientId).execute();
    }
  });

  it('answers the whatsapp source with its own conversations, and sees only the key’s websites', async () => {
    const [whatsapp] = await day('contact_number', '&filters[channel]=whatsapp');
    expect(whatsapp).toEqual({ contact_number: 0 });
    const [other] = await statistic(
      `filters[from]=${DAY}&filters[to]=${DAY}&filters[indicators]=contact_number`,
      otherKey,
    ).then((answer) => rowsOf(answer.body.data));
    expect(other).toEqual({ contact_number: 0 });
    const refused = await statistic(`filters[website_list]=${site.id}`, otherKey);
    expect(refused.status).toBe(400);
    expect(refused.body.meta).toMatchObject({ status: 'fail' });
    expect(refused.body.meta.message).toContain(`'website' with 'id' ${site.id}`);
    const mine = await statistic(`filters[website_id]=${otherSite.id}`, otherKey);
    expect(mine.status).toBe(200);
  });
});

describe('bad filters', () => {
  const cases: [string, string, RegExp][] = [
    [
      'unknown indicator',
      'filters[indicators]=contact_numbr',
      /Unknown indicator 'contact_numbr'. Valid indicators: contact_answered/,
    ],
    ['unknown resource', 'filters[resource]=team', /Unknown resource 'team'. Expected one of: operator, group/],
    ['granularity without an indicator', 'filters[granularity]=day', /exactly one indicator.*none was given/],
    [
      'granularity with two indicators',
      'filters[granularity]=day&filters[indicators]=contact_number,presence_duration',
      /exactly one indicator.*2 were given/,
    ],
    ['from after to', 'filters[from]=2026-11-05&filters[to]=2026-11-03', /must come before filters\[to\]/],
    ['a malformed date', 'filters[from]=03/11/2026', /'03\/11\/2026' is not a date. Expected YYYY-MM-DD/],
    ['a date that does not exist', 'filters[from]=2026-02-30', /not a real date/],
    [
      'an indicator not on the channel',
      'filters[channel]=call&filters[indicators]=contact_waiting_number',
      /not available on channel 'call'; it is on: chat, video/,
    ],
    [
      'an indicator that cannot be grouped so',
      'filters[resource]=operator&filters[indicators]=transaction_total_amount',
      /cannot be grouped by a resource/,
    ],
    [
      'a range too long for hours',
      'filters[from]=2026-01-01&filters[to]=2026-06-01&filters[indicators]=contact_number&filters[granularity]=hour',
      /too long for granularity 'hour': at most 93 days/,
    ],
    ['an unknown channel', 'filters[channel]=fax', /Unknown channel 'fax'/],
    ['an unknown filter', 'filters[website]=1', /Filter 'website' is not supported for 'statistic'/],
    ['a bad website list', 'filters[website_list]=1,abc', /'abc' is not a website id/],
    [
      'too many websites',
      `filters[website_list]=${Array.from({ length: 501 }, (_, index) => index + 1).join(',')}`,
      /At most 500 websites at once/,
    ],
  ];
  for (const [name, query, message] of cases)
    it(`answers 400 naming the filter for ${name}`, async () => {
      const answer = await statistic(query);
      expect(answer.status, JSON.stringify(answer.body)).toBe(400);
      expect(answer.body.meta.status).toBe('fail');
      expect(answer.body.meta.message).toMatch(message);
    });

  it('refuses an answer of too many rows, saying how many and what to narrow', async () => {
    // 93 days × 24 hours × 26 operators > 50,000 rows.
    for (let index = 0; index < 23; index++)
      await create('/operator', {
        name: `Extra ${index}`,
        email: `extra${index}@figures.example`,
        website_list: [site.id],
      });
    const answer = await statistic(
      'filters[from]=2026-09-01&filters[to]=2026-12-02&filters[indicators]=contact_number&filters[granularity]=hour&filters[resource]=operator',
    );
    expect(answer.status).toBe(400);
    expect(answer.body.meta.message).toMatch(/would have 58032 rows \(2232 periods × 26 resources\), more than 50000/);
  });

  it('lists the catalogue with labels and definitions in English and French', async () => {
    const answer = await t.api('GET', '/statistic/indicator', { key });
    expect(answer.status).toBe(200);
    const list = answer.body.data as unknown as {
      name: string;
      labels: { en: string; fr: string };
      formula: string;
      formulas: { en: string; fr: string };
    }[];
    expect(list).toHaveLength(59);
    const duration = list.find((item) => item.name === 'contact_duration');
    expect(duration?.labels).toEqual({ en: 'Average processing time', fr: 'Durée moyenne de traitement' });
    expect(duration?.formulas).toEqual({
      en: INDICATORS.contact_duration.formula,
      fr: INDICATORS.contact_duration.formulaFr,
    });
    expect(duration?.formulas.fr).toMatch(/^Moyenne, sur les conversations de la période attribuées à un opérateur/);
    for (const item of list) expect(item.formula, item.name).toBe(item.formulas.en);
  });
});

describe('presence over some of the websites', () => {
  it('counts each operator linked to the websites asked once, and adds the websites’ smoothed durations', async () => {
    const east = await create('/website', { url: 'https://east.figures.example' });
    const west = await create('/website', { url: 'https://west.figures.example' });
    for (const [operator, websites] of [
      [ada, [site.id, east.id, west.id]],
      [cy, [site.id, west.id]],
    ] as const) {
      const updated = await t.api('PUT', `/operator/${operator.id}`, { key, json: { website_list: websites } });
      expect(updated.status, JSON.stringify(updated.body)).toBe(200);
    }
    await rebuildStatistics(t.store.db, { from: at('00:00:00'), to: `2026-11-04T00:00:00.000Z` });
    const answer = await statistic(
      `filters[from]=${DAY}&filters[to]=${DAY}&filters[website_list]=${east.id},${west.id}` +
        '&filters[indicators]=presence_duration,presence_smoothed_duration',
    );
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    // Ada (3 h) once, though linked to both, and Cy (1 h); Bob answers on neither.
    expect(answer.body.data).toMatchObject({ presence_duration: 10_800 + 3_600 });
    // East's union is Ada's 3 h; west's is Ada's 3 h too (Cy's hour lies inside it): the two add up (documented).
    expect(answer.body.data).toMatchObject({ presence_smoothed_duration: 10_800 + 10_800 });
    // One website alone, and all of them, are exact as before.
    const one = await statistic(
      `filters[from]=${DAY}&filters[to]=${DAY}&filters[website_list]=${west.id}&filters[indicators]=presence_duration`,
    );
    expect(one.body.data).toMatchObject({ presence_duration: 14_400 });
    const all = await statistic(`filters[from]=${DAY}&filters[to]=${DAY}&filters[indicators]=presence_duration`);
    expect(all.body.data).toMatchObject({ presence_duration: 21_600 });
  });
});
