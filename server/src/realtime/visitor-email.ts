// The email a visitor leaves (the widget's offline form): storing it on the visitor (the rule is email.ts's).
import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { appendEvent } from '../events/append.js';
import { nowInstant } from '../time.js';
import type { SiteRef } from './identity.js';

/**
 * Stores the email a visitor left (the widget's offline form) on the visitor, with `visitor.updated` naming `email`, in
 * the caller's transaction (the start of the conversation the form's message opens); nothing is written when it is
 * already theirs, so a resent form stores it once.
 */
export async function storeVisitorEmail(
  trx: Transaction<Database>,
  site: SiteRef,
  visitor: { id: number; vuid: string },
  email: string,
): Promise<void> {
  const row = await trx
    .selectFrom('visitor')
    .select('email')
    .where('id', '=', visitor.id)
    .where('client_id', '=', site.clientId)
    .executeTakeFirst();
  if (row === undefined || row.email === email) return;
  const at = nowInstant();
  await trx.updateTable('visitor').set({ email, updated_at: at }).where('id', '=', visitor.id).execute();
  await appendEvent(trx, {
    type: 'visitor.updated',
    clientId: site.clientId,
    subject: { type: 'visitor', id: visitor.id },
    payload: { visitorId: visitor.id, unique_id: visitor.vuid, changed: ['email'], websiteIds: [site.id] },
    at,
  });
}
