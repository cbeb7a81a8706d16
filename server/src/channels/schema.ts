// Request and response schemas of `/api/2/channel`: the channel settings; credentials are accepted, never returned.
import { Type } from 'typebox';
import type { FilterSpecs } from '../http/filters.js';
import { IdSchema } from '../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../http/validation.js';
import { CHANNEL_TYPES, DELIVERY_STATES } from './adapter.js';

const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).` });
const ChannelTypeSchema = Type.Unsafe<(typeof CHANNEL_TYPES)[number]>({
  type: 'string',
  enum: [...CHANNEL_TYPES],
  description:
    'Channel type: `whatsapp` (Cloud API), `sms` (Twilio-compatible), `rcs` (Google RBM) or `chat` (web chat).',
  [PROBLEM_KEYWORD]: 'Expected whatsapp, sms, rcs or chat.',
});

export const ChannelData = Type.Object({
  id: Type.Integer({ description: 'Channel identifier.' }),
  type: Type.Optional(Type.String({ description: '`whatsapp`, `sms`, `rcs` or `chat`.' })),
  name: Type.Optional(Type.String({ description: 'Name shown to agents.' })),
  website_id: Type.Optional(Type.Integer({ description: 'Website whose conversations this channel opens.' })),
  base_url: Type.Optional(
    Type.String({
      description: "Provider API base URL (an on-premise gateway or a test server may replace the provider's).",
    }),
  ),
  send_rate: Type.Optional(Type.Integer({ description: 'Messages per second this channel sends at most.' })),
  enabled: Type.Optional(Type.Boolean({ description: 'Disabled channels refuse webhooks and send nothing.' })),
  credentials_set: Type.Optional(
    Type.Array(Type.String(), {
      description: 'Names of the credential fields stored (their values are never returned).',
    }),
  ),
  webhook_url: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: "URL to enter in the provider's webhook configuration (null for web chat).",
    }),
  ),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  created_at: Type.Optional(DateTime('Creation date')),
  updated_at: Type.Optional(DateTime('Last change')),
  _link: Type.String({ description: 'Path of this resource, relative to the API base.' }),
});

// Text, or an object for the credentials a channel takes as one (RCS `service_account`): the adapter checks its fields.
const CredentialValue = Type.Union([Type.String({ maxLength: 4096 }), Type.Record(Type.String(), Type.Unknown())]);
const Credentials = Type.Record(Type.String(), CredentialValue, {
  description:
    'Write-only provider credentials, stored encrypted (AES-256-GCM). WhatsApp: `phone_number_id`, `access_token`, `app_secret`, `verify_token` (+ optional `api_version`). ' +
    "SMS: `account_sid`, `auth_token` and `from` or `messaging_service_sid`. RCS: `agent_id`, `client_token` and either `access_token` or `service_account` (the service account's JSON key object; tokens are then minted and renewed). Web chat: none. On update, the fields given replace the stored ones.",
});

export const ChannelCreateBody = Type.Object(
  {
    type: ChannelTypeSchema,
    website_id: IdSchema('Website whose conversations this channel opens.'),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: NON_BLANK,
        description: 'Name shown to agents (default: the type).',
      }),
    ),
    base_url: Type.Optional(
      Type.String({
        minLength: 8,
        maxLength: 2048,
        description: "Provider API base URL (default: the provider's public API).",
      }),
    ),
    send_rate: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: 10000,
        description: 'Messages per second at most (default: WhatsApp 80, SMS 1, RCS 50).',
      }),
    ),
    enabled: Type.Optional(Type.Boolean({ description: 'Default true.' })),
    credentials: Type.Optional(Credentials),
    client_id: Type.Optional(
      IdSchema('Partner and platform keys: the client the channel belongs to (must own the website).'),
    ),
  },
  { additionalProperties: false },
);

const updatable = Type.Partial(Type.Omit(ChannelCreateBody, ['type', 'client_id', 'base_url']));
export const ChannelUpdateBody = Type.Object(
  {
    ...updatable.properties,
    base_url: Type.Optional(
      Type.Union([Type.String({ minLength: 8, maxLength: 2048 }), Type.Null()], {
        description: "Provider API base URL; null goes back to the provider's public API.",
      }),
    ),
  },
  { additionalProperties: false },
);

export const CHANNEL_FILTERS = {
  type: { kind: 'text', description: 'Channel type.' },
  website_id: { kind: 'id', description: 'Website identifier.' },
} satisfies FilterSpecs;

export const MsisdnBody = Type.Object(
  {
    phone_number: Type.String({
      pattern: '^\\+[1-9][0-9]{6,14}$',
      description: 'Phone number in E.164 form (+33612345678).',
      [PROBLEM_KEYWORD]: "Expected an E.164 phone number, such as '+33612345678'.",
    }),
  },
  { additionalProperties: false },
);

export const TesterData = Type.Object({
  phone_number: Type.String(),
  invite_status: Type.String({ description: 'RBM invitation status: `PENDING` until the user accepts on the device.' }),
});
export const CapabilityData = Type.Object({
  phone_number: Type.String(),
  reachable: Type.Boolean(),
  features: Type.Array(Type.String()),
});

export const TemplateBody = Type.Object(
  {
    conversation_id: IdSchema('Conversation to send the template in.'),
    name: Type.String({
      minLength: 1,
      maxLength: 512,
      pattern: '^[a-z0-9_]+$',
      description: 'Approved template name.',
      [PROBLEM_KEYWORD]: 'Expected an approved template name: lowercase letters, digits and _.',
    }),
    language: Type.String({
      pattern: '^[a-z]{2,3}(_[A-Z]{2})?$',
      description: "Template language code, such as 'fr' or 'en_US'.",
      [PROBLEM_KEYWORD]: "Expected a language code such as 'fr' or 'en_US'.",
    }),
    parameters: Type.Optional(
      Type.Array(Type.String({ minLength: 1, maxLength: 1024 }), {
        maxItems: 20,
        description: 'Body parameters {{1}}, {{2}}… in order.',
      }),
    ),
    operator_id: Type.Optional(IdSchema("Operator who sends it (default: the conversation's).")),
  },
  { additionalProperties: false },
);

/** A template addressed by its conversation (POST /conversation/{id}/template). */
export const ConversationTemplateBody = Type.Omit(TemplateBody, ['conversation_id'], { additionalProperties: false });

export const DeliveryData = Type.Object({
  seq: Type.Integer({ description: "The message's `seq` in the conversation." }),
  state: Type.Unsafe<(typeof DELIVERY_STATES)[number]>({
    type: 'string',
    enum: [...DELIVERY_STATES],
    description: 'queued, sent, delivered, read or failed.',
  }),
  error: Type.Optional(Type.Object({ code: Type.String(), message: Type.String() })),
  updated_at: DateTime('Last change of state'),
});

export const ConversationIdParams = Type.Object({ id: IdSchema('Conversation identifier.') });

export const MediaParams = Type.Object({
  id: IdSchema('Conversation identifier.'),
  mediaId: IdSchema('Media identifier (`data.media_id` of the history entry).'),
});
export const MediaQuery = Type.Object(
  {
    caption: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 1024,
        pattern: NON_BLANK,
        description:
          'Text shown with the file (WhatsApp images, videos and documents; the SMS body). RCS shows the file alone.',
      }),
    ),
    filename: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^[^/\\\\\\u0000-\\u001f]+$',
        description: 'The name the customer sees for a document.',
        [PROBLEM_KEYWORD]: 'Expected a file name without slashes or control characters, at most 255 characters.',
      }),
    ),
    operator_id: Type.Optional(IdSchema("Operator who sends it (default: the conversation's).")),
  },
  { additionalProperties: false },
);
export const MediaFile = Type.Unsafe<Buffer>({
  type: 'string',
  format: 'binary',
  description: 'The file, with its content type.',
});
