// Request and response schemas of conversations, their history, tags and the Odigo call-backs (seed 003).
import { Type } from 'typebox';
import type { FilterSpecs } from '../../http/filters.js';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../../http/validation.js';

const Link = Type.String({ description: 'Path of this resource, relative to the API base.' });
const DateTime = (description: string) =>
  Type.String({ description: `${description}, \`YYYY-MM-DD HH:MM:SS\` (UTC).` });
const Id = IdSchema;
const IdList = (description: string) => Type.Array(Id(description), { maxItems: 1000, description });
const NullableId = (description: string) =>
  Type.Union([Type.Null(), Id(description)], {
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number identifier, or empty for none.',
  });
const NullableInteger = (description: string) => Type.Union([Type.Integer(), Type.Null()], { description });
/** A date a caller gives for imports; checked for a real calendar date (and not in the future) by the commands. */
const PastDateTime = (description: string) =>
  Type.String({
    pattern: '^\\d{4}-\\d{2}-\\d{2} \\d{2}:\\d{2}:\\d{2}$',
    description,
    [PROBLEM_KEYWORD]: 'Expected a date written YYYY-MM-DD HH:MM:SS (UTC).',
  });

export const CHANNELS = ['chat', 'call', 'video', 'social'] as const;
const Channel = Type.Union(
  CHANNELS.map((channel) => Type.Literal(channel)),
  { description: 'Channel: `chat`, `call`, `video` or `social` (default `chat`).' },
);

/** One history entry as seed 003 prints it: `[type, "YYYY-MM-DD HH:MM:SS", text]`, plus epoch milliseconds for operator (1) and visitor (2) messages. */
const HistoryEntry = Type.Array(Type.Union([Type.Integer(), Type.String()]), {
  description:
    '`[type, "YYYY-MM-DD HH:MM:SS", text, epoch_ms]` for types 1 (operator) and 2 (visitor); `[type, "YYYY-MM-DD HH:MM:SS", text]` for 3 (system) and 5 (navigation, the text is the URL).',
});

export const ConversationData = Type.Object({
  id: Type.Integer({ description: 'Conversation identifier.' }),
  channel: Type.Optional(Type.String({ description: 'Conversation channel: `chat`, `call`, `video` or `social`.' })),
  visitor_uid: Type.Optional(Type.String({ description: 'Visitor unique identifier.' })),
  history: Type.Optional(
    Type.Array(HistoryEntry, { description: 'Conversation history, oldest first (see the history types).' }),
  ),
  operator_answer: Type.Optional(Type.Boolean({ description: 'Conversation answered by an operator.' })),
  operator_closed: Type.Optional(
    Type.Boolean({ description: 'Conversation closed by the operator (false: by the visitor, or still open).' }),
  ),
  waitinglist: Type.Optional(Type.Boolean({ description: 'Waiting list status.' })),
  page_type: Type.Optional(Type.Union([Type.String(), Type.Null()], { description: 'Page type.' })),
  created_at: Type.Optional(DateTime('Conversation start time')),
  closed_at: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'Conversation end time, `YYYY-MM-DD HH:MM:SS` (UTC); null while open.',
    }),
  ),
  website_id: Type.Optional(Type.Integer({ description: 'Website identifier.' })),
  operator_id: Type.Optional(NullableInteger('Operator identifier.')),
  skill_id: Type.Optional(NullableInteger('Skill identifier.')),
  tag_list: Type.Optional(Type.Array(Type.Integer(), { description: 'List of tag identifiers.' })),
  rule_id: Type.Optional(NullableInteger('Rule identifier.')),
  contact_type: Type.Optional(
    Type.Union([Type.Literal('visitor'), Type.Literal('proactive'), Type.Literal('outbound')], {
      description:
        "Who started it: `visitor` (the visitor wrote first), `proactive` (the visitor accepted a targeting rule's invitation) or `outbound` (started by an operator or the API: `POST /conversation`, Odigo call-backs). docs/TARGETING.md lists them.",
    }),
  ),
  xmpp_id: Type.Optional(Type.String({ description: 'XMPP related identifier (UUID).' })),
  visitor_id: Type.Optional(Type.Integer({ description: 'Visitor identifier (the `visitor` resource).' })),
  source: Type.Optional(
    Type.String({
      description: 'Where the conversation came from: `web`, `whatsapp`, `sms`, `rcs`, `odigo` or `api`.',
    }),
  ),
  status: Type.Optional(Type.String({ description: '`waiting` (no operator yet), `open` or `closed`.' })),
  outcome: Type.Optional(
    Type.Union(
      [
        Type.Literal('answered'),
        Type.Literal('missed_offline'),
        Type.Literal('missed_busy'),
        Type.Literal('abandoned'),
        Type.Null(),
      ],
      {
        description:
          "What became of a routed conversation (web chat, WhatsApp, SMS, RCS): `answered` (routing or a transfer gave it to an operator; whether they wrote is `operator_answer`), `missed_offline` (nobody was connected and available on its channel when it started, or the last of them left while it waited: closed, the visitor's message kept as a message left), `missed_busy` (operators were busy and it waited in the queue for more than 15 minutes), `abandoned` (the visitor left while it waited). `null` while it waits for its first operator, and for conversations the API created (`POST /conversation`, Odigo calls), which are not routed.",
      },
    ),
  ),
  phone_number: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: "Visitor's phone number (calls)." }),
  ),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  problem: Type.Optional(
    Type.Union(
      [
        Type.Object({
          reported_at: DateTime('When the problem was reported'),
          reason: Type.String({ description: 'Why, in the words of who reported it.' }),
          operator_id: NullableInteger('Operator who reported it (null: reported with an API key, no operator).'),
        }),
        Type.Null(),
      ],
      {
        description:
          "The problem an operator reported on the conversation (`POST /conversation/{id}/problem`; the last report), counted by seed 002's operator statistic `problem`; null when none.",
      },
    ),
  ),
  closing_answers: Type.Optional(
    Type.Union(
      [
        Type.Object({
          installation_id: Type.Integer({ description: 'The installed app whose form it was.' }),
          app: Type.String({ description: "The app's name." }),
          answers: Type.Array(Type.Object({ id: Type.String(), label: Type.String(), value: Type.String() }), {
            description: "In the form's order; checkboxes `true` or `false`.",
          }),
        }),
        Type.Null(),
      ],
      {
        description:
          "The operator's answers to an installed app's conversation closing form (docs/APPS.md); null when closed without one.",
      },
    ),
  ),
  _link: Link,
});

