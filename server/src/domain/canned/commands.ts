// State changes of canned responses; each commits its row and its event in one transaction. Who may write what:
// shared responses are the client's (API keys, admins' and managers' sessions); personal ones their operator's.
import type { Kysely, Transaction } from 'kysely';
import type { CannedResponseRow, Database } from '../../db/schema.js';
import { conflict, fieldInvalid, fieldMissing, notPermitted } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { assertOwned, type Principal, sessionManages, targetClient } from '../tenancy/policy.js';
import type { CannedScope } from './schema.js';
import { CANNED_VARIABLES, unknownVariable } from './variables.js';

type Tx = Transaction<Database>;

export interface CannedResponseChanges {
  shortcut?: string;
  title?: string;
  body?: string;
  website_id?: number | null;
  attachments?: string[];
}

export interface CannedResponseInput extends CannedResponseChanges {
  shortcut: string;
  title: string;
  body: string;
  scope?: CannedScope;
  operator_id?: number;
  client_id?: number;
}

/** Refuses a shared response to an operator's session that is neither admin nor manager. */
function assertMayWriteShared(principal: Principal, field?: string): void {
  if (principal.scope === 'client' && principal.session !== undefined && !sessionManages(principal.session))
    throw notPermitted(
      "An operator's console session cannot change shared canned responses: a manager or admin role is needed. Personal ones are yours to change.",
      field,
    );
}

function checkBody(body: string): string {
  const unknown = unknownVariable(body);
  if (unknown !== undefined)
    throw fieldInvalid(
      'body',
      `Unknown variable '{{${unknown}}}'. Variables: ${CANNED_VARIABLES.map((name) => `{{${name}}}`).join(', ')}.`,
    );
  return body;
}

/**
 * Serialises canned response writes of one client, so two requests cannot both pass the shortcut check: a no-op UPDATE
 * locks the client row on PostgreSQL until commit (SQLite runs one writer at a time).
 */
async function lockClient(trx: Tx, clientId: number): Promise<void> {
  await trx
    .updateTable('client')
    .set((eb) => ({ updated_at: eb.ref('updated_at') }))
    .where('id', '=', clientId)
    .execute();
}

/** Shortcuts are unique among one owner's responses (the client's shared ones, or one operator's), whatever the case. */
async function assertShortcutFree(
  trx: Tx,
  clientId: number,
  ownerKey: number,
  shortcut: string,
  exceptId?: number,
): Promise<void> {
  let query = trx
    .selectFrom('canned_response')
    .select('id')
    .where('client_id', '=', clientId)
    .where('owner_key', '=', ownerKey)
    .where((eb) => eb(eb.fn('lower', ['shortcut']), '=', shortcut.toLowerCase()));
  if (exceptId !== undefined) query = query.where('id', '!=', exceptId);
  if (await query.executeTakeFirst())
    throw conflict(
      `Value of field 'shortcut' is not valid. ${ownerKey === 0 ? 'A shared' : 'A personal'} canned response with the shortcut '${shortcut}' already exists.`,
      'shortcut',
    );
}

/** The owner of a new response: none when shared; a session's own operator, or the operator an API key names. */
async function ownerOf(
  trx: Tx,
  principal: Principal,
  clientId: number,
  input: CannedResponseInput,
  scope: CannedScope,
) {
  if (scope === 'shared') {
    if (input.operator_id !== undefined)
      throw fieldInvalid('operator_id', 'A shared canned response has no owner; leave operator_id out.');
    return null;
  }
  const session = principal.scope === 'client' ? principal.session : undefined;
  if (session !== undefined) {
    if (input.operator_id !== undefined && input.operator_id !== session.operatorId)
      throw fieldInvalid(
        'operator_id',
        'A console session creates personal canned responses for its own operator only.',
      );
    return session.operatorId;
  }
  if (input.operator_id === undefined) throw fieldMissing('operator_id');
  await assertOwned(trx, 'operator', [input.operator_id], clientId, 'operator_id');
  return input.operator_id;
}

