// The supervisor view (docs/CONSOLE.md "Supervisor view"): for admins and managers, every waiting and open conversation
// of their websites with its operator, wait and queue place, and each operator's load and availability, in one read
// the console polls (the read cache answers a poll from memory while nothing changed). Routes: supervision-routes.ts.
import type { Kysely } from 'kysely';
import { type Database, MESSAGE_KIND } from '../../db/schema.js';
import { fieldInvalid, fieldMissing, notPermitted, unknownResource } from '../../errors.js';
import { formatDateTime } from '../../time.js';
import { presentOperatorLive } from '../people/live-present.js';
import { loadOperatorLive } from '../people/live-store.js';
import { authorize, clientScope, type Principal, sessionManages } from '../tenancy/policy.js';
import { queueSnapshot } from './queue.js';
import type { SupervisedStatus } from './supervision-schema.js';
import type { TransferTarget } from './transfer.js';

/** Most conversations one answer lists: a team's live workload, not an export. */
export const SUPERVISION_LIMIT = 500;
const PREVIEW_LENGTH = 140;

/** 403 unless the caller supervises: an API key of the client, or a console session of an admin or manager. */
export function authorizeSupervision(principal: Principal): void {
  authorize(principal, 'conversation', 'list');
  if (principal.scope === 'client' && principal.session !== undefined && !sessionManages(principal.session))
    throw notPermitted(
      "An operator's console session cannot supervise conversations: a manager or admin role is needed.",
    );
}

export interface SupervisionFilter {
  websiteId?: number;
  status?: SupervisedStatus;
}

const displayName = (row: { pseudo: string | null; name: string }) =>
  row.pseudo !== null && row.pseudo.trim() !== '' ? row.pseudo : row.name;

function visitorName(firstname: string | null, lastname: string | null): string | null {
  const name = [firstname, lastname]
    .filter((part) => part !== null && part.trim() !== '')
    .join(' ')
    .trim();
  return name === '' ? null : name;
}

/** The last visitor or operator message of each conversation. */
async function lastMessages(db: Kysely<Database>, conversationIds: number[]) {
  const previews = new Map<number, { from: 'visitor' | 'operator'; text: string; at: string }>();
  if (conversationIds.length === 0) return previews;
  const spoken = [MESSAGE_KIND.visitor, MESSAGE_KIND.operator];
  const rows = await db
    .selectFrom('conversation_message as m')
    .select(['m.conversation_id', 'm.kind', 'm.body', 'm.created_at'])
    .where('m.conversation_id', 'in', conversationIds)
    .where('m.seq', '=', (eb) =>
      eb
        .selectFrom('conversation_message as l')
        .select((inner) => inner.fn.max('l.seq').as('seq'))
        .whereRef('l.conversation_id', '=', 'm.conversation_id')
        .where('l.kind', 'in', spoken),
    )
    .execute();
  for (const row of rows)
    previews.set(row.conversation_id, {
      from: row.kind === MESSAGE_KIND.visitor ? 'visitor' : 'operator',
      text: row.body.length > PREVIEW_LENGTH ? `${row.body.slice(0, PREVIEW_LENGTH - 1)}…` : row.body,
      at: formatDateTime(row.created_at),
    });
  return previews;
}

