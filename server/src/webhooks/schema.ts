// Request and response schemas of webhook subscriptions and their delivery log (seed 003 "Webhook API", made reliable).
import { Type } from 'typebox';
import type { FilterSpecs } from '../http/filters.js';
import { IdSchema } from '../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../http/validation.js';

const Link = Type.String({ description: 'Path of this resource, relative to the API base.' });
const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).` });
const Nullable = <T extends ReturnType<typeof Type.String> | ReturnType<typeof Type.Integer>>(
  schema: T,
  description: string,
) => Type.Union([schema, Type.Null()], { description });

export const CONTENT_TYPES = ['application/json', 'application/x-www-form-urlencoded'] as const;
export const COMPATS = ['standard', 'iadvize'] as const;
export const FORMATS = ['v2', 'push'] as const;
export const DELIVERY_STATUSES = ['pending', 'delivering', 'delivered', 'retrying', 'failed'] as const;

export const WebhookData = Type.Object({
  id: Type.Integer({ description: 'Subscription identifier.' }),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  name: Type.Optional(Type.String({ description: 'Name, for your own use.' })),
  url: Type.Optional(Type.String({ description: 'Callback URL (POST).' })),
  events: Type.Optional(
    Type.Array(Type.String(), {
      description: '`*` (every event), domains such as `conversations.domain`, or event names.',
    }),
  ),
  website_id: Type.Optional(
    Type.Array(Type.Integer(), { description: 'Websites whose events are sent; empty: every website.' }),
  ),
  content_type: Type.Optional(
    Type.String({ description: '`application/json` or `application/x-www-form-urlencoded`.' }),
  ),
  compat: Type.Optional(
    Type.String({ description: '`standard` (X-Causerie-… headers) or `iadvize` (X-iAdvize-… headers).' }),
  ),
  format: Type.Optional(
    Type.String({ description: '`v2` (seed 003 webhook payloads) or `push` (the deprecated Push API format).' }),
  ),
  enabled: Type.Optional(Type.Boolean({ description: 'Whether events are sent.' })),
  disabled_reason: Type.Optional(
    Nullable(Type.String(), 'Why the platform disabled the subscription (410 Gone, sustained failure), if it did.'),
  ),
  secret: Type.Optional(
    Type.String({
      description:
        'Signing secret (`whsec_…`): only in the answers of create and rotate. Keep it; it is not shown again.',
    }),
  ),
  previous_secret_expires_at: Type.Optional(
    Nullable(Type.String(), 'Until when the secret replaced by the last rotation still signs too.'),
  ),
  created_at: Type.Optional(DateTime('Creation date')),
  updated_at: Type.Optional(DateTime('Last change')),
  _link: Link,
});

const writable = {
  name: Type.String({ minLength: 1, maxLength: 255, pattern: NON_BLANK, description: 'Name (default: the URL host).' }),
  url: Type.String({
    minLength: 8,
    maxLength: 2048,
    description: 'Callback URL: https:// (or http://). Private and loopback addresses are refused unless allow-listed.',
  }),
  events: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
    minItems: 1,
    maxItems: 50,
    description:
      '`*`, `conversations.domain`, `users.domain`, or event names (conversation.started, message.created…).',
  }),
  website_id: Type.Array(IdSchema('Website identifier.'), {
    maxItems: 1000,
    description: 'Limit to these websites (default: all).',
  }),
  content_type: Type.Union(
    CONTENT_TYPES.map((value) => Type.Literal(value)),
    {
      description: 'Default `application/json`.',
      [PROBLEM_KEYWORD]: 'Expected application/json or application/x-www-form-urlencoded.',
    },
  ),
  compat: Type.Union(
    COMPATS.map((value) => Type.Literal(value)),
    { description: 'Default `standard`.', [PROBLEM_KEYWORD]: 'Expected standard or iadvize.' },
  ),
  format: Type.Union(
    FORMATS.map((value) => Type.Literal(value)),
    { description: 'Default `v2`.', [PROBLEM_KEYWORD]: 'Expected v2 or push.' },
  ),
  enabled: Type.Boolean({
    description: 'Default true. Setting true again re-enables a subscription the platform disabled.',
  }),
};

export const WebhookCreateBody = Type.Object(
  {
    name: Type.Optional(writable.name),
    url: writable.url,
    events: writable.events,
    website_id: Type.Optional(writable.website_id),
    content_type: Type.Optional(writable.content_type),
    compat: Type.Optional(writable.compat),
    format: Type.Optional(writable.format),
    enabled: Type.Optional(writable.enabled),
    client_id: Type.Optional(IdSchema('Partner and platform keys: the client the subscription belongs to.')),
  },
  { additionalProperties: false },
);
export const WebhookUpdateBody = Type.Partial(Type.Omit(WebhookCreateBody, ['client_id']), {
  additionalProperties: false,
});

export const RotateBody = Type.Object(
  {
    overlap_hours: Type.Optional(
      Type.Integer({
        minimum: 0,
        maximum: 168,
        description: 'Hours the old secret keeps signing beside the new one (default 24; 0 ends it now).',
        [PROBLEM_KEYWORD]: 'Expected a whole number of hours from 0 to 168.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const ReplayRangeBody = Type.Object(
  {
    from: Type.String({ description: 'First date, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (UTC).' }),
    to: Type.String({ description: 'Last date, included (`2026-11-21` covers that whole day).' }),
  },
  { additionalProperties: false },
);
export const QueuedData = Type.Object({ queued: Type.Integer({ description: 'Deliveries queued.' }) });

export const WEBHOOK_FILTERS: FilterSpecs = {
  enabled: { kind: 'flag', description: '`1`: enabled subscriptions; `0`: disabled ones.' },
};

export const DeliveryParams = Type.Object({
  id: IdSchema('Subscription identifier.'),
  deliveryId: IdSchema('Delivery attempt identifier.'),
});

export const DeliveryData = Type.Object({
  id: Type.Integer({ description: 'Attempt identifier.' }),
  event_id: Type.Optional(Type.Integer({ description: 'Event log identifier.' })),
  event_type: Type.Optional(Type.String({ description: 'Event name.' })),
  webhook_id: Type.Optional(
    Type.String({
      description:
        'Standard Webhooks `webhook-id`: the same for every attempt and replay of this event to this subscription.',
    }),
  ),
  correlation_id: Type.Optional(Type.String({ description: '`X-Causerie-CorrelationId`: stable across retries.' })),
  delivery_id: Type.Optional(Type.String({ description: '`X-Causerie-Delivery`: new for every attempt.' })),
  attempt: Type.Optional(Type.Integer({ description: 'Attempt number, from 1.' })),
  status: Type.Optional(
    Type.String({
      description: '`pending`, `delivering`, `delivered`, `retrying` (a later attempt follows) or `failed`.',
    }),
  ),
  http_status: Type.Optional(Nullable(Type.Integer(), "The receiver's HTTP status, if it answered.")),
  latency_ms: Type.Optional(Nullable(Type.Integer(), 'Time to the answer, in milliseconds.')),
  error: Type.Optional(
    Nullable(Type.String(), 'Why no answer was had (timeout, connection refused, address refused…).'),
  ),
  request_body: Type.Optional(Type.String({ description: 'The body sent (first 4 KiB).' })),
  response_body: Type.Optional(Nullable(Type.String(), "The receiver's answer (first 4 KiB).")),
  created_at: Type.Optional(DateTime('When the attempt was queued')),
  next_attempt_at: Type.Optional(
    Nullable(Type.String(), 'When it is (or the next attempt is) due, `YYYY-MM-DD HH:MM:SS` (UTC).'),
  ),
  completed_at: Type.Optional(Nullable(Type.String(), 'When the attempt ended, `YYYY-MM-DD HH:MM:SS` (UTC).')),
  _link: Link,
});

export const DELIVERY_FILTERS: FilterSpecs = {
  status: { kind: 'text', description: '`pending`, `delivering`, `delivered`, `retrying` or `failed`.' },
  event_type: { kind: 'text', description: 'Event name, such as `conversation.closed`.' },
  from: { kind: 'date', description: 'Attempts queued from this date (`YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`).' },
  to: { kind: 'date', description: 'Attempts queued up to this date, included.' },
};
