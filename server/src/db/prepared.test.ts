// Prepared queries: built once, then run with each call's values, on the suite's dialect (SQLite, or PostgreSQL in CI's
// second pass); a builder that would make a wrong fixed statement is refused at its first call.
import { createTestDatabase, type TestDatabase } from '@causerie/test-support/database';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest, openDatabase } from './database.js';
import { preparedQuery } from './prepared.js';

let database: TestDatabase;
let store: ReturnType<typeof openDatabase>;

beforeAll(async () => {
  database = await createTestDatabase();
  store = openDatabase(database.config);
  await migrateToLatest(store.db);
  const at = '2026-12-06T12:00:00.000Z';
  await store.db
    .insertInto('partner')
    .values(['Alpha', 'Beta', 'Gamma'].map((name) => ({ name, created_at: at, updated_at: at })))
    .execute();
});

afterAll(async () => {
  await store.close();
  await database.drop();
});

const partnerNamed = preparedQuery((db, p: { name: string }) =>
  db.selectFrom('partner').select(['id', 'name']).where('name', '=', p.name),
);

const renamePartner = preparedQuery((db, p: { from: string; to: string; at: string }) =>
  db
    .updateTable('partner')
    .set({ name: p.to, updated_at: p.at })
    .where('name', '=', p.from)
    // A constant of the query: it stays in every call, whatever the parameters.
    .where('name', '!=', 'Gamma'),
);

describe('preparedQuery', () => {
  it("answers each call with that call's values, the first call and every one after", async () => {
    for (const name of ['Alpha', 'Beta', 'Gamma', 'Alpha', 'Nobody'])
      expect((await partnerNamed(store.db, { name })).rows.map((row) => row.name)).toEqual(
        name === 'Nobody' ? [] : [name],
      );
  });

  it('gives the first row with `first`, and undefined when the query finds none', async () => {
    const alpha = await partnerNamed.first(store.db, { name: 'Alpha' });
    expect(alpha?.name).toBe('Alpha');
    expect(typeof alpha?.id).toBe('number');
    expect(await partnerNamed.first(store.db, { name: 'Nobody' })).toBeUndefined();
  });

  it("keeps the query's constants and reports the rows a write changed, in a transaction too", async () => {
    const at = '2026-12-06T13:00:00.000Z';
    const renamed = await store.db.transaction().execute((trx) => renamePartner(trx, { from: 'Beta', to: 'Bêta', at }));
    expect(Number(renamed.numAffectedRows)).toBe(1);
    // The constant `name != 'Gamma'` holds whatever the call asks.
    const refused = await renamePartner(store.db, { from: 'Gamma', to: 'Delta', at });
    expect(Number(refused.numAffectedRows)).toBe(0);
    const names = await store.db.selectFrom('partner').select('name').orderBy('id').execute();
    expect(names.map((row) => row.name)).toEqual(['Alpha', 'Bêta', 'Gamma']);
  });

  it('refuses a builder that changes a parameter or writes it into the SQL, at its first call', async () => {
    const changed = preparedQuery((db, p: { name: string }) =>
      db.selectFrom('partner').select('id').where('name', 'like', `${p.name}%`),
    );
    await expect(changed(store.db, { name: 'Al' })).rejects.toThrow(/changed a parameter/);
    const inText = preparedQuery((db, p: { name: string }) =>
      db.selectFrom('partner').select(sql.raw(`'${p.name}'`).as('x')),
    );
    await expect(inText(store.db, { name: 'Al' })).rejects.toThrow(/in its SQL text/);
  });
});
