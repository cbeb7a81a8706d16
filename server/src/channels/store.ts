// Channel rows: queries limited to the principal's clients, presentation, and opening their sealed credentials.
import type { Kysely } from 'kysely';
import { type IdPage, inIdOrder, pageOfIds } from '../db/paging.js';
import type { ChannelRow, Database } from '../db/schema.js';
import { clientScope, type Principal } from '../domain/tenancy/policy.js';
import { link } from '../domain/tenancy/present.js';
import type { ListQuery } from '../list-query.js';
import { formatDateTime } from '../time.js';
import type { ChannelType, Credentials } from './adapter.js';
import { adapterFor } from './registry.js';
import { openCredentials } from './secrets.js';

export type ChannelFilter = 'type' | 'website_id';

/** What the credentials of a channel are bound to when sealed. */
export const channelBinding = (channelId: number) => `channel:${channelId}`;

export function listChannelIds(
  db: Kysely<Database>,
  principal: Principal,
  query: ListQuery<ChannelFilter>,
): Promise<IdPage> {
  let matches = db
    .selectFrom('channel')
    .select('id')
    .where(clientScope(principal, 'channel.client_id'))
    .where('deleted_at', 'is', null);
  const { type, website_id } = query.filters;
  if (typeof type === 'string') matches = matches.where('type', '=', type as ChannelType);
  if (typeof website_id === 'number') matches = matches.where('website_id', '=', website_id);
  return pageOfIds(db, matches, query.page, query.limit);
}

export async function loadChannels(db: Kysely<Database>, principal: Principal, ids: number[]): Promise<ChannelRow[]> {
  if (ids.length === 0) return [];
  const rows = await db
    .selectFrom('channel')
    .selectAll()
    .where('id', 'in', ids)
    .where('deleted_at', 'is', null)
    .where(clientScope(principal, 'channel.client_id'))
    .execute();
  return inIdOrder(ids, rows);
}

/** The URL a provider must call for this channel. */
export function webhookUrl(publicUrl: string, channel: Pick<ChannelRow, 'id' | 'type'>): string {
  return `${publicUrl}/channels/${channel.type}/${channel.id}/webhook`;
}

export function presentChannel(row: ChannelRow, publicUrl: string) {
  const fields: unknown = JSON.parse(row.credential_fields);
  return {
    id: row.id,
    type: row.type,
    name: row.name,
    website_id: row.website_id,
    base_url: row.base_url,
    send_rate: row.send_rate,
    enabled: row.enabled === 1,
    credentials_set: Array.isArray(fields) ? fields.filter((name): name is string => typeof name === 'string') : [],
    webhook_url: adapterFor(row.type).inbound === 'webhook' ? webhookUrl(publicUrl, row) : null,
    client_id: row.client_id,
    created_at: formatDateTime(row.created_at),
    updated_at: formatDateTime(row.updated_at),
    _link: link('channel', row.id),
  };
}

/** A channel with its opened credentials, as adapters use it. */
export interface OpenChannel {
  row: ChannelRow;
  credentials: Credentials;
}

/**
 * Channels by id with their credentials opened, cached a few seconds: webhooks arrive by the thousand per second and
 * each would otherwise read and decrypt the row. A change through the API drops the cached entry at once (this node);
 * other nodes see it within the cache's lifetime.
 */
export class ChannelDirectory {
  private readonly cache = new Map<number, { channel: OpenChannel | undefined; until: number }>();

  constructor(
    private readonly db: Kysely<Database>,
    private readonly key: Buffer,
    private readonly ttlMs = 5000,
  ) {}

  async get(channelId: number): Promise<OpenChannel | undefined> {
    const now = Date.now();
    const cached = this.cache.get(channelId);
    if (cached !== undefined && cached.until > now) return cached.channel;
    const row = await this.db
      .selectFrom('channel')
      .selectAll()
      .where('id', '=', channelId)
      .where('deleted_at', 'is', null)
      .executeTakeFirst();
    const channel =
      row === undefined
        ? undefined
        : { row, credentials: openCredentials(this.key, channelBinding(row.id), row.credentials) };
    this.cache.set(channelId, { channel, until: now + this.ttlMs });
    return channel;
  }

  forget(channelId: number): void {
    this.cache.delete(channelId);
  }
}
