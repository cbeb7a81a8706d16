// The operator statistic (`satisfaction_global_rate`, `experience`) and v1 getStats (`rate`, `note_*`, `turnover`,
// `sales_count`, `conv_rate`) read the rollups now: on a varied history (transfers, surveys given hours after their
// conversation or recorded with another operator or none, sales credited to someone else or without a conversation,
// amounts with cents) they equal what the source-row queries they replace gave (kept here as the reference), read from
// days or from hours in several time zones, after a rebuild and after the projection follows new events; and the rollups
// written before migration 20261204T1300 get the new measures after it, with no manual rebuild.
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadStatsOperators } from '../../api/v1/queries.js';
import { computeOperatorStats, type OperatorStats } from '../../api/v1/stats.js';
import { down, MEASURES_ADDED, up } from '../../db/migrations/20261204T1300-statistics-more-measures.js';
import { type Database, MESSAGE_KIND } from '../../db/schema.js';
import { clientWithKey, type Resource, startTestApp, type TestApp } from '../../test/harness.js';
import { syncDayZones } from './days.js';
import {
  hourAlignedPeriod,
  type InstantPeriod,
  loadOperatorAllTimeFigures,
  loadOperatorPeriodFigures,
  NO_PERIOD_FIGURES,
  type OperatorPeriodFigures,
} from './operator-figures.js';
import { rebuildStatistics } from './rebuild.js';
import { HOUR_MS } from './rollup-rows.js';

// ---- The reference: the source-row computations these figures were read from before (verbatim in substance). ----

/** GET /operator/{id}/statistic's survey rate and `experience`, from the surveys and messages themselves. */
async function referenceStatistic(db: Kysely<Database>, operator: { id: number; client_id: number }) {
  const surveys = await db
    .selectFrom('satisfaction')
    .select((eb) => [
      eb.fn.countAll<number | string>().as('n'),
      eb.fn
        .sum<number | string | null>(eb('note_welcome', '+', eb('note_delay', '+', eb.ref('note_resolution'))))
        .as('notes'),
    ])
    .where('operator_id', '=', operator.id)
    .where('client_id', '=', operator.client_id)
    .executeTakeFirstOrThrow();
  const messages = await db
    .selectFrom('conversation_message')
    .select((eb) => eb.fn.countAll<number | string>().as('n'))
    .where('operator_id', '=', operator.id)
    .where('kind', '=', MESSAGE_KIND.operator)
    .executeTakeFirstOrThrow();
  const surveyCount = Number(surveys.n);
  const rate = surveyCount === 0 ? null : Math.round((Number(surveys.notes ?? 0) * 100) / (9 * surveyCount)) / 100;
  return { satisfaction_global_rate: rate, experience: Number(messages.n) };
}

interface ReferenceFacts {
  operators: { id: number; name: string; deleted_at: string | null }[];
  conversions: { operator_id: number; conversations: number; sold: number }[];
  sales: { operator_id: number | null; amount: number }[];
  satisfactions: { operator_id: number | null; note_welcome: number; note_delay: number; note_resolution: number }[];
}

