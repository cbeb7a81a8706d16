// The wire format: limits, error frames, typed access to checked inbound frames, and presenting entries and states.
import type { DeliveryState, ProviderError } from '../channels/adapter.js';
import { MESSAGE_KIND, type MessageKind } from '../db/schema.js';
import { kindName } from '../domain/conversations/history.js';
import { ApiError, realtimeErrors } from '../errors.js';
import type { ConversationState, EntryPayload } from './messages.js';
import type { ConversationCard } from './store.js';

/** The largest frame a socket accepts (bytes); a bigger one closes the socket with code 1009. */
export const MAX_FRAME_BYTES = 64 * 1024;
/** Message and note texts, as the REST API allows. */
export const MAX_TEXT = 20_000;
/** client_message_id, vuid, external ids. */
export const MAX_ID_TEXT = 255;

/** The error frame of anything a handler throws: API errors by their frame code and field, the rest as `internal`. */
export function errorFrame(error: unknown): { type: 'error'; code: string; message: string; field?: string } {
  const known = error instanceof ApiError ? error : realtimeErrors.internal();
  return {
    type: 'error',
    code: known.frameCode,
    message: known.message,
    ...(known.field !== undefined && { field: known.field }),
  };
}

export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

const isWhole = (value: Json): value is number => typeof value === 'number' && Number.isInteger(value);

/**
 * Typed access to the fields of a frame that passed its schema (frame-catalogue.ts): the schema has checked every
 * field, so a getter only narrows its type. A field the handler reads but the schema does not declare is a fault of
 * ours, reported as `internal`.
 */
export class FrameReader {
  constructor(
    private readonly fields: { [key: string]: Json },
    private readonly prefix = '',
  ) {}

  private value<T>(field: string, is: (value: Json) => value is T & Json, required: boolean): T | undefined {
    const value = this.fields[field];
    if (value === undefined && !required) return undefined;
    if (value === undefined || !is(value))
      throw new Error(
        `Frame field '${this.prefix}${field}' is read but not checked by its schema (frame-catalogue.ts).`,
      );
    return value;
  }

  text(field: string, options: { required: true }): string;
  text(field: string, options?: { required?: false }): string | undefined;
  text(field: string, options: { required?: boolean } = {}): string | undefined {
    return this.value(field, (value): value is string => typeof value === 'string', options.required ?? false);
  }

  /** A database id (the schema holds it from 1 to 2^31-1). */
  id(field: string, options: { required: true }): number;
  id(field: string, options?: { required?: false }): number | undefined;
  id(field: string, options: { required?: boolean } = {}): number | undefined {
    return this.value(field, isWhole, options.required ?? false);
  }

  /** A seq: a whole number from 0. */
  seq(field: string, options: { required: boolean }): number | undefined {
    return this.value(field, isWhole, options.required);
  }

  bool(field: string, options: { required: boolean }): boolean | undefined {
    return this.value(field, (value): value is boolean => typeof value === 'boolean', options.required);
  }

  /** A nested object, read the same way. */
  object(field: string): FrameReader | undefined {
    const value = this.value(
      field,
      (value): value is { [key: string]: Json } => typeof value === 'object' && value !== null && !Array.isArray(value),
      false,
    );
    return value === undefined ? undefined : new FrameReader(value, `${this.prefix}${field}.`);
  }
}

/** Kinds as the protocol names them. */
export type EntryKindName = ReturnType<typeof kindName>;

/** Keys of a system entry's details that a visitor may see; the rest (groups, skills, reasons) is for operators. */
const VISITOR_DATA_KEYS = new Set(['event']);

/** What the widget's product card shows of `data.product` (the installation and app names stay with operators). */
const VISITOR_PRODUCT_KEYS = [
  'id',
  'title',
  'productUrl',
  'imageUrl',
  'available',
  'brand',
  'shortDescription',
  'priceCatalog',
  'pricePromotion',
  'priceSpecial',
] as const;

/** The details a visitor sees: system notices' `event`, and an operator message's product card. */
function visitorData(kind: MessageKind, data: { [key: string]: Json }): { [key: string]: Json } {
  const seen: { [key: string]: Json } = Object.fromEntries(
    Object.entries(data).filter(([key]) => VISITOR_DATA_KEYS.has(key)),
  );
  const product = data.product;
  if (kind === MESSAGE_KIND.operator && typeof product === 'object' && product !== null && !Array.isArray(product)) {
    const card: { [key: string]: Json } = {};
    for (const key of VISITOR_PRODUCT_KEYS) {
      const value = product[key];
      if (value !== undefined) card[key] = value;
    }
    seen.product = card;
  }
  return seen;
}

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
  if (data !== null && audience === 'visitor') data = visitorData(entry.kind, data);
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
