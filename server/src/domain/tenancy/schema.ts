// Request and response schemas of the tenancy resources: partner, client, API key, website.
import { Type } from 'typebox';
import type { FilterSpecs } from '../../http/filters.js';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../../http/validation.js';

export const IdParams = Type.Object({ id: IdSchema('Identifier.') });

const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).`, examples: ['2026-11-21 13:07:05'] });
const Link = Type.String({ description: 'Path of this resource, relative to the API base.', examples: ['/client/1'] });
const Name = Type.String({ minLength: 1, maxLength: 255, pattern: NON_BLANK });
const Lang = Type.String({
  pattern: '^[A-Za-z]{2}$',
  description: 'Language, ISO 639-1 (2 letters).',
  examples: ['fr'],
  [PROBLEM_KEYWORD]: "Expected 2 letters, such as 'fr' or 'en'.",
});

const TimeZone = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: NON_BLANK,
  description:
    "IANA time zone name, in which the client's statistics periods (`filters[from]`, `filters[to]`, days, hours) are read. Default `UTC`.",
  examples: ['Europe/Paris'],
});
const Currency = Type.String({
  pattern: '^[A-Z]{3}$',
  description: "ISO 4217 code of the currency the website's sales and statistics amounts are in. Default `EUR`.",
  examples: ['EUR'],
  [PROBLEM_KEYWORD]: "Expected an ISO 4217 code in capitals, such as 'EUR' or 'USD'.",
});

export const PartnerData = Type.Object({
  id: Type.Integer(),
  name: Type.Optional(Type.String()),
  created_at: Type.Optional(DateTime('Creation date')),
  _link: Link,
});
export const PartnerCreateBody = Type.Object({ name: Name }, { additionalProperties: false });

export const ClientData = Type.Object({
  id: Type.Integer({ description: 'Identifier.' }),
  name: Type.Optional(Type.String({ description: 'Company name.' })),
  lang: Type.Optional(Type.String({ description: 'Language (2 letters).' })),
  partner_id: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], { description: 'Partner that manages this client, if any.' }),
  ),
  timezone: Type.Optional(
    Type.String({
      description: "IANA time zone name in which the client's statistics periods are read (default `UTC`).",
      examples: ['Europe/Paris'],
    }),
  ),
  created_at: Type.Optional(DateTime('Creation date')),
  _link: Link,
});
export const ClientCreateBody = Type.Object(
  {
    name: Name,
    lang: Type.Optional(Lang),
    timezone: Type.Optional(TimeZone),
    partner_id: Type.Optional(IdSchema('Platform keys only: the partner that will manage this client.')),
  },
  { additionalProperties: false },
);
export const ClientUpdateBody = Type.Object(
  { name: Type.Optional(Name), lang: Type.Optional(Lang), timezone: Type.Optional(TimeZone) },
  { additionalProperties: false },
);
export const CLIENT_FILTERS: FilterSpecs = {
  name: { kind: 'text', description: 'Client name; `*` is a wildcard (`*shop*`).' },
  partner_id: { kind: 'id', description: 'Partner identifier.' },
};

export const ApiKeyData = Type.Object({
  id: Type.Integer(),
  key: Type.Optional(Type.String({ description: 'The key itself: shown only in the answer that creates it.' })),
  scope: Type.Optional(Type.Union([Type.Literal('platform'), Type.Literal('partner'), Type.Literal('client')])),
  name: Type.Optional(Type.String()),
  partner_id: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  client_id: Type.Optional(Type.Union([Type.Integer(), Type.Null()])),
  created_at: Type.Optional(DateTime('Creation date')),
  last_used_at: Type.Optional(Type.Union([DateTime('Last use'), Type.Null()])),
  revoked_at: Type.Optional(Type.Union([DateTime('Revocation date'), Type.Null()])),
  _link: Link,
});
export const ApiKeyCreateBody = Type.Object(
  { name: Type.Optional(Type.String({ maxLength: 255, description: 'What the key is for.' })) },
  { additionalProperties: false },
);
export const API_KEY_FILTERS: FilterSpecs = {
  client_id: { kind: 'id', description: 'Client identifier.' },
  partner_id: { kind: 'id', description: 'Partner identifier.' },
  revoked: { kind: 'flag', description: '`1` for revoked keys, `0` for keys in use.' },
};

const WebsiteUrl = Type.String({
  minLength: 1,
  maxLength: 2048,
  description: 'Address of the website.',
  examples: ['https://shop.example'],
});
export const WebsiteData = Type.Object({
  id: Type.Integer({ description: 'Identifier.' }),
  url: Type.Optional(Type.String({ description: 'URL.' })),
  label: Type.Optional(Type.String({ description: 'Label.' })),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  created_at: Type.Optional(DateTime('Creation date')),
  routing_strategy: Type.Optional(
    Type.Union([Type.Literal('least_loaded'), Type.Literal('round_robin')], {
      description: 'How live conversations pick an operator (see docs/REALTIME.md).',
    }),
  ),
  currency: Type.Optional(
    Type.String({
      description: "ISO 4217 code of the currency the website's statistics amounts are in (default `EUR`).",
      examples: ['EUR'],
    }),
  ),
  identity_secret: Type.Optional(
    Type.String({
      description:
        "Key with which the site's server signs a visitor's external id (HMAC-SHA256, hex) so the widget's identity can be trusted. Keep it on the server. Operator-role console sessions never see it (docs/SECURITY.md).",
    }),
  ),
  _link: Link,
});
const RoutingStrategy = Type.Union([Type.Literal('least_loaded'), Type.Literal('round_robin')], {
  description:
    '`least_loaded` (default): the free operator with the fewest conversations; `round_robin`: the free operator assigned longest ago. Higher channel priority comes first either way.',
  [PROBLEM_KEYWORD]: 'Expected least_loaded or round_robin.',
});
export const WebsiteCreateBody = Type.Object(
  {
    url: WebsiteUrl,
    label: Type.Optional(Type.String({ maxLength: 255, description: 'Label (defaults to the host name of the URL).' })),
    routing_strategy: Type.Optional(RoutingStrategy),
    currency: Type.Optional(Currency),
    client_id: Type.Optional(IdSchema('Partner and platform keys: the client that owns the website.')),
  },
  { additionalProperties: false },
);
export const WebsiteUpdateBody = Type.Object(
  {
    url: Type.Optional(WebsiteUrl),
    label: Type.Optional(Type.String({ minLength: 1, maxLength: 255, pattern: NON_BLANK })),
    routing_strategy: Type.Optional(RoutingStrategy),
    currency: Type.Optional(Currency),
  },
  { additionalProperties: false },
);
export const WEBSITE_FILTERS: FilterSpecs = {
  client_id: { kind: 'id', description: 'Client identifier.' },
  url: { kind: 'text', description: 'URL; `*` is a wildcard (`*shop*`).' },
  label: { kind: 'text', description: 'Label; `*` is a wildcard.' },
};