export async function createCannedResponse(
  db: Kysely<Database>,
  principal: Principal,
  input: CannedResponseInput,
): Promise<number> {
  const session = principal.scope === 'client' ? principal.session : undefined;
  const scope: CannedScope = input.scope ?? (session !== undefined ? 'personal' : 'shared');
  if (scope === 'shared') assertMayWriteShared(principal, 'scope');
  const body = checkBody(input.body);
  const clientId = await targetClient(db, principal, input.client_id);
  const shortcut = input.shortcut.trim();
  const at = nowInstant();
  return transact(db, async (trx) => {
    const operatorId = await ownerOf(trx, principal, clientId, input, scope);
    if (input.website_id != null) await assertOwned(trx, 'website', [input.website_id], clientId, 'website_id');
    await lockClient(trx, clientId);
    const ownerKey = operatorId ?? 0;
    await assertShortcutFree(trx, clientId, ownerKey, shortcut);
    const { id } = await trx
      .insertInto('canned_response')
      .values({
        client_id: clientId,
        scope,
        operator_id: operatorId,
        owner_key: ownerKey,
        shortcut,
        title: input.title.trim(),
        body,
        website_id: input.website_id ?? null,
        attachments: JSON.stringify(input.attachments ?? []),
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await appendEvent(trx, {
      type: 'canned_response.created',
      clientId,
      subject: { type: 'canned_response', id },
      payload: { cannedResponseId: id, scope, operatorId, shortcut },
      at,
    });
    return id;
  });
}

/** Applies a PUT (`canned_response.updated` naming what changed; nothing changed, nothing written). */
export async function updateCannedResponse(
  db: Kysely<Database>,
  principal: Principal,
  existing: CannedResponseRow,
  input: CannedResponseChanges,
): Promise<void> {
  if (existing.scope === 'shared') assertMayWriteShared(principal);
  if (input.body !== undefined) checkBody(input.body);
  const shortcut = input.shortcut?.trim();
  const title = input.title?.trim();
  const attachments = input.attachments === undefined ? undefined : JSON.stringify(input.attachments);
  const columns = {
    ...(shortcut !== undefined && shortcut !== existing.shortcut && { shortcut }),
    ...(title !== undefined && title !== existing.title && { title }),
    ...(input.body !== undefined && input.body !== existing.body && { body: input.body }),
    ...(input.website_id !== undefined && input.website_id !== existing.website_id && { website_id: input.website_id }),
    ...(attachments !== undefined && attachments !== existing.attachments && { attachments }),
  };
  const changed = Object.keys(columns);
  if (changed.length === 0) return;
  const at = nowInstant();
  await transact(db, async (trx) => {
    if (input.website_id != null)
      await assertOwned(trx, 'website', [input.website_id], existing.client_id, 'website_id');
    await lockClient(trx, existing.client_id);
    if (shortcut !== undefined)
      await assertShortcutFree(trx, existing.client_id, existing.owner_key, shortcut, existing.id);
    await trx
      .updateTable('canned_response')
      .set({ ...columns, updated_at: at })
      .where('id', '=', existing.id)
      .execute();
    await appendEvent(trx, {
      type: 'canned_response.updated',
      clientId: existing.client_id,
      subject: { type: 'canned_response', id: existing.id },
      payload: { cannedResponseId: existing.id, scope: existing.scope, operatorId: existing.operator_id, changed },
      at,
    });
  });
}

/** Deletes a response for good: nothing refers to it (a message sent from it is its own text). */
export async function deleteCannedResponse(
  db: Kysely<Database>,
  principal: Principal,
  existing: CannedResponseRow,
): Promise<void> {
  if (existing.scope === 'shared') assertMayWriteShared(principal);
  const at = nowInstant();
  await transact(db, async (trx) => {
    await trx.deleteFrom('canned_response').where('id', '=', existing.id).execute();
    await appendEvent(trx, {
      type: 'canned_response.deleted',
      clientId: existing.client_id,
      subject: { type: 'canned_response', id: existing.id },
      payload: { cannedResponseId: existing.id, scope: existing.scope, operatorId: existing.operator_id },
      at,
    });
  });
}
