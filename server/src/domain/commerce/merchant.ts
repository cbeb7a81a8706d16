// The merchant's two endpoints (seed 001): getObject and updateObject URLs, an auth header and the signing secret
// (both sealed like channel credentials), and the signed, guarded call a flow step makes to them.
import type { Kysely } from 'kysely';
import { openText, sealText } from '../../channels/secrets.js';
import type { CommerceMerchantTable, Database } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { OutboundFailed, type OutboundGuard, OutboundRefused, registeredUrlRefusal } from '../../http/outbound.js';
import { nowInstant } from '../../time.js';
import { causerieSignature, newSecret } from '../../webhooks/signing.js';

const binding = (clientId: number, field: string) => `commerce_merchant:${clientId}:${field}`;

export interface MerchantSettingsInput {
  get_object_url?: string | null;
  update_object_url?: string | null;
  auth_header_name?: string | null;
  auth_header_value?: string | null;
  timeout_ms?: number;
  /** A new signing secret replaces the old one (shown once in the answer). */
  rotate_secret?: boolean;
}

/** The settings as answered: secrets never, only whether an auth header value is set. */
export interface MerchantSettings {
  get_object_url: string | null;
  update_object_url: string | null;
  auth_header_name: string | null;
  auth_header_set: boolean;
  timeout_ms: number;
  updated_at: string;
  /** Only in the answer that made a new one. */
  signing_secret?: string;
}

function checkUrl(field: string, value: string | null | undefined, guard: OutboundGuard): string | null | undefined {
  if (value === undefined || value === null) return value;
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw fieldInvalid(field, "Expected an https URL such as 'https://shop.example/aisac/getObject'.");
  }
  const refusal = registeredUrlRefusal(url, guard.allowlist);
  if (refusal !== undefined) throw fieldInvalid(field, refusal);
  return value;
}

function present(row: CommerceMerchantTable, secret?: string): MerchantSettings {
  return {
    get_object_url: row.get_object_url,
    update_object_url: row.update_object_url,
    auth_header_name: row.auth_header_name,
    auth_header_set: row.auth_header_value !== null,
    timeout_ms: row.timeout_ms,
    updated_at: row.updated_at,
    ...(secret !== undefined && { signing_secret: secret }),
  };
}

export async function readMerchantSettings(
  db: Kysely<Database>,
  clientId: number,
): Promise<MerchantSettings | undefined> {
  const row = await db.selectFrom('commerce_merchant').selectAll().where('client_id', '=', clientId).executeTakeFirst();
  return row === undefined ? undefined : present(row);
}

/** Creates or changes the client's merchant endpoints (`commerce_merchant.updated`); a first save makes the secret. */
export async function saveMerchantSettings(
  db: Kysely<Database>,
  key: Buffer,
  guard: OutboundGuard,
  clientId: number,
  input: MerchantSettingsInput,
): Promise<MerchantSettings> {
  const getUrl = checkUrl('get_object_url', input.get_object_url, guard);
  const updateUrl = checkUrl('update_object_url', input.update_object_url, guard);
  if (input.auth_header_name != null && !/^[A-Za-z0-9-]{1,100}$/.test(input.auth_header_name))
    throw fieldInvalid('auth_header_name', "Expected a header name such as 'Authorization' or 'X-Shop-Token'.");
  return transact(db, async (trx) => {
    const existing = await trx
      .selectFrom('commerce_merchant')
      .selectAll()
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    const at = nowInstant();
    const secret = existing === undefined || input.rotate_secret === true ? newSecret() : undefined;
    const row: CommerceMerchantTable = {
      client_id: clientId,
      get_object_url: getUrl === undefined ? (existing?.get_object_url ?? null) : getUrl,
      update_object_url: updateUrl === undefined ? (existing?.update_object_url ?? null) : updateUrl,
      auth_header_name:
        input.auth_header_name === undefined ? (existing?.auth_header_name ?? null) : input.auth_header_name,
      auth_header_value:
        input.auth_header_value === undefined
          ? (existing?.auth_header_value ?? null)
          : input.auth_header_value === null
            ? null
            : sealText(key, binding(clientId, 'auth'), input.auth_header_value),
      signing_secret:
        secret !== undefined ? sealText(key, binding(clientId, 'secret'), secret) : (existing?.signing_secret ?? ''),
      timeout_ms: input.timeout_ms ?? existing?.timeout_ms ?? 10_000,
      updated_at: at,
    };
    if (existing === undefined) await trx.insertInto('commerce_merchant').values(row).execute();
    else await trx.updateTable('commerce_merchant').set(row).where('client_id', '=', clientId).execute();
    await appendEvent(trx, {
      type: 'commerce_merchant.updated',
      clientId,
      subject: { type: 'client', id: clientId },
      payload: {
        changed: Object.keys(input).filter((name) => (input as Record<string, unknown>)[name] !== undefined),
      },
      at,
    });
    return present(row, secret);
  });
}

