// The SQLite statement cache: reused statements give fresh answers, eviction keeps old texts working, writes persist.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from './database.js';

const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-cache-'));
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

describe('SQLite statements', () => {
  it('answer the current data when the same query runs again, past the cache size, and across a reopen', async () => {
    const location = path.join(directory, 'cache.db');
    const store = openDatabase({ dialect: 'sqlite', location });
    await migrateToLatest(store.db);
    const at = '2026-11-21T12:00:00.000Z';
    const count = async () =>
      Number(
        (
          await store.db
            .selectFrom('partner')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    expect(await count()).toBe(0);
    await store.db.insertInto('partner').values({ name: 'one', created_at: at, updated_at: at }).execute();
    expect(await count()).toBe(1);
    // More distinct statements than the cache holds: evicted texts are prepared again when they come back.
    for (let index = 0; index < 600; index += 1)
      expect((await sql<{ v: number }>`select ${sql.raw(String(index))} as v`.execute(store.db)).rows[0]?.v).toBe(
        index,
      );
    await store.db.insertInto('partner').values({ name: 'two', created_at: at, updated_at: at }).execute();
    expect(await count()).toBe(2);
    await store.close();
    const reopened = openDatabase({ dialect: 'sqlite', location });
    expect(
      (await reopened.db.selectFrom('partner').select('name').orderBy('id').execute()).map((row) => row.name),
    ).toEqual(['one', 'two']);
    await reopened.close();
  });
});
