// Parameter and answer schemas of the legacy v1 API (seed 002): one schema per method drives validation and the OpenAPI document.
import { type TSchema, Type } from 'typebox';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../../http/validation.js';

/** Output formats of seed 002 (`out=`): json by default; some methods also answer xml or csv. */
export type OutFormat = 'json' | 'xml' | 'csv';

/** The largest id the store holds (a 32-bit integer column): larger numbers are refused before they reach PostgreSQL. */

const Id = IdSchema;
const Text = (description: string, maxLength = 255) => Type.String({ maxLength, description });
const DateParam = (description: string) =>
  Type.String({
    maxLength: 19,
    description: `${description}, \`aaaa-mm-jj\` (YYYY-MM-DD, UTC; the whole day is included).`,
    examples: ['2011-12-27'],
  });

/** The `out` parameter: its allowed values, and the sentence that names them when another is given. */
function Out(formats: readonly OutFormat[]) {
  const list = formats.join(', ');
  return Type.Optional(
    Type.Unsafe<OutFormat>({
      type: 'string',
      enum: [...formats],
      default: 'json',
      description:
        formats.length === 1
          ? 'Output format: this method answers `json` only.'
          : `Output format: ${formats.map((format) => `\`${format}\``).join(', ')} (default \`json\`).`,
      [PROBLEM_KEYWORD]: formats.length === 1 ? 'This method answers in json only.' : `Expected one of: ${list}.`,
    }),
  );
}

const OperatorType = (defaults: { default?: string } = {}) =>
  Type.Unsafe<'operator' | 'manager' | 'admin'>({
    type: 'string',
    enum: ['operator', 'manager', 'admin'],
    description: 'Account type: `operator`, `manager` or `admin`.',
    [PROBLEM_KEYWORD]: 'Expected operator, manager or admin.',
    ...defaults,
  });
const MaxChat = (defaults: { default?: number } = {}) =>
  Type.Integer({
    minimum: 1,
    maximum: 6,
    description: 'Maximum number of simultaneous chats, 1 to 6.',
    [PROBLEM_KEYWORD]: 'Expected a whole number from 1 to 6.',
    ...defaults,
  });
const Name = Type.String({
  minLength: 1,
  maxLength: 255,
  pattern: NON_BLANK,
  description: 'First name and last name of the operator.',
});
const Email = Type.String({
  minLength: 3,
  maxLength: 254,
  description: 'Email of the operator, used as the console login; unique within your account.',
});
// Seed 002's own example creates an account with the password "mypass": v1 accepts 6 characters where v2 asks for 8.
const Password = Type.String({
  minLength: 6,
  maxLength: 256,
  description: 'Console password (at least 6 characters); stored as an argon2id hash, never returned.',
});
const OptionalText = (description: string) => Type.Optional(Text(`${description} An empty value clears it.`));

/** Who `setAvailable`, `setUnavailable` and `disconnect` act on: `opid` (or `opId`, as the seed's examples write it) or `external_id`. */
const OperatorTarget = {
  opid: Type.Optional(Id('Operator identifier (one of opid and external_id is required).')),
  opId: Type.Optional(Id('Same as `opid`, as the seed examples write it.')),
  external_id: Type.Optional(
    Type.String({
      minLength: 1,
      maxLength: 255,
      description: 'External identifier of the operator (one of opid and external_id is required).',
    }),
  ),
};

export const NoParams = Type.Object({ out: Out(['json']) });

export const CreateAccountParams = Type.Object({
  name: Name,
  email: Email,
  password: Password,
  pseudo: OptionalText('Pseudonym shown to visitors.'),
  type: Type.Optional(OperatorType({ default: 'operator' })),
  maxchat: Type.Optional(MaxChat({ default: 2 })),
  external_id: OptionalText('Your identifier for this operator.'),
  out: Out(['json']),
});

export const EditAccountParams = Type.Object({
  id: Id('Identifier of the operator to change (required).'),
  name: Type.Optional(Name),
  email: Type.Optional(Email),
  password: Type.Optional(Password),
  pseudo: OptionalText('Pseudonym shown to visitors.'),
  type: Type.Optional(OperatorType()),
  maxchat: Type.Optional(MaxChat()),
  external_id: OptionalText('Your identifier for this operator.'),
  out: Out(['json']),
});

