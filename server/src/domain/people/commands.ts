// State changes of operators, groups and skills; each commits its rows and its events in one transaction.
import type { Kysely, Transaction } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Database, OperatorUpdate } from '../../db/schema.js';
import { EMAIL_PROBLEM, isEmailAddress } from '../../email.js';
import { conflict, fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { hashSecret } from '../tenancy/keys.js';
import { assertOwned, type Principal, targetClient } from '../tenancy/policy.js';
import { recordCapacity } from './history.js';
import { closePresence, setAvailability } from './presence.js';
import type { Role } from './schema.js';
import { newSsoKey } from './sso-keys.js';

type Tx = Transaction<Database>;

export interface OperatorInput {
  name?: string;
  email?: string;
  password?: string;
  first_name?: string | null;
  pseudo?: string | null;
  external_id?: string | null;
  role?: 'operator' | 'manager' | 'admin';
  roles?: Role[];
  chat_enabled?: boolean;
  call_enabled?: boolean;
  video_enabled?: boolean;
  chat_max_number?: number;
  chat_and_call?: boolean;
  chat_priority?: 0 | 10;
  call_priority?: 0 | 10;
  video_priority?: 0 | 10;
  language_list?: string[];
  language_admin?: 'de' | 'en' | 'es' | 'fr';
  group_id?: number | null;
  website_list?: number[];
  skill_list?: number[];
  client_id?: number;
}

function readEmail(raw: string): string {
  const email = raw.trim();
  if (!isEmailAddress(email)) throw fieldInvalid('email', EMAIL_PROBLEM);
  return email;
}

const unique = <T>(values: readonly T[]): T[] => [...new Set(values)];
const flag = (value: boolean): number => (value ? 1 : 0);

/** Email is unique within the client (the console login); other clients' operators are never consulted. */
async function assertEmailFree(trx: Tx, clientId: number, email: string, exceptOperatorId?: number): Promise<void> {
  let query = trx
    .selectFrom('operator')
    .select('id')
    .where('client_id', '=', clientId)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()))
    .where('deleted_at', 'is', null);
  if (exceptOperatorId !== undefined) query = query.where('id', '!=', exceptOperatorId);
  if (await query.executeTakeFirst())
    throw conflict(`Value of field 'email' is not valid. An operator with the email '${email}' already exists.`);
}

function rolesOf(input: OperatorInput): Role[] | undefined {
  if (input.roles !== undefined) return unique(input.roles);
  if (input.role !== undefined) return [input.role];
  return undefined;
}

/** Maps a unique-index race (two creates with one email at once) to the same 409 as the check. */
async function withEmailConflict<T>(email: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (email !== undefined && isUniqueViolation(error))
      throw conflict(`Value of field 'email' is not valid. An operator with the email '${email}' already exists.`);
    throw error;
  }
}

async function replaceOperatorLinks(
  trx: Tx,
  operatorId: number,
  websites: number[] | undefined,
  skills: number[] | undefined,
): Promise<void> {
  if (websites !== undefined) {
    await trx.deleteFrom('operator_website').where('operator_id', '=', operatorId).execute();
    if (websites.length > 0)
      await trx
        .insertInto('operator_website')
        .values(unique(websites).map((website_id) => ({ operator_id: operatorId, website_id })))
        .execute();
  }
  if (skills !== undefined) {
    await trx.deleteFrom('operator_skill').where('operator_id', '=', operatorId).execute();
    if (skills.length > 0)
      await trx
        .insertInto('operator_skill')
        .values(unique(skills).map((skill_id) => ({ operator_id: operatorId, skill_id })))
        .execute();
  }
}

export interface CreatedOperator {
  id: number;
  /** The new operator's SSO key in plaintext: for the creator's answer only, as only its hash is stored. */
  ssoKey: string;
}

/**
 * Creates an operator (`user.created`). `name` and `email` are required; the password is stored as an argon2id hash,
 * the SSO key made here as a SHA-256 hash.
 */
