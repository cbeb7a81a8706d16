// The Causerie SDK: a typed client for the REST API (v2 and legacy v1), its types generated from the OpenAPI document.
import type { components, paths } from './generated/openapi.js';

export {
  type CauserieClient,
  type CauserieClientOptions,
  CauserieError,
  createCauserieClient,
  unwrap,
} from './client.js';
export {
  type VerifiedWebhook,
  type VerifyWebhookOptions,
  verifyWebhook,
  type WebhookHeaders,
  WebhookVerificationError,
} from './webhooks.js';
export type { components, paths };
