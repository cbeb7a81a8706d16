// Demo data for the quick start: a client, a website, three operators, a group and a skill.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { createGroup, createOperator, createSkill } from './domain/people/commands.js';
import { type CreatedKey, createApiKey, createClient, createWebsite, revokeApiKey } from './domain/tenancy/commands.js';
import type { Principal } from './domain/tenancy/policy.js';

export const DEMO_CLIENT_NAME = 'Demo Shop';
export const DEMO_LOGIN = { email: 'ada@demo.causerie.test', password: 'causerie-demo' };
const DEMO_KEY_NAME = 'Demo key (made by the demo command)';

export interface DemoData {
  clientId: number;
  websiteId: number;
  key: CreatedKey;
}

/** Creates the demo data once; on later runs reuses it. Each run mints a fresh demo key and revokes the previous ones (their plaintext was only ever shown once). */
export async function ensureDemoData(db: Kysely<Database>): Promise<DemoData> {
  const platform: Principal = { scope: 'platform', keyId: null };
  let client = await db.selectFrom('client').select('id').where('name', '=', DEMO_CLIENT_NAME).orderBy('id').executeTakeFirst();
  if (!client) {
    const clientId = await createClient(db, platform, { name: DEMO_CLIENT_NAME, lang: 'en' });
    const websiteId = await createWebsite(db, platform, { url: 'https://shop.causerie.test', label: 'Demo Shop', client_id: clientId });
    const skillId = await createSkill(db, platform, { name: 'Billing', order: 1, client_id: clientId });
    const operators = [
      { name: 'Ada Lovelace', first_name: 'Ada', pseudo: 'Ada', email: DEMO_LOGIN.email, password: DEMO_LOGIN.password, roles: ['admin' as const], chat_priority: 10 as const },
      { name: 'Grace Hopper', first_name: 'Grace', pseudo: 'Grace', email: 'grace@demo.causerie.test', password: DEMO_LOGIN.password, roles: ['manager' as const], chat_priority: 0 as const },
      { name: 'Alan Turing', first_name: 'Alan', pseudo: 'Alan', email: 'alan@demo.causerie.test', password: DEMO_LOGIN.password, roles: ['operator' as const], chat_priority: 0 as const },
    ];
    const operatorIds: number[] = [];
    for (const operator of operators) {
      operatorIds.push(await createOperator(db, platform, { ...operator, client_id: clientId, website_list: [websiteId], skill_list: operator.roles[0] === 'operator' ? [] : [skillId], language_list: ['en', 'fr'] }));
    }
    await createGroup(db, platform, { name: 'Support', operator_list: operatorIds, client_id: clientId });
    client = { id: clientId };
  }
  const website = await db.selectFrom('website').select('id').where('client_id', '=', client.id).orderBy('id').executeTakeFirstOrThrow();
  const previousKeys = await db.selectFrom('api_key').select('id').where('client_id', '=', client.id).where('name', '=', DEMO_KEY_NAME).where('revoked_at', 'is', null).execute();
  for (const previous of previousKeys) await revokeApiKey(db, previous.id, { partnerId: null, clientId: client.id });
  const key = await createApiKey(db, { scope: 'client', clientId: client.id }, DEMO_KEY_NAME);
  return { clientId: client.id, websiteId: website.id, key };
}