export const DeleteAccountParams = Type.Object({
  id: Id('Identifier of the operator to delete (required).'),
  out: Out(['json']),
});

export const WebsiteOperatorListParams = Type.Object({
  sid: Id('Website identifier (see `getClientWebsiteList`).'),
  out: Out(['json']),
});

export const LinkWebsiteParams = Type.Object({
  opid: Id('Operator identifier (required).'),
  sid: Id('Website identifier (see `getClientWebsiteList`; required).'),
  out: Out(['json']),
});

export const OperatorTargetParams = Type.Object({ ...OperatorTarget, out: Out(['json']) });

export const HistoryParams = Type.Object({
  sdate: Type.Optional(DateParam('First day of the conversations')),
  edate: Type.Optional(DateParam('Last day of the conversations')),
  opid: Type.Optional(Id('Only conversations of this operator.')),
  external_id: Type.Optional(Text('Only conversations of the operator with this external identifier.')),
  extid: Type.Optional(Text('Only conversations of the visitor with this external identifier (customer file).')),
  ruleid: Type.Optional(Id('Only conversations started by this targeting rule.')),
  out: Out(['json', 'xml']),
});

export const HistoryByIdParams = Type.Object({ chatid: Id('Conversation identifier.'), out: Out(['json', 'xml']) });

export const TransactionsParams = Type.Object({
  sdate: DateParam('First day of the transactions (required)'),
  edate: DateParam('Last day of the transactions (required)'),
  chatted: Type.Optional(
    Type.Integer({
      minimum: 0,
      maximum: 1,
      description: '`1`: only transactions that followed a conversation.',
      [PROBLEM_KEYWORD]: 'Expected 0 or 1.',
    }),
  ),
  out: Out(['json', 'csv']),
});

export const SatisfactionParams = Type.Object({
  sdate: Type.Optional(DateParam('First day of the answers (without any date: today, UTC)')),
  edate: Type.Optional(DateParam('Last day of the answers (without any date: today, UTC)')),
  opid: Type.Optional(Id('Only answers about conversations with this operator.')),
  opname: Type.Optional(
    Text('Only answers about conversations with the operator of this name (exact, ignoring case).'),
  ),
  out: Out(['json', 'csv']),
});

export const StatsParams = Type.Object({
  sdate: DateParam('First day of the period (required)'),
  edate: DateParam('Last day of the period (required)'),
  opid: Type.Optional(Id('Only this operator.')),
  opname: Type.Optional(Text('Only the operator of this name (exact, ignoring case).')),
  out: Out(['json', 'csv']),
});

// Answers. Values are strings where seed 002's examples quote them.

const Str = (description: string) => Type.String({ description });

export const Success = Type.Object({ result: Type.Literal('success') }, { description: '`{"result":"success"}`.' });

export const V1Error = Type.Object(
  {
    result: Type.Literal('error'),
    message: Type.String({ description: 'What went wrong, naming the parameter to correct.' }),
  },
  { description: 'An error: `result` is `error`; `message` says what to change.' },
);

export const V1ErrorResponses = { 400: V1Error, 403: V1Error, 404: V1Error, 405: V1Error, 409: V1Error } as const;

export const OperatorItem = Type.Object({
  id: Str('Operator identifier.'),
  external_id: Str('External identifier, empty when none.'),
  name: Str('Name.'),
  nick: Str('First name, or else the first word of the name.'),
  pseudo: Str('Pseudonym, empty when none.'),
  rights: Str('Highest role: `admin`, `manager` or `operator`.'),
  curchat: Str('Conversations the operator has open now.'),
  maxchat: Str('Maximum simultaneous chats.'),
  is_online: Str('`1` when connected to the console.'),
  messenger_isonline: Str('`1` when available for chat.'),
});
export const OperatorList = Type.Object({ operators: Type.Array(OperatorItem) });

