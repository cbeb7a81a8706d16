// The frames a client may send, one TypeBox schema per frame type and side, and the check every inbound frame passes
// before its handler runs: an error frame names the field at fault, and nothing of a refused frame is applied.
import { type TSchema, Type } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import type { TLocalizedValidationError } from 'typebox/error';
import { COMMENT_MAX, NOTE_MAX, NOTE_MIN } from '../domain/satisfaction/schema.js';
import { EMAIL_MAX, EMAIL_PROBLEM, isEmailAddress } from '../email.js';
import { type ApiError, fieldInvalid, fieldMissing, realtimeErrors } from '../errors.js';
import { PROBLEM_KEYWORD } from '../http/validation.js';
import { FrameReader, type Json, MAX_ID_TEXT, MAX_TEXT } from './frames.js';

/** Largest `ref` a frame may carry: a client's own correlation id, echoed on the answers to its frame. */
export const MAX_REF = 64;

type Check = (value: string) => boolean;

/** Text of at most `max` characters, neither blank nor holding NUL characters, plus the checks given (in order). */
function Text(max: number, description: string, ...checks: [Check, string][]) {
  let schema = Type.Refine(
    Type.Refine(
      Type.String({ maxLength: max, description }),
      (value) => /\S/.test(value),
      () => 'It must not be blank.',
    ),
    (value) => !value.includes('\u0000'),
    () => 'It must not contain NUL characters.',
  );
  for (const [check, problem] of checks) schema = Type.Refine(schema, check, () => problem);
  return schema;
}

const Id = (description: string) =>
  Type.Integer({
    minimum: 1,
    maximum: 2_147_483_647,
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number from 1 to 2147483647.',
  });

const Seq = (description: string) =>
  Type.Integer({
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number from 0.',
  });

const Flag = (description: string) => Type.Boolean({ description, [PROBLEM_KEYWORD]: 'Expected true or false.' });

const Note = (description: string) =>
  Type.Integer({
    minimum: NOTE_MIN,
    maximum: NOTE_MAX,
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number from 1 to 3 (3 is the most satisfied).',
  });

const Ref = Type.Optional(
  Type.String({ maxLength: MAX_REF, description: 'Echoed on the direct answers to this frame (error frames too).' }),
);
const ClientMessageId = Type.Optional(
  Text(MAX_ID_TEXT, "The client's id of the message: a resent frame with the same id is stored once."),
);
const ConversationId = Id('The conversation the frame is about.');
const CurrentConversationId = Type.Optional(Id("The visitor's conversation (default: the one the socket is on)."));

/** One frame type: `type` as the literal, `ref` first (an invalid ref is reported before the rest), then the fields. */
function frame<Name extends string, Fields extends Record<string, TSchema>>(type: Name, fields: Fields) {
  return Type.Object({ ref: Ref, type: Type.Literal(type), ...fields });
}

