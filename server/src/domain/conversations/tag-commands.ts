// State changes of tags (created, renamed, moved between websites, coloured, archived); each commits its rows and
// its event in one transaction. A client's tag writes are serialised so names stay unique whatever their case.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { conflict } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { assertOwned, type Principal, targetClient } from '../tenancy/policy.js';
import { flag, sameIds, unique } from './commands.js';
import type { TagRecord } from './store.js';

type Tx = Transaction<Database>;

/**
 * Serialises tag writes of one client, so two requests cannot both pass the name check: a no-op UPDATE locks the
 * client row on PostgreSQL until commit (the same statement on SQLite, which runs one writer at a time, changes nothing).
 */
async function lockClientTags(trx: Tx, clientId: number): Promise<void> {
  await trx
    .updateTable('client')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', clientId)
    .execute();
}

/** Tag names are unique within a client whatever their case. */
async function assertTagNameFree(trx: Tx, clientId: number, name: string, exceptTagId?: number): Promise<void> {
  let query = trx
    .selectFrom('tag')
    .select('id')
    .where('client_id', '=', clientId)
    .where((eb) => eb(eb.fn('lower', ['name']), '=', name.toLowerCase()));
  if (exceptTagId !== undefined) query = query.where('id', '!=', exceptTagId);
  if (await query.executeTakeFirst())
    throw conflict(`Value of field 'name' is not valid. A tag named '${name}' already exists.`);
}

async function replaceTagWebsites(trx: Tx, tagId: number, websiteIds: readonly number[]): Promise<void> {
  await trx.deleteFrom('tag_website').where('tag_id', '=', tagId).execute();
  const ids = unique(websiteIds);
  if (ids.length > 0)
    await trx
      .insertInto('tag_website')
      .values(ids.map((website_id) => ({ tag_id: tagId, website_id })))
      .execute();
}

/** A colour as stored: `#rrggbb` in lower case, or null (the route schema checked its form). */
const storedColour = (colour: string | null | undefined): string | null | undefined =>
  colour === undefined || colour === null ? colour : colour.toLowerCase();

/** Creates a tag (`tag.created`). */
export async function createTag(
  db: Kysely<Database>,
  principal: Principal,
  input: { name: string; website_id?: number[]; client_id?: number; colour?: string | null; archived?: boolean },
): Promise<number> {
  const clientId = await targetClient(db, principal, input.client_id);
  const name = input.name.trim();
  const websiteIds = unique(input.website_id ?? []);
  const at = nowInstant();
  return transact(db, async (trx) => {
    await lockClientTags(trx, clientId);
    await assertTagNameFree(trx, clientId, name);
    await assertOwned(trx, 'website', websiteIds, clientId, 'website_id');
    const { id } = await trx
      .insertInto('tag')
      .values({
        client_id: clientId,
        name,
        colour: storedColour(input.colour) ?? null,
        archived: flag(input.archived ?? false),
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await replaceTagWebsites(trx, id, websiteIds);
    await appendEvent(trx, {
      type: 'tag.created',
      clientId,
      subject: { type: 'tag', id },
      payload: { tagId: id, name, websiteIds },
      at,
    });
    return id;
  });
}

/**
 * Renames a tag, changes its websites, its colour, or archives it (`tag.updated` naming what changed; nothing changed,
 * nothing written). Archiving keeps the tag on its conversations: it is only no longer offered.
 */
export async function updateTag(
  db: Kysely<Database>,
  existing: TagRecord,
  input: { name?: string; website_id?: number[]; colour?: string | null; archived?: boolean },
): Promise<void> {
  const name = input.name?.trim();
  const websiteIds = input.website_id === undefined ? undefined : unique(input.website_id).sort((a, b) => a - b);
  const colour = storedColour(input.colour);
  const archived = input.archived === undefined ? undefined : flag(input.archived);
  const changed = [
    ...(name !== undefined && name !== existing.name ? ['name'] : []),
    ...(websiteIds !== undefined && !sameIds(websiteIds, existing.website_id) ? ['website_id'] : []),
    ...(colour !== undefined && colour !== existing.colour ? ['colour'] : []),
    ...(archived !== undefined && archived !== existing.archived ? ['archived'] : []),
  ];
  if (changed.length === 0) return;
  const at = nowInstant();
  await transact(db, async (trx) => {
    await lockClientTags(trx, existing.client_id);
    if (name !== undefined) await assertTagNameFree(trx, existing.client_id, name, existing.id);
    await trx
      .updateTable('tag')
      .set({
        ...(name !== undefined && { name }),
        ...(colour !== undefined && { colour }),
        ...(archived !== undefined && { archived }),
        updated_at: at,
      })
      .where('id', '=', existing.id)
      .execute();
    if (websiteIds !== undefined) {
      await assertOwned(trx, 'website', websiteIds, existing.client_id, 'website_id');
      await replaceTagWebsites(trx, existing.id, websiteIds);
    }
    await appendEvent(trx, {
      type: 'tag.updated',
      clientId: existing.client_id,
      subject: { type: 'tag', id: existing.id },
      payload: {
        tagId: existing.id,
        name: name ?? existing.name,
        websiteIds: websiteIds ?? existing.website_id,
        changed,
      },
      at,
    });
  });
}
