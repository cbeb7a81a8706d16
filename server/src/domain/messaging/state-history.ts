// The state history of the messaging resources and the events that announce it: a partner's companies and accounts
// (messaging_partner_history), a client's environments and testers (messaging_agent_history, per carrier where one
// moved), each change a `messaging.*_status` event (→ the owner's callback) written in the caller's transaction.
import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { appendEvent } from '../../events/append.js';
import type { Tx } from '../../events/transact.js';

/** Each resource's event and the subject it names. */
const RESOURCES = {
  company: { event: 'messaging.company_status', subject: 'messaging_company' },
  account: { event: 'messaging.account_status', subject: 'messaging_account' },
  agent: { event: 'messaging.agent_status', subject: 'messaging_agent' },
  tester: { event: 'messaging.tester_status', subject: 'messaging_tester' },
} as const;

/** Whose resource changed: a partner's company or account (an account names its client too), a client's environment or tester. */
export type StateSubject =
  | { resource: 'company'; id: number; partnerId: number }
  | { resource: 'account'; id: number; partnerId: number; clientId: number }
  | { resource: 'agent' | 'tester'; id: number; clientId: number };

export interface StateChange {
  state: string;
  previousState: string | null;
  reason: string | null;
}

/** One row of a resource's history; `carrier` names the carrier of an environment whose launch state moved. */
export async function writeHistory(
  trx: Tx,
  subject: StateSubject,
  change: StateChange & { carrier?: string | null },
  at: string,
): Promise<void> {
  const entry = { state: change.state, previous_state: change.previousState, reason: change.reason, at };
  if (subject.resource === 'company' || subject.resource === 'account')
    await trx
      .insertInto('messaging_partner_history')
      .values({ partner_id: subject.partnerId, resource: subject.resource, resource_id: subject.id, ...entry })
      .execute();
  else
    await trx
      .insertInto('messaging_agent_history')
      .values({
        client_id: subject.clientId,
        resource: subject.resource,
        resource_id: subject.id,
        carrier: change.carrier ?? null,
        ...entry,
      })
      .execute();
}

/** The `messaging.*_status` event of one change; `data` goes into the callback's body. */
export async function announceState(
  trx: Tx,
  subject: StateSubject,
  change: StateChange & { data: Record<string, unknown> },
  at: string,
): Promise<void> {
  const { event, subject: subjectType } = RESOURCES[subject.resource];
  const partnerId = 'partnerId' in subject ? subject.partnerId : null;
  // An account names its client: every node forgets the client's cached keys when it changes (app.ts).
  const clientId = 'clientId' in subject ? subject.clientId : null;
  // Whose callback hears of it: the partner of a company or account, the client of an environment or tester.
  const owner =
    subject.resource === 'company' || subject.resource === 'account'
      ? { kind: 'partner' as const, id: subject.partnerId }
      : { kind: 'client' as const, id: subject.clientId };
  await appendEvent(trx, {
    type: event,
    partnerId,
    clientId,
    subject: { type: subjectType, id: subject.id },
    payload: {
      owner,
      resourceId: subject.id,
      state: change.state,
      previousState: change.previousState,
      reason: change.reason,
      data: change.data,
    },
    at,
  });
}

/** A change recorded and announced: its history row and its event. */
export async function recordState(
  trx: Tx,
  subject: StateSubject,
  change: StateChange & { data: Record<string, unknown> },
  at: string,
): Promise<void> {
  await writeHistory(trx, subject, change, at);
  await announceState(trx, subject, change, at);
}

/** A company's or account's states, oldest first (`GET /client/company/{id}`, `/system/account/{id}`). */
export async function partnerHistory(db: Kysely<Database>, resource: 'company' | 'account', id: number) {
  return db
    .selectFrom('messaging_partner_history')
    .select(['state', 'previous_state', 'reason', 'at'])
    .where('resource', '=', resource)
    .where('resource_id', '=', id)
    .orderBy('id')
    .execute();
}
