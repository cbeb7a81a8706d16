// Demo data for the quick start: a client, a website, three operators, a group, a skill, a little activity (conversations, a survey answer, a sale) and a month of history for the reports.
import type { Kysely } from 'kysely';
import type { Database } from './db/schema.js';
import { writeDemoHistory } from './demo-history.js';
import { reportTransaction } from './domain/commerce/commands.js';
import { closeConversationNow, createConversation } from './domain/conversations/api-commands.js';
import { createTag } from './domain/conversations/tag-commands.js';
import { createGroup, createOperator, createSkill } from './domain/people/commands.js';
import { recordSatisfaction } from './domain/satisfaction/commands.js';
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

/**
 * Creates the demo data once; on later runs reuses it. Each run mints a fresh demo key and revokes the previous ones
 * (their plaintext was only ever shown once). `now` places the month of history (tests fix it to compare two runs).
 */
export async function ensureDemoData(db: Kysely<Database>, options: { now?: Date } = {}): Promise<DemoData> {
  const platform: Principal = { scope: 'platform', keyId: null };
  let client = await db
    .selectFrom('client')
    .select('id')
    .where('name', '=', DEMO_CLIENT_NAME)
    .orderBy('id')
    .executeTakeFirst();
  if (!client) {
    const clientId = await createClient(db, platform, { name: DEMO_CLIENT_NAME, lang: 'en' });
    const websiteId = await createWebsite(db, platform, {
      url: 'https://shop.causerie.test',
      label: 'Demo Shop',
      client_id: clientId,
    });
    const skillId = await createSkill(db, platform, { name: 'Billing', order: 1, client_id: clientId });
    const operators = [
      {
        name: 'Ada Lovelace',
        first_name: 'Ada',
        pseudo: 'Ada',
        email: DEMO_LOGIN.email,
        password: DEMO_LOGIN.password,
        roles: ['admin' as const],
        chat_priority: 10 as const,
      },
      {
        name: 'Grace Hopper',
        first_name: 'Grace',
        pseudo: 'Grace',
        email: 'grace@demo.causerie.test',
        password: DEMO_LOGIN.password,
        roles: ['manager' as const],
        chat_priority: 0 as const,
      },
      {
        name: 'Alan Turing',
        first_name: 'Alan',
        pseudo: 'Alan',
        email: 'alan@demo.causerie.test',
        password: DEMO_LOGIN.password,
        roles: ['operator' as const],
        chat_priority: 0 as const,
      },
    ];
    const operatorIds: number[] = [];
    for (const operator of operators) {
      const created = await createOperator(db, platform, {
        ...operator,
        client_id: clientId,
        website_list: [websiteId],
        skill_list: operator.roles[0] === 'operator' ? [] : [skillId],
        language_list: ['en', 'fr'],
      });
      operatorIds.push(created.id);
    }
    await createGroup(db, platform, { name: 'Support', operator_list: operatorIds, client_id: clientId });
    await createDemoActivity(db, platform, clientId, websiteId, operatorIds);
    const [ada, grace, alan] = operatorIds;
    if (ada !== undefined && grace !== undefined && alan !== undefined)
      await writeDemoHistory(
        db,
        {
          clientId,
          websiteId,
          skillId,
          staff: [
            { id: ada, billing: true },
            { id: grace, billing: true },
            { id: alan, billing: false },
          ],
        },
        options.now,
      );
    client = { id: clientId };
  }
  const website = await db
    .selectFrom('website')
    .select('id')
    .where('client_id', '=', client.id)
    .orderBy('id')
    .executeTakeFirstOrThrow();
  const previousKeys = await db
    .selectFrom('api_key')
    .select('id')
    .where('client_id', '=', client.id)
    .where('name', '=', DEMO_KEY_NAME)
    .where('revoked_at', 'is', null)
    .execute();
  for (const previous of previousKeys) await revokeApiKey(db, previous.id, { partnerId: null, clientId: client.id });
  const key = await createApiKey(db, { scope: 'client', clientId: client.id }, DEMO_KEY_NAME);
  return { clientId: client.id, websiteId: website.id, key };
}

/** `YYYY-MM-DD HH:MM:SS`, UTC, `minutes` ago: the API's date format for imported history. */
function minutesAgo(minutes: number): string {
  return new Date(Date.now() - minutes * 60_000).toISOString().slice(0, 19).replace('T', ' ');
}

/** Two conversations (one answered, closed, rated and followed by a sale; one still open) so that every list has something to show. */
async function createDemoActivity(
  db: Kysely<Database>,
  platform: Principal,
  clientId: number,
  websiteId: number,
  operatorIds: number[],
): Promise<void> {
  const [ada, grace] = operatorIds;
  const tagId = await createTag(db, platform, { name: 'Delivery', website_id: [websiteId], client_id: clientId });
  const closedId = await createConversation(db, platform, {
    website_id: websiteId,
    visitor_uid: 'demo-visitor-lea',
    operator_id: ada ?? null,
    tag_list: [tagId],
    history: [
      [5, minutesAgo(42), 'https://shop.causerie.test/orders'],
      [2, minutesAgo(41), 'Hello, has my order 1001 been sent?'],
      [1, minutesAgo(40), 'Hello! Let me check that for you.'],
      [1, minutesAgo(39), 'It left our warehouse this morning.'],
      [2, minutesAgo(38), 'Perfect, thank you!'],
    ],
  });
  const closed = await db.selectFrom('conversation').selectAll().where('id', '=', closedId).executeTakeFirstOrThrow();
  await closeConversationNow(db, closed, {});
  await recordSatisfaction(db, clientId, {
    conversation_id: closedId,
    note_welcome: 3,
    note_delay: 3,
    note_resolution: 2,
    comment: 'Quick answer, thanks.',
  });
  await reportTransaction(db, platform, {
    website_id: websiteId,
    external_id: 'DEMO-1001',
    amount: 59.9,
    currency: 'EUR',
    visitor_uid: 'demo-visitor-lea',
  });
  await createConversation(db, platform, {
    website_id: websiteId,
    visitor_uid: 'demo-visitor-tom',
    operator_id: grace ?? null,
    history: [
      [5, minutesAgo(6), 'https://shop.causerie.test/products/teapot'],
      [2, minutesAgo(5), 'Is the blue teapot dishwasher safe?'],
    ],
  });
}
