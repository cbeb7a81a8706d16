// Apps and their lifecycle (seed 003, Build apps): a developer edits a draft (sandbox), submits it as a numbered version
// (under_review), the platform admin approves it (published: the marketplace shows that version, frozen) or refuses it
// with a reason (back to sandbox). Editing a published app starts a new draft; the published version stays installed
// and listed until the next one is approved. Who may see what is decided here: a developer their own apps, the platform
// admin every app; client, partner and operator keys none (they see the marketplace).
import { randomUUID } from 'node:crypto';
import { type Kysely, type SelectQueryBuilder, sql } from 'kysely';
import { sealText } from '../../channels/secrets.js';
import { isUniqueViolation } from '../../db/dialect.js';
import { type IdPage, inIdOrder, pageOfIds } from '../../db/paging.js';
import type { AppRow, AppVersionRow, AppWebhookRow, Database } from '../../db/schema.js';
import { ApiError, conflict, fieldInvalid, notPermitted, unknownResource } from '../../errors.js';
import { type Tx, transact } from '../../events/transact.js';
import type { OutboundAllowlist } from '../../http/outbound.js';
import type { ListQuery } from '../../list-query.js';
import { nowInstant } from '../../time.js';
import { EVENT_SELECTORS } from '../../webhooks/payloads.js';
import { newSecret } from '../../webhooks/signing.js';
import type { Principal } from '../tenancy/policy.js';
import {
  type AppDefinition,
  type AppDraft,
  applyDraftChanges,
  connectorUrl,
  type DraftChanges,
  EMPTY_DRAFT,
  readDraft,
  submissionProblem,
} from './definition.js';
import { newSigningSecret } from './signing.js';

/** Throws 403 unless the principal is a developer (apps are theirs to change). */
export function developerOf(principal: Principal): number {
  if (principal.scope !== 'developer')
    throw notPermitted(`A ${principal.scope} API key cannot change apps: log in to the developer area.`);
  return principal.developerId;
}

/** Throws 403 unless the principal may read apps: their developer, or the platform admin. */
function appReader(principal: Principal): void {
  if (principal.scope !== 'developer' && principal.scope !== 'platform')
    throw notPermitted(
      `A ${principal.scope} API key cannot read apps: see the marketplace (GET /api/2/marketplace) instead.`,
    );
}

function visibleApps(db: Kysely<Database>, principal: Principal): SelectQueryBuilder<Database, 'app', { id: number }> {
  appReader(principal);
  const apps = db.selectFrom('app').select('id').where('deleted_at', 'is', null);
  return principal.scope === 'developer' ? apps.where('developer_id', '=', principal.developerId) : apps;
}

export const APP_FILTERS = {
  status: { kind: 'text', description: '`sandbox`, `under_review` or `published`.' },
  developer_id: { kind: 'id', description: "The developer's id (platform admin)." },
} as const;

