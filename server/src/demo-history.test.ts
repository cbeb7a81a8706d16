// The demo's month of history: over the last 30 days every indicator of GET /api/2/statistic on chat answers a figure
// (the reports page shows no blank), each day has contacts, a second demo made for the same now gives the same figures,
// and none of it waits, is open, or changes what the widget shows (its targeting rules are paused).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DemoData, ensureDemoData } from './demo.js';
import { indicatorsFor } from './domain/statistics/indicators.js';
import { startTestApp, type TestApp } from './test/harness.js';

const NOW = new Date();
const day = (daysAgo: number) => new Date(NOW.getTime() - daysAgo * 86_400_000).toISOString().slice(0, 10);
const LAST_30_DAYS = `filters[from]=${day(29)}&filters[to]=${day(0)}`;

let first: TestApp;
let second: TestApp;
let demo: DemoData;
let again: DemoData;

beforeAll(async () => {
  // Answers are not kept (read cache off): each call reads the rollups as they are.
  first = await startTestApp({ readCacheMs: 0 });
  second = await startTestApp({ readCacheMs: 0 });
  demo = await ensureDemoData(first.store.db, { now: NOW });
  again = await ensureDemoData(second.store.db, { now: NOW });
});
afterAll(async () => {
  await first?.close();
  await second?.close();
});

type Figures = Record<string, number | string | null>;

async function figures(t: TestApp, key: string, query: string): Promise<Figures> {
  const answer = await t.api('GET', `/statistic?${query}`, { key });
  if (answer.status !== 200) throw new Error(`GET /statistic?${query}: ${JSON.stringify(answer.body)}`);
  return answer.body.data as Figures;
}

describe('the demo month', () => {
  it('answers a non-zero figure for each of the 59 indicators on chat over the last 30 days', async () => {
    const names = indicatorsFor('chat');
    expect(names).toHaveLength(59);
    const data = await figures(first, demo.key.plaintext, `${LAST_30_DAYS}&filters[channel]=chat`);
    const blank = names.filter((name) => data[name] === null || data[name] === 0 || data[name] === undefined);
    expect(blank).toEqual([]);
    // Figures a shop would recognise: hundreds of contacts, most answered, a satisfaction rate well above half.
    expect(data.contact_number).toBeGreaterThan(500);
    expect(data.contact_waiting_abort_number).toBeLessThan(Number(data.contact_waiting_number));
    expect(Number(data.satisfaction_global_rate)).toBeGreaterThan(0.6);
    expect(Number(data.conversion_rate)).toBeLessThan(0.5);
  });

  it('has contacts on every day of the chart, and presence for each demo operator', async () => {
    const key = demo.key.plaintext;
    const perDay = await first.api(
      'GET',
      `/statistic?${LAST_30_DAYS}&filters[indicators]=contact_number&filters[granularity]=day`,
      {
        key,
      },
    );
    const rows = perDay.body.data as unknown as { period: string; contact_number: number }[];
    expect(rows).toHaveLength(30);
    // Today has contacts once its morning is long enough (demo-history.ts: 90 minutes of it, ending 10 minutes before
    // now); in the first two hours after midnight UTC it may have none, as a real shop's chart would.
    const todayStart = Math.floor(NOW.getTime() / 86_400_000) * 86_400_000;
    const quietMorning = NOW.getTime() - todayStart < 2 * 3_600_000;
    expect(rows.filter((row) => row.contact_number === 0 && !(quietMorning && row.period === day(0)))).toEqual([]);
    const byOperator = await first.api(
      'GET',
      `/statistic?${LAST_30_DAYS}&filters[indicators]=presence_duration,contact_number,max_occupation_duration&filters[resource]=operator`,
      { key },
    );
    const operators = byOperator.body.data as Figures[];
    expect(operators).toHaveLength(3);
    for (const name of ['Ada', 'Grace', 'Alan'])
      expect(operators.some((row) => String(row.resource_label).includes(name))).toBe(true);
    for (const row of operators) {
      expect(row.presence_duration).toBeGreaterThan(30 * 3600);
      expect(row.contact_number).toBeGreaterThan(50);
      expect(row.max_occupation_duration).toBeGreaterThan(0);
    }
  });

  it('has every fate of a live request: taken at once or from the queue, abandoned, missed busy or offline', async () => {
    const rows = await first.store.db
      .selectFrom('conversation')
      .select((eb) => ['outcome', eb.fn.count<number>('queued_at').as('queued'), eb.fn.countAll<number>().as('all')])
      .where('client_id', '=', demo.clientId)
      .where('outcome', 'is not', null)
      .groupBy('outcome')
      .execute();
    const fates = Object.fromEntries(rows.map((row) => [row.outcome, [Number(row.all), Number(row.queued)]]));
    const [answered, answeredFromQueue] = fates.answered ?? [0, 0];
    expect(answeredFromQueue).toBeGreaterThan(0);
    expect(answered).toBeGreaterThan(answeredFromQueue);
    // Giving up and being missed as busy happen in the queue; missed offline never waits.
    expect(fates.abandoned?.[1]).toBeGreaterThan(0);
    expect(fates.missed_busy?.[1]).toBeGreaterThan(0);
    expect(fates.missed_offline?.[0]).toBeGreaterThan(0);
    expect(fates.missed_offline?.[1]).toBe(0);
  });

  it('gives the same figures on a second run for the same now', async () => {
    // The days before today: the demo's own activity happens at the real now, whose seconds differ between runs.
    const past = `filters[from]=${day(30)}&filters[to]=${day(1)}`;
    const once = await figures(first, demo.key.plaintext, past);
    const twice = await figures(second, again.key.plaintext, past);
    expect(twice).toEqual(once);
    expect(once.contact_number).toBeGreaterThan(0);
  });

  it('leaves only the demo conversation open, nothing waiting, and no active targeting rule', async () => {
    const key = demo.key.plaintext;
    const count = async (path: string) => (await first.api('GET', path, { key })).body.pagination.count;
    expect(await count('/conversation?filters[status]=waiting')).toBe(0);
    expect(await count('/conversation?filters[status]=open')).toBe(1);
    expect(await count('/targeting_rule?filters[status]=active')).toBe(0);
    expect(await count('/targeting_rule')).toBe(2);
    // The newest conversations are the demo's own two (lists show the latest first): the history ends before them.
    const newest = await first.api('GET', '/conversation?full=1&limit=2', { key });
    expect(newest.body.data.map((conversation) => conversation.visitor_uid).sort()).toEqual([
      'demo-visitor-lea',
      'demo-visitor-tom',
    ]);
  });
});