/** What the supervisor sees now: waiting conversations in queue order, then open ones, and the operators. */
export async function superviseConversations(
  db: Kysely<Database>,
  principal: Principal,
  filter: SupervisionFilter,
  now: Date = new Date(),
) {
  if (filter.websiteId !== undefined) {
    const website = await db
      .selectFrom('website')
      .select('id')
      .where('id', '=', filter.websiteId)
      .where(clientScope(principal, 'website.client_id'))
      .executeTakeFirst();
    if (!website) throw unknownResource('website', filter.websiteId, 'website_id');
  }
  let query = db
    .selectFrom('conversation as c')
    .innerJoin('website as w', 'w.id', 'c.website_id')
    .innerJoin('visitor as v', 'v.id', 'c.visitor_id')
    .leftJoin('operator as o', 'o.id', 'c.operator_id')
    .select([
      'c.id',
      'c.website_id',
      'c.channel',
      'c.source',
      'c.status',
      'c.operator_id',
      'c.created_at',
      'c.queued_at',
      'c.assigned_at',
      'w.label as website_label',
      'w.url as website_url',
      'v.id as visitor_id',
      'v.firstname',
      'v.lastname',
      'v.email',
      'o.name as operator_name',
      'o.pseudo as operator_pseudo',
    ])
    .where(clientScope(principal, 'c.client_id'))
    .where('c.status', 'in', filter.status === undefined ? ['waiting', 'open'] : [filter.status]);
  if (filter.websiteId !== undefined) query = query.where('c.website_id', '=', filter.websiteId);
  const rows = await query.orderBy('c.created_at').orderBy('c.id').limit(SUPERVISION_LIMIT).execute();

  const waitingWebsites = [...new Set(rows.filter((row) => row.status === 'waiting').map((row) => row.website_id))];
  const places = new Map<number, { position: number; estimatedWaitSeconds: number }>();
  for (const websiteId of waitingWebsites)
    for (const entry of await queueSnapshot(db, websiteId, now)) places.set(entry.conversationId, entry);
  const previews = await lastMessages(
    db,
    rows.map((row) => row.id),
  );

  const conversations = rows.map((row) => {
    const place = places.get(row.id);
    const waiting = row.status === 'waiting' && row.operator_id === null;
    return {
      id: row.id,
      website_id: row.website_id,
      website: row.website_label.trim() === '' ? row.website_url : row.website_label,
      channel: row.channel,
      source: row.source,
      status: row.status,
      visitor: { id: row.visitor_id, name: visitorName(row.firstname, row.lastname), email: row.email },
      operator_id: row.operator_id,
      operator_name:
        row.operator_name === null ? null : displayName({ pseudo: row.operator_pseudo, name: row.operator_name }),
      created_at: formatDateTime(row.created_at),
      waiting_since: waiting ? formatDateTime(row.queued_at ?? row.created_at) : null,
      assigned_at: row.assigned_at === null ? null : formatDateTime(row.assigned_at),
      queue_position: place?.position ?? null,
      estimated_wait_seconds: place?.estimatedWaitSeconds ?? null,
      last_message: previews.get(row.id) ?? null,
    };
  });
  // Waiting ones first, as the queue serves them; then the open ones, longest running first.
  conversations.sort((a, b) => {
    const rank = (row: (typeof conversations)[number]) => (row.status === 'waiting' ? 0 : 1);
    if (rank(a) !== rank(b)) return rank(a) - rank(b);
    if (a.queue_position !== null && b.queue_position !== null && a.website_id === b.website_id)
      return a.queue_position - b.queue_position;
    return a.created_at.localeCompare(b.created_at) || a.id - b.id;
  });

  let operatorQuery = db
    .selectFrom('operator')
    .select(['id', 'name', 'pseudo', 'roles'])
    .where('deleted_at', 'is', null)
    .where(clientScope(principal, 'operator.client_id'));
  if (filter.websiteId !== undefined) {
    const websiteId = filter.websiteId;
    operatorQuery = operatorQuery.where('id', 'in', (eb) =>
      eb.selectFrom('operator_website').select('operator_id').where('website_id', '=', websiteId),
    );
  }
  const operatorRows = await operatorQuery.orderBy('name').orderBy('id').limit(SUPERVISION_LIMIT).execute();
  const ids = operatorRows.map((row) => row.id);
  const live = new Map((await loadOperatorLive(db, principal, ids)).map((record) => [record.id, record]));
  const links =
    ids.length === 0
      ? []
      : await db
          .selectFrom('operator_website')
          .select(['operator_id', 'website_id'])
          .where('operator_id', 'in', ids)
          .orderBy('website_id')
          .execute();
  const operators = operatorRows.flatMap((row) => {
    const record = live.get(row.id);
    if (record === undefined) return [];
    return [
      {
        ...presentOperatorLive(record),
        name: displayName(row),
        roles: parseRoles(row.roles),
        website_list: links.filter((link) => link.operator_id === row.id).map((link) => link.website_id),
      },
    ];
  });
  return { server_time: formatDateTime(now.toISOString()), conversations, operators };
}

function parseRoles(stored: string): string[] {
  try {
    const roles: unknown = JSON.parse(stored);
    return Array.isArray(roles) ? roles.filter((role): role is string => typeof role === 'string') : [];
  } catch {
    return [];
  }
}

/** The one target a transfer body names (400 naming the field when none or several). */
export function transferTargetOf(body: { operator_id?: number; group_id?: number; skill_id?: number }): TransferTarget {
  const given = [body.operator_id, body.group_id, body.skill_id].filter((value) => value !== undefined).length;
  if (given === 0) throw fieldMissing('operator_id');
  if (given > 1) throw fieldInvalid('operator_id', 'Give exactly one of operator_id, group_id and skill_id.');
  if (body.operator_id !== undefined) return { operatorId: body.operator_id };
  if (body.group_id !== undefined) return { groupId: body.group_id };
  return { skillId: body.skill_id ?? 0 };
}
