// Causerie's calls to an app's connector are signed as Standard Webhooks are (`webhook-id`, `webhook-timestamp`,
// `webhook-signature: v1,<base64 HMAC-SHA256>`), with the app's signing secret: over the body of a POST (verification
// URLs: any Standard Webhooks library verifies it), over the path and query of a GET (interactions).
import { randomUUID } from 'node:crypto';
import { openText, sealText } from '../../channels/secrets.js';
import { newSecret, standardSignature } from '../../webhooks/signing.js';

const binding = (appId: number) => `app:${appId}`;

/** A new signing secret for an app, sealed for storage, and its text. */
export function newSigningSecret(key: Buffer, appId: number): { sealed: string; secret: string } {
  const secret = newSecret();
  return { sealed: sealText(key, binding(appId), secret), secret };
}

export function openSigningSecret(key: Buffer, appId: number, sealed: string | null): string | undefined {
  return sealed === null ? undefined : openText(key, binding(appId), sealed);
}

/** The signature headers of one call: `payload` is the POST body, or the GET's path and query (`/products?idCategory=11`). */
export function connectorSignatureHeaders(secret: string | undefined, payload: string): Record<string, string> {
  if (secret === undefined) return {};
  const id = `msg_${randomUUID().replace(/-/g, '')}`;
  const timestamp = Math.floor(Date.now() / 1000);
  return {
    'webhook-id': id,
    'webhook-timestamp': String(timestamp),
    'webhook-signature': standardSignature(secret, id, timestamp, payload),
  };
}