const TagList = IdList('Tag identifiers (your tags).');
const PageType = Type.Union([Type.Null(), Type.String({ maxLength: 255 })], { description: 'Page type.' });

export const ConversationCreateBody = Type.Object(
  {
    website_id: Id(
      'Website the conversation happened on (yours). With a partner or platform key, it decides the client.',
    ),
    channel: Type.Optional(Channel),
    visitor_uid: Type.Optional(
      Type.String({
        minLength: 1,
        maxLength: 255,
        pattern: NON_BLANK,
        description:
          'Visitor unique identifier; a visitor is created when the client has none with it. Omitted: a new visitor.',
      }),
    ),
    operator_id: Type.Optional(NullableId('Operator handling the conversation.')),
    skill_id: Type.Optional(NullableId('Skill identifier.')),
    rule_id: Type.Optional(NullableId('Targeting rule identifier.')),
    page_type: Type.Optional(PageType),
    tag_list: Type.Optional(TagList),
    created_at: Type.Optional(
      PastDateTime(
        'Start time for imports, `YYYY-MM-DD HH:MM:SS` (UTC), not in the future. Default: the first history entry, or now.',
      ),
    ),
    history: Type.Optional(
      Type.Array(
        Type.Array(Type.Union([Type.Integer(), Type.String()]), {
          minItems: 3,
          maxItems: 4,
          [PROBLEM_KEYWORD]: 'Expected entries written [type, "YYYY-MM-DD HH:MM:SS", text].',
        }),
        {
          maxItems: 1000,
          description:
            'History to import, oldest first: `[type, "YYYY-MM-DD HH:MM:SS", text]` entries with type 1 (operator), 2 (visitor), 3 (system) or 5 (navigation, text is the URL).',
        },
      ),
    ),
  },
  { additionalProperties: false },
);

export const ConversationUpdateBody = Type.Object(
  {
    tag_list: Type.Optional(
      Type.Array(Id('Tag identifier.'), { maxItems: 1000, description: 'Replaces the tags of the conversation.' }),
    ),
    operator_id: Type.Optional(
      NullableId('Assigns or transfers the conversation to this operator (empty: unassigned).'),
    ),
    skill_id: Type.Optional(NullableId('Skill identifier.')),
    rule_id: Type.Optional(NullableId('Targeting rule identifier.')),
    page_type: Type.Optional(PageType),
  },
  { additionalProperties: false },
);

export const ConversationCloseBody = Type.Object(
  {
    operator_closed: Type.Optional(
      Type.Boolean({
        description:
          'Closed by the operator (`1`) or by the visitor (`0`). Default: `1` when the conversation has an operator.',
      }),
    ),
    closed_at: Type.Optional(PastDateTime('End time for imports, `YYYY-MM-DD HH:MM:SS` (UTC). Default: now.')),
  },
  { additionalProperties: false },
);

