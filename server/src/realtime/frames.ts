// The wire format: reading inbound frames field by field (errors name the field), and presenting entries and states.
import type { DeliveryState, ProviderError } from '../channels/adapter.js';
import { MESSAGE_KIND, type MessageKind } from '../db/schema.js';
import { kindName } from '../domain/conversations/history.js';
import { ApiError } from '../errors.js';
import type { ConversationState, EntryPayload } from './messages.js';
import type { ConversationCard } from './store.js';

/** The largest frame a socket accepts (bytes); a bigger one closes the socket with code 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Message and note texts, as the REST API allows. */
export const MAX_TEXT = 20_000;
/** client_message_id, vuid, external ids. */
export const MAX_ID_TEXT = 255;

/** A frame the gateway refuses, sent as `{type:'error', code, message, field?}`. */
export class FrameError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
    this.name = 'FrameError';
  }
}

export const frameErrors = {
  missing: (field: string) => new FrameError('field_missing', `Field '${field}' is missing.`, field),
  invalid: (field: string, problem: string) =>
    new FrameError('field_invalid', `Value of field '${field}' is not valid. ${problem}`, field),
  notFound: (resource: string, id: number, field: string) =>
    new FrameError('not_found', `Unknown '${resource}' with 'id' ${id}.`, field),
};

/** The error frame of anything a handler throws: frame errors as they are, API errors by their id, the rest as `internal`. */
export function errorFrame(error: unknown): { type: 'error'; code: string; message: string; field?: string } {
  if (error instanceof FrameError)
    return {
      type: 'error',
      code: error.code,
      message: error.message,
      ...(error.field !== undefined && { field: error.field }),
    };
  if (error instanceof ApiError) {
    const field = /^(?:Field|Value of field) '([^']+)'/.exec(error.message)?.[1];
    return { type: 'error', code: error.id, message: error.message, ...(field !== undefined && { field }) };
  }
  return {
    type: 'error',
    code: 'internal',
    message: 'The server could not process this frame; it was not applied. Try again.',
  };
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A parsed inbound frame: a JSON object with a string `type`. */
export interface InboundFrame {
  type: string;
  fields: { [key: string]: Json };
}

/** Parses raw socket data; throws FrameError on anything but a JSON object with a `type`. */
export function parseFrame(raw: string): InboundFrame {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    throw new FrameError(
      'invalid_json',
      'The frame is not valid JSON. Send one JSON object per frame, such as {"type":"message","text":"Hello","client_message_id":"m1"}.',
    );
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value))
    throw new FrameError('invalid_frame', 'A frame is a JSON object with a "type" field.');
  const fields = value as { [key: string]: Json };
  const type = fields.type;
  if (type === undefined) throw frameErrors.missing('type');
  if (typeof type !== 'string') throw frameErrors.invalid('type', 'Expected a string.');
  return { type, fields };
}

/** Typed access to a frame's fields; each getter throws a FrameError naming the field. */
export class FrameReader {
  constructor(
    private readonly fields: { [key: string]: Json },
    private readonly prefix = '',
  ) {}

  private name(field: string): string {
    return `${this.prefix}${field}`;
  }

  has(field: string): boolean {
    return this.fields[field] !== undefined && this.fields[field] !== null;
  }

