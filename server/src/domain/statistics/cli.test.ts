// `causerie stats rebuild`: the command computes the rollups of the days asked from the recorded rows, prints what it
// did, and refuses a malformed date with a message naming the option.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { createTestDatabase, databaseUrl, type TestDatabase } from '@causerie/test-support/database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase, type Store } from '../../db/database.js';

const MAIN = fileURLToPath(new URL('../../../dist/main.js', import.meta.url));

let database: TestDatabase;
let store: Store;

function causerie(...args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, ...args], {
      env: { ...process.env, DATABASE_URL: databaseUrl(database.config), LOG_LEVEL: 'warn' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  store = openDatabase(database.config);
  await migrateToLatest(store.db);
  const at = '2026-11-03T10:00:00.000Z';
  const client = await store.db
    .insertInto('client')
    .values({ partner_id: null, name: 'CLI Co', lang: 'en', created_at: at, updated_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  const website = await store.db
    .insertInto('website')
    .values({
      client_id: client.id,
      url: 'https://cli.example',
      label: 'CLI',
      created_at: at,
      updated_at: at,
      routing_strategy: null,
      identity_secret: null,
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await store.db
    .insertInto('sale')
    .values({
      client_id: client.id,
      website_id: website.id,
      external_id: 'cli-1',
      visitor_id: null,
      visitor_uid: null,
      visitor_email: null,
      amount: 12.5,
      currency: 'EUR',
      operator_id: null,
      conversation_id: null,
      created_at: at,
    })
    .execute();
});
afterAll(async () => {
  await store.db.destroy();
  await database.drop();
});

describe('causerie stats rebuild', () => {
  it('rebuilds the days asked and says how many', async () => {
    const run = await causerie('stats', 'rebuild', '--from', '2026-11-03', '--to', '2026-11-03');
    expect(run, run.stderr).toMatchObject({ code: 0 });
    expect(run.stdout).toMatch(/^Rebuilt 1 days: \d+ rollup rows in [\d.]+ s\.$/m);
    const row = await store.db
      .selectFrom('stats_hour')
      .select(['sales_total', 'sales_total_amount'])
      .where('channel', '=', '*')
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ sales_total: 1, sales_total_amount: 12.5 });
  });

  it('refuses a malformed date, naming the option', async () => {
    const run = await causerie('stats', 'rebuild', '--from', '03/11/2026');
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('--from must be a date: YYYY-MM-DD.');
  });
});