/** v1 getStats' source-row facts of a period (api/v1/queries.ts loadStatsFacts before the rollups carried them). */
async function referenceFacts(db: Kysely<Database>, clientId: number, period: InstantPeriod): Promise<ReferenceFacts> {
  const operators = db.selectFrom('operator').select(['id', 'name', 'deleted_at']).where('client_id', '=', clientId);
  const conversations = db
    .selectFrom('conversation')
    .select((eb) => ['operator_id', eb.fn.countAll<number | string>().as('n')])
    .where('client_id', '=', clientId)
    .where('operator_id', 'is not', null)
    .where('created_at', '>=', period.start)
    .where('created_at', '<', period.end)
    .groupBy('operator_id');
  const sold = db
    .selectFrom('conversation')
    .select((eb) => ['conversation.operator_id', eb.fn.countAll<number | string>().as('n')])
    .where('conversation.client_id', '=', clientId)
    .where('conversation.operator_id', 'is not', null)
    .where('conversation.created_at', '>=', period.start)
    .where('conversation.created_at', '<', period.end)
    .where((eb) =>
      eb.exists(eb.selectFrom('sale').select('sale.id').whereRef('sale.conversation_id', '=', 'conversation.id')),
    )
    .groupBy('conversation.operator_id');
  const sales = db
    .selectFrom('sale')
    .leftJoin('conversation', 'conversation.id', 'sale.conversation_id')
    .select((eb) => [eb.fn.coalesce('sale.operator_id', 'conversation.operator_id').as('operator_id'), 'sale.amount'])
    .where('sale.client_id', '=', clientId)
    .where('sale.created_at', '>=', period.start)
    .where('sale.created_at', '<', period.end);
  const satisfactions = db
    .selectFrom('satisfaction')
    .innerJoin('conversation', 'conversation.id', 'satisfaction.conversation_id')
    .select((eb) => [
      eb.fn.coalesce('satisfaction.operator_id', 'conversation.operator_id').as('operator_id'),
      'satisfaction.note_welcome',
      'satisfaction.note_delay',
      'satisfaction.note_resolution',
    ])
    .where('satisfaction.client_id', '=', clientId)
    .where('satisfaction.created_at', '>=', period.start)
    .where('satisfaction.created_at', '<', period.end);
  const [operatorRows, conversationRows, soldRows, saleRows, satisfactionRows] = await Promise.all([
    operators.orderBy('id').execute(),
    conversations.execute(),
    sold.execute(),
    sales.execute(),
    satisfactions.execute(),
  ]);
  const soldBy = new Map(soldRows.map((row) => [row.operator_id, Number(row.n)]));
  return {
    operators: operatorRows,
    conversions: conversationRows.flatMap((row) =>
      row.operator_id === null
        ? []
        : [{ operator_id: row.operator_id, conversations: Number(row.n), sold: soldBy.get(row.operator_id) ?? 0 }],
    ),
    sales: saleRows.map((row) => ({ operator_id: row.operator_id, amount: Number(row.amount) })),
    satisfactions: satisfactionRows,
  };
}

const mean = (values: readonly number[]): number =>
  values.length === 0 ? 0 : values.reduce((sum, value) => sum + value, 0) / values.length;
const shortNumber = (value: number): string => String(Number(value.toPrecision(15)));

/** v1 getStats per operator as api/v1/stats.ts computed it from those facts and the rollup figures. */
function referenceStats(facts: ReferenceFacts, figures: ReadonlyMap<number, OperatorPeriodFigures>): OperatorStats[] {
  const byOperator = <T extends { operator_id: number | null }>(rows: readonly T[]): Map<number, T[]> => {
    const grouped = new Map<number, T[]>();
    for (const row of rows) {
      if (row.operator_id === null) continue;
      grouped.set(row.operator_id, [...(grouped.get(row.operator_id) ?? []), row]);
    }
    return grouped;
  };
  const sales = byOperator(facts.sales);
  const satisfactions = byOperator(facts.satisfactions);
  const conversions = new Map(facts.conversions.map((row) => [row.operator_id, row]));
  return facts.operators.flatMap((operator) => {
    const own = figures.get(operator.id) ?? NO_PERIOD_FIGURES;
    const conversion = conversions.get(operator.id) ?? { conversations: 0, sold: 0 };
    const ownSales = sales.get(operator.id) ?? [];
    const answers = satisfactions.get(operator.id) ?? [];
    const active =
      own.chatCount > 0 ||
      own.presenceSeconds > 0 ||
      conversion.conversations > 0 ||
      ownSales.length > 0 ||
      answers.length > 0;
    if (operator.deleted_at !== null && !active) return [];
    const welcome = answers.map((answer) => answer.note_welcome);
    const delay = answers.map((answer) => answer.note_delay);
    const resolution = answers.map((answer) => answer.note_resolution);
    const overall = mean([...welcome, ...delay, ...resolution]);
    return [
      {
        id: operator.id,
        name: operator.name,
        presenceHours: own.presenceHours,
        chatCount: own.chatCount,
        rate: answers.length === 0 ? '0' : shortNumber(overall),
        meanMinutes: own.meanMinutes,
        conversionRate: conversion.conversations === 0 ? 0 : conversion.sold / conversion.conversations,
        turnoverCents: ownSales.reduce((sum, sale) => sum + Math.round(sale.amount * 100), 0),
        salesCount: ownSales.length,
        problems: own.problems,
        noteWelcome: Math.round(mean(welcome)),
        noteDelay: Math.round(mean(delay)),
        noteResolution: Math.round(mean(resolution)),
        noteOverall: Math.round(overall),
      },
    ];
  });
}

