// Request and response schemas of canned responses (`/api/2/canned_response`, docs/CONSOLE.md "Canned responses").
import { Type } from 'typebox';
import type { FilterSpecs } from '../../http/filters.js';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../../http/validation.js';
import { CANNED_VARIABLES } from './variables.js';

export const CANNED_SCOPES = ['shared', 'personal'] as const;
export type CannedScope = (typeof CANNED_SCOPES)[number];
export const MAX_SHORTCUT = 40;
export const MAX_BODY = 5000;
export const MAX_ATTACHMENTS = 10;
/** Letters (any script), digits, `-` and `_`. */
export const SHORTCUT_PATTERN = '^[\\p{L}\\p{N}_-]+$';

const VARIABLE_LIST = CANNED_VARIABLES.map((name) => `\`{{${name}}}\``).join(', ');
const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).`, examples: ['2026-12-05 19:10:00'] });
const NullableId = (description: string) =>
  Type.Union([Type.Null(), IdSchema(description)], {
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number identifier, or empty for none.',
  });

export const CannedResponseData = Type.Object({
  id: Type.Integer({ description: 'Canned response identifier.', examples: [12] }),
  shortcut: Type.Optional(
    Type.String({ description: 'The code typed after `/` in the composer.', examples: ['refund'] }),
  ),
  title: Type.Optional(Type.String({ description: 'What the list shows.', examples: ['Refund policy'] })),
  body: Type.Optional(
    Type.String({
      description: `The text, with variables among ${VARIABLE_LIST}.`,
      examples: ['Hello {{visitor.firstname}}, {{operator.firstname}} from {{website.name}} here.'],
    }),
  ),
  scope: Type.Optional(
    Type.String({
      description: '`shared` (every operator of the client; admins manage it) or `personal` (its operator only).',
      examples: ['shared'],
    }),
  ),
  operator_id: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], { description: 'The owner of a personal response; null when shared.' }),
  ),
  website_id: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], {
      description: 'Offered on this website only; null: on every website.',
    }),
  ),
  attachments: Type.Optional(
    Type.Array(Type.String(), {
      description: 'Attachment URLs, added after the body.',
      examples: [['https://shop.example/returns.pdf']],
    }),
  ),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  created_at: Type.Optional(DateTime('Date of creation')),
  updated_at: Type.Optional(DateTime('Date of the last change')),
  _link: Type.String({
    description: 'Path of this resource, relative to the API base.',
    examples: ['/canned_response/12'],
  }),
});

const writable = {
  shortcut: Type.String({
    minLength: 1,
    maxLength: MAX_SHORTCUT,
    pattern: SHORTCUT_PATTERN,
    description: `Letters, digits, \`-\` and \`_\`, at most ${MAX_SHORTCUT}; unique among the shared responses of the client, or among the operator's personal ones, whatever the case.`,
    examples: ['refund'],
    [PROBLEM_KEYWORD]: `Expected letters, digits, '-' or '_' (at most ${MAX_SHORTCUT}), without spaces.`,
  }),
  title: Type.String({
    minLength: 1,
    maxLength: 255,
    pattern: NON_BLANK,
    description: 'What the list shows.',
    examples: ['Refund policy'],
  }),
  body: Type.String({
    minLength: 1,
    maxLength: MAX_BODY,
    pattern: NON_BLANK,
    description: `The text (at most ${MAX_BODY} characters). Variables: ${VARIABLE_LIST}; any other \`{{…}}\` is refused. A value missing when the response is used renders empty.`,
    examples: ['Hello {{visitor.firstname}}, our refund policy is on {{website.name}}.'],
  }),
  website_id: NullableId('Offer it on this website of the client only (default: every website).'),
  attachments: Type.Array(
    Type.String({
      maxLength: 2000,
      pattern: '^https?://\\S+$',
      [PROBLEM_KEYWORD]: 'Expected http:// or https:// addresses.',
    }),
    {
      maxItems: MAX_ATTACHMENTS,
      description: `Up to ${MAX_ATTACHMENTS} attachment URLs, sent after the body.`,
      examples: [['https://shop.example/returns.pdf']],
    },
  ),
};

export const CannedResponseCreateBody = Type.Object(
  {
    shortcut: writable.shortcut,
    title: writable.title,
    body: writable.body,
    scope: Type.Optional(
      Type.Unsafe<CannedScope>({
        type: 'string',
        enum: [...CANNED_SCOPES],
        description:
          "`personal` (default for an operator's console session: theirs) or `shared` (default for API keys; admins and managers only).",
        examples: ['shared'],
        [PROBLEM_KEYWORD]: "Expected 'shared', 'personal'.",
      }),
    ),
    operator_id: Type.Optional(
      IdSchema('API keys creating a `personal` response: its owner. A console session owns its own.'),
    ),
    website_id: Type.Optional(writable.website_id),
    attachments: Type.Optional(writable.attachments),
    client_id: Type.Optional(IdSchema('Partner and platform keys: the client it belongs to.')),
  },
  { additionalProperties: false },
);

/** Scope and owner stay as created: a response changes hands by being created anew. */
export const CannedResponseUpdateBody = Type.Object(
  {
    shortcut: Type.Optional(writable.shortcut),
    title: Type.Optional(writable.title),
    body: Type.Optional(writable.body),
    website_id: Type.Optional(writable.website_id),
    attachments: Type.Optional(writable.attachments),
  },
  { additionalProperties: false },
);

export const CannedRenderQuery = Type.Object({
  conversation_id: IdSchema('The conversation whose visitor, operator and website fill the variables.'),
});

export const CannedRenderData = Type.Object({
  id: Type.Integer({ description: 'Canned response identifier.' }),
  body: Type.String({
    description: 'The body with its variables filled; a missing value is empty.',
    examples: ['Hello Ada, our refund policy is on Shop.'],
  }),
  attachments: Type.Array(Type.String(), { description: 'Attachment URLs.' }),
});

export const CANNED_RESPONSE_FILTERS: FilterSpecs = {
  q: { kind: 'text', description: 'Text the shortcut, title or body contains (any case).' },
  scope: { kind: 'text', description: '`shared` or `personal`.' },
  website_id: {
    kind: 'id',
    description: 'Responses offered on this website: those restricted to it and those of every website.',
  },
};