export async function createOperator(
  db: Kysely<Database>,
  principal: Principal,
  input: OperatorInput & { name: string; email: string },
): Promise<CreatedOperator> {
  const clientId = await targetClient(db, principal, input.client_id);
  const email = readEmail(input.email);
  const passwordHash = input.password === undefined ? null : await hashSecret(input.password);
  const client = await db.selectFrom('client').select('lang').where('id', '=', clientId).executeTakeFirstOrThrow();
  const ssoKey = newSsoKey();
  const chatMaxNumber = input.chat_max_number ?? 2;
  const at = nowInstant();
  const id = await withEmailConflict(email, () =>
    transact(db, async (trx) => {
      await assertEmailFree(trx, clientId, email);
      if (input.group_id != null) await assertOwned(trx, 'operator_group', [input.group_id], clientId, 'group_id');
      await assertOwned(trx, 'website', input.website_list ?? [], clientId, 'website_list');
      await assertOwned(trx, 'skill', input.skill_list ?? [], clientId, 'skill_list');
      const { id } = await trx
        .insertInto('operator')
        .values({
          client_id: clientId,
          name: input.name.trim(),
          first_name: input.first_name ?? null,
          pseudo: input.pseudo ?? null,
          email,
          external_id: input.external_id ?? null,
          roles: JSON.stringify(rolesOf(input) ?? ['operator']),
          chat_enabled: flag(input.chat_enabled ?? true),
          call_enabled: flag(input.call_enabled ?? false),
          video_enabled: flag(input.video_enabled ?? false),
          chat_max_number: chatMaxNumber,
          chat_and_call: flag(input.chat_and_call ?? false),
          chat_priority: input.chat_priority ?? 0,
          call_priority: input.call_priority ?? 0,
          video_priority: input.video_priority ?? 0,
          language_list: JSON.stringify(
            unique((input.language_list ?? [client.lang]).map((code) => code.toLowerCase())),
          ),
          language_admin: input.language_admin ?? 'en',
          group_id: input.group_id ?? null,
          password_hash: passwordHash,
          sso_key_hash: ssoKey.hash,
          created_at: at,
          updated_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await replaceOperatorLinks(trx, id, input.website_list, input.skill_list);
      await recordCapacity(trx, { clientId, operatorId: id, chatMaxNumber, at });
      await appendEvent(trx, {
        type: 'user.created',
        clientId,
        subject: { type: 'operator', id },
        payload: { userId: id },
        at,
      });
      return id;
    }),
  );
  return { id, ssoKey: ssoKey.plaintext };
}

/**
 * Replaces the operator's SSO key (`user.updated` with `changed: ['sso_key']`): the old key stops opening sessions at
 * once. Returns the new key in plaintext, for the caller's answer only.
 */
export async function rotateSsoKey(db: Kysely<Database>, clientId: number, operatorId: number): Promise<string> {
  const ssoKey = newSsoKey();
  const at = nowInstant();
  await transact(db, async (trx) => {
    await trx
      .updateTable('operator')
      .set({ sso_key_hash: ssoKey.hash, updated_at: at })
      .where('id', '=', operatorId)
      .where('client_id', '=', clientId)
      .where('deleted_at', 'is', null)
      .execute();
    await appendEvent(trx, {
      type: 'user.updated',
      clientId,
      subject: { type: 'operator', id: operatorId },
      payload: { userId: operatorId, changed: ['sso_key'] },
      at,
    });
  });
  return ssoKey.plaintext;
}

/** Changes the fields given (`user.updated`, listing which fields changed, never their secret values). */
export async function updateOperator(
  db: Kysely<Database>,
  clientId: number,
  operatorId: number,
  input: OperatorInput,
): Promise<void> {
  const email = input.email === undefined ? undefined : readEmail(input.email);
  const passwordHash = input.password === undefined ? undefined : await hashSecret(input.password);
  const roles = rolesOf(input);
  const changes: OperatorUpdate = {
    ...(input.name !== undefined && { name: input.name.trim() }),
    ...(email !== undefined && { email }),
    ...(passwordHash !== undefined && { password_hash: passwordHash }),
    ...(input.first_name !== undefined && { first_name: input.first_name }),
    ...(input.pseudo !== undefined && { pseudo: input.pseudo }),
    ...(input.external_id !== undefined && { external_id: input.external_id }),
    ...(roles !== undefined && { roles: JSON.stringify(roles) }),
    ...(input.chat_enabled !== undefined && { chat_enabled: flag(input.chat_enabled) }),
    ...(input.call_enabled !== undefined && { call_enabled: flag(input.call_enabled) }),
    ...(input.video_enabled !== undefined && { video_enabled: flag(input.video_enabled) }),
    ...(input.chat_max_number !== undefined && { chat_max_number: input.chat_max_number }),
    ...(input.chat_and_call !== undefined && { chat_and_call: flag(input.chat_and_call) }),
    ...(input.chat_priority !== undefined && { chat_priority: input.chat_priority }),
    ...(input.call_priority !== undefined && { call_priority: input.call_priority }),
    ...(input.video_priority !== undefined && { video_priority: input.video_priority }),
    ...(input.language_list !== undefined && {
      language_list: JSON.stringify(unique(input.language_list.map((code) => code.toLowerCase()))),
    }),
    ...(input.language_admin !== undefined && { language_admin: input.language_admin }),
    ...(input.group_id !== undefined && { group_id: input.group_id }),
  };
  const changed = [
    ...Object.keys(changes).map((column) => (column === 'password_hash' ? 'password' : column)),
    ...(input.website_list !== undefined ? ['website_list'] : []),
    ...(input.skill_list !== undefined ? ['skill_list'] : []),
  ];
  const at = nowInstant();
  await withEmailConflict(email, () =>
    transact(db, async (trx) => {
      if (email !== undefined) await assertEmailFree(trx, clientId, email, operatorId);
      if (input.group_id != null) await assertOwned(trx, 'operator_group', [input.group_id], clientId, 'group_id');
      await assertOwned(trx, 'website', input.website_list ?? [], clientId, 'website_list');
      await assertOwned(trx, 'skill', input.skill_list ?? [], clientId, 'skill_list');
      const updated = await trx
        .updateTable('operator')
        .set({ ...changes, updated_at: at })
        .where('id', '=', operatorId)
        .executeTakeFirst();
      // After the update: a concurrent change of the limit waits for this one, then compares with what it recorded.
      if (input.chat_max_number !== undefined && Number(updated.numUpdatedRows) > 0)
        await recordCapacity(trx, { clientId, operatorId, chatMaxNumber: input.chat_max_number, at });
      // A channel the operator may no longer process cannot stay available to routing.
      if (input.chat_enabled === false) await setAvailability(trx, clientId, operatorId, 'chat', false, at);
      if (input.call_enabled === false) await setAvailability(trx, clientId, operatorId, 'call', false, at);
      if (input.video_enabled === false) await setAvailability(trx, clientId, operatorId, 'video', false, at);
      await replaceOperatorLinks(trx, operatorId, input.website_list, input.skill_list);
      await appendEvent(trx, {
        type: 'user.updated',
        clientId,
        subject: { type: 'operator', id: operatorId },
        payload: { userId: operatorId, changed },
        at,
      });
    }),
  );
}

/** Deletes an operator: gone from the API and from routing, kept as a tombstone so past conversations keep their operator. */
export async function deleteOperator(db: Kysely<Database>, clientId: number, operatorId: number): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    // A connected operator is disconnected first, so the presence session closes and listeners hear it.
    await closePresence(trx, clientId, operatorId, at);
    await trx.deleteFrom('operator_website').where('operator_id', '=', operatorId).execute();
    await trx.deleteFrom('operator_skill').where('operator_id', '=', operatorId).execute();
    await trx
      .updateTable('operator')
      .set({
        deleted_at: at,
        updated_at: at,
        group_id: null,
        password_hash: null,
        // A fresh key nobody was shown: the deleted operator's old link opens nothing.
        sso_key_hash: newSsoKey().hash,
      })
      .where('id', '=', operatorId)
      .execute();
    await appendEvent(trx, {
      type: 'user.deleted',
      clientId,
      subject: { type: 'operator', id: operatorId },
      payload: { userId: operatorId },
      at,
    });
  });
}

