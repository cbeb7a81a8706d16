// The daily rollups: a local day is exactly the hours labelled with its date (half-hour zones, clock changes), and
// GET /statistic gives the same figures whether whole days come from stats_day or every hour from stats_hour — in
// several time zones, over periods with partial days at both ends, and after the client's time zone changes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { STATS_MEASURES } from '../../db/schema.js';
import { clientWithKey, type Resource, startTestApp, type TestApp } from '../../test/harness.js';
import { dayOfHour, firstHourOfDay, nextDay, segmentsOf, syncDayZones } from './days.js';
import { rebuildStatistics } from './rebuild.js';
import { HOUR_MS } from './rollup-rows.js';
import { recomputeWebsiteHours } from './rollups.js';

describe('local days', () => {
  const hoursOf = (day: string, zone: string) =>
    (firstHourOfDay(nextDay(day), zone) - firstHourOfDay(day, zone)) / HOUR_MS;

  it('gives each day the hours whose start falls on its date, 23 to 25 of them', () => {
    const cases: [string, string, number][] = [
      ['UTC', '2026-11-03', 24],
      ['Asia/Kolkata', '2026-11-03', 24],
      ['Asia/Kathmandu', '2026-11-03', 24],
      ['Europe/Paris', '2026-03-29', 23],
      ['Europe/Paris', '2026-10-25', 25],
      ['America/New_York', '2026-11-01', 25],
      // Chile moves its clocks at midnight: 2026-09-06 starts at 01:00.
      ['America/Santiago', '2026-09-06', 23],
    ];
    for (const [zone, day, hours] of cases) {
      expect(hoursOf(day, zone), `${zone} ${day}`).toBe(hours);
      const first = firstHourOfDay(day, zone);
      expect(dayOfHour(first, zone)).toBe(day);
      expect(dayOfHour(first - HOUR_MS, zone) < day).toBe(true);
    }
    // India (UTC+5:30): the 3rd begins at 18:30 UTC on the 2nd; the first hour starting on it is 19:00 UTC (00:30).
    expect(new Date(firstHourOfDay('2026-11-03', 'Asia/Kolkata')).toISOString()).toBe('2026-11-02T19:00:00.000Z');
    expect(nextDay('2026-12-31')).toBe('2027-01-01');
  });

  it('cuts a period into whole days and the hours around them', () => {
    const from = Date.parse('2026-11-02T10:00:00.000Z');
    const to = Date.parse('2026-11-06T15:00:00.000Z');
    expect(segmentsOf(from, to, 'UTC')).toEqual([
      { table: 'stats_hour', column: 'hour', from: '2026-11-02T10:00:00.000Z', to: '2026-11-03T00:00:00.000Z' },
      { table: 'stats_day', column: 'day', from: '2026-11-03', to: '2026-11-06' },
      { table: 'stats_hour', column: 'hour', from: '2026-11-06T00:00:00.000Z', to: '2026-11-06T15:00:00.000Z' },
    ]);
    // Whole days only: no hour segments.
    expect(segmentsOf(Date.parse('2026-11-03T00:00:00Z'), Date.parse('2026-11-05T00:00:00Z'), 'UTC')).toEqual([
      { table: 'stats_day', column: 'day', from: '2026-11-03', to: '2026-11-05' },
    ]);
    // Less than a whole day: hours only.
    expect(segmentsOf(Date.parse('2026-11-03T05:00:00Z'), Date.parse('2026-11-04T03:00:00Z'), 'UTC')).toEqual([
      { table: 'stats_hour', column: 'hour', from: '2026-11-03T05:00:00.000Z', to: '2026-11-04T03:00:00.000Z' },
    ]);
    // Every hour of the period is read once, whatever the zone.
    for (const zone of ['Asia/Kolkata', 'America/New_York', 'Europe/Paris', 'Asia/Kathmandu']) {
      const start = Date.parse('2026-10-20T07:00:00Z');
      const end = Date.parse('2026-11-04T13:00:00Z');
      let covered = 0;
      let last = start;
      for (const segment of segmentsOf(start, end, zone)) {
        const segmentFrom =
          segment.table === 'stats_hour' ? Date.parse(segment.from) : firstHourOfDay(segment.from, zone);
        const segmentTo = segment.table === 'stats_hour' ? Date.parse(segment.to) : firstHourOfDay(segment.to, zone);
        expect(segmentFrom, zone).toBe(last);
        covered += segmentTo - segmentFrom;
        last = segmentTo;
      }
      expect(covered, zone).toBe(end - start);
    }
  });
});