// ---- The history. ----

let t: TestApp;
let key: string;
let clientId: number;
const sites: Resource[] = [];
const operators: Resource[] = [];
const iso = (ms: number) => new Date(ms).toISOString();
const HISTORY_START = Date.parse('2026-10-24T00:00:00.000Z');
const HISTORY_END = Date.parse('2026-11-05T00:00:00.000Z');
/** A conversation at 10:10 whose survey comes at 12:20, in an hour of that website with nothing else. */
const LONELY_SURVEY_AT = '2026-10-20T12:20:00.000Z';
/** An open conversation of the history, which the live test transfers after its survey and sale. */
const HELD_AT = '2026-11-03T08:05:00.000Z';
let heldConversationId = 0;

async function api(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, json?: Record<string, unknown>) {
  const answer = await t.api(method, path, { key, ...(json !== undefined && { json }) });
  if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** A deterministic sequence in [0, 1): the same history on every run and dialect. */
function randomSequence(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
}

async function seedHistory(): Promise<void> {
  const db = t.store.db;
  const random = randomSequence(17);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)] as T;
  const visitor = (await api('POST', '/visitor', { unique_id: 'credits-visitor' })).data;
  const conversation = async (
    websiteId: number,
    created: number,
    operatorId: number | null,
    index: number,
    open = false,
  ) => {
    const channel = pick(['chat', 'chat', 'call', 'video', 'social'] as const);
    const row = await db
      .insertInto('conversation')
      .values({
        client_id: clientId,
        website_id: websiteId,
        channel,
        source: channel === 'chat' ? pick(['web', 'web', 'whatsapp'] as const) : 'web',
        visitor_id: visitor.id,
        operator_id: operatorId,
        skill_id: null,
        rule_id: null,
        status: open ? 'open' : 'closed',
        operator_answer: operatorId !== null && random() < 0.8 ? 1 : 0,
        operator_closed: 1,
        page_type: null,
        user_agent: null,
        phone_number: null,
        xmpp_id: `credits-${index}`,
        created_at: iso(created),
        answered_at: operatorId === null ? null : iso(created + 30_000),
        closed_at: open ? null : iso(created + 40 * 60_000),
        updated_at: iso(created),
        queued_at: null,
        outcome: operatorId === null ? 'missed_offline' : 'answered',
        wait_ms: null,
        problem_reported_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return row.id;
  };
  const message = (conversationId: number, seq: number, operatorId: number | null, at: number) =>
    db
      .insertInto('conversation_message')
      .values({
        conversation_id: conversationId,
        seq,
        kind: operatorId === null ? MESSAGE_KIND.visitor : MESSAGE_KIND.operator,
        operator_id: operatorId,
        body: 'hello',
        created_at: iso(at),
        data: null,
        client_message_id: null,
      })
      .execute();
  const survey = (websiteId: number, conversationId: number, operatorId: number | null, at: number) =>
    db
      .insertInto('satisfaction')
      .values({
        client_id: clientId,
        website_id: websiteId,
        conversation_id: conversationId,
        operator_id: operatorId,
        note_welcome: 1 + Math.floor(random() * 3),
        note_delay: 1 + Math.floor(random() * 3),
        note_resolution: 1 + Math.floor(random() * 3),
        comment: '',
        created_at: iso(at),
      })
      .execute();
  let orders = 0;
  const sale = (websiteId: number, conversationId: number | null, operatorId: number | null, at: number) =>
    db
      .insertInto('sale')
      .values({
        client_id: clientId,
        website_id: websiteId,
        external_id: `credits-order-${++orders}`,
        visitor_id: null,
        visitor_uid: null,
        visitor_email: null,
        // 1.005 × 100 is 100.4999…: each sale is rounded to the cent (100) before summing, as v1 summed them.
        amount: pick([19.9, 0.1, 33.33, 1.005, 12.345, 1000.05, 7]),
        currency: 'EUR',
        operator_id: operatorId,
        conversation_id: conversationId,
        created_at: iso(at),
      })
      .execute();

  let index = 0;
  for (let at = HISTORY_START; at < HISTORY_END; at += 50 * 60_000 + Math.floor(random() * 80) * 60_000) {
    index++;
    const website = pick(sites);
    const holder = random() < 0.15 ? null : pick(operators);
    const created = at + Math.floor(random() * 59) * 60_000;
    const conversationId = await conversation(website.id, created, holder?.id ?? null, index);
    // A transfer: the first operator messages were written by a colleague, who no longer holds the conversation.
    const colleague = holder !== null && random() < 0.25 ? pick(operators.filter((op) => op.id !== holder.id)) : null;
    const entries = 2 + Math.floor(random() * 5);
    for (let seq = 1; seq <= entries; seq++) {
      const author = seq % 2 === 1 || holder === null ? null : seq <= 2 && colleague !== null ? colleague : holder;
      await message(conversationId, seq, author?.id ?? null, created + seq * 60_000);
    }
    await db.updateTable('conversation').set({ last_seq: entries }).where('id', '=', conversationId).execute();
    if (random() < 0.45) {
      // Recorded with the holder then, or with none (the conversation's operator is credited), or with a colleague
      // (transferred after the survey); given minutes to more than a day later, across hours and local days.
      const roll = random();
      const recorded = roll < 0.6 ? (holder?.id ?? null) : roll < 0.8 ? null : pick(operators).id;
      await survey(website.id, conversationId, recorded, created + (5 + Math.floor(random() * 1800)) * 60_000);
    }
    if (random() < 0.35) {
      const roll = random();
      const reported = roll < 0.5 ? null : roll < 0.75 ? (holder?.id ?? null) : pick(operators).id;
      await sale(website.id, conversationId, reported, created + Math.floor(random() * 72 * 60) * 60_000);
    }
    if (random() < 0.08) await sale(website.id, null, random() < 0.5 ? null : pick(operators).id, created + 600_000);
  }
  // The lonely survey: its conversation at 10:10, the survey alone in the 12:00 hour of a day with nothing else.
  const lonelySite = sites[0] as Resource;
  const lonely = await conversation(lonelySite.id, Date.parse('2026-10-20T10:10:00.000Z'), operators[0]?.id ?? 0, 0);
  await survey(lonelySite.id, lonely, null, Date.parse(LONELY_SURVEY_AT));
  // Still open, held by Ada: its survey (none recorded) and its sale (none reported) came hours later; the live test
  // transfers it.
  const held = await conversation(lonelySite.id, Date.parse(HELD_AT), operators[0]?.id ?? 0, -1, true);
  await survey(lonelySite.id, held, null, Date.parse(HELD_AT) + 5 * HOUR_MS);
  await sale(lonelySite.id, held, null, Date.parse(HELD_AT) + 7 * HOUR_MS);
  heldConversationId = held;
}

beforeAll(async () => {
  t = await startTestApp({ readCacheMs: 0 });
  // This file rebuilds and sums days itself; the app's projection runs only when a test calls its catchUp().
  await t.context.statistics?.stop();
  ({ key, clientId } = await clientWithKey(t, 'Credits Co'));
  for (const url of ['https://credits-one.example', 'https://credits-two.example'])
    sites.push((await api('POST', '/website', { url })).data);
  for (const name of ['Ada', 'Bob', 'Cyd', 'Dee'])
    operators.push(
      (
        await api('POST', '/operator', {
          name,
          email: `${name.toLowerCase()}@credits.example`,
          chat_max_number: 3,
          website_list: sites.map((site) => site.id),
        })
      ).data,
    );
  await seedHistory();
  // Dee leaves: a deleted operator is listed by v1 only for periods where they did something.
  await api('DELETE', `/operator/${(operators[3] as Resource).id}`);
  await t.store.db.updateTable('client').set({ timezone: 'America/New_York' }).where('id', '=', clientId).execute();
  await rebuildStatistics(t.store.db, {
    clientId,
    from: '2026-10-19T00:00:00.000Z',
    to: iso(HISTORY_END + 4 * 86_400_000),
  });
}, 180_000);
afterAll(async () => t?.close());

// ---- The comparisons. ----

/** A client's rollup rows, sorted, measures rounded (sums taken in another order differ in the last bits). */
async function rollupsOfClient(table: 'stats_hour' | 'stats_day'): Promise<string[]> {
  const rows = await t.store.db.selectFrom(table).selectAll().where('client_id', '=', clientId).execute();
  return rows
    .map((row) =>
      JSON.stringify(
        Object.fromEntries(
          Object.entries(row).map(([name, value]) => [
            name,
            typeof value === 'number' ? Math.round(value * 1000) / 1000 : value,
          ]),
        ),
      ),
    )
    .sort();
}

const PERIODS: InstantPeriod[] = [
  // The whole history, with the surveys and sales that came days later.
  { start: '2026-10-19T00:00:00.000Z', end: '2026-11-10T00:00:00.000Z' },
  // Whole UTC days across the US clock change, not whole local days: days inside, hours at both ends.
  { start: '2026-10-27T00:00:00.000Z', end: '2026-11-03T00:00:00.000Z' },
  // One UTC day, and a period given with times (widened to whole hours).
  { start: '2026-11-01T00:00:00.000Z', end: '2026-11-02T00:00:00.000Z' },
  { start: '2026-10-29T09:30:00.000Z', end: '2026-10-30T17:45:00.000Z' },
  // The lonely survey's hour.
  { start: '2026-10-20T12:00:00.000Z', end: '2026-10-20T13:00:00.000Z' },
];

/** v1 getStats figures of every operator over the period, now and by the reference, on the same rollup figures. */
async function v1Both(period: InstantPeriod) {
  const db = t.store.db;
  const aligned = hourAlignedPeriod(period);
  const figures = await loadOperatorPeriodFigures(db, clientId, aligned);
  return {
    now: computeOperatorStats(await loadStatsOperators(db, clientId), figures),
    before: referenceStats(await referenceFacts(db, clientId, aligned), figures),
  };
}

async function statisticBoth(operator: Resource) {
  const owner = { id: operator.id, client_id: clientId };
  const figures = await loadOperatorAllTimeFigures(t.store.db, owner);
  return {
    now: { satisfaction_global_rate: figures.satisfaction_global_rate, experience: figures.experience },
    before: await referenceStatistic(t.store.db, owner),
  };
}

async function expectSameAsReference(label: string): Promise<OperatorStats[]> {
  let whole: OperatorStats[] = [];
  for (const period of PERIODS) {
    const { now, before } = await v1Both(period);
    expect(now, `${label} ${period.start} – ${period.end}`).toEqual(before);
    if (whole.length === 0) whole = now;
  }
  for (const operator of operators) {
    const { now, before } = await statisticBoth(operator);
    expect(now, `${label} operator ${operator.id}`).toEqual(before);
  }
  return whole;
}

describe('operator credits from the rollups', () => {
  it('give v1 getStats and the operator statistic exactly the source-row figures, from days and from hours, in several zones', async () => {
    const db = t.store.db;
    for (const zone of ['America/New_York', 'Asia/Kolkata', 'UTC']) {
      await db.updateTable('client').set({ timezone: zone }).where('id', '=', clientId).execute();
      await syncDayZones(db, new Date());
      expect(
        (await db.selectFrom('stats_day_zone').select('time_zone').where('client_id', '=', clientId).executeTakeFirst())
          ?.time_zone,
      ).toBe(zone);
      const whole = await expectSameAsReference(zone);
      // Not a comparison of zeros: the history has every kind of figure.
      expect(whole.length).toBe(4);
      expect(whole.every((row) => row.salesCount > 0 && row.turnoverCents > 0 && row.rate !== '0')).toBe(true);
      expect(whole.some((row) => row.conversionRate > 0 && row.conversionRate < 1)).toBe(true);
      // Days not summed in the client's zone: the same from hours only.
      await db.deleteFrom('stats_day_zone').where('client_id', '=', clientId).execute();
      await expectSameAsReference(`${zone}, hours only`);
    }
    await syncDayZones(db, new Date());
    // The lonely survey's hour: a survey credited to the conversation's operator, in its own hour.
    const { now } = await v1Both(PERIODS[4] as InstantPeriod);
    expect(now.find((row) => row.id === operators[0]?.id)).toMatchObject({
      chatCount: 0,
      rate: expect.not.stringMatching(/^0$/),
    });
    // Through the API too.
    const ada = operators[0] as Resource;
    const answer = (await api('GET', `/operator/${ada.id}/statistic`)).data;
    const { before } = await statisticBoth(ada);
    expect({ satisfaction_global_rate: answer.satisfaction_global_rate, experience: answer.experience }).toEqual(
      before,
    );
    expect(before.experience).toBeGreaterThan(0);
  }, 120_000);

  it('follow new events through the projection: transfers move the credits of surveys and sales recorded without an operator', async () => {
    const [ada, bob, cyd] = operators as [Resource, Resource, Resource];
    const started = await api('POST', '/conversation', {
      website_id: (sites[1] as Resource).id,
      channel: 'chat',
      visitor_uid: 'credits-live',
    });
    const id = started.data.id as number;
    await api('POST', `/conversation/${id}/message`, { type: 'visitor', text: 'Hello?' });
    // Answered by no one yet: the survey and the sale record no operator.
    await api('POST', '/satisfaction', { conversation_id: id, note_welcome: 3, note_delay: 2, note_resolution: 1 });
    await api('POST', '/transaction', {
      website_id: (sites[1] as Resource).id,
      external_id: 'credits-live-1',
      amount: 1.005,
      conversation_id: id,
    });
    await api('PUT', `/conversation/${id}`, { operator_id: ada.id });
    await api('POST', `/conversation/${id}/message`, { type: 'operator', text: 'Hi, Ada here.' });
    await api('PUT', `/conversation/${id}`, { operator_id: bob.id });
    await api('POST', `/conversation/${id}/message`, { type: 'operator', text: 'Bob now.' });
    await api('POST', `/conversation/${id}/message`, {
      type: 'operator',
      text: 'Cyd signs this.',
      operator_id: cyd.id,
    });
    // A conversation of the history passes from Ada to Cyd: its survey and sale, given hours later in hours of their
    // own, are Cyd's now (the event names the conversation; the projection computes their hours again).
    const heldBefore = await v1Both(PERIODS[0] as InstantPeriod);
    await api('PUT', `/conversation/${heldConversationId}`, { operator_id: cyd.id });
    await t.context.statistics?.catchUp();
    const today: InstantPeriod = { start: iso(Date.now() - 2 * 86_400_000), end: iso(Date.now() + HOUR_MS) };
    const { now, before } = await v1Both(today);
    expect(now).toEqual(before);
    // Bob holds it: the survey and the sale recorded without an operator are his.
    expect(now.find((row) => row.id === bob.id)).toMatchObject({
      chatCount: 1,
      salesCount: 1,
      turnoverCents: 100,
      rate: '2',
    });
    for (const operator of operators) {
      const both = await statisticBoth(operator);
      expect(both.now).toEqual(both.before);
    }
    await expectSameAsReference('after the projection');
    const heldAfter = await v1Both(PERIODS[0] as InstantPeriod);
    const cydOf = (rows: OperatorStats[]) => rows.find((row) => row.id === cyd.id);
    expect(cydOf(heldAfter.now)?.salesCount).toBe((cydOf(heldBefore.now)?.salesCount ?? 0) + 1);

    // The rows the projection wrote are the ones a rebuild writes.
    const incremental = await rollupsOfClient('stats_hour');
    const incrementalDays = await rollupsOfClient('stats_day');
    await t.store.db.deleteFrom('stats_hour').where('client_id', '=', clientId).execute();
    await t.store.db.deleteFrom('stats_day').where('client_id', '=', clientId).execute();
    await rebuildStatistics(t.store.db, { clientId });
    expect(await rollupsOfClient('stats_hour')).toEqual(incremental);
    expect(await rollupsOfClient('stats_day')).toEqual(incrementalDays);
  }, 120_000);

  it('are filled in on rollups written before migration 20261204T1300, by the projection, without a rebuild', async () => {
    const db = t.store.db;
    const expected = { hours: await rollupsOfClient('stats_hour'), days: await rollupsOfClient('stats_day') };
    const expectedFigures = await v1Both(PERIODS[0] as InstantPeriod);

    // The database as the previous version left it: no credit columns, and no row that held only credits.
    await down(db as unknown as Kysely<unknown>);
    const previousMeasures =
      (await db.introspection.getTables())
        .find((table) => table.name === 'stats_hour')
        ?.columns.map((column) => column.name)
        .filter(
          (name) =>
            ![
              'client_id',
              'website_id',
              'hour',
              'channel',
              'source',
              'resource',
              'resource_id',
              'last_sale_at',
            ].includes(name),
        ) ?? [];
    expect(previousMeasures.length).toBe(43);
    for (const table of ['stats_hour', 'stats_day'] as const) {
      let empty = db.deleteFrom(table).where('last_sale_at', 'is', null);
      for (const measure of previousMeasures) empty = empty.where(measure as 'contacts', '=', 0);
      await empty.execute();
    }
    await db.deleteFrom('stats_dirty').execute();
    const lonelyHour = `${LONELY_SURVEY_AT.slice(0, 13)}:00:00.000Z`;
    expect(
      await db
        .selectFrom('stats_hour')
        .select('hour')
        .where('client_id', '=', clientId)
        .where('hour', '=', lonelyHour)
        .execute(),
    ).toEqual([]);

    await up(db as unknown as Kysely<unknown>);
    // Rows written before read 0 in the new columns until their hours are computed again, which the migration asked for.
    const stale = await db.selectFrom('stats_hour').selectAll().where('client_id', '=', clientId).execute();
    expect(stale.every((row) => MEASURES_ADDED.every((measure) => row[measure] === 0))).toBe(true);
    const marked = await db
      .selectFrom('stats_dirty')
      .select(['website_id', 'hour'])
      .where('client_id', '=', clientId)
      .execute();
    expect(marked.map((mark) => mark.hour)).toContain(lonelyHour);
    expect(marked.every((mark) => mark.website_id !== 0)).toBe(true);

    await t.context.statistics?.catchUp();
    expect(await rollupsOfClient('stats_hour')).toEqual(expected.hours);
    expect(await rollupsOfClient('stats_day')).toEqual(expected.days);
    expect(await v1Both(PERIODS[0] as InstantPeriod)).toEqual(expectedFigures);
  }, 120_000);
});