/** A merchant call that did not succeed; `retryable` when trying again later may help (timeouts, 5xx, 429). */
export class MerchantCallError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
    this.name = 'MerchantCallError';
  }
}

export type MerchantEndpoint = 'getObject' | 'updateObject';

/**
 * POSTs a JSON body to the client's endpoint through the outbound guard, signed with `X-Causerie-Signature`
 * (`sha256=<hex HMAC of the body>`, as webhooks) and carrying `Idempotency-Key`; answers the parsed JSON answer.
 */
export async function callMerchant(
  db: Kysely<Database>,
  key: Buffer,
  guard: OutboundGuard,
  clientId: number,
  endpoint: MerchantEndpoint,
  body: Record<string, unknown>,
  idempotencyKey: string,
): Promise<unknown> {
  const settings = await db
    .selectFrom('commerce_merchant')
    .selectAll()
    .where('client_id', '=', clientId)
    .executeTakeFirst();
  const url = endpoint === 'getObject' ? settings?.get_object_url : settings?.update_object_url;
  if (settings === undefined || url == null)
    throw new MerchantCallError(
      `The account has no ${endpoint} URL: set it with PUT /api/commerce/v1/merchant.`,
      false,
    );
  const text = JSON.stringify(body);
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'Causerie-Flows/1.0',
    'idempotency-key': idempotencyKey,
    'x-causerie-signature': causerieSignature(
      openText(key, binding(clientId, 'secret'), settings.signing_secret),
      text,
    ),
  };
  if (settings.auth_header_name !== null && settings.auth_header_value !== null)
    headers[settings.auth_header_name.toLowerCase()] = openText(
      key,
      binding(clientId, 'auth'),
      settings.auth_header_value,
    );
  let response: Awaited<ReturnType<OutboundGuard['request']>>;
  try {
    response = await guard.request({ method: 'POST', url, headers, body: text, timeoutMs: settings.timeout_ms });
  } catch (error) {
    if (error instanceof OutboundRefused) throw new MerchantCallError(error.message, false);
    if (error instanceof OutboundFailed) throw new MerchantCallError(`${endpoint}: ${error.message}`, true);
    throw error;
  }
  const snippet = response.body.toString('utf8').slice(0, 300);
  if (response.status < 200 || response.status >= 300)
    throw new MerchantCallError(
      `${endpoint} answered HTTP ${response.status}${snippet !== '' ? `: ${snippet}` : ''}`,
      response.status >= 500 || response.status === 429 || response.status === 408,
    );
  if (response.body.length === 0) return null;
  try {
    return JSON.parse(response.body.toString('utf8')) as unknown;
  } catch {
    throw new MerchantCallError(
      `${endpoint} answered HTTP ${response.status} with a body that is not JSON: ${snippet}`,
      false,
    );
  }
}
