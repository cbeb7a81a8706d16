// Request and response schemas of satisfaction survey answers (seed 003 "Satisfaction", notes as in seed 002).
import { Type } from 'typebox';
import type { FilterSpecs } from '../../http/filters.js';
import { IdSchema } from '../../http/ids.js';
import { PROBLEM_KEYWORD } from '../../http/validation.js';

const Link = Type.String({ description: 'Path of this resource, relative to the API base.' });
const Id = IdSchema;
const Fraction = (description: string) =>
  Type.Optional(
    Type.Number({
      description: `${description}: the visitor's note from 1 to 3 as a fraction of 3, rounded to 2 decimals (\`1\` = 3/3, \`0.67\` = 2/3, \`0.33\` = 1/3).`,
    }),
  );

/** Lowest and highest note of the survey (seed 002: 3 is the most satisfied). */
export const NOTE_MIN = 1;
export const NOTE_MAX = 3;
export const COMMENT_MAX = 2000;

export const SatisfactionData = Type.Object({
  id: Type.Integer({ description: 'Satisfaction identifier.' }),
  note_welcome: Fraction('Welcome note'),
  note_resolution: Fraction('Resolution note'),
  node_delay: Fraction('Delay note (seed 003 spelling; the same value as `note_delay`)'),
  note_delay: Fraction('Delay note'),
  comment: Type.Optional(Type.String({ description: "The visitor's comment, empty when none." })),
  created_at: Type.Optional(Type.String({ description: 'Date of the answer, `YYYY-MM-DD HH:MM:SS` (UTC).' })),
  website_id: Type.Optional(Type.Integer({ description: 'Website identifier.' })),
  operator_id: Type.Optional(
    Type.Union([Type.Integer(), Type.Null()], { description: 'Operator of the conversation, if any.' }),
  ),
  conversation_id: Type.Optional(Type.Integer({ description: 'Conversation identifier.' })),
  _link: Link,
});

const Note = (description: string) =>
  Type.Integer({
    minimum: NOTE_MIN,
    maximum: NOTE_MAX,
    description: `${description}, from 1 to 3 (3 is the most satisfied).`,
    [PROBLEM_KEYWORD]: 'Expected a whole number from 1 to 3 (3 is the most satisfied).',
  });

export const SatisfactionCreateBody = Type.Object(
  {
    conversation_id: Id('Conversation the answer is about (one of yours); it gives the website and the operator.'),
    note_welcome: Note('Welcome note'),
    note_delay: Type.Optional(Note('Delay note (required; `node_delay` is accepted instead)')),
    node_delay: Type.Optional(Note('Alias of `note_delay`, as seed 003 spells it')),
    note_resolution: Note('Resolution note'),
    comment: Type.Optional(
      Type.Union([Type.Null(), Type.String({ maxLength: COMMENT_MAX })], {
        description: `The visitor's comment (at most ${COMMENT_MAX} characters).`,
        [PROBLEM_KEYWORD]: `Expected text of at most ${COMMENT_MAX} characters.`,
      }),
    ),
  },
  { additionalProperties: false },
);

export const SATISFACTION_FILTERS: FilterSpecs = {
  website_id: { kind: 'id', description: 'Website identifier.' },
  operator_id: { kind: 'id', description: 'Operator identifier.' },
  conversation_id: { kind: 'id', description: 'Conversation identifier.' },
  from: { kind: 'date', description: 'Answers given at or after this date, `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS`.' },
  to: { kind: 'date', description: 'Answers given up to this date (a `YYYY-MM-DD` date includes the whole day).' },
};