describe('GET /statistic over days', () => {
  let t: TestApp;
  let key: string;
  let clientId: number;
  let site: Resource;
  const operators: Resource[] = [];
  const now = new Date('2026-11-06T00:00:00.000Z');

  const iso = (ms: number) => new Date(ms).toISOString();

  async function api(method: 'GET' | 'POST' | 'PUT', path: string, json?: Record<string, unknown>) {
    const answer = await t.api(method, path, { key, ...(json !== undefined && { json }) });
    if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
    return answer.body;
  }

  beforeAll(async () => {
    t = await startTestApp({ readCacheMs: 0 });
    ({ key, clientId } = await clientWithKey(t, 'Days Co'));
    site = (await api('POST', '/website', { url: 'https://days.example' })).data;
    for (const name of ['Ada', 'Bob'])
      operators.push(
        (
          await api('POST', '/operator', {
            name,
            email: `${name.toLowerCase()}@days.example`,
            chat_max_number: 2,
            website_list: [site.id],
          })
        ).data,
      );
    const visitor = (await api('POST', '/visitor', { unique_id: 'days-visitor' })).data;
    const db = t.store.db;
    // Seventeen days around two clock changes (Europe 25 Oct, US 1 Nov): a conversation every 7 hours, alternately
    // answered by Ada or Bob or missed, with messages, a survey on some and a sale on others; operators connected
    // in sessions that cross local midnights.
    const start = Date.parse('2026-10-19T00:00:00.000Z');
    for (let index = 0; start + index * 7 * HOUR_MS < now.getTime() - 10 * HOUR_MS; index++) {
      const created = start + index * 7 * HOUR_MS + (index % 5) * 11 * 60_000;
      const operator = index % 3 === 2 ? null : (operators[index % 3] as Resource);
      const row = await db
        .insertInto('conversation')
        .values({
          client_id: clientId,
          website_id: site.id,
          channel: 'chat',
          source: 'web',
          visitor_id: visitor.id,
          operator_id: operator?.id ?? null,
          skill_id: null,
          rule_id: null,
          status: 'closed',
          operator_answer: operator === null ? 0 : 1,
          operator_closed: 1,
          page_type: index % 2 === 0 ? 'product' : 'cart',
          user_agent: null,
          phone_number: null,
          xmpp_id: `days-${index}`,
          created_at: iso(created),
          answered_at: operator === null ? null : iso(created + 40_000),
          closed_at: iso(created + 50 * 60_000),
          updated_at: iso(created),
          queued_at: index % 4 === 0 ? iso(created) : null,
          outcome: operator === null ? 'missed_offline' : 'answered',
          wait_ms: index % 4 === 0 ? 30_000 : null,
          problem_reported_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      const kinds: (1 | 2)[] = operator === null ? [2] : [2, 1, 2, 1];
      for (const [seq, kind] of kinds.entries())
        await db
          .insertInto('conversation_message')
          .values({
            conversation_id: row.id,
            seq: seq + 1,
            kind,
            operator_id: kind === 1 ? (operator?.id ?? null) : null,
            body: 'hello',
            created_at: iso(created + seq * 60_000),
            data: null,
            client_message_id: null,
          })
          .execute();
      await db.updateTable('conversation').set({ last_seq: kinds.length }).where('id', '=', row.id).execute();
      if (operator !== null && index % 2 === 0)
        await db
          .insertInto('satisfaction')
          .values({
            client_id: clientId,
            website_id: site.id,
            conversation_id: row.id,
            operator_id: operator.id,
            note_welcome: 3,
            note_delay: 1 + (index % 3),
            note_resolution: 2,
            comment: '',
            created_at: iso(created + 55 * 60_000),
          })
          .execute();
      if (index % 3 === 1)
        await db
          .insertInto('sale')
          .values({
            client_id: clientId,
            website_id: site.id,
            external_id: `order-${index}`,
            visitor_id: null,
            visitor_uid: null,
            visitor_email: null,
            amount: 1000 + index * 7,
            currency: 'EUR',
            operator_id: null,
            conversation_id: row.id,
            created_at: iso(created + 2 * HOUR_MS),
          })
          .execute();
    }
    for (const [offset, operator] of operators.entries())
      for (let day = 0; day < 17; day++) {
        const begin = start + day * 24 * HOUR_MS + (20 + offset) * HOUR_MS + 17 * 60_000;
        await db
          .insertInto('presence_session')
          .values({
            client_id: clientId,
            operator_id: operator.id,
            started_at: iso(begin),
            ended_at: iso(begin + 7 * HOUR_MS),
          })
          .execute();
        await db
          .insertInto('availability_interval')
          .values({
            client_id: clientId,
            operator_id: operator.id,
            channel: 'chat',
            started_at: iso(begin + HOUR_MS),
            ended_at: iso(begin + 5 * HOUR_MS),
          })
          .execute();
      }
    await rebuildStatistics(db, { clientId, from: iso(start), to: iso(now.getTime()), now });
    // The tests below sum days themselves (syncDayZones) and falsify day rows: the app's projection, which would sum
    // them at the same time, runs only in the test of a time-zone change through the API.
    await t.context.statistics?.stop();
  }, 120_000);
  afterAll(async () => t?.close());

  const QUERIES = [
    'filters[from]=2026-10-21 07:00:00&filters[to]=2026-11-03 13:00:00',
    'filters[from]=2026-10-19&filters[to]=2026-11-04',
    'filters[from]=2026-10-20 05:00:00&filters[to]=2026-11-02 22:00:00&filters[resource]=operator&filters[indicators]=contact_number,contact_duration,presence_duration,presence_smoothed_duration,occupation_rate,satisfaction_global_rate,transaction_after_contact_amount,conversion_rate',
    'filters[from]=2026-10-20 05:00:00&filters[to]=2026-11-02 22:00:00&filters[granularity]=day&filters[indicators]=contact_number',
    'filters[from]=2026-10-20 05:00:00&filters[to]=2026-11-02 22:00:00&filters[granularity]=day&filters[indicators]=presence_smoothed_duration',
    'filters[from]=2026-10-20 05:00:00&filters[to]=2026-11-04 22:00:00&filters[granularity]=month&filters[resource]=operator&filters[indicators]=contact_answered_duration',
    'filters[from]=2026-10-19&filters[to]=2026-11-04&filters[resource]=page_type&filters[indicators]=contact_number,transaction_date',
  ];

  async function answers(): Promise<unknown[]> {
    const all: unknown[] = [];
    for (const query of QUERIES)
      all.push((await api('GET', `/statistic?filters[website_list]=${site.id}&${query}`)).data);
    return all;
  }

  /** The same answers read from hours only: the engine reads days only while stats_day_zone names the client's zone. */
  async function answersFromHours(): Promise<unknown[]> {
    await t.store.db.deleteFrom('stats_day_zone').where('client_id', '=', clientId).execute();
    try {
      return await answers();
    } finally {
      await syncDayZones(t.store.db, now);
    }
  }

  async function daysOfClient(): Promise<number> {
    const row = await t.store.db
      .selectFrom('stats_day')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('client_id', '=', clientId)
      .executeTakeFirstOrThrow();
    return Number(row.n);
  }

  it('answers the same from days as from hours, in four time zones', async () => {
    for (const zone of ['UTC', 'Asia/Kolkata', 'America/New_York', 'Europe/Paris']) {
      await t.store.db.updateTable('client').set({ timezone: zone }).where('id', '=', clientId).execute();
      await syncDayZones(t.store.db, now);
      const zoneRow = await t.store.db
        .selectFrom('stats_day_zone')
        .select('time_zone')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      expect(zoneRow?.time_zone).toBe(zone);
      expect(await daysOfClient()).toBeGreaterThan(17);
      const fromDays = await answers();
      // Something to compare: the period has contacts and presence.
      expect(JSON.stringify(fromDays[0])).toMatch(/"contact_number":[1-9]/);
      expect(JSON.stringify(fromDays[0])).toMatch(/"presence_duration":[1-9]/);
      expect(fromDays, zone).toEqual(await answersFromHours());
    }
    // The day rows are what was read: falsified, they change the answer until they are summed again.
    await t.store.db
      .updateTable('stats_day')
      .set((eb) => ({ contacts: eb('contacts', '+', 100) }))
      .where('client_id', '=', clientId)
      .execute();
    const falsified = (await answers())[1] as { contact_number: number };
    const truth = (await answersFromHours())[1] as { contact_number: number };
    expect(falsified.contact_number).toBeGreaterThan(truth.contact_number + 100);
    expect(((await answers())[1] as { contact_number: number }).contact_number).toBe(truth.contact_number);
  }, 120_000);

  it('sums days again when the client changes its time zone through the API', async () => {
    t.context.statistics?.start();
    await api('PUT', `/client/${clientId}`, { timezone: 'Asia/Kathmandu' });
    // The running projection notices on its next round (about a second).
    const deadline = Date.now() + 20_000;
    for (;;) {
      const zoneRow = await t.store.db
        .selectFrom('stats_day_zone')
        .select('time_zone')
        .where('client_id', '=', clientId)
        .executeTakeFirst();
      if (zoneRow?.time_zone === 'Asia/Kathmandu') break;
      if (Date.now() > deadline) throw new Error(`days still in ${zoneRow?.time_zone ?? 'no zone'}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    const days = await t.store.db
      .selectFrom('stats_day')
      .select('day')
      .distinct()
      .where('client_id', '=', clientId)
      .orderBy('day')
      .execute();
    // Kathmandu is 5:45 ahead: the first conversation (19 Oct 00:00 UTC) is on the 19th there, and the last
    // presence session ends on 5 Nov around 04:17 UTC, 10:02 local.
    expect(days.at(0)?.day).toBe('2026-10-19');
    expect(days.at(-1)?.day).toBe('2026-11-05');
    await t.context.statistics?.stop();
    expect(await answers()).toEqual(await answersFromHours());
  }, 60_000);

  it('changes days by the difference of their hours: a sale removed, a conversation moved to another operator', async () => {
    const db = t.store.db;
    /** The client's day rows, sorted, measures rounded (sums in another order differ in the last bits). */
    const dayRows = async () =>
      (await db.selectFrom('stats_day').selectAll().where('client_id', '=', clientId).execute())
        .map((row) =>
          JSON.stringify(
            Object.entries(row).map(([name, value]) => [
              name,
              typeof value === 'number' ? Math.round(value * 1000) / 1000 : value,
            ]),
          ),
        )
        .sort();
    const summedFromHours = async () => {
      await db.deleteFrom('stats_day_zone').where('client_id', '=', clientId).execute();
      await syncDayZones(db, now);
      return dayRows();
    };
    const original = await dayRows();
    expect(original).toEqual(await summedFromHours());
    // The latest sale of the period goes: its day's latest sale goes back, which only a summing can give.
    const lastSale = await db
      .selectFrom('sale')
      .selectAll()
      .where('client_id', '=', clientId)
      .orderBy('created_at', 'desc')
      .executeTakeFirstOrThrow();
    await db.deleteFrom('sale').where('id', '=', lastSale.id).execute();
    const moved = await db
      .selectFrom('conversation')
      .select(['id', 'created_at'])
      .where('client_id', '=', clientId)
      .where('operator_id', '=', (operators[0] as Resource).id)
      .orderBy('id')
      .executeTakeFirstOrThrow();
    await db
      .updateTable('conversation')
      .set({ operator_id: (operators[1] as Resource).id })
      .where('id', '=', moved.id)
      .execute();
    const saleHour = Math.floor(Date.parse(lastSale.created_at) / HOUR_MS) * HOUR_MS;
    const movedHour = Math.floor(Date.parse(moved.created_at) / HOUR_MS) * HOUR_MS;
    const website = { id: site.id, client_id: clientId };
    await recomputeWebsiteHours(db, website, iso(saleHour), iso(saleHour + HOUR_MS));
    await recomputeWebsiteHours(db, website, iso(movedHour), iso(movedHour + HOUR_MS));
    const changed = await dayRows();
    expect(changed).not.toEqual(original);
    expect(changed).toEqual(await summedFromHours());
  });

  it('has a stats_day column for each measure of stats_hour', async () => {
    const columns = async (table: string) =>
      (await t.store.db.introspection.getTables()).find((found) => found.name === table)?.columns.map((c) => c.name);
    const hourColumns = await columns('stats_hour');
    const dayColumns = await columns('stats_day');
    for (const measure of STATS_MEASURES) {
      expect(hourColumns).toContain(measure);
      expect(dayColumns).toContain(measure);
    }
    expect(new Set(dayColumns)).toEqual(new Set([...(hourColumns ?? []).filter((name) => name !== 'hour'), 'day']));
  });
});
