// State changes of channels: create, update (credentials merged and sealed again), delete; one transaction each.
import type { Kysely } from 'kysely';
import type { Database } from '../db/schema.js';
import { type Principal, targetClient, visibleWebsite } from '../domain/tenancy/policy.js';
import { fieldInvalid, fieldMissing } from '../errors.js';
import { appendEvent } from '../events/append.js';
import { transact } from '../events/transact.js';
import { type OutboundAllowlist, registeredUrlRefusal } from '../http/outbound.js';
import { nowInstant } from '../time.js';
import type { ChannelType, Credentials } from './adapter.js';
import { adapterFor } from './registry.js';
import { openCredentials, sealCredentials } from './secrets.js';
import { channelBinding } from './store.js';

interface JsonSchemaField {
  type?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  description?: string;
}

/** Checks credentials against the adapter's schema, naming the first wrong field as `credentials[name]`. */
function checkCredentials(type: ChannelType, credentials: Credentials, options: { complete: boolean }): void {
  const schema = adapterFor(type).credentialsSchema as {
    properties?: Record<string, JsonSchemaField>;
    required?: string[];
  };
  const properties = schema.properties ?? {};
  for (const [name, value] of Object.entries(credentials)) {
    const spec = properties[name];
    if (spec === undefined)
      throw fieldInvalid(
        `credentials[${name}]`,
        `A ${type} channel has no such credential; expected ${Object.keys(properties).join(', ') || 'none'}.`,
      );
    if (value === undefined) continue;
    if (
      (spec.minLength !== undefined && value.length < spec.minLength) ||
      (spec.maxLength !== undefined && value.length > spec.maxLength) ||
      (spec.pattern !== undefined && !new RegExp(spec.pattern).test(value))
    ) {
      throw fieldInvalid(`credentials[${name}]`, spec.description ?? 'It has the wrong form.');
    }
  }
  if (!options.complete) return;
  for (const name of schema.required ?? [])
    if (credentials[name] === undefined || credentials[name] === '') throw fieldMissing(`credentials[${name}]`);
  if (type === 'sms' && credentials.from === undefined && credentials.messaging_service_sid === undefined)
    throw fieldMissing('credentials[from]');
  const alternatives = adapterFor(type).alternativeCredentials ?? [];
  const present = alternatives.filter((name) => credentials[name] !== undefined && credentials[name] !== '');
  if (alternatives.length > 0 && present.length === 0)
    throw fieldInvalid('credentials', `A ${type} channel needs one of ${alternatives.join(', ')}.`);
  if (present.length > 1)
    throw fieldInvalid(
      `credentials[${present[1]}]`,
      `A ${type} channel takes one of ${alternatives.join(', ')}, not both.`,
    );
}

/** The given credentials as text to store: the adapter checks those it takes as objects (RCS `service_account`). */
function credentialTexts(type: ChannelType, given: Record<string, unknown>): Credentials {
  const adapter = adapterFor(type);
  const texts: Credentials = {};
  for (const [name, value] of Object.entries(given)) {
    const converted = adapter.credentialText?.(name, value);
    if (converted === undefined && typeof value !== 'string')
      throw fieldInvalid(`credentials[${name}]`, 'Expected text.');
    texts[name] = converted ?? String(value);
  }
  return texts;
}

/** A provider's base URL, refused when registered if sending to it would be (registeredUrlRefusal). */
function checkBaseUrl(value: string, allowlist: OutboundAllowlist): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fieldInvalid('base_url', "Expected an https URL such as 'https://graph.facebook.com'.");
  }
  const refusal = registeredUrlRefusal(url, allowlist);
  if (refusal !== undefined) throw fieldInvalid('base_url', refusal);
  return value.replace(/\/+$/, '');
}

const fieldNames = (credentials: Credentials) =>
  JSON.stringify(
    Object.keys(credentials)
      .filter((name) => credentials[name] !== undefined)
      .sort(),
  );

export interface ChannelCreateInput {
  type: ChannelType;
  website_id: number;
  name?: string;
  base_url?: string;
  send_rate?: number;
  enabled?: boolean;
  credentials?: Record<string, unknown>;
  client_id?: number;
}