/** What a visitor socket may send (docs/REALTIME.md, "Visitor socket"). */
export const VISITOR_FRAMES = {
  hello: frame('hello', {
    website_id: Id('The website the visitor is on.'),
    vuid: Type.Optional(
      Text(MAX_ID_TEXT, 'The visitor unique id the server gave (minted when absent).', [
        (value) => !/\s/.test(value),
        'It must not contain spaces.',
      ]),
    ),
    identity: Type.Optional(
      Type.Object(
        {
          external_id: Text(MAX_ID_TEXT, "The visitor's id in the website's own accounts."),
          email: Type.Optional(Text(EMAIL_MAX, "The visitor's email.", [isEmailAddress, EMAIL_PROBLEM])),
          hash: Text(128, 'Hex HMAC-SHA256 of external_id keyed with the website identity secret.'),
        },
        { [PROBLEM_KEYWORD]: 'Expected an object.' },
      ),
    ),
    conversation_id: Type.Optional(Id('The conversation to resume.')),
    last_seq: Type.Optional(Seq('The last seq the client has of the resumed conversation.')),
  }),
  start: frame('start', {
    text: Type.Optional(Text(MAX_TEXT, 'The first message.')),
    page_type: Type.Optional(Text(255, 'The kind of page the visitor is on.')),
    skill_id: Type.Optional(Id('The skill the conversation needs.')),
    rule_id: Type.Optional(Id('The targeting rule that showed the button or invitation (docs/TARGETING.md).')),
    contact_type: Type.Optional(
      Type.Union([Type.Literal('visitor'), Type.Literal('proactive')], {
        description: '`proactive` when the visitor accepted the invitation of `rule_id`; default `visitor`.',
        [PROBLEM_KEYWORD]: "Expected 'visitor' or 'proactive'.",
      }),
    ),
    client_message_id: ClientMessageId,
    email: Type.Optional(
      Text(EMAIL_MAX, "The offline form's email, stored on the visitor.", [isEmailAddress, EMAIL_PROBLEM]),
    ),
  }),
  message: frame('message', {
    text: Text(MAX_TEXT, 'The message.'),
    client_message_id: ClientMessageId,
    conversation_id: CurrentConversationId,
  }),
  navigate: frame('navigate', {
    url: Text(2048, 'The page the visitor went to (http or https).'),
    client_message_id: ClientMessageId,
    conversation_id: CurrentConversationId,
  }),
  typing: frame('typing', { on: Flag('Whether the visitor is typing.'), conversation_id: CurrentConversationId }),
  read: frame('read', {
    seq: Seq('The last entry the visitor has seen.'),
    conversation_id: CurrentConversationId,
  }),
  close: frame('close', { conversation_id: CurrentConversationId }),
  satisfaction: frame('satisfaction', {
    note_welcome: Note('Welcome note, 1 to 3.'),
    note_delay: Note('Delay note, 1 to 3.'),
    note_resolution: Note('Resolution note, 1 to 3.'),
    comment: Type.Optional(Text(COMMENT_MAX, "The visitor's comment.")),
    conversation_id: CurrentConversationId,
  }),
  ping: frame('ping', {}),
};

/** What an operator socket may send (docs/REALTIME.md, "Operator socket"). */
export const OPERATOR_FRAMES = {
  availability: frame('availability', {
    chat: Type.Optional(Flag('Available for chats.')),
    call: Type.Optional(Flag('Available for calls.')),
    video: Type.Optional(Flag('Available for video calls.')),
  }),
  reply: frame('reply', {
    text: Text(MAX_TEXT, 'The reply.'),
    client_message_id: ClientMessageId,
    conversation_id: ConversationId,
  }),
  note: frame('note', {
    text: Text(MAX_TEXT, 'The private note.'),
    client_message_id: ClientMessageId,
    conversation_id: ConversationId,
  }),
  transfer: frame('transfer', {
    operator_id: Type.Optional(Id('The operator to transfer to.')),
    group_id: Type.Optional(Id('The group to transfer to.')),
    skill_id: Type.Optional(Id('The skill to transfer to.')),
    conversation_id: ConversationId,
  }),
  close: frame('close', { conversation_id: ConversationId }),
  read: frame('read', { seq: Seq('The last entry the operator has seen.'), conversation_id: ConversationId }),
  typing: frame('typing', { on: Flag('Whether the operator is typing.'), conversation_id: ConversationId }),
  resume: frame('resume', {
    last_seq: Seq('The last seq the client has.'),
    conversation_id: ConversationId,
  }),
  ping: frame('ping', {}),
};

export const FRAME_CATALOGUE = { visitor: VISITOR_FRAMES, operator: OPERATOR_FRAMES } as const;

export type Side = keyof typeof FRAME_CATALOGUE;

/** A frame that passed its schema: its type, and its fields to read. */
export interface CheckedFrame {
  type: string;
  reader: FrameReader;
}

/** The outcome of reading one inbound frame; `ref` is known as soon as the frame is a JSON object. */
export type InboundFrame = { ref: string | undefined } & ({ frame: CheckedFrame } | { error: ApiError });

const validators = new Map<TSchema, Validator>();