export interface GroupInput {
  name?: string;
  parent_id?: number | null;
  operator_list?: number[];
  client_id?: number;
}

/** Refuses a parent that is the node itself or one of its descendants (a loop would hide the subtree). */
async function assertNoCycle(
  trx: Tx,
  table: 'operator_group' | 'skill',
  nodeId: number,
  parentId: number,
): Promise<void> {
  let cursor: number | null = parentId;
  for (let depth = 0; cursor !== null && depth < 1000; depth += 1) {
    if (cursor === nodeId)
      throw fieldInvalid(
        'parent_id',
        `It would make ${table === 'skill' ? 'the skill' : 'the group'} its own ancestor.`,
      );
    const row: { parent_id: number | null } | undefined = await trx
      .selectFrom(table)
      .select('parent_id')
      .where('id', '=', cursor)
      .executeTakeFirst();
    cursor = row?.parent_id ?? null;
  }
}

/** Puts exactly these operators in the group (an operator belongs to one group at a time). */
async function setGroupMembers(trx: Tx, groupId: number, operatorIds: number[], at: string): Promise<void> {
  await trx
    .updateTable('operator')
    .set({ group_id: null, updated_at: at })
    .where('group_id', '=', groupId)
    .where('id', 'not in', operatorIds.length > 0 ? operatorIds : [0])
    .execute();
  if (operatorIds.length > 0)
    await trx
      .updateTable('operator')
      .set({ group_id: groupId, updated_at: at })
      .where('id', 'in', operatorIds)
      .execute();
}