/** Creates a channel (`channel.created`); its website must belong to the client. */
export async function createChannel(
  db: Kysely<Database>,
  key: Buffer,
  principal: Principal,
  input: ChannelCreateInput,
  allowlist: OutboundAllowlist,
): Promise<number> {
  const adapter = adapterFor(input.type);
  const credentials = credentialTexts(input.type, input.credentials ?? {});
  checkCredentials(input.type, credentials, { complete: true });
  const baseUrl = input.base_url !== undefined ? checkBaseUrl(input.base_url, allowlist) : adapter.defaultBaseUrl;
  const requestedClient = input.client_id;
  return transact(db, async (trx) => {
    const website = await visibleWebsite(trx, principal, input.website_id);
    const clientId =
      principal.scope === 'client' || requestedClient === undefined
        ? website.client_id
        : await targetClient(trx, principal, requestedClient);
    if (clientId !== website.client_id)
      throw fieldInvalid('website_id', `Unknown 'website' with 'id' ${input.website_id}.`);
    const at = nowInstant();
    const { id } = await trx
      .insertInto('channel')
      .values({
        client_id: clientId,
        website_id: website.id,
        type: input.type,
        name: input.name?.trim() ?? adapter.label,
        base_url: baseUrl,
        credentials: '',
        credential_fields: fieldNames(credentials),
        send_rate: input.send_rate ?? adapter.defaultSendRate,
        enabled: input.enabled === false ? 0 : 1,
        created_at: at,
        updated_at: at,
        deleted_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await trx
      .updateTable('channel')
      .set({ credentials: sealCredentials(key, channelBinding(id), credentials) })
      .where('id', '=', id)
      .execute();
    await appendEvent(trx, {
      type: 'channel.created',
      clientId,
      subject: { type: 'channel', id },
      payload: { channelId: id, websiteId: website.id, type: input.type },
      at,
    });
    return id;
  });
}

export type ChannelUpdateInput = Omit<ChannelCreateInput, 'type' | 'client_id' | 'website_id' | 'base_url'> & {
  website_id?: number;
  base_url?: string | null;
};

/** Changes a channel (`channel.updated` naming the fields; credential values never appear in events). */
export async function updateChannel(
  db: Kysely<Database>,
  key: Buffer,
  principal: Principal,
  existing: { id: number; type: ChannelType; client_id: number; credentials: string },
  input: ChannelUpdateInput,
  allowlist: OutboundAllowlist,
): Promise<void> {
  const set: {
    website_id?: number;
    name?: string;
    base_url?: string;
    send_rate?: number;
    enabled?: number;
    credentials?: string;
    credential_fields?: string;
  } = {};
  if (input.credentials !== undefined) {
    const given = credentialTexts(existing.type, input.credentials);
    checkCredentials(existing.type, given, { complete: false });
    const stored = openCredentials(key, channelBinding(existing.id), existing.credentials);
    // One of alternative credentials given (an RCS service_account for an access_token) replaces the other.
    const alternatives = adapterFor(existing.type).alternativeCredentials ?? [];
    if (alternatives.some((name) => given[name] !== undefined)) for (const name of alternatives) delete stored[name];
    const merged = { ...stored, ...given };
    checkCredentials(existing.type, merged, { complete: true });
    set.credentials = sealCredentials(key, channelBinding(existing.id), merged);
    set.credential_fields = fieldNames(merged);
  }
  if (input.base_url === null) set.base_url = adapterFor(existing.type).defaultBaseUrl;
  else if (input.base_url !== undefined) set.base_url = checkBaseUrl(input.base_url, allowlist);
  if (input.name !== undefined) set.name = input.name.trim();
  if (input.send_rate !== undefined) set.send_rate = input.send_rate;
  if (input.enabled !== undefined) set.enabled = input.enabled ? 1 : 0;
  await transact(db, async (trx) => {
    if (input.website_id !== undefined) {
      const website = await visibleWebsite(trx, principal, input.website_id);
      if (website.client_id !== existing.client_id)
        throw fieldInvalid('website_id', `Unknown 'website' with 'id' ${input.website_id}.`);
      set.website_id = website.id;
    }
    const changed = Object.keys(set).filter((name) => name !== 'credential_fields');
    if (changed.length === 0) return;
    const at = nowInstant();
    await trx
      .updateTable('channel')
      .set({ ...set, updated_at: at })
      .where('id', '=', existing.id)
      .execute();
    await appendEvent(trx, {
      type: 'channel.updated',
      clientId: existing.client_id,
      subject: { type: 'channel', id: existing.id },
      payload: { channelId: existing.id, changed },
      at,
    });
  });
}

/** Deletes a channel (soft: its conversations and delivery history stay); its webhooks answer 404 from then on. */
export async function deleteChannel(db: Kysely<Database>, existing: { id: number; client_id: number }): Promise<void> {
  const at = nowInstant();
  await transact(db, async (trx) => {
    await trx.updateTable('channel').set({ deleted_at: at, updated_at: at }).where('id', '=', existing.id).execute();
    await appendEvent(trx, {
      type: 'channel.deleted',
      clientId: existing.client_id,
      subject: { type: 'channel', id: existing.id },
      payload: { channelId: existing.id },
      at,
    });
  });
}
