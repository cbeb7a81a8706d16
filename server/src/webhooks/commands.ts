import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { assertOwned, type Principal, targetClient } from '../domain/tenancy/policy.js';
import { fieldInvalid } from '../errors.js';
import { appendEvent } from '../events/append.js';
import { transact } from '../events/transact.js';
import { type OutboundGuard, registeredUrlRefusal } from '../http/outbound.js';
import { nowInstant } from '../time.js';
import { EVENT_SELECTORS, resolveSelectors } from './payloads.js';
import { newSecret, sealWebhookSecret } from './signing.js';
import type { Compat, ContentType, PayloadFormat, WebhookRecord } from './store.js';

export interface WebhookInput {
  name?: string;
  url?: string;
  events?: string[];
  website_id?: number[];
  content_type?: ContentType;
  compat?: Compat;
  format?: PayloadFormat;
  enabled?: boolean;
  client_id?: number;
}

/** The URL as stored, checked as every URL the platform will call (registeredUrlRefusal). */
function readUrl(raw: string, outbound: OutboundGuard): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fieldInvalid('url', "Expected an absolute URL, such as 'https://hooks.example.com/causerie'.");
  }
  const refusal = registeredUrlRefusal(url, outbound.allowlist);
  if (refusal !== undefined) throw fieldInvalid('url', refusal);
  return url.toString();
}

function readEvents(events: readonly string[], format: PayloadFormat): string[] {
  const unknown = events.find((selector) => !EVENT_SELECTORS.includes(selector));
  if (unknown !== undefined)
    throw fieldInvalid(
      'events',
      `Unknown event '${unknown}'. Expected '*', a domain (conversations.domain, users.domain) or event names such as conversation.started.`,
    );
  if (resolveSelectors(events, format).size === 0) {
    throw fieldInvalid(
      'events',
      'The Push API format only has conversation.started, conversation.closed, user.connected and user.disconnected (sent as conversation.start, conversation.end, operator.login, operator.logout).',
    );
  }
  return [...new Set(events)];
}

/** Creates a subscription with a fresh secret (`webhook.created`); returns its id and the secret, shown once. */
export async function createWebhook(
  db: Kysely<Database>,
  outbound: OutboundGuard,
  secretsKey: Buffer,
  principal: Principal,
  input: WebhookInput & { url: string; events: string[] },
): Promise<{ id: number; secret: string }> {
  const clientId = await targetClient(db, principal, input.client_id);
  const url = readUrl(input.url, outbound);
  const format = input.format ?? 'v2';
  const events = readEvents(input.events, format);
  const secret = newSecret();
  const at = nowInstant();
  const id = await transact(db, async (trx) => {
    await assertOwned(trx, 'website', input.website_id ?? [], clientId, 'website_id');
    const { id } = await trx
      .insertInto('webhook')
      .values({
        client_id: clientId,
        name: input.name?.trim() ?? new URL(url).host,
        url,
        events: JSON.stringify(events),
        website_ids: JSON.stringify([...new Set(input.website_id ?? [])]),
        content_type: input.content_type ?? 'application/json',
        compat: input.compat ?? 'standard',
        format,
        enabled: input.enabled === false ? 0 : 1,
        // Sealed below, once the id it is bound to is known.
        secret: '',
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('webhook')
      .set({ secret: sealWebhookSecret(secretsKey, id, secret) })
      .where('id', '=', id)
      .execute();
    await appendEvent(trx, {
      type: 'webhook.created',
      clientId,
      subject: { type: 'webhook', id },
      payload: { webhookId: id, url, events },
      at,
    });
    return id;
  });
  return { id, secret };
}

/** Changes the fields given (`webhook.updated`). `enabled: true` on a disabled subscription clears why it was disabled. */
export async function updateWebhook(
  db: Kysely<Database>,
  outbound: OutboundGuard,
  existing: WebhookRecord,
  input: WebhookInput,
): Promise<void> {
  const url = input.url === undefined ? undefined : readUrl(input.url, outbound);
  const format = input.format ?? existing.format;
  const events =
    input.events !== undefined || input.format !== undefined
      ? readEvents(input.events ?? existing.events, format)
      : undefined;
  const at = nowInstant();
  await transact(db, async (trx) => {
    if (input.website_id !== undefined)
      await assertOwned(trx, 'website', input.website_id, existing.client_id, 'website_id');
    const reenabled = input.enabled === true && existing.enabled === 0;
    await trx
      .updateTable('webhook')
      .set({
        ...(input.name !== undefined && { name: input.name.trim() }),
        ...(url !== undefined && { url }),
        ...(events !== undefined && { events: JSON.stringify(events) }),
        ...(input.website_id !== undefined && { website_ids: JSON.stringify([...new Set(input.website_id)]) }),
        ...(input.content_type !== undefined && { content_type: input.content_type }),
        ...(input.compat !== undefined && { compat: input.compat }),
        ...(input.format !== undefined && { format: input.format }),
        ...(input.enabled !== undefined && { enabled: input.enabled ? 1 : 0 }),
        ...(reenabled && { disabled_reason: null, failing_since: null }),
        updated_at: at,
      })
      .where('id', '=', existing.id)
      .execute();
    const changed = Object.keys(input).filter((field) => field !== 'client_id');
    await appendEvent(trx, {
      type: 'webhook.updated',
      clientId: existing.client_id,
      subject: { type: 'webhook', id: existing.id },
      payload: { webhookId: existing.id, changed },
      at,
    });
  });
}

/** Deletes a subscription and its delivery log (`webhook.deleted`); attempts not yet sent are dropped with it. */
export async function deleteWebhook(db: Kysely<Database>, existing: WebhookRecord): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    await trx.deleteFrom('webhook_delivery').where('webhook_id', '=', existing.id).execute();
    await trx.deleteFrom('webhook').where('id', '=', existing.id).execute();
    await appendEvent(trx, {
      type: 'webhook.deleted',
      clientId: existing.client_id,
      subject: { type: 'webhook', id: existing.id },
      payload: { webhookId: existing.id, url: existing.url },
      at,
    });
  });
}

/**
 * Gives the subscription a new secret (`webhook.secret_rotated`); the old one keeps signing beside it for
 * `overlapHours`, so receivers can switch without a gap. Returns the new secret, shown once.
 */
export async function rotateWebhookSecret(
  db: Kysely<Database>,
  secretsKey: Buffer,
  existing: WebhookRecord,
  overlapHours: number,
): Promise<string> {
  const secret = newSecret();
  const at = nowInstant();
  const expires = overlapHours > 0 ? new Date(Date.parse(at) + overlapHours * 3_600_000).toISOString() : null;
  await transact(db, async (trx) => {
    await trx
      .updateTable('webhook')
      .set({
        secret: sealWebhookSecret(secretsKey, existing.id, secret),
        previous_secret: expires === null ? null : existing.secret,
        previous_secret_expires_at: expires,
        updated_at: at,
      })
      .where('id', '=', existing.id)
      .execute();
    await appendEvent(trx, {
      type: 'webhook.secret_rotated',
      clientId: existing.client_id,
      subject: { type: 'webhook', id: existing.id },
      payload: { webhookId: existing.id, overlapHours },
      at,
    });
  });
  return secret;
}