export const ConversationProblemBody = Type.Object(
  {
    reason: Type.String({
      minLength: 1,
      maxLength: 2000,
      pattern: NON_BLANK,
      description: 'What went wrong, as the operator tells it (kept as given, without surrounding spaces).',
    }),
    operator_id: Type.Optional(
      Id(
        "API keys: the operator reporting it (yours; default: the conversation's operator). A console session reports as its own operator.",
      ),
    ),
  },
  { additionalProperties: false },
);

export const MESSAGE_TYPES = ['operator', 'visitor', 'system', 'navigation', 'note', '1', '2', '3', '5', '6'] as const;

export const MessageCreateBody = Type.Object(
  {
    type: Type.Unsafe<string>({
      type: 'string',
      enum: [...MESSAGE_TYPES],
      description:
        '`operator` (1), `visitor` (2), `system` (3), `navigation` (5) or `note` (6, a private note among operators, never shown to the visitor nor in `history`).',
      [PROBLEM_KEYWORD]: 'Expected operator, visitor, system, navigation or note (or 1, 2, 3, 5, 6).',
    }),
    text: Type.String({
      minLength: 1,
      maxLength: 20000,
      pattern: NON_BLANK,
      description: 'Message text; for a navigation entry, the URL of the page.',
    }),
    operator_id: Type.Optional(Id("Operator messages: who wrote it (default: the conversation's operator).")),
  },
  { additionalProperties: false },
);

export const MessageData = Type.Object({
  seq: Type.Integer({ description: 'Position in the conversation, from 1; never reused.' }),
  type: Type.Integer({ description: '1 (operator), 2 (visitor), 3 (system), 5 (navigation) or 6 (private note).' }),
  text: Type.String({ description: 'Message text, system notice, or URL.' }),
  operator_id: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Operator who wrote an operator message or a note.',
  }),
  created_at: DateTime('Time of the entry'),
  created_at_ms: Type.Integer({ description: 'Time of the entry in epoch milliseconds.' }),
  data: Type.Optional(
    Type.Record(Type.String(), Type.Unknown(), {
      description:
        'Details of the entry when it has some: a system event (`event`, `operator_id`…), a WhatsApp, SMS or RCS message (`media_id`, `mime_type`, `location`, `reply_id`, `reaction_to`…), a template sent (`template`).',
    }),
  ),
  delivery: Type.Optional(
    Type.Object(
      {
        state: Type.Unsafe<'queued' | 'sent' | 'delivered' | 'read' | 'failed'>({
          type: 'string',
          enum: ['queued', 'sent', 'delivered', 'read', 'failed'],
          description: 'Where the message stands with its provider.',
        }),
        error: Type.Optional(
          Type.Object(
            { code: Type.String(), message: Type.String() },
            { description: "The provider's error: why it failed, or why a queued message has not left yet." },
          ),
        ),
        updated_at: DateTime('Last change of state'),
      },
      { description: 'Operator messages in WhatsApp, SMS and RCS conversations: their delivery state.' },
    ),
  ),
});

export const MessageListQuery = Type.Object({
  after_seq: Type.Optional(
    Type.Integer({
      minimum: 0,
      description: 'Only entries after this `seq` (default 0: from the start).',
      [PROBLEM_KEYWORD]: 'Expected a whole number from 0.',
    }),
  ),
  limit: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: 100,
      description: 'Entries per answer (default and at most 100).',
      [PROBLEM_KEYWORD]: 'Expected a whole number from 1 to 100.',
    }),
  ),
});

export const CONVERSATION_FILTERS: FilterSpecs = {
  q: {
    kind: 'text',
    description:
      'Full-text search (at most 200 characters): conversations whose messages, notes, visitor name or email, or tags contain every word, most relevant first.',
  },
  channel: { kind: 'text', description: 'Channel: `chat`, `call`, `video` or `social`.' },
  from: {
    kind: 'date',
    description:
      'Created from this date, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (at most 3 months with `to`; alone, the 3 months after it).',
  },
  to: {
    kind: 'date',
    description:
      'Created until this date included, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (alone, the 3 months before it). Neither: the last 3 months.',
  },
  website_id: { kind: 'id', description: 'Website identifier.' },
  operator_id: { kind: 'nullable_id', description: 'Operator identifier; `null` for conversations no operator took.' },
  visitor_id: { kind: 'id', description: 'Visitor identifier.' },
  skill_id: { kind: 'nullable_id', description: 'Skill identifier; `null` for none.' },
  tag_id: { kind: 'id', description: 'Tag identifier.' },
  rule_id: { kind: 'nullable_id', description: 'Rule identifier; `null` for none.' },
  status: {
    kind: 'text',
    description: 'Status: `waiting`, `open` or `closed` (the console lists the waiting queue with it).',
  },
  contact_type: {
    kind: 'text',
    description:
      "Who started it: `visitor`, `proactive` (a targeting rule's invitation accepted) or `outbound` (an operator or the API).",
  },
};

