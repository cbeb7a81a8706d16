// The projection keeps the rollups current from committed events, and gives the same rows as `stats rebuild` over the
// same source rows; it survives a restart (cursor in the database) and only one node holds its lease.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Database } from '../../db/schema.js';
import { clientWithKey, type Resource, startTestApp, type TestApp } from '../../test/harness.js';
import { StatisticsProjection } from './projection.js';
import { rebuildStatistics } from './rebuild.js';
import { recomputeWebsiteHours } from './rollups.js';

let t: TestApp;
let key: string;
let site: Resource;
let ada: Resource;

async function call(method: 'GET' | 'POST' | 'PUT', path: string, json?: Record<string, unknown>) {
  const answer = await t.api(method, path, { key, ...(json !== undefined && { json }) });
  if (answer.status !== 200) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(answer.body)}`);
  return answer.body;
}

type RollupRow = Database['stats_hour'];

/** Every rollup row, sorted, with its measures rounded (sums in another order differ in the last bits). */
async function snapshot(table: 'stats_hour' | 'stats_day' = 'stats_hour'): Promise<Record<string, unknown>[]> {
  const rows = (await t.store.db.selectFrom(table).selectAll().execute()) as RollupRow[];
  return rows
    .map((row) => {
      const rounded: Record<string, unknown> = {};
      for (const [name, value] of Object.entries(row))
        rounded[name] = typeof value === 'number' ? Math.round(value * 1000) / 1000 : value;
      return rounded;
    })
    .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
}

async function todayFigures(indicators: string): Promise<Record<string, unknown>> {
  const answer = await call('GET', `/statistic?filters[indicators]=${indicators}`);
  return answer.data as unknown as Record<string, unknown>;
}

/** The test website's id and its client's. */
function siteScope(): Promise<{ id: number; client_id: number }> {
  return t.store.db
    .selectFrom('website')
    .select(['id', 'client_id'])
    .where('id', '=', site.id)
    .executeTakeFirstOrThrow();
}

/** A measure summed over the website's own rows of an hour (each conversation is counted again on its dimensions'). */
async function websiteHour(hour: string, measure: 'contacts' | 'missed_offline'): Promise<number> {
  const rows = await t.store.db
    .selectFrom('stats_hour')
    .select(measure)
    .where('website_id', '=', site.id)
    .where('hour', '=', hour)
    .where('resource', '=', '')
    .execute();
  return rows.reduce((sum, row) => sum + Number(row[measure]), 0);
}

beforeAll(async () => {
  t = await startTestApp({ readCacheMs: 0 });
  ({ key } = await clientWithKey(t, 'Projection Co'));
  site = (await call('POST', '/website', { url: 'https://projection.example' })).data;
  ada = (
    await call('POST', '/operator', {
      name: 'Ada',
      email: 'ada@projection.example',
      chat_max_number: 2,
      website_list: [site.id],
    })
  ).data;
});
afterAll(async () => t.close());

describe('statistics projection', () => {
  it('follows the API: conversations, messages, a survey, a sale and presence appear in GET /statistic', async () => {
    await call('PUT', `/operator/${ada.id}/live`, { chat: { available: 1 } });
    const started = await call('POST', '/conversation', {
      website_id: site.id,
      channel: 'chat',
      visitor_uid: 'projection-visitor',
      operator_id: ada.id,
    });
    const conversationId = started.data.id as number;
    await call('POST', `/conversation/${conversationId}/message`, { type: 'visitor', text: 'Hello?' });
    await call('POST', `/conversation/${conversationId}/message`, { type: 'operator', text: 'Hello!' });
    await call('POST', '/satisfaction', {
      conversation_id: conversationId,
      note_welcome: 3,
      note_delay: 3,
      note_resolution: 3,
    });
    await call('POST', '/transaction', {
      website_id: site.id,
      external_id: 'order-1',
      amount: 42,
      conversation_id: conversationId,
    });
    await call('POST', `/conversation/${conversationId}/close`, {});
    await call('PUT', `/operator/${ada.id}/live`, { connected: 0 });
    await t.context.statistics?.catchUp();

    expect(
      await todayFigures(
        'contact_number,contact_sent_message_number,contact_received_message_number,satisfaction_global_rate,transaction_after_contact_amount,transaction_total_number',
      ),
    ).toEqual({
      contact_number: 1,
      contact_sent_message_number: 1,
      contact_received_message_number: 1,
      satisfaction_global_rate: 1,
      transaction_after_contact_amount: 42,
      transaction_total_number: 1,
    });
    const presence = await todayFigures('presence_duration,production_duration');
    expect(presence.presence_duration).toBeGreaterThanOrEqual(0);
    const sessions = await t.store.db.selectFrom('presence_session').select(['started_at', 'ended_at']).execute();
    const connectedSeconds = sessions.reduce(
      (sum, session) => sum + (Date.parse(session.ended_at ?? '') - Date.parse(session.started_at)) / 1000,
      0,
    );
    expect(presence.presence_duration).toBe(Math.round(connectedSeconds));
  });

  it('catches up while an operator is connected (presence grows, but is marked once per catch-up)', async () => {
    await call('PUT', `/operator/${ada.id}/live`, { chat: { available: 1 } });
    const caughtUp = t.context.statistics?.catchUp();
    const late = new Promise<string>((resolve) => setTimeout(() => resolve('still catching up'), 10_000));
    expect(await Promise.race([caughtUp?.then(() => 'done'), late])).toBe('done');
    const presence = await todayFigures('presence_duration');
    expect(presence.presence_duration).toBeGreaterThanOrEqual(0);
    await call('PUT', `/operator/${ada.id}/live`, { connected: 0 });
    await t.context.statistics?.catchUp();
  });

  it('gives exactly the rows (hours and days) a rebuild computes from the same source rows', async () => {
    const incremental = await snapshot();
    const incrementalDays = await snapshot('stats_day');
    expect(incremental.length).toBeGreaterThan(0);
    expect(incrementalDays.length).toBeGreaterThan(0);
    await t.store.db.deleteFrom('stats_hour').execute();
    await t.store.db.deleteFrom('stats_day').execute();
    expect(await snapshot()).toEqual([]);
    await rebuildStatistics(t.store.db);
    expect(await snapshot()).toEqual(incremental);
    expect(await snapshot('stats_day')).toEqual(incrementalDays);
  });

  it('resumes from its cursor after a restart, and a second node waits for the lease', async () => {
    await t.context.statistics?.stop();
    const before = await t.store.db.selectFrom('stats_projection').selectAll().executeTakeFirstOrThrow();
    // Written while no projection runs: picked up by the next one, from the cursor kept in the database.
    const started = await call('POST', '/conversation', {
      website_id: site.id,
      channel: 'chat',
      visitor_uid: 'projection-visitor-2',
    });
    expect(started.data.id).toBeGreaterThan(0);
    const holder = new StatisticsProjection(t.store.db);
    const other = new StatisticsProjection(t.store.db);
    // The app's projection held the lease until it stopped; release it as a crashed node's would run out.
    await t.store.db.updateTable('stats_projection').set({ lease_owner: null, lease_until: null }).execute();
    await holder.catchUp();
    const after = await t.store.db.selectFrom('stats_projection').selectAll().executeTakeFirstOrThrow();
    expect(after.cursor).toBeGreaterThan(before.cursor);
    expect((await todayFigures('contact_number')).contact_number).toBe(2);
    // The other node finds the lease taken: it reads nothing and leaves the cursor alone.
    await call('POST', '/conversation', { website_id: site.id, channel: 'chat', visitor_uid: 'projection-visitor-3' });
    await other.catchUp();
    const unchanged = await t.store.db.selectFrom('stats_projection').selectAll().executeTakeFirstOrThrow();
    expect(unchanged.cursor).toBe(after.cursor);
    expect(other.counters.events).toBe(0);
    await holder.catchUp();
    expect((await todayFigures('contact_number')).contact_number).toBe(3);
  });

  it('computes an hour of more conversations than one read takes, many created at the same instant', async () => {
    const db = t.store.db;
    const website = await siteScope();
    const visitor = (await call('POST', '/visitor', { unique_id: 'projection-busy-hour' })).data;
    const hour = '2026-01-10T10:00:00.000Z';
    // 1,500 at one instant: the reads' page boundaries (1,000 a page) fall inside the tie, so a page must go on
    // from the last id read, not from the instant.
    const rows = Array.from({ length: 2_345 }, (_, index) => {
      const created = new Date(Date.parse(hour) + (index < 1_500 ? 15 * 60_000 : index * 1_000)).toISOString();
      return {
        client_id: website.client_id,
        website_id: website.id,
        channel: 'chat' as const,
        source: 'web' as const,
        visitor_id: visitor.id as number,
        operator_id: null,
        skill_id: null,
        rule_id: null,
        status: 'closed' as const,
        operator_answer: 0,
        operator_closed: 0,
        page_type: null,
        user_agent: null,
        phone_number: null,
        xmpp_id: `busy-hour-${index}`,
        created_at: created,
        answered_at: null,
        closed_at: created,
        updated_at: created,
        queued_at: null,
        outcome: 'missed_offline' as const,
        wait_ms: null,
        problem_reported_at: null,
      };
    });
    for (let index = 0; index < rows.length; index += 100)
      await db
        .insertInto('conversation')
        .values(rows.slice(index, index + 100))
        .execute();
    await recomputeWebsiteHours(db, website, hour, new Date(Date.parse(hour) + 3_600_000).toISOString());
    expect(await websiteHour(hour, 'contacts')).toBe(2_345);
    expect(await websiteHour(hour, 'missed_offline')).toBe(2_345);
  });

  it('catches up an hour put off after a costly computation, which the settled rounds leave for later', async () => {
    const db = t.store.db;
    const website = await siteScope();
    const hour = '2026-01-10T10:00:00.000Z';
    await db.deleteFrom('stats_hour').where('website_id', '=', website.id).where('hour', '=', hour).execute();
    // As the projection leaves an hour whose computation cost much and that was marked again meanwhile.
    await db
      .insertInto('stats_dirty')
      .values({
        client_id: website.client_id,
        website_id: website.id,
        hour,
        marked_at: `${new Date().toISOString()}-put-off`,
        since: new Date(Date.now() + 3_600_000).toISOString(),
      })
      .execute();
    await db.updateTable('stats_projection').set({ lease_owner: null, lease_until: null }).execute();
    const projection = new StatisticsProjection(db, { idlePollMs: 20 });
    projection.start();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await projection.stop();
    const dirty = () => db.selectFrom('stats_dirty').select('hour').where('website_id', '=', website.id).execute();
    expect(await dirty()).toEqual([{ hour }]);
    await db.updateTable('stats_projection').set({ lease_owner: null, lease_until: null }).execute();
    await new StatisticsProjection(db).catchUp();
    expect(await dirty()).toEqual([]);
    expect(await websiteHour(hour, 'contacts')).toBe(2_345);
  });
});
