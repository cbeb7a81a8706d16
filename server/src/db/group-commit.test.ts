// Group commit: commands of one tick share a transaction, a failing one is rolled back alone, all are acknowledged after commit.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../errors.js';
import { type TestDatabase, createTestDatabase } from '../test/harness.js';
import { type Store, migrateToLatest, openDatabase } from './database.js';
import { createCommitter } from './group-commit.js';

let database: TestDatabase;
let store: Store;

beforeAll(async () => {
  database = await createTestDatabase();
  store = openDatabase(database.config);
  await migrateToLatest(store.db);
});
afterAll(async () => {
  await store.close();
  await database.drop();
});

const at = '2026-11-21T12:00:00.000Z';
const partnerNames = async () => (await store.db.selectFrom('partner').select('name').orderBy('id').execute()).map((row) => row.name);

describe('createCommitter', () => {
  it('commits every concurrent command and answers each with its own result', async () => {
    const committer = createCommitter(store.db, store.dialect);
    const ids = await Promise.all(
      Array.from({ length: 300 }, (_, index) =>
        committer.run(async (trx) => (await trx.insertInto('partner').values({ name: `P${index}`, created_at: at, updated_at: at }).returning('id').executeTakeFirstOrThrow()).id),
      ),
    );
    expect(new Set(ids).size).toBe(300);
    expect((await partnerNames()).filter((name) => /^P\d+$/.test(name))).toHaveLength(300);
  });

  it('rolls back a failing command alone: its writes vanish, its neighbours commit, it gets its own error', async () => {
    const committer = createCommitter(store.db, store.dialect);
    const results = await Promise.allSettled([
      committer.run(async (trx) => trx.insertInto('partner').values({ name: 'kept-1', created_at: at, updated_at: at }).execute()),
      committer.run(async (trx) => {
        await trx.insertInto('partner').values({ name: 'vanished', created_at: at, updated_at: at }).execute();
        throw new ApiError('conflict', 409, 'refused');
      }),
      committer.run(async (trx) => trx.insertInto('partner').values({ name: 'kept-2', created_at: at, updated_at: at }).execute()),
    ]);
    expect(results.map((result) => result.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toMatchObject({ httpStatus: 409 });
    const names = await partnerNames();
    expect(names).toEqual(expect.arrayContaining(['kept-1', 'kept-2']));
    expect(names).not.toContain('vanished');
  });

  it('has written what it acknowledged, as another connection sees it', async () => {
    const committer = createCommitter(store.db, store.dialect);
    await committer.run(async (trx) => trx.insertInto('partner').values({ name: 'durable', created_at: at, updated_at: at }).execute());
    const other = openDatabase(database.config);
    try {
      expect((await other.db.selectFrom('partner').select('name').where('name', '=', 'durable').execute()).length).toBe(1);
    } finally {
      await other.close();
    }
  });
});