export const TagData = Type.Object({
  id: Type.Integer({ description: 'Tag identifier.' }),
  name: Type.Optional(Type.String({ description: 'Name.' })),
  website_id: Type.Optional(Type.Array(Type.Integer(), { description: 'List of website identifiers.' })),
  client_id: Type.Optional(Type.Integer({ description: 'Client identifier.' })),
  colour: Type.Optional(
    Type.Union([Type.String(), Type.Null()], {
      description: 'Colour the console shows the tag in, `#rrggbb` (lower case); null for the neutral colour.',
      examples: ['#2f855a'],
    }),
  ),
  archived: Type.Optional(
    Type.Boolean({
      description:
        'Archived: no longer offered to operators (pickers, closing form), still on the conversations that have it, in `filters[tag_id]` and in the statistics.',
    }),
  ),
  created_at: Type.Optional(DateTime('Creation date')),
  _link: Link,
});

/** `#rrggbb`: what the console can show and what a colour picker gives. */
export const TAG_COLOUR_PATTERN = '^#[0-9A-Fa-f]{6}$';
const TagColour = Type.Union([Type.Null(), Type.String({ pattern: TAG_COLOUR_PATTERN })], {
  description: 'Colour as `#rrggbb` (stored in lower case); empty (null) for the neutral colour.',
  examples: ['#2f855a'],
  [PROBLEM_KEYWORD]: "Expected a colour written #rrggbb, such as '#2f855a', or null.",
});

export const TagCreateBody = Type.Object(
  {
    name: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: NON_BLANK,
      description: 'Name; unique within the client, whatever the case.',
    }),
    website_id: Type.Optional(IdList('Websites the tag is offered on (yours).')),
    colour: Type.Optional(TagColour),
    archived: Type.Optional(
      Type.Boolean({
        description:
          'Archived (`1`): no longer offered to operators, kept on the conversations that have it and in the statistics; `0` offers it again.',
      }),
    ),
    client_id: Type.Optional(Id('Partner and platform keys: the client the tag belongs to.')),
  },
  { additionalProperties: false },
);
export const TagUpdateBody = Type.Partial(Type.Omit(TagCreateBody, ['client_id']), { additionalProperties: false });

export const TAG_FILTERS: FilterSpecs = {
  website_id: { kind: 'id', description: 'Website identifier.' },
  archived: { kind: 'flag', description: '`0`: the tags offered to operators; `1`: the archived ones. Default: all.' },
};

export const ConversationReopenBody = Type.Object(
  {
    operator_id: Type.Optional(
      Id(
        'API keys: the operator who takes the reopened conversation (yours; default: the operator who had it). A console session takes it itself.',
      ),
    ),
  },
  { additionalProperties: false },
);

export const OdigoCallbackBody = Type.Object(
  {
    operator_external_id: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: NON_BLANK,
      description: 'Operator external identifier.',
    }),
    website_id: Id('Website identifier.'),
    phone_number: Type.String({
      minLength: 1,
      maxLength: 64,
      pattern: NON_BLANK,
      description: 'Visitor phone number.',
    }),
  },
  // The telephony platform posts these call-backs, not a person: parameters it adds are ignored rather than refused.
  { additionalProperties: true },
);

export const OdigoPickupData = Type.Object({
  targeting_rule_id: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Targeting rule of the pending call meeting, if one was found.',
  }),
  website_id: Type.Integer({ description: 'Website identifier.' }),
  conversation_id: Type.Integer({ description: 'The call conversation opened.' }),
  skill_id: Type.Union([Type.Integer(), Type.Null()], {
    description: 'Skill of the pending call meeting, if one was found.',
  }),
  visitor_phone_number: Type.String({ description: 'Visitor phone number.' }),
  visitor_uid: Type.String({ description: 'Visitor unique identifier.' }),
});

export const OdigoPickupEnvelope = Type.Object({
  meta: Type.Object({ status: Type.Literal('success') }),
  data: OdigoPickupData,
});
export const OdigoHangupEnvelope = Type.Object({
  meta: Type.Object({ status: Type.Literal('success') }),
  data: Type.Array(Type.Null(), { maxItems: 0, description: 'Always empty.' }),
});