/** Compiled on first use. */
function validatorOf(schema: TSchema): Validator {
  let validator = validators.get(schema);
  if (validator === undefined) {
    validator = Compile(schema);
    validators.set(schema, validator);
  }
  return validator;
}

/**
 * `null` reads as absent, as the protocol has always said: dropped before the schema sees the frame, in the frame and
 * in its objects (frames nest one level, `identity`). Not deeper: a hostile frame may nest thousands of levels.
 */
function withoutNulls(value: { [key: string]: Json }): { [key: string]: Json } {
  const kept: { [key: string]: Json } = {};
  for (const [key, child] of Object.entries(value)) {
    if (child === null) continue;
    kept[key] =
      typeof child === 'object' && !Array.isArray(child)
        ? Object.fromEntries(Object.entries(child).filter(([, inner]) => inner !== null))
        : child;
  }
  return kept;
}

const listed = (names: string[]) => `${names.slice(0, -1).join(', ')} or ${names[names.length - 1]}`;

/** Parses and checks one frame of a socket of this side. */
export function readInbound(side: Side, raw: string): InboundFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return { ref: undefined, error: realtimeErrors.invalidJson() };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    return { ref: undefined, error: realtimeErrors.invalidFrame('A frame is a JSON object with a "type" field.') };
  const fields = withoutNulls(value as { [key: string]: Json });
  // Echoed on every answer, errors included, whenever it can be (a string within the limit).
  const ref = typeof fields.ref === 'string' && fields.ref.length <= MAX_REF ? fields.ref : undefined;
  const type = fields.type;
  if (type === undefined) return { ref, error: fieldMissing('type') };
  if (typeof type !== 'string') return { ref, error: fieldInvalid('type', 'Expected a string.') };
  const catalogue: Record<string, TSchema> = FRAME_CATALOGUE[side];
  const schema = Object.hasOwn(catalogue, type) ? catalogue[type] : undefined;
  if (schema === undefined) {
    const who = side === 'visitor' ? 'A visitor' : 'An operator';
    return {
      ref,
      error: realtimeErrors.unknownType(
        `Unknown frame type '${type.slice(0, 40)}'. ${who} sends ${listed(Object.keys(catalogue))}.`,
      ),
    };
  }
  const validator = validatorOf(schema);
  if (!validator.Check(fields)) {
    const [first] = validator.Errors(fields);
    return { ref, error: first === undefined ? fieldInvalid('type') : frameProblem(first, schema) };
  }
  return { ref, frame: { type, reader: new FrameReader(fields) } };
}

type SchemaNode = { properties?: Record<string, SchemaNode>; type?: unknown; [PROBLEM_KEYWORD]?: string };

/** The schema of the field at this path (`identity/email`). */
function schemaAt(schema: TSchema, path: string[]): SchemaNode | undefined {
  let node: SchemaNode | undefined = schema as SchemaNode;
  for (const part of path) node = node?.properties?.[part];
  return node;
}

const EXPECTED: Record<string, string> = {
  string: 'Expected a string.',
  object: 'Expected an object.',
  boolean: 'Expected true or false.',
  integer: 'Expected a whole number.',
};

/** The first schema error, as the error frame a client can act on: field names joined with dots (`identity.hash`). */
function frameProblem(error: TLocalizedValidationError, schema: TSchema): ApiError {
  const path = error.instancePath.split('/').filter((part) => part !== '');
  if (error.keyword === 'required') return fieldMissing([...path, error.params.requiredProperties[0]].join('.'));
  const field = path.join('.');
  if (error.keyword === '~refine') return fieldInvalid(field, error.params.message);
  const problem = schemaAt(schema, path)?.[PROBLEM_KEYWORD];
  if (problem !== undefined) return fieldInvalid(field, problem);
  if (error.keyword === 'type') return fieldInvalid(field, EXPECTED[String(error.params.type)] ?? error.message);
  if (error.keyword === 'maxLength')
    return fieldInvalid(field, `It must be at most ${String(error.params.limit)} characters long.`);
  if (error.keyword === 'const') return fieldInvalid(field, `Expected '${String(error.params.allowedValue)}'.`);
  return fieldInvalid(field, error.message);
}
