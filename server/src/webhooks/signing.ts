// Webhook secrets and signatures: our `sha256=<hex>` header (seed 003) and Standard Webhooks' `v1,<base64>`.
import { createHmac, randomBytes } from 'node:crypto';
import { openText, sealText } from '../channels/secrets.js';

export const SECRET_PREFIX = 'whsec_';

/** A new signing secret, `whsec_` + base64 of 24 random bytes (the Standard Webhooks shape). */
export function newSecret(): string {
  return `${SECRET_PREFIX}${randomBytes(24).toString('base64')}`;
}

const binding = (webhookId: number) => `webhook:${webhookId}`;

/** The secret as stored: sealed with the secrets key, bound to its subscription (a copied value does not open). */
export function sealWebhookSecret(key: Buffer, webhookId: number, secret: string): string {
  return sealText(key, binding(webhookId), secret);
}

/** The secret that signs. Rows written before secrets were sealed hold the `whsec_` text itself. */
export function openWebhookSecret(key: Buffer, webhookId: number, stored: string): string {
  return stored.startsWith(SECRET_PREFIX) ? stored : openText(key, binding(webhookId), stored);
}

/** `sha256=<hex HMAC-SHA256 of the raw body>`, keyed with the secret string exactly as shown (seed 003). */
export function causerieSignature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

/** Standard Webhooks: HMAC-SHA256 over `id.timestamp.body`, keyed with the base64-decoded part after `whsec_`. */
export function standardSignature(secret: string, messageId: string, timestamp: number, body: string): string {
  const key = Buffer.from(secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret, 'base64');
  return `v1,${createHmac('sha256', key).update(`${messageId}.${timestamp}.${body}`).digest('base64')}`;
}

export interface SignedDelivery {
  /** Newest first; two during a rotation's overlap. */
  secrets: readonly string[];
  compat: 'standard' | 'iadvize';
  contentType: string;
  correlationId: string;
  deliveryUuid: string;
  /** Unix seconds of this attempt. */
  timestamp: number;
  body: string;
}

/** Standard Webhooks `webhook-id`: stable per event and subscription, so retries and replays de-duplicate. */
export function messageIdOf(correlationId: string): string {
  return `msg_${correlationId.replace(/-/g, '')}`;
}

/** Every header of one attempt. With two secrets, both sign (`sha256=…, sha256=…`; `v1,… v1,…`). */
export function deliveryHeaders(delivery: SignedDelivery): Record<string, string> {
  const prefix = delivery.compat === 'iadvize' ? 'X-iAdvize' : 'X-Causerie';
  const messageId = messageIdOf(delivery.correlationId);
  // Seed 003's PHP check splits the header at the first '=': an iAdvize-compatible receiver gets one signature, the newest.
  const ours = delivery.compat === 'iadvize' ? delivery.secrets.slice(0, 1) : delivery.secrets;
  return {
    'content-type': delivery.contentType,
    'user-agent': 'Causerie-Webhooks/1.0',
    [`${prefix}-Signature`]: ours.map((secret) => causerieSignature(secret, delivery.body)).join(', '),
    [`${prefix}-Delivery`]: delivery.deliveryUuid,
    [`${prefix}-CorrelationId`]: delivery.correlationId,
    'webhook-id': messageId,
    'webhook-timestamp': String(delivery.timestamp),
    'webhook-signature': delivery.secrets
      .map((secret) => standardSignature(secret, messageId, delivery.timestamp, delivery.body))
      .join(' '),
  };
}
