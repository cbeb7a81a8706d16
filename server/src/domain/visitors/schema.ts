// Request and response schemas of visitors and call meetings (seed 003 "Visitor", "Call meeting").
import { Type } from 'typebox';
import type { CallMeetingStatus } from '../../db/schema.js';
import type { FilterSpecs } from '../../http/filters.js';
import { IdSchema } from '../../http/ids.js';
import { PROBLEM_KEYWORD } from '../../http/validation.js';

const Link = Type.String({ description: 'Path of this resource, relative to the API base.' });
const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).` });
const Id = IdSchema;
const NullableText = (description: string) => Type.Optional(Type.Union([Type.String(), Type.Null()], { description }));
/** Optional personal text: null (or an empty form value) clears it. */
const PersonalText = (description: string, maxLength = 255) =>
  Type.Union([Type.Null(), Type.String({ maxLength })], {
    description,
    [PROBLEM_KEYWORD]: `Expected text of at most ${maxLength} characters, or null to clear it.`,
  });
/** Optional reference text of a call meeting. */
const OptionalText = (description: string) =>
  Type.Optional(
    Type.Union([Type.Null(), Type.String({ maxLength: 255 })], {
      description,
      [PROBLEM_KEYWORD]: 'Expected text of at most 255 characters.',
    }),
  );

export const VisitorData = Type.Object({
  id: Type.Integer({ description: 'Visitor identifier.' }),
  unique_id: Type.Optional(
    Type.String({ description: 'Visitor unique identifier (`visitor_uid` elsewhere in the API).' }),
  ),
  external_id: NullableText('Your id if provided.'),
  lastname: NullableText('Last name.'),
  firstname: NullableText('First name.'),
  address: NullableText('Address.'),
  city: NullableText('City.'),
  zip: NullableText('Zip code.'),
  country: NullableText('Country.'),
  phone: NullableText('Phone number.'),
  email: NullableText('Email.'),
  browser: NullableText('Browser used by the visitor.'),
  website_id: Type.Optional(
    Type.Array(Type.Integer(), { description: 'List of website identifiers the visitor came to.' }),
  ),
  created_at: Type.Optional(DateTime('Visitor creation date')),
  custom_attributes: Type.Optional(
    Type.Record(Type.String(), Type.String(), {
      description: 'Custom attributes of the contact: your keys, text values.',
      examples: [{ plan: 'premium', order_ref: 'A-1042' }],
    }),
  ),
  identities: Type.Optional(
    Type.Array(
      Type.Object({
        type: Type.String({
          description:
            "`web` (a browser's or the API's visitor unique id), `whatsapp`, `sms`, `rcs` (a messaging address), `email` or `phone`.",
        }),
        value: Type.String({ description: 'The unique id, address, email or phone number.' }),
      }),
      {
        description:
          'How this contact is known across channels, including the identities of the contacts merged into it.',
        examples: [
          [
            { type: 'web', value: '3f1c0d9e8b7a6f5e4d3c2b1a0f9e8d7c6b5a4f3e2d1c0b9a8' },
            { type: 'whatsapp', value: '+33612345678' },
            { type: 'email', value: 'julie@shop.example' },
          ],
        ],
      },
    ),
  ),
  conversation_id: Type.Optional(
    Type.Array(Type.Integer(), {
      description: "Identifiers of the contact's conversations (those of merged contacts included), newest first.",
    }),
  ),
  _link: Link,
});

/** Keys of custom attributes: a letter, then letters, digits, `_`, `-` or `.`. */
export const CUSTOM_ATTRIBUTE_KEY = '^[A-Za-z][A-Za-z0-9_.-]{0,63}$';
export const CUSTOM_ATTRIBUTE_LIMITS = { keys: 50, valueLength: 1000 } as const;

const CustomAttributes = (nullable: boolean) =>
  Type.Record(
    Type.String({ pattern: CUSTOM_ATTRIBUTE_KEY }),
    nullable
      ? Type.Union([Type.String({ maxLength: CUSTOM_ATTRIBUTE_LIMITS.valueLength }), Type.Null()])
      : Type.String({ maxLength: CUSTOM_ATTRIBUTE_LIMITS.valueLength }),
    {
      maxProperties: CUSTOM_ATTRIBUTE_LIMITS.keys,
      description: nullable
        ? `Custom attributes to set: text values of at most ${CUSTOM_ATTRIBUTE_LIMITS.valueLength} characters; \`null\` (or an empty text) removes the key; keys not given are kept. At most ${CUSTOM_ATTRIBUTE_LIMITS.keys} keys in all, each a letter then letters, digits, \`_\`, \`-\` or \`.\` (64 at most).`
        : `Custom attributes: at most ${CUSTOM_ATTRIBUTE_LIMITS.keys} keys, each a letter then letters, digits, \`_\`, \`-\` or \`.\` (64 at most), with text values of at most ${CUSTOM_ATTRIBUTE_LIMITS.valueLength} characters.`,
      examples: [{ plan: 'premium' }],
      [PROBLEM_KEYWORD]: `Expected an object of at most ${CUSTOM_ATTRIBUTE_LIMITS.keys} keys (a letter, then letters, digits, _, - or .) with text values of at most ${CUSTOM_ATTRIBUTE_LIMITS.valueLength} characters.`,
    },
  );