  text(field: string, options: { max?: number; required: true }): string;
  text(field: string, options?: { max?: number; required?: false }): string | undefined;
  text(field: string, options: { max?: number; required?: boolean } = {}): string | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) {
      if (options.required) throw frameErrors.missing(this.name(field));
      return undefined;
    }
    if (typeof value !== 'string') throw frameErrors.invalid(this.name(field), 'Expected a string.');
    if (value.trim() === '') throw frameErrors.invalid(this.name(field), 'It must not be blank.');
    const max = options.max ?? MAX_ID_TEXT;
    if (value.length > max) throw frameErrors.invalid(this.name(field), `It must be at most ${max} characters long.`);
    if (value.includes('\u0000')) throw frameErrors.invalid(this.name(field), 'It must not contain NUL characters.');
    return value;
  }

  /** A database id: a whole number from 1 to 2^31-1. */
  id(field: string, options: { required: true }): number;
  id(field: string, options?: { required?: false }): number | undefined;
  id(field: string, options: { required?: boolean } = {}): number | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) {
      if (options.required) throw frameErrors.missing(this.name(field));
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > 2_147_483_647)
      throw frameErrors.invalid(this.name(field), 'Expected a whole number from 1 to 2147483647.');
    return value;
  }

  /** A seq: a whole number from 0. */
  seq(field: string, options: { required: boolean }): number | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) {
      if (options.required) throw frameErrors.missing(this.name(field));
      return undefined;
    }
    if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > Number.MAX_SAFE_INTEGER)
      throw frameErrors.invalid(this.name(field), 'Expected a whole number from 0.');
    return value;
  }

  bool(field: string, options: { required: boolean }): boolean | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) {
      if (options.required) throw frameErrors.missing(this.name(field));
      return undefined;
    }
    if (typeof value !== 'boolean') throw frameErrors.invalid(this.name(field), 'Expected true or false.');
    return value;
  }

  /** A nested object, read with the same rules (errors name `parent.field`). */
  object(field: string): FrameReader | undefined {
    const value = this.fields[field];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'object' || Array.isArray(value))
      throw frameErrors.invalid(this.name(field), 'Expected an object.');
    return new FrameReader(value, `${this.name(field)}.`);
  }
}

/** Kinds as the protocol names them. */
export type EntryKindName = ReturnType<typeof kindName>;

/** Keys of a system entry's details that a visitor may see; the rest (groups, skills, reasons) is for operators. */
const VISITOR_DATA_KEYS = new Set(['event']);

function parseData(data: string | null): { [key: string]: Json } | null {
  if (data === null) return null;
  try {
    const value: unknown = JSON.parse(data);
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as { [key: string]: Json })
      : null;
  } catch {
    return null;
  }
}

/** Whether the visitor sees this kind of entry at all. */
export function visibleToVisitor(kind: MessageKind): boolean {
  return kind !== MESSAGE_KIND.note;
}

/** An `entry` frame. Visitors get the details of system entries reduced to what concerns them. */
export function entryFrame(conversationId: number, entry: EntryPayload, audience: 'visitor' | 'operator') {
  let data = parseData(entry.data);
  if (data !== null && audience === 'visitor')
    data = Object.fromEntries(Object.entries(data).filter(([key]) => VISITOR_DATA_KEYS.has(key)));
  return {
    type: 'entry' as const,
    conversation_id: conversationId,
    seq: entry.seq,
    kind: kindName(entry.kind),
    text: entry.text,
    operator_id: entry.operatorId,
    at: entry.at,
    ...(entry.clientMessageId !== null && { client_message_id: entry.clientMessageId }),
    ...(data !== null && Object.keys(data).length > 0 && { data }),
  };
}

/** A `delivery` frame (operators only): where an outbound WhatsApp, SMS or RCS message stands, by its seq. */
export function deliveryFrame(
  conversationId: number,
  delivery: { seq: number; state: DeliveryState; error?: ProviderError },
) {
  return {
    type: 'delivery' as const,
    conversation_id: conversationId,
    seq: delivery.seq,
    state: delivery.state,
    ...(delivery.error !== undefined && { error: delivery.error }),
  };
}

/** A conversation's state as a visitor sees it. */
export function visitorConversationView(state: ConversationState) {
  return {
    id: state.id,
    status: state.status,
    operator: state.operatorId === null ? null : { id: state.operatorId, name: state.operatorName },
    outcome: state.outcome,
    last_seq: state.lastSeq,
  };
}

/** What an operator sees of a conversation's state; `card` adds the visitor and read positions (assignment, snapshot). */
export function operatorConversationView(state: ConversationState, card?: ConversationCard) {
  return {
    id: state.id,
    website_id: state.websiteId,
    status: state.status,
    operator_id: state.operatorId,
    skill_id: state.skillId,
    outcome: state.outcome,
    last_seq: state.lastSeq,
    ...(card !== undefined && {
      channel: card.channel,
      source: card.source,
      page_type: card.page_type,
      created_at: card.created_at,
      visitor_read_seq: Number(card.visitor_read_seq),
      operator_read_seq: Number(card.operator_read_seq),
      visitor: {
        id: card.visitor_id,
        vuid: card.unique_id,
        external_id: card.external_id,
        email: card.email,
        firstname: card.firstname,
        lastname: card.lastname,
      },
    }),
  };
}
