// The marketplace and installations (seed 003): a client sees the published public apps and the private apps granted
// to it; installing one sends each step's values to its verification URL (the seed's request and response), and only
// when every step is valid installs it in one transaction: the installation (values sealed), a client-scoped API key
// for the app, the app's webhooks made for the client, and `connector.installed` for each website. Uninstalling
// revokes the key, emits `connector.uninstalled` and retires those webhooks (they still receive that event).
import type { Kysely } from 'kysely';
import { openText, sealText } from '../../channels/secrets.js';
import { isUniqueViolation } from '../../db/dialect.js';
import type { AppInstallationRow, AppRow, AppVersionRow, Database } from '../../db/schema.js';
import { isEmailAddress } from '../../email.js';
import { conflict, fieldInvalid, fieldMissing, unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { type Tx, transact } from '../../events/transact.js';
import type { OutboundGuard } from '../../http/outbound.js';
import { nowInstant } from '../../time.js';
import { sealWebhookSecret } from '../../webhooks/signing.js';
import { generateKeyMaterial } from '../tenancy/keys.js';
import { assertOwned, clientScope, type Principal, targetClient } from '../tenancy/policy.js';
import { appWebhookBinding } from './apps.js';
import { type AppDefinition, type AppField, readDefinition } from './definition.js';
import { openSigningSecret } from './signing.js';
import { type StepVerdict, verifyStep } from './verification.js';

export const STEPS = ['authentication', 'settings'] as const;
export type Step = (typeof STEPS)[number];

/** An app in the marketplace: the app and its published version. */
export interface MarketplaceEntry {
  app: AppRow;
  version: AppVersionRow;
  definition: AppDefinition;
}

/** The apps a client may install: published, and public or granted to it. `clientId` undefined: public ones only. */
export async function marketplace(db: Kysely<Database>, clientId: number | undefined): Promise<MarketplaceEntry[]> {
  const rows = await db
    .selectFrom('app')
    .innerJoin('app_version', 'app_version.id', 'app.published_version_id')
    .selectAll('app')
    .select([
      'app_version.id as version_id',
      'app_version.uuid as version_uuid',
      'app_version.version as version_number',
      'app_version.status as version_status',
      'app_version.definition as version_definition',
      'app_version.review_reason as version_review_reason',
      'app_version.submitted_at as version_submitted_at',
      'app_version.reviewed_at as version_reviewed_at',
    ])
    .where('app.deleted_at', 'is', null)
    .orderBy('app.name')
    .orderBy('app.id')
    .execute();
  const entries: MarketplaceEntry[] = [];
  for (const row of rows) {
    const definition = readDefinition(row.version_definition);
    const granted =
      definition.privacy === 'public' || (clientId !== undefined && definition.client_ids.includes(clientId));
    if (!granted) continue;
    const { version_id, version_uuid, version_number, version_status, version_definition, ...app } = row;
    entries.push({
      app,
      version: {
        id: version_id,
        app_id: app.id,
        uuid: version_uuid,
        version: version_number,
        status: version_status,
        definition: version_definition,
        review_reason: row.version_review_reason,
        submitted_at: row.version_submitted_at,
        reviewed_at: row.version_reviewed_at,
      },
      definition,
    });
  }
  return entries;
}

/** One app of the client's marketplace, or 404 (an app it may not install does not exist for it). */
export async function marketplaceEntry(db: Kysely<Database>, clientId: number, appId: number) {
  const entry = (await marketplace(db, clientId)).find((candidate) => candidate.app.id === appId);
  if (entry === undefined) throw unknownResource('app', appId, 'app_id');
  return entry;
}

/** Field values as the API takes them: an object of field id → value, per step. */
export type StepValues = Record<string, string | number | boolean>;

/** Checks a step's values against its fields (each one given, of its type); answers them as text in field order. */
export function readStepValues(
  step: Step,
  fields: readonly AppField[],
  given: StepValues | undefined,
): Array<{ field: AppField; value: string }> {
  const values = given ?? {};
  const known = new Set(fields.map((field) => field.id));
  const unknown = Object.keys(values).find((id) => !known.has(id));
  if (unknown !== undefined) throw fieldInvalid(`${step}[${unknown}]`, `The app has no ${step} field '${unknown}'.`);
  return fields.map((field) => {
    const name = `${step}[${field.id}]`;
    const raw = values[field.id];
    if (field.type === 'CHECKBOX') {
      if (raw === undefined) return { field, value: 'false' };
      const checked = raw === true || raw === 'true' || raw === '1' || raw === 1;
      const unchecked = raw === false || raw === 'false' || raw === '0' || raw === 0;
      if (!checked && !unchecked) throw fieldInvalid(name, 'Expected true or false.');
      return { field, value: checked ? 'true' : 'false' };
    }
    if (raw === undefined || String(raw).trim() === '') throw fieldMissing(name);
    const value = String(raw).trim();
    if (value.length > 2000) throw fieldInvalid(name, 'Expected at most 2000 characters.');
    if (field.type === 'NUMERIC' && !/^-?\d+(\.\d+)?$/.test(value)) throw fieldInvalid(name, 'Expected a number.');
    if (field.type === 'EMAIL' && !isEmailAddress(value)) throw fieldInvalid(name, 'Expected an email address.');
    if (field.type === 'URL') {
      let url: URL | undefined;
      try {
        url = new URL(value);
      } catch {
        url = undefined;
      }
      if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:'))
        throw fieldInvalid(name, "Expected an absolute URL, such as 'https://crm.example.com'.");
    }
    return { field, value };
  });
}

export interface InstallInput {
  app_id: number;
  client_id?: number | undefined;
  website_id?: number[] | undefined;
  authentication?: StepValues | undefined;
  settings?: StepValues | undefined;
}

/** A step the app's connector refused: its verdict, for the 422 answer. */
export class StepRefused extends Error {
  constructor(
    readonly step: Step,
    readonly verdict: StepVerdict,
  ) {
    super(verdict.message === '' ? `The app refused the ${step} values.` : verdict.message);
  }
}

/** Verifies one step alone (the console's wizard, step by step): throws StepRefused when the connector refuses. */
export async function verifyInstallStep(
  db: Kysely<Database>,
  outbound: OutboundGuard,
  key: Buffer,
  principal: Principal,
  input: { app_id: number; client_id?: number | undefined; step: Step; values?: StepValues | undefined },
): Promise<void> {
  const clientId = await targetClient(db, principal, input.client_id);
  const { app, version, definition } = await marketplaceEntry(db, clientId, input.app_id);
  const values = readStepValues(input.step, definition[input.step].fields, input.values);
  const url = definition[input.step].verification_url;
  if (url === null) return;
  const signingSecret = openSigningSecret(key, app.id, app.signing_secret);
  const verdict = await verifyStep(outbound, url, values, { app, version, clientId, signingSecret });
  if (!verdict.isValid) throw new StepRefused(input.step, verdict);
}

/** Installs an app for a client once every step's values are valid; answers the installation's id. */
export async function installApp(
  db: Kysely<Database>,
  outbound: OutboundGuard,
  key: Buffer,
  principal: Principal,
  input: InstallInput,
): Promise<number> {
  const clientId = await targetClient(db, principal, input.client_id);
  const { app, version, definition } = await marketplaceEntry(db, clientId, input.app_id);
  const installed = await liveInstallation(db, clientId, app.id);
  if (installed !== undefined) throw alreadyInstalled(definition.name, installed.id);
  const { websiteIds, covered } = await installedWebsites(db, clientId, input.website_id);
  const steps = STEPS.map((step) => ({
    step,
    url: definition[step].verification_url,
    values: readStepValues(step, definition[step].fields, input[step]),
  }));
  // The app's API key is made now and given to the app on its last verification call; it exists only if installed.
  const material = await generateKeyMaterial();
  const lastVerified = steps.filter((step) => step.url !== null).at(-1)?.step;
  const signingSecret = openSigningSecret(key, app.id, app.signing_secret);
  for (const { step, url, values } of steps) {
    if (url === null) continue;
    const verdict = await verifyStep(outbound, url, values, {
      app,
      version,
      clientId,
      signingSecret,
      ...(step === lastVerified && { apiKey: material.plaintext }),
    });
    if (!verdict.isValid) throw new StepRefused(step, verdict);
  }
  const at = nowInstant();
  const fieldValues = Object.fromEntries(steps.flatMap(({ values }) => values.map((v) => [v.field.id, v.value])));
  try {
    return await transact(db, async (trx) => {
      // Checked again in the transaction that records it: the verification calls above took time.
      const again = await liveInstallation(trx, clientId, app.id);
      if (again !== undefined) throw alreadyInstalled(definition.name, again.id);
      // The websites named are checked here, in the transaction that records them.
      if (covered.length > 0) await assertOwned(trx, 'website', covered, clientId, 'website_id');
      const { id: keyId } = await trx
        .insertInto('api_key')
        .values({
          public_id: material.publicId,
          secret_hash: material.secretHash,
          scope: 'client',
          partner_id: null,
          client_id: clientId,
          name: `App: ${definition.name}`.slice(0, 100),
          created_at: at,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendEvent(trx, {
        type: 'api_key.created',
        clientId,
        subject: { type: 'api_key', id: keyId },
        payload: { scope: 'client', name: `App: ${definition.name}`.slice(0, 100) },
        at,
      });
      const { id } = await trx
        .insertInto('app_installation')
        .values({
          client_id: clientId,
          app_id: app.id,
          app_version_id: version.id,
          website_ids: JSON.stringify(covered),
          field_values: '',
          api_key_id: keyId,
          created_at: at,
          deleted_at: null,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await trx
        .updateTable('app_installation')
        .set({ field_values: sealText(key, installationBinding(id), JSON.stringify(fieldValues)) })
        .where('id', '=', id)
        .execute();
      for (const webhook of definition.webhooks) {
        const secret = openText(key, appWebhookBinding(webhook.id), webhook.secret);
        const { id: webhookId } = await trx
          .insertInto('webhook')
          .values({
            client_id: clientId,
            name: `${definition.name}: ${webhook.name}`.slice(0, 200),
            url: webhook.url,
            events: JSON.stringify(webhook.events),
            website_ids: JSON.stringify(covered),
            content_type: webhook.content_type,
            compat: 'standard',
            format: 'v2',
            enabled: 1,
            disabled_reason: null,
            secret: '',
            previous_secret: null,
            previous_secret_expires_at: null,
            failing_since: null,
            created_at: at,
            updated_at: at,
            installation_id: id,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        await trx
          .updateTable('webhook')
          .set({ secret: sealWebhookSecret(key, webhookId, secret) })
          .where('id', '=', webhookId)
          .execute();
        await appendEvent(trx, {
          type: 'webhook.created',
          clientId,
          subject: { type: 'webhook', id: webhookId },
          payload: { webhookId, url: webhook.url, events: webhook.events },
          at,
        });
      }
      for (const websiteId of websiteIds)
        await appendEvent(trx, {
          type: 'connector.installed',
          clientId,
          subject: { type: 'app_installation', id },
          payload: { websiteId, connectorId: app.uuid, connectorVersionId: version.uuid },
          at,
        });
      return id;
    });
  } catch (error) {
    // Two installs raced past the check: the partial unique index (client, app) of live installations refused one.
    if (!isUniqueViolation(error)) throw error;
    const winner = await liveInstallation(db, clientId, app.id);
    if (winner === undefined) throw error;
    throw alreadyInstalled(definition.name, winner.id);
  }
}

/** The client's live (not uninstalled) installation of the app, if any. */
function liveInstallation(
  db: Kysely<Database> | Tx,
  clientId: number,
  appId: number,
): Promise<{ id: number } | undefined> {
  return db
    .selectFrom('app_installation')
    .select('id')
    .where('client_id', '=', clientId)
    .where('app_id', '=', appId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
}

/** 409: the client has a live installation of the app already. */
function alreadyInstalled(appName: string, installationId: number) {
  return conflict(
    `'${appName}' is installed already (installation ${installationId}): change it with PUT /api/2/installation/${installationId}, or uninstall it first.`,
    'app_id',
  );
}

export const installationBinding = (id: number) => `app_installation:${id}`;

/**
 * The websites an installation covers: those named (checked the client's own by the install transaction), or, when
 * none are named, every website of the client, those added later included (stored as `[]`, as a webhook's empty list
 * means every website). `websiteIds`: the websites it covers today, one `connector.installed` each.
 */
async function installedWebsites(
  db: Kysely<Database>,
  clientId: number,
  requested: number[] | undefined,
): Promise<{ websiteIds: number[]; covered: number[] }> {
  if (requested !== undefined && requested.length > 0) {
    const websiteIds = [...new Set(requested)];
    return { websiteIds, covered: websiteIds };
  }
  const all = await db.selectFrom('website').select('id').where('client_id', '=', clientId).orderBy('id').execute();
  if (all.length === 0) throw fieldInvalid('website_id', 'The client has no website to install the app on.');
  return { websiteIds: all.map((row) => row.id), covered: [] };
}

/** The websites an installation covers today (`[]` stored: every website of the client). */
export async function coveredWebsites(db: Kysely<Database> | Tx, installation: AppInstallationRow): Promise<number[]> {
  const stored = JSON.parse(installation.website_ids) as number[];
  if (stored.length > 0) return stored;
  const all = await db
    .selectFrom('website')
    .select('id')
    .where('client_id', '=', installation.client_id)
    .orderBy('id')
    .execute();
  return all.map((row) => row.id);
}

export async function loadInstallations(
  db: Kysely<Database>,
  principal: Principal,
  ids?: number[],
): Promise<AppInstallationRow[]> {
  let query = db
    .selectFrom('app_installation')
    .selectAll()
    .where('deleted_at', 'is', null)
    .where(clientScope(principal, 'app_installation.client_id'));
  if (ids !== undefined) {
    if (ids.length === 0) return [];
    query = query.where('id', 'in', ids);
  }
  return query.orderBy('id', 'desc').limit(500).execute();
}

/**
 * Uninstalls: the app's key revoked, `connector.uninstalled` per website, and the app's webhooks for the client
 * retired. A retired subscription is switched off and gone for the API, but, as reactions follow committed events, it
 * still receives the events up to its installation's last `connector.uninstalled` (webhooks/dispatch.ts): the app
 * hears of its own uninstallation, and of nothing after it. Its delivery log stays with it.
 */
export async function uninstallApp(db: Kysely<Database>, installation: AppInstallationRow): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    const removed = await trx
      .updateTable('app_installation')
      .set({ deleted_at: at })
      .where('id', '=', installation.id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (Number(removed.numUpdatedRows) !== 1) throw unknownResource('installation', installation.id);
    if (installation.api_key_id !== null) {
      const revoked = await trx
        .updateTable('api_key')
        .set({ revoked_at: at })
        .where('id', '=', installation.api_key_id)
        .where('revoked_at', 'is', null)
        .executeTakeFirst();
      if (Number(revoked.numUpdatedRows) > 0)
        await appendEvent(trx, {
          type: 'api_key.revoked',
          clientId: installation.client_id,
          subject: { type: 'api_key', id: installation.api_key_id },
          at,
        });
    }
    const app = await trx
      .selectFrom('app')
      .select('uuid')
      .where('id', '=', installation.app_id)
      .executeTakeFirstOrThrow();
    const version = await trx
      .selectFrom('app_version')
      .select('uuid')
      .where('id', '=', installation.app_version_id)
      .executeTakeFirstOrThrow();
    // Appended while the app's subscriptions are still on, so the events are queued for dispatch (events/append.ts).
    for (const websiteId of await coveredWebsites(trx, installation))
      await appendEvent(trx, {
        type: 'connector.uninstalled',
        clientId: installation.client_id,
        subject: { type: 'app_installation', id: installation.id },
        payload: { websiteId, connectorId: app.uuid, connectorVersionId: version.uuid },
        at,
      });
    const lastEvent = await trx
      .selectFrom('event')
      .select('id')
      .where('client_id', '=', installation.client_id)
      .where('type', '=', 'connector.uninstalled')
      .where('subject_type', '=', 'app_installation')
      .where('subject_id', '=', installation.id)
      .orderBy('id', 'desc')
      .executeTakeFirst();
    const webhooks = await trx
      .selectFrom('webhook')
      .select(['id', 'url', 'enabled'])
      .where('installation_id', '=', installation.id)
      .where('retired_at', 'is', null)
      .execute();
    for (const { id, url, enabled } of webhooks) {
      if (enabled === 1 && lastEvent !== undefined)
        await trx
          .updateTable('webhook')
          .set({
            enabled: 0,
            disabled_reason: 'retired: the app was uninstalled.',
            retired_at: at,
            retired_by_event: lastEvent.id,
            updated_at: at,
          })
          .where('id', '=', id)
          .execute();
      else {
        // Switched off already (or no website to tell of): nothing more to send, so it goes as deleteWebhook does.
        await trx.deleteFrom('webhook_delivery').where('webhook_id', '=', id).execute();
        await trx.deleteFrom('webhook').where('id', '=', id).execute();
      }
      await appendEvent(trx, {
        type: 'webhook.deleted',
        clientId: installation.client_id,
        subject: { type: 'webhook', id },
        payload: { webhookId: id, url },
        at,
      });
    }
  });
}

export interface UpdateInstallationInput {
  website_id?: number[] | undefined;
  authentication?: StepValues | undefined;
  settings?: StepValues | undefined;
}

/**
 * Changes an installation's field values and websites. The values given replace the stored ones field by field (a
 * field left out keeps its value: PASSWORD values are never returned, so a client cannot send them back), then each
 * step goes to its verification URL as at install time (authentication, then settings; seed 003's payload, the
 * installed version's fields); a refusal (StepRefused) changes nothing. Valid: in one transaction the values are
 * sealed again, the websites and the app's webhooks' websites follow, `app_installation.updated` names the fields
 * changed, and each website added gets `connector.installed` (each one taken off, `connector.uninstalled`).
 */
export async function updateInstallation(
  db: Kysely<Database>,
  outbound: OutboundGuard,
  key: Buffer,
  installation: AppInstallationRow,
  input: UpdateInstallationInput,
): Promise<void> {
  const clientId = installation.client_id;
  const app = await db.selectFrom('app').selectAll().where('id', '=', installation.app_id).executeTakeFirstOrThrow();
  const version = await db
    .selectFrom('app_version')
    .selectAll()
    .where('id', '=', installation.app_version_id)
    .executeTakeFirstOrThrow();
  const definition = readDefinition(version.definition);
  const stored = installationValues(key, installation);
  const steps = STEPS.map((step) => {
    const fields = definition[step].fields;
    const kept: StepValues = {};
    for (const field of fields) {
      const value = stored[field.id];
      if (value !== undefined) kept[field.id] = value;
    }
    return {
      step,
      url: definition[step].verification_url,
      values: readStepValues(step, fields, { ...kept, ...input[step] }),
    };
  });
  if (input.website_id !== undefined && input.website_id.length === 0) {
    const any = await db.selectFrom('website').select('id').where('client_id', '=', clientId).executeTakeFirst();
    if (any === undefined) throw fieldInvalid('website_id', 'The client has no website to install the app on.');
  }
  const signingSecret = openSigningSecret(key, app.id, app.signing_secret);
  for (const { step, url, values } of steps) {
    if (url === null) continue;
    const verdict = await verifyStep(outbound, url, values, { app, version, clientId, signingSecret });
    if (!verdict.isValid) throw new StepRefused(step, verdict);
  }
  const fieldValues: Record<string, string> = Object.fromEntries(
    steps.flatMap(({ values }) => values.map((v) => [v.field.id, v.value])),
  );
  const changed = Object.keys(fieldValues).filter((id) => stored[id] !== fieldValues[id]);
  const at = nowInstant();
  await transact(db, async (trx) => {
    const current = await trx
      .selectFrom('app_installation')
      .selectAll()
      .where('id', '=', installation.id)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    if (current === undefined) throw unknownResource('installation', installation.id);
    const requested = input.website_id === undefined ? undefined : [...new Set(input.website_id)];
    if (requested !== undefined && requested.length > 0)
      await assertOwned(trx, 'website', requested, clientId, 'website_id');
    const before = await coveredWebsites(trx, current);
    const websiteIds = requested ?? (JSON.parse(current.website_ids) as number[]);
    await trx
      .updateTable('app_installation')
      .set({
        field_values: sealText(key, installationBinding(current.id), JSON.stringify(fieldValues)),
        website_ids: JSON.stringify(websiteIds),
      })
      .where('id', '=', current.id)
      .execute();
    const after = await coveredWebsites(trx, { ...current, website_ids: JSON.stringify(websiteIds) });
    if (requested !== undefined)
      await trx
        .updateTable('webhook')
        .set({ website_ids: JSON.stringify(websiteIds), updated_at: at })
        .where('installation_id', '=', current.id)
        .where('retired_at', 'is', null)
        .execute();
    const websitesChanged = requested !== undefined && current.website_ids !== JSON.stringify(websiteIds);
    await appendEvent(trx, {
      type: 'app_installation.updated',
      clientId,
      subject: { type: 'app_installation', id: current.id },
      payload: {
        installationId: current.id,
        appId: app.id,
        websiteIds,
        changed: [...changed, ...(websitesChanged ? ['website_id'] : [])],
      },
      at,
    });
    const connector = { connectorId: app.uuid, connectorVersionId: version.uuid };
    for (const websiteId of after.filter((id) => !before.includes(id)))
      await appendEvent(trx, {
        type: 'connector.installed',
        clientId,
        subject: { type: 'app_installation', id: current.id },
        payload: { websiteId, ...connector },
        at,
      });
    for (const websiteId of before.filter((id) => !after.includes(id)))
      await appendEvent(trx, {
        type: 'connector.uninstalled',
        clientId,
        subject: { type: 'app_installation', id: current.id },
        payload: { websiteId, ...connector },
        at,
      });
  });
}

/** The installation's values by field id (secret ones included: for calls to the connector, never for answers). */
export function installationValues(key: Buffer, installation: AppInstallationRow): Record<string, string> {
  const opened: unknown = JSON.parse(openText(key, installationBinding(installation.id), installation.field_values));
  const values: Record<string, string> = {};
  if (typeof opened === 'object' && opened !== null)
    for (const [id, value] of Object.entries(opened)) if (typeof value === 'string') values[id] = value;
  return values;
}
