// Request and response schemas of transactions, the sales a merchant reports (seed 003 "Transaction").
import { Type } from 'typebox';
import type { FilterSpecs } from '../../http/filters.js';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK, PROBLEM_KEYWORD } from '../../http/validation.js';

const Link = Type.String({ description: 'Path of this resource, relative to the API base.' });
const Id = IdSchema;
const NullableInteger = (description: string) =>
  Type.Optional(Type.Union([Type.Integer(), Type.Null()], { description }));

/** Largest amount accepted: far above any real order, low enough that a typo in the exponent is caught. */
export const MAX_AMOUNT = 1_000_000_000;

export const TransactionData = Type.Object({
  id: Type.Integer({ description: 'Transaction identifier.' }),
  external_id: Type.Optional(Type.String({ description: 'External identifier: your order id.' })),
  visitor_uid: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'Visitor unique identifier, as reported.' }),
  ),
  visitor_email: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'Visitor email, as reported.' }),
  ),
  amount: Type.Optional(Type.Number({ description: 'Amount.' })),
  currency: Type.Optional(
    Type.Union([Type.String(), Type.Null()], { description: 'Currency, ISO 4217 (`EUR`), when reported.' }),
  ),
  created_at: Type.Optional(Type.String({ description: 'Date of the sale, `YYYY-MM-DD HH:MM:SS` (UTC).' })),
  website_id: Type.Optional(Type.Integer({ description: 'Website identifier.' })),
  operator_id: NullableInteger('Operator credited with the sale: the operator of the attributed conversation.'),
  conversation_id: NullableInteger('Conversation the sale is attributed to, if any.'),
  _link: Link,
});

export const TransactionCreateBody = Type.Object(
  {
    website_id: Id('Website the sale was made on (one of yours).'),
    external_id: Type.String({
      minLength: 1,
      maxLength: 255,
      pattern: NON_BLANK,
      description: 'Your order id; reporting it again on the same website returns the first report.',
    }),
    amount: Type.Number({
      minimum: 0,
      maximum: MAX_AMOUNT,
      description: 'Amount of the sale.',
      [PROBLEM_KEYWORD]: `Expected an amount from 0 to ${MAX_AMOUNT}, such as 49.90.`,
    }),
    currency: Type.Optional(
      Type.Union([Type.Null(), Type.String({ pattern: '^[A-Za-z]{3}$' })], {
        description: 'Currency, ISO 4217 (3 letters).',
        [PROBLEM_KEYWORD]: "Expected a 3-letter ISO 4217 currency code, such as 'EUR'.",
      }),
    ),
    visitor_uid: Type.Optional(
      Type.Union([Type.Null(), Type.String({ maxLength: 255 })], {
        description: 'Visitor unique identifier (the buyer).',
        [PROBLEM_KEYWORD]: 'Expected text of at most 255 characters.',
      }),
    ),
    visitor_email: Type.Optional(
      Type.Union([Type.Null(), Type.String({ maxLength: 254 })], {
        description: "Buyer's email; used to find the conversation when the unique id finds none.",
        [PROBLEM_KEYWORD]: 'Expected an email address.',
      }),
    ),
    conversation_id: Type.Optional(
      Id('Conversation to attribute the sale to (yours, on the same website); found automatically when omitted.'),
    ),
    created_at: Type.Optional(
      Type.String({
        pattern: '^\\s*\\d{4}-\\d{2}-\\d{2}([ T]\\d{2}:\\d{2}:\\d{2})?\\s*$',
        description: 'Date of the sale when importing past sales, `YYYY-MM-DD HH:MM:SS` (UTC); now when omitted.',
        [PROBLEM_KEYWORD]: 'Expected a date written YYYY-MM-DD HH:MM:SS.',
      }),
    ),
  },
  { additionalProperties: false },
);

export const TRANSACTION_FILTERS: FilterSpecs = {
  website_id: { kind: 'id', description: 'Website identifier.' },
  operator_id: { kind: 'id', description: 'Operator identifier.' },
  conversation_id: {
    kind: 'nullable_id',
    description:
      'Conversation identifier; `null` for sales attributed to no conversation, `!null` for sales attributed to one.',
  },
  from: { kind: 'date', description: 'Sales at or after this date, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.' },
  to: { kind: 'date', description: 'Sales up to this date (a `YYYY-MM-DD` date includes the whole day).' },
};