export const VisitorMergeBody = Type.Object(
  {
    from_id: Id('The visitor to merge into this one (same client); it answers 404 afterwards.'),
  },
  { additionalProperties: false },
);

const visitorWritable = {
  external_id: PersonalText('Your identifier for this visitor.'),
  lastname: PersonalText('Last name.'),
  firstname: PersonalText('First name.'),
  address: PersonalText('Address.', 1000),
  city: PersonalText('City.'),
  zip: PersonalText('Zip code.', 32),
  country: PersonalText('Country.'),
  phone: PersonalText(
    "Phone number: international (E.164, `+` and the country code, such as '+33612345678') or, as in seed 003, national digits; spaces, dots, dashes and brackets are removed.",
    64,
  ),
  email: PersonalText('Email; checked to be an email address.', 254),
  browser: PersonalText('Browser used by the visitor.', 1000),
  website_id: Type.Array(Id('Website identifier.'), {
    maxItems: 1000,
    description: 'Website identifiers (your own). On update, the list replaces the current one.',
  }),
};

export const VisitorCreateBody = Type.Object(
  {
    unique_id: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: '^\\S+$',
        description: 'Visitor unique identifier, unique within your account; generated when omitted.',
        [PROBLEM_KEYWORD]: 'Expected an identifier without spaces, at most 255 characters.',
      }),
    ),
    external_id: Type.Optional(visitorWritable.external_id),
    lastname: Type.Optional(visitorWritable.lastname),
    firstname: Type.Optional(visitorWritable.firstname),
    address: Type.Optional(visitorWritable.address),
    city: Type.Optional(visitorWritable.city),
    zip: Type.Optional(visitorWritable.zip),
    country: Type.Optional(visitorWritable.country),
    phone: Type.Optional(visitorWritable.phone),
    email: Type.Optional(visitorWritable.email),
    browser: Type.Optional(visitorWritable.browser),
    website_id: Type.Optional(visitorWritable.website_id),
    custom_attributes: Type.Optional(CustomAttributes(false)),
    client_id: Type.Optional(Id('Partner and platform keys: the client the visitor belongs to.')),
  },
  { additionalProperties: false },
);

export const VisitorUpdateBody = Type.Object(
  {
    // Listed so that sending them gets a sentence saying why, rather than "not a field".
    unique_id: Type.Optional(Type.Unknown({ description: 'Cannot be changed.' })),
    created_at: Type.Optional(Type.Unknown({ description: 'Cannot be changed.' })),
    external_id: Type.Optional(visitorWritable.external_id),
    lastname: Type.Optional(visitorWritable.lastname),
    firstname: Type.Optional(visitorWritable.firstname),
    address: Type.Optional(visitorWritable.address),
    city: Type.Optional(visitorWritable.city),
    zip: Type.Optional(visitorWritable.zip),
    country: Type.Optional(visitorWritable.country),
    phone: Type.Optional(visitorWritable.phone),
    email: Type.Optional(visitorWritable.email),
    browser: Type.Optional(visitorWritable.browser),
    website_id: Type.Optional(visitorWritable.website_id),
    custom_attributes: Type.Optional(CustomAttributes(true)),
  },
  { additionalProperties: false },
);