export async function createGroup(
  db: Kysely<Database>,
  principal: Principal,
  input: GroupInput & { name: string },
): Promise<number> {
  const clientId = await targetClient(db, principal, input.client_id);
  const at = nowInstant();
  return transact(db, async (trx) => {
    if (input.parent_id != null) await assertOwned(trx, 'operator_group', [input.parent_id], clientId, 'parent_id');
    await assertOwned(trx, 'operator', input.operator_list ?? [], clientId, 'operator_list');
    const { id } = await trx
      .insertInto('operator_group')
      .values({
        client_id: clientId,
        name: input.name.trim(),
        parent_id: input.parent_id ?? null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.operator_list !== undefined) await setGroupMembers(trx, id, unique(input.operator_list), at);
    await appendEvent(trx, {
      type: 'group.created',
      clientId,
      subject: { type: 'group', id },
      payload: { name: input.name },
      at,
    });
    return id;
  });
}

export async function updateGroup(
  db: Kysely<Database>,
  clientId: number,
  groupId: number,
  input: GroupInput,
): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    if (input.parent_id != null) {
      await assertOwned(trx, 'operator_group', [input.parent_id], clientId, 'parent_id');
      await assertNoCycle(trx, 'operator_group', groupId, input.parent_id);
    }
    await assertOwned(trx, 'operator', input.operator_list ?? [], clientId, 'operator_list');
    await trx
      .updateTable('operator_group')
      .set({
        ...(input.name !== undefined && { name: input.name.trim() }),
        ...(input.parent_id !== undefined && { parent_id: input.parent_id }),
        updated_at: at,
      })
      .where('id', '=', groupId)
      .execute();
    if (input.operator_list !== undefined) await setGroupMembers(trx, groupId, unique(input.operator_list), at);
    await appendEvent(trx, {
      type: 'group.updated',
      clientId,
      subject: { type: 'group', id: groupId },
      payload: { changed: Object.keys(input) },
      at,
    });
  });
}

/** Deletes a group: its operators leave it, its subgroups move up to its parent. */
export async function deleteGroup(db: Kysely<Database>, clientId: number, groupId: number): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    const group = await trx
      .selectFrom('operator_group')
      .select('parent_id')
      .where('id', '=', groupId)
      .executeTakeFirstOrThrow();
    await trx.updateTable('operator').set({ group_id: null, updated_at: at }).where('group_id', '=', groupId).execute();
    await trx
      .updateTable('operator_group')
      .set({ parent_id: group.parent_id, updated_at: at })
      .where('parent_id', '=', groupId)
      .execute();
    await trx.deleteFrom('operator_group').where('id', '=', groupId).execute();
    await appendEvent(trx, { type: 'group.deleted', clientId, subject: { type: 'group', id: groupId }, at });
  });
}

export interface SkillInput {
  name?: string;
  order?: number;
  parent_id?: number | null;
  operator_list?: number[];
  client_id?: number;
}

async function setSkillOperators(trx: Tx, skillId: number, operatorIds: number[]): Promise<void> {
  await trx.deleteFrom('operator_skill').where('skill_id', '=', skillId).execute();
  if (operatorIds.length > 0)
    await trx
      .insertInto('operator_skill')
      .values(operatorIds.map((operator_id) => ({ operator_id, skill_id: skillId })))
      .execute();
}

