// Rows → API shapes for webhook subscriptions and delivery attempts.
import type { WebhookDeliveryRow } from '../db/schema.js';
import { link } from '../domain/tenancy/present.js';
import { formatDateTime } from '../time.js';
import { messageIdOf } from './signing.js';
import type { WebhookRecord } from './store.js';

/** Characters of the logged request body shown. */
const SHOWN_BODY = 4_096;

/** A subscription; `secret` is added only by the create and rotate answers. */
export function presentWebhook(row: WebhookRecord, secret?: string) {
  return {
    id: row.id,
    client_id: row.client_id,
    name: row.name,
    url: row.url,
    events: row.events,
    website_id: row.website_ids,
    content_type: row.content_type,
    compat: row.compat,
    format: row.format,
    enabled: row.enabled === 1,
    disabled_reason: row.disabled_reason,
    ...(secret !== undefined && { secret }),
    previous_secret_expires_at:
      row.previous_secret_expires_at === null ? null : formatDateTime(row.previous_secret_expires_at),
    created_at: formatDateTime(row.created_at),
    updated_at: formatDateTime(row.updated_at),
    _link: link('webhook', row.id),
  };
}

export function presentDelivery(row: WebhookDeliveryRow) {
  const waiting = row.status === 'pending' || row.status === 'retrying';
  return {
    id: row.id,
    event_id: row.event_id,
    event_type: row.event_type,
    webhook_id: messageIdOf(row.correlation_id),
    correlation_id: row.correlation_id,
    delivery_id: row.delivery_uuid,
    attempt: row.attempt,
    status: row.status,
    http_status: row.http_status,
    latency_ms: row.latency_ms,
    error: row.error,
    request_body: row.request_body.slice(0, SHOWN_BODY),
    response_body: row.response_body,
    created_at: formatDateTime(row.created_at),
    next_attempt_at: waiting ? formatDateTime(row.next_attempt_at) : null,
    completed_at: row.completed_at === null ? null : formatDateTime(row.completed_at),
    _link: `/webhook/${row.webhook_id}/delivery/${row.id}`,
  };
}