export const VISITOR_FILTERS: FilterSpecs = {
  unique_id: { kind: 'text', description: 'Visitor unique identifier; `*` is a wildcard.' },
  external_id: { kind: 'text', description: 'External identifier; `*` is a wildcard.' },
  website_id: { kind: 'id', description: 'Website identifier.' },
  q: {
    kind: 'text',
    description:
      'Search: visitors whose first or last name, full name, email, phone, unique id or external id contains this text (case-insensitive), or one of a visitor merged into them.',
  },
};

export const CALL_MEETING_STATUSES: readonly CallMeetingStatus[] = ['pending', 'progress', 'done', 'failed', 'working'];

const Status = Type.Unsafe<CallMeetingStatus>({
  type: 'string',
  enum: [...CALL_MEETING_STATUSES],
  description: 'Call meeting status: `pending`, `progress`, `done`, `failed` or `working`.',
  [PROBLEM_KEYWORD]: `Expected one of: ${CALL_MEETING_STATUSES.join(', ')}.`,
});
const StartAt = Type.String({
  pattern: '^\\s*\\d{4}-\\d{2}-\\d{2}[ T]\\d{2}:\\d{2}:\\d{2}\\s*$',
  description: 'Date and time of the call, `YYYY-MM-DD HH:MM:SS` (UTC).',
  [PROBLEM_KEYWORD]: "Expected a date and time written YYYY-MM-DD HH:MM:SS, such as '2026-11-21 14:30:00'.",
});
const PhoneNumber = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^\\s*\\+?[0-9][0-9 ().-]*\\s*$',
  description:
    'Phone number to call, digits with an optional leading `+` (spaces, dots, dashes and brackets are allowed).',
  [PROBLEM_KEYWORD]: "Expected a phone number such as '+33 6 12 34 56 78'.",
});

export const CallMeetingData = Type.Object({
  id: Type.Integer({ description: 'Call meeting identifier.' }),
  phone_number: Type.Optional(Type.String({ description: 'Visitor phone number.' })),
  visitor_uid: NullableText('Visitor unique identifier.'),
  status: Type.Optional(
    Type.String({ description: 'Call meeting status: `pending`, `progress`, `done`, `failed` or `working`.' }),
  ),
  start_at: Type.Optional(DateTime('Date of the call')),
  website_id: Type.Optional(Type.Integer({ description: 'Website identifier.' })),
  targeting_rule_id: NullableText('Targeting rule identifier associated to the call meeting.'),
  skill_id: NullableText('Skill identifier associated to the call meeting.'),
  _link: Link,
});

export const CallMeetingCreateBody = Type.Object(
  {
    website_id: Id('Website identifier (one of yours).'),
    phone_number: PhoneNumber,
    start_at: StartAt,
    visitor_uid: OptionalText('Visitor unique identifier.'),
    targeting_rule_id: OptionalText('Targeting rule identifier.'),
    skill_id: Type.Optional(
      Type.Union([Type.Null(), Type.String({ pattern: '^\\d{1,15}$' })], {
        description: 'Skill identifier (one of yours), as text.',
        [PROBLEM_KEYWORD]: 'Expected a skill identifier.',
      }),
    ),
    status: Type.Optional(Status),
  },
  { additionalProperties: false },
);

export const CallMeetingUpdateBody = Type.Object(
  { status: Type.Optional(Status), start_at: Type.Optional(StartAt), phone_number: Type.Optional(PhoneNumber) },
  { additionalProperties: false },
);

export const CALL_MEETING_FILTERS: FilterSpecs = {
  website_id: { kind: 'id', description: 'Website identifier.' },
  from: { kind: 'date', description: 'Calls starting at or after this date, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.' },
  to: { kind: 'date', description: 'Calls starting up to this date (a `YYYY-MM-DD` date includes the whole day).' },
};