export async function createSkill(
  db: Kysely<Database>,
  principal: Principal,
  input: SkillInput & { name: string },
): Promise<number> {
  const clientId = await targetClient(db, principal, input.client_id);
  const at = nowInstant();
  return transact(db, async (trx) => {
    if (input.parent_id != null) await assertOwned(trx, 'skill', [input.parent_id], clientId, 'parent_id');
    await assertOwned(trx, 'operator', input.operator_list ?? [], clientId, 'operator_list');
    const { id } = await trx
      .insertInto('skill')
      .values({
        client_id: clientId,
        name: input.name.trim(),
        sort_order: input.order ?? 0,
        parent_id: input.parent_id ?? null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    if (input.operator_list !== undefined) await setSkillOperators(trx, id, unique(input.operator_list));
    await appendEvent(trx, {
      type: 'skill.created',
      clientId,
      subject: { type: 'skill', id },
      payload: { name: input.name },
      at,
    });
    return id;
  });
}

export async function updateSkill(
  db: Kysely<Database>,
  clientId: number,
  skillId: number,
  input: SkillInput,
): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    if (input.parent_id != null) {
      await assertOwned(trx, 'skill', [input.parent_id], clientId, 'parent_id');
      await assertNoCycle(trx, 'skill', skillId, input.parent_id);
    }
    await assertOwned(trx, 'operator', input.operator_list ?? [], clientId, 'operator_list');
    await trx
      .updateTable('skill')
      .set({
        ...(input.name !== undefined && { name: input.name.trim() }),
        ...(input.order !== undefined && { sort_order: input.order }),
        ...(input.parent_id !== undefined && { parent_id: input.parent_id }),
        updated_at: at,
      })
      .where('id', '=', skillId)
      .execute();
    if (input.operator_list !== undefined) await setSkillOperators(trx, skillId, unique(input.operator_list));
    await appendEvent(trx, {
      type: 'skill.updated',
      clientId,
      subject: { type: 'skill', id: skillId },
      payload: { changed: Object.keys(input) },
      at,
    });
  });
}

/** Deletes a skill: operators lose it, sub-skills move up to its parent. */
export async function deleteSkill(db: Kysely<Database>, clientId: number, skillId: number): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    const skill = await trx.selectFrom('skill').select('parent_id').where('id', '=', skillId).executeTakeFirstOrThrow();
    await trx.deleteFrom('operator_skill').where('skill_id', '=', skillId).execute();
    await trx
      .updateTable('skill')
      .set({ parent_id: skill.parent_id, updated_at: at })
      .where('parent_id', '=', skillId)
      .execute();
    await trx.deleteFrom('skill').where('id', '=', skillId).execute();
    await appendEvent(trx, { type: 'skill.deleted', clientId, subject: { type: 'skill', id: skillId }, at });
  });
}

/**
 * Lets an operator answer on one more website (`user.updated` with `changed: ['website_list']`).
 * Linking an operator already linked changes nothing and writes no event; answers whether a link was added.
 */
export async function linkOperatorWebsite(
  db: Kysely<Database>,
  clientId: number,
  operatorId: number,
  websiteId: number,
): Promise<boolean> {
  const at = nowInstant();
  return transact(db, async (trx) => {
    await assertOwned(trx, 'operator', [operatorId], clientId, 'operator_id');
    await assertOwned(trx, 'website', [websiteId], clientId, 'website_id');
    // A concurrent link of the same pair meets the primary key and counts as "already linked".
    const inserted = await trx
      .insertInto('operator_website')
      .values({ operator_id: operatorId, website_id: websiteId })
      .onConflict((oc) => oc.columns(['operator_id', 'website_id']).doNothing())
      .executeTakeFirst();
    if (Number(inserted.numInsertedOrUpdatedRows ?? 0) === 0) return false;
    await trx.updateTable('operator').set({ updated_at: at }).where('id', '=', operatorId).execute();
    await appendEvent(trx, {
      type: 'user.updated',
      clientId,
      subject: { type: 'operator', id: operatorId },
      payload: { userId: operatorId, changed: ['website_list'], websiteId, linked: true },
      at,
    });
    return true;
  });
}

/**
 * Stops an operator answering on a website (`user.updated` with `changed: ['website_list']`).
 * Unlinking a pair that is not linked changes nothing and writes no event; answers whether a link was removed.
 */
export async function unlinkOperatorWebsite(
  db: Kysely<Database>,
  clientId: number,
  operatorId: number,
  websiteId: number,
): Promise<boolean> {
  const at = nowInstant();
  return transact(db, async (trx) => {
    await assertOwned(trx, 'operator', [operatorId], clientId, 'operator_id');
    await assertOwned(trx, 'website', [websiteId], clientId, 'website_id');
    const removed = await trx
      .deleteFrom('operator_website')
      .where('operator_id', '=', operatorId)
      .where('website_id', '=', websiteId)
      .executeTakeFirst();
    if (Number(removed.numDeletedRows) === 0) return false;
    await trx.updateTable('operator').set({ updated_at: at }).where('id', '=', operatorId).execute();
    await appendEvent(trx, {
      type: 'user.updated',
      clientId,
      subject: { type: 'operator', id: operatorId },
      payload: { userId: operatorId, changed: ['website_list'], websiteId, linked: false },
      at,
    });
    return true;
  });
}