export const WebsiteItem = Type.Object({
  id: Str('Website identifier (the `sid` of linkWebsite).'),
  label: Str('Label.'),
  url: Str('Address.'),
});
export const WebsiteList = Type.Object({ websites: Type.Array(WebsiteItem) });

export const HistoryEntry = Type.Object({
  from: Str('`NAVIGATION` (a page the visitor opened), `visitor`, `operator` or `alert` (a system notice).'),
  time: Str('`hh:mm`, UTC.'),
  msg: Str('Message, notice, or the address of the page.'),
});
export const HistoryItem = Type.Object({
  id: Str('Conversation identifier.'),
  duration: Str('`mm:ss` from the start to the close (or to now while open).'),
  datetime: Str('Start, `jj.mm.aaaa hh:mm` (UTC).'),
  opid: Str('Operator identifier, empty when no operator took the conversation.'),
  opname: Str('Operator name.'),
  group: Str("Name of the operator's group."),
  vuid: Str('Visitor unique identifier.'),
  user_agent: Str("The visitor's browser."),
  extid: Str('External identifier of the visitor, empty when none.'),
  history: Type.Array(HistoryEntry),
});
export const HistoryList = Type.Array(HistoryItem);

export const TransactionItem = Type.Object({
  id: Str('Transaction identifier.'),
  operator: Str('Name of the operator credited with the sale, empty when none.'),
  chat_id: Str('Conversation identifier, empty when the sale followed no conversation.'),
  client_email: Str("The customer's email, empty when unknown."),
  transaction_id: Str('Your order identifier.'),
  amount: Str('Amount, two decimals.'),
  date: Str('`jj.mm.aaaa hh:mm` (UTC).'),
});
export const TransactionList = Type.Array(TransactionItem);

const Note = (what: string) => Type.Integer({ description: `${what}, 1 to 3 (3 is the most satisfied).` });
export const SatisfactionItem = Type.Object({
  id: Str('Answer identifier.'),
  operator: Str('Name of the operator of the conversation.'),
  chat_id: Str('Conversation identifier.'),
  note_accueil: Note('Welcome'),
  note_delai: Note('Response time'),
  note_resolution: Note('Resolution'),
  comment: Str("The visitor's comment."),
  date: Str('`jj.mm.aaaa hh:mm` (UTC).'),
});
export const SatisfactionList = Type.Array(SatisfactionItem);

const RoundedNote = (what: string) =>
  Type.Integer({ description: `${what}: mean of the notes (1 to 3), rounded; 0 without answers.` });
export const StatsItem = Type.Object({
  operator: Str('Operator name.'),
  id: Str('Operator identifier.'),
  presence: Type.Number({ description: 'Hours connected during the period (two decimals).' }),
  chatcount: Str('Conversations the operator handled that started in the period.'),
  rate: Str('Mean of all satisfaction notes (1 to 3) of the period, unrounded; `0` without answers.'),
  duration: Str('Mean length in minutes of those conversations that are closed (eight decimals).'),
  conv_rate: Str('Share of those conversations followed by a sale (four decimals; ×100 for a percentage).'),
  turnover: Str('Sum of the amounts of the sales credited to the operator in the period (two decimals).'),
  sales_count: Str('Number of those sales.'),
  problem: Str(
    'Those conversations with a problem reported on them (`POST /api/2/conversation/{id}/problem`, from the console or the API).',
  ),
  note_accueil: RoundedNote('Welcome'),
  note_delai: RoundedNote('Response time'),
  note_resolution: RoundedNote('Resolution'),
  note_globale: RoundedNote('All notes'),
});
export const StatsList = Type.Array(StatsItem);

/** The 200 answer of a method: its json schema, plus the text formats it may answer in. */
export function okResponse(json: TSchema, formats: readonly OutFormat[]) {
  const content: Record<string, { schema: TSchema }> = { 'application/json': { schema: json } };
  if (formats.includes('xml')) content['application/xml'] = { schema: Type.String({ description: 'With `out=xml`.' }) };
  if (formats.includes('csv'))
    content['text/csv'] = {
      schema: Type.String({ description: 'With `out=csv`: `;`-separated, header line first, CRLF line ends.' }),
    };
  return { description: 'Success.', content };
}