export async function listAppIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<keyof typeof APP_FILTERS>,
): Promise<IdPage> {
  let matches = visibleApps(db, principal);
  const status = query.filters.status;
  if (typeof status === 'string') {
    if (!['sandbox', 'under_review', 'published'].includes(status))
      throw fieldInvalid('filters[status]', 'Expected sandbox, under_review or published.');
    matches = matches.where('status', '=', status as AppRow['status']);
  }
  if (typeof query.filters.developer_id === 'number')
    matches = matches.where('developer_id', '=', query.filters.developer_id);
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadApps(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<AppRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('app')
    .selectAll()
    .where('id', 'in', visibleApps(db, principal).where('id', 'in', ids))
    .execute();
  return inIdOrder(ids, rows);
}

export async function loadApp(db: Kysely<Database>, principal: Principal, id: number): Promise<AppRow> {
  const [row] = await loadApps(db, principal, [id]);
  if (row === undefined) throw unknownResource('app', id);
  return row;
}

export interface AppInput extends DraftChanges {
  name?: string;
}

/** Creates an app in sandbox for the developer. */
export async function createApp(
  db: Kysely<Database>,
  allowlist: OutboundAllowlist,
  key: Buffer,
  developerId: number,
  input: AppInput & { name: string },
): Promise<number> {
  const draft = applyDraftChanges(EMPTY_DRAFT, input, allowlist);
  await checkClients(db, draft);
  const at = nowInstant();
  return transact(db, async (trx) => {
    const { id } = await trx
      .insertInto('app')
      .values({
        developer_id: developerId,
        uuid: randomUUID(),
        name: input.name.trim(),
        status: 'sandbox',
        draft: JSON.stringify(draft),
        published_version_id: null,
        review_reason: null,
        signing_secret: null,
        deleted_at: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    // Sealed once the id it is bound to is known.
    await trx
      .updateTable('app')
      .set({ signing_secret: newSigningSecret(key, id).sealed })
      .where('id', '=', id)
      .execute();
    return id;
  });
}

/** Clients named by a private app must exist (the developer learns nothing more of them). */
async function checkClients(db: Kysely<Database>, draft: AppDraft): Promise<void> {
  if (draft.client_ids.length === 0) return;
  const found = new Set(
    (await db.selectFrom('client').select('id').where('id', 'in', draft.client_ids).execute()).map((row) => row.id),
  );
  const missing = draft.client_ids.findIndex((id) => !found.has(id));
  if (missing !== -1)
    throw fieldInvalid(`client_ids[${missing}]`, `Unknown 'client' with 'id' ${draft.client_ids[missing]}.`);
}

const underReview = () =>
  new ApiError(
    'app_under_review',
    409,
    'The app is under review: it cannot be changed until the review ends (approved or refused).',
  );

/**
 * In the change's transaction: marks the draft changed — a published app goes back to sandbox (its published version
 * stays listed and installed) — or refuses the change while the app is under review (checked on the row itself, so
 * a submission that commits first wins).
 */
async function markDraftChanged(trx: Tx, app: AppRow, at: string): Promise<void> {
  const marked = await trx
    .updateTable('app')
    .set({ status: 'sandbox', updated_at: at })
    .where('id', '=', app.id)
    .where('status', '!=', 'under_review')
    .executeTakeFirst();
  if (Number(marked.numUpdatedRows) !== 1) throw underReview();
}

/** Changes the draft's fields given. */
export async function updateApp(
  db: Kysely<Database>,
  allowlist: OutboundAllowlist,
  app: AppRow,
  input: AppInput,
): Promise<void> {
  const draft = applyDraftChanges(readDraft(app.draft), input, allowlist);
  await checkClients(db, draft);
  if (app.status === 'under_review') throw underReview();
  const updated = await db
    .updateTable('app')
    .set({
      ...(input.name !== undefined && { name: input.name.trim() }),
      draft: JSON.stringify(draft),
      status: 'sandbox',
      updated_at: nowInstant(),
    })
    .where('id', '=', app.id)
    .where('status', '!=', 'under_review')
    .executeTakeFirst();
  if (Number(updated.numUpdatedRows) !== 1) throw underReview();
}

/** Deletes an app no client has installed; its versions stay for the record, out of the marketplace. */
export async function deleteApp(db: Kysely<Database>, app: AppRow): Promise<void> {
  await transact(db, async (trx) => {
    const installed = await trx
      .selectFrom('app_installation')
      .select((eb) => eb.fn.countAll<number>().as('count'))
      .where('app_id', '=', app.id)
      .where('deleted_at', 'is', null)
      .executeTakeFirstOrThrow();
    if (Number(installed.count) > 0)
      throw conflict(
        `The app is installed by ${Number(installed.count)} client(s): it can be deleted once they have uninstalled it.`,
      );
    await trx.updateTable('app').set({ deleted_at: nowInstant() }).where('id', '=', app.id).execute();
  });
}

// The app's webhooks (seed 003, Webhooks): created for each client that installs the app, signed with one token.

export interface AppWebhookInput {
  name?: string;
  url?: string;
  content_type?: 'application/json' | 'application/x-www-form-urlencoded';
  events?: string[];
}

function readEvents(events: readonly string[]): string[] {
  const unknown = events.find((selector) => !EVENT_SELECTORS.includes(selector));
  if (unknown !== undefined)
    throw fieldInvalid(
      'events',
      `Unknown event '${unknown}'. Expected '*', a domain (conversations.domain, users.domain) or event names such as conversation.closed.`,
    );
  return [...new Set(events)];
}

export async function listAppWebhooks(db: Kysely<Database>, appId: number): Promise<AppWebhookRow[]> {
  return db.selectFrom('app_webhook').selectAll().where('app_id', '=', appId).orderBy('id').execute();
}

export async function loadAppWebhook(db: Kysely<Database>, appId: number, id: number): Promise<AppWebhookRow> {
  const row = await db
    .selectFrom('app_webhook')
    .selectAll()
    .where('app_id', '=', appId)
    .where('id', '=', id)
    .executeTakeFirst();
  if (row === undefined) throw unknownResource('webhook', id);
  return row;
}

export const appWebhookBinding = (id: number) => `app_webhook:${id}`;

/** Adds a webhook to the app's draft, with a security token of its own (generated, never editable). */
export async function createAppWebhook(
  db: Kysely<Database>,
  allowlist: OutboundAllowlist,
  key: Buffer,
  app: AppRow,
  input: AppWebhookInput & { url: string; events: string[] },
): Promise<number> {
  const url = connectorUrl(input.url, 'url', allowlist);
  const events = readEvents(input.events);
  const at = nowInstant();
  return transact(db, async (trx) => {
    await markDraftChanged(trx, app, at);
    const { id } = await trx
      .insertInto('app_webhook')
      .values({
        app_id: app.id,
        name: input.name?.trim() || new URL(url).host,
        url,
        content_type: input.content_type ?? 'application/json',
        events: JSON.stringify(events),
        secret: '',
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('app_webhook')
      .set({ secret: sealText(key, appWebhookBinding(id), newSecret()) })
      .where('id', '=', id)
      .execute();
    return id;
  });
}

export async function updateAppWebhook(
  db: Kysely<Database>,
  allowlist: OutboundAllowlist,
  app: AppRow,
  webhook: AppWebhookRow,
  input: AppWebhookInput,
): Promise<void> {
  const at = nowInstant();
  const url = input.url === undefined ? undefined : connectorUrl(input.url, 'url', allowlist);
  const events = input.events === undefined ? undefined : readEvents(input.events);
  await transact(db, async (trx) => {
    await markDraftChanged(trx, app, at);
    await trx
      .updateTable('app_webhook')
      .set({
        ...(input.name !== undefined && { name: input.name.trim() }),
        ...(url !== undefined && { url }),
        ...(input.content_type !== undefined && { content_type: input.content_type }),
        ...(events !== undefined && { events: JSON.stringify(events) }),
        updated_at: at,
      })
      .where('id', '=', webhook.id)
      .execute();
  });
}

export async function deleteAppWebhook(db: Kysely<Database>, app: AppRow, webhook: AppWebhookRow): Promise<void> {
  await transact(db, async (trx) => {
    await markDraftChanged(trx, app, nowInstant());
    await trx.deleteFrom('app_webhook').where('id', '=', webhook.id).execute();
  });
}

// Versions: submission and review.

export const VERSION_PATTERN = '^\\d{1,4}(\\.\\d{1,4}){0,3}$';

/** Freezes the draft as a numbered version waiting for review. */
export async function submitApp(db: Kysely<Database>, app: AppRow, version: string): Promise<number> {
  if (app.status === 'under_review') throw underReview();
  const draft = readDraft(app.draft);
  const problem = submissionProblem(draft);
  if (problem !== undefined) throw fieldInvalid(problem.field, problem.problem);
  const webhooks = await listAppWebhooks(db, app.id);
  const definition: AppDefinition = {
    ...draft,
    name: app.name,
    webhooks: webhooks.map((webhook) => ({
      id: webhook.id,
      name: webhook.name,
      url: webhook.url,
      content_type: webhook.content_type,
      events: JSON.parse(webhook.events) as string[],
      secret: webhook.secret,
    })),
  };
  const at = nowInstant();
  try {
    return await transact(db, async (trx) => {
      const moved = await trx
        .updateTable('app')
        .set({ status: 'under_review', review_reason: null, updated_at: at })
        .where('id', '=', app.id)
        .where('status', '!=', 'under_review')
        .executeTakeFirst();
      if (Number(moved.numUpdatedRows) !== 1) throw underReview();
      const { id } = await trx
        .insertInto('app_version')
        .values({
          app_id: app.id,
          uuid: randomUUID(),
          version,
          status: 'under_review',
          definition: JSON.stringify(definition),
          review_reason: null,
          submitted_at: at,
          reviewed_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      return id;
    });
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict(`Version ${version} of this app exists already: submit a new version number.`, 'version');
    throw error;
  }
}

/** The platform admin's decision on the version under review. */
export async function reviewApp(
  db: Kysely<Database>,
  app: AppRow,
  decision: { decision: 'approved' | 'refused'; reason?: string | undefined },
): Promise<void> {
  const reason = decision.reason?.trim() ?? '';
  if (decision.decision === 'refused' && reason === '')
    throw fieldInvalid('reason', 'A refusal says why, so the developer can correct the app.');
  const at = nowInstant();
  await transact(db, async (trx) => {
    const version = await trx
      .selectFrom('app_version')
      .select('id')
      .where('app_id', '=', app.id)
      .where('status', '=', 'under_review')
      .executeTakeFirst();
    if (version === undefined || app.status !== 'under_review')
      throw conflict('The app has no version under review: the developer submits one first.');
    await trx
      .updateTable('app_version')
      .set({
        status: decision.decision === 'approved' ? 'published' : 'refused',
        review_reason: reason === '' ? null : reason,
        reviewed_at: at,
      })
      .where('id', '=', version.id)
      .execute();
    await trx
      .updateTable('app')
      .set(
        decision.decision === 'approved'
          ? { status: 'published', published_version_id: version.id, review_reason: null, updated_at: at }
          : { status: 'sandbox', review_reason: reason, updated_at: at },
      )
      .where('id', '=', app.id)
      .execute();
  });
}

export async function listVersions(db: Kysely<Database>, appId: number): Promise<AppVersionRow[]> {
  return db.selectFrom('app_version').selectAll().where('app_id', '=', appId).orderBy('id', 'desc').execute();
}

/** Published versions' rows by id (marketplace, installations). */
export async function versionsById(db: Kysely<Database>, ids: number[]): Promise<Map<number, AppVersionRow>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('app_version')
    .selectAll()
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row]));
}

/** Developers' names by id, for the marketplace. */
export async function developerNames(db: Kysely<Database>, ids: number[]): Promise<Map<number, string>> {
  if (ids.length === 0) return new Map();
  const rows = await db
    .selectFrom('developer')
    .select(['id', sql<string>`coalesce(company, name)`.as('shown')])
    .where('id', 'in', [...new Set(ids)])
    .execute();
  return new Map(rows.map((row) => [row.id, row.shown]));
}
