// Reporting a sale: attributes it to the conversation that led to it and commits the row and its event in one transaction.
import type { Kysely, SelectQueryBuilder, Transaction } from 'kysely';
import { isUniqueViolation } from '../../db/dialect.js';
import type { Database, SaleRow } from '../../db/schema.js';
import { isEmailAddress } from '../../email.js';
import { conflict, fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant, parseApiDate } from '../../time.js';
import { type Principal, visibleWebsite } from '../tenancy/policy.js';

type Tx = Transaction<Database>;
/** A query selecting the ids of some live visitors. */
type VisitorIds = SelectQueryBuilder<Database, 'visitor', { id: number }>;

/** A conversation counts for a sale when it started at most this long before it. */
export const ATTRIBUTION_WINDOW_DAYS = 30;
const DAY_MS = 86_400_000;
/** A sale dated this far ahead of the server clock is accepted (the merchant's clock may run a little fast). */
const CLOCK_SKEW_MS = 5 * 60_000;

export interface TransactionInput {
  website_id: number;
  external_id: string;
  amount: number;
  currency?: string | null;
  visitor_uid?: string | null;
  visitor_email?: string | null;
  conversation_id?: number;
  created_at?: string;
}

export interface ReportedTransaction {
  id: number;
  /** False when the same order was already reported: the first report is returned unchanged. */
  created: boolean;
}

interface Attribution {
  conversationId: number | null;
  operatorId: number | null;
  visitorId: number | null;
}

function cleanText(value: string | null | undefined): string | null {
  const text = value?.trim() ?? '';
  return text === '' ? null : text;
}

/** The sale's instant: now, or the imported date (never in the future). */
function saleInstant(createdAt: string | undefined): string {
  if (createdAt === undefined) return nowInstant();
  const parsed = parseApiDate(createdAt);
  if (parsed === null) throw fieldInvalid('created_at', 'Expected a real date written YYYY-MM-DD HH:MM:SS.');
  if (parsed.start.getTime() > Date.now() + CLOCK_SKEW_MS)
    throw fieldInvalid('created_at', 'A sale cannot be dated in the future.');
  return parsed.start.toISOString();
}

/** A retried report must describe the same sale; anything else is a different order reusing the id. */
function sameSaleOrConflict(existing: SaleRow, amount: number, currency: string | null): ReportedTransaction {
  const place = `The transaction with the external_id '${existing.external_id}' on website ${existing.website_id} was already reported`;
  if (Math.abs(Number(existing.amount) - amount) > 1e-9) {
    throw conflict(
      `Value of field 'amount' is not valid. ${place} with the amount ${Number(existing.amount)}; a retry must send the same amount, and another order needs another external_id.`,
    );
  }
  if (currency !== null && existing.currency !== null && currency !== existing.currency) {
    throw conflict(
      `Value of field 'currency' is not valid. ${place} in ${existing.currency}; a retry must send the same currency.`,
    );
  }
  return { id: existing.id, created: false };
}

function findSale(db: Kysely<Database> | Tx, websiteId: number, externalId: string): Promise<SaleRow | undefined> {
  return db
    .selectFrom('sale')
    .selectAll()
    .where('website_id', '=', websiteId)
    .where('external_id', '=', externalId)
    .executeTakeFirst();
}

/** The most recent conversation of these visitors on the website that started in the window before the sale. */
function latestConversation(trx: Tx, clientId: number, websiteId: number, saleAt: string, visitorIds: VisitorIds) {
  const since = new Date(Date.parse(saleAt) - ATTRIBUTION_WINDOW_DAYS * DAY_MS).toISOString();
  return trx
    .selectFrom('conversation')
    .select(['id', 'operator_id', 'visitor_id'])
    .where('client_id', '=', clientId)
    .where('website_id', '=', websiteId)
    .where('visitor_id', 'in', visitorIds)
    .where('created_at', '>=', since)
    .where('created_at', '<=', saleAt)
    .orderBy('created_at', 'desc')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
}

function visitorIdsByEmail(trx: Tx, clientId: number, email: string): VisitorIds {
  return trx
    .selectFrom('visitor')
    .select('id')
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .where((eb) => eb(eb.fn('lower', ['email']), '=', email.toLowerCase()));
}

function visitorIdsByUid(trx: Tx, clientId: number, uid: string): VisitorIds {
  return (
    trx
      .selectFrom('visitor')
      // A merged visitor's unique id is the contact it was merged into.
      .select((eb) => eb.fn.coalesce('merged_into_id', 'id').as('id'))
      .where('client_id', '=', clientId)
      .where('deleted_at', 'is', null)
      .where('unique_id', '=', uid)
  );
}

/**
 * Which conversation led to the sale. An explicit `conversation_id` must be the client's and on the
 * sale's website. Otherwise: the visitor's most recent conversation on the website in the 30 days
 * before the sale, found by unique id first and, when that finds none, by email (the buyer may have
 * chatted from another device).
 */
async function attribute(
  trx: Tx,
  clientId: number,
  websiteId: number,
  saleAt: string,
  input: { conversationId?: number; uid: string | null; email: string | null },
): Promise<Attribution> {
  const uidVisitor =
    input.uid === null ? undefined : await visitorIdsByUid(trx, clientId, input.uid).executeTakeFirst();
  if (input.conversationId !== undefined) {
    const conversation = await trx
      .selectFrom('conversation')
      .select(['id', 'website_id', 'operator_id', 'visitor_id'])
      .where('id', '=', input.conversationId)
      .where('client_id', '=', clientId)
      .executeTakeFirst();
    if (!conversation)
      throw fieldInvalid('conversation_id', `Unknown 'conversation' with 'id' ${input.conversationId}.`);
    if (conversation.website_id !== websiteId)
      throw fieldInvalid(
        'conversation_id',
        `Conversation ${conversation.id} is on website ${conversation.website_id}, not on website ${websiteId}.`,
      );
    return {
      conversationId: conversation.id,
      operatorId: conversation.operator_id,
      visitorId: uidVisitor?.id ?? conversation.visitor_id,
    };
  }
  const { uid, email } = input;
  const byUid =
    uid === null
      ? undefined
      : await latestConversation(trx, clientId, websiteId, saleAt, visitorIdsByUid(trx, clientId, uid));
  const found =
    byUid ??
    (email === null
      ? undefined
      : await latestConversation(trx, clientId, websiteId, saleAt, visitorIdsByEmail(trx, clientId, email)));
  return {
    conversationId: found?.id ?? null,
    operatorId: found?.operator_id ?? null,
    visitorId: uidVisitor?.id ?? found?.visitor_id ?? null,
  };
}

/**
 * Records a sale a merchant reports (`transaction.created`) on one of the caller's websites, attributed
 * to a conversation when one led to it. Reporting the same `external_id` on the same website again
 * returns the first report unchanged (a merchant's retry), or 409 when the amount or currency differ.
 */
export async function reportTransaction(
  db: Kysely<Database>,
  principal: Principal,
  input: TransactionInput,
): Promise<ReportedTransaction> {
  const website = await visibleWebsite(db, principal, input.website_id);
  const externalId = input.external_id.trim();
  const currency = cleanText(input.currency)?.toUpperCase() ?? null;
  const amount = input.amount;
  if (!Number.isFinite(amount) || amount < 0)
    throw fieldInvalid('amount', 'Expected an amount of 0 or more, such as 49.90.');
  const uid = cleanText(input.visitor_uid);
  const email = cleanText(input.visitor_email);
  if (email !== null && !isEmailAddress(email))
    throw fieldInvalid('visitor_email', "Expected an email address, such as 'julie@shop.example'.");
  const saleAt = saleInstant(input.created_at);

  const reported = await findSale(db, website.id, externalId);
  if (reported) return sameSaleOrConflict(reported, amount, currency);
  try {
    return await transact(db, async (trx) => {
      const attribution = await attribute(trx, website.client_id, website.id, saleAt, {
        ...(input.conversation_id !== undefined && { conversationId: input.conversation_id }),
        uid,
        email,
      });
      const { id } = await trx
        .insertInto('sale')
        .values({
          client_id: website.client_id,
          website_id: website.id,
          external_id: externalId,
          visitor_id: attribution.visitorId,
          visitor_uid: uid,
          visitor_email: email,
          amount,
          currency,
          operator_id: attribution.operatorId,
          conversation_id: attribution.conversationId,
          created_at: saleAt,
        })
        .returning('id')
        .executeTakeFirstOrThrow();
      await appendEvent(trx, {
        type: 'transaction.created',
        clientId: website.client_id,
        subject: { type: 'transaction', id },
        payload: {
          transactionId: id,
          websiteId: website.id,
          conversationId: attribution.conversationId,
          operatorId: attribution.operatorId,
          amount,
          currency,
          externalId,
        },
        at: nowInstant(),
      });
      return { id, created: true };
    });
  } catch (error) {
    // Two reports of one order at once: the unique index keeps one; the other answers as a retry would.
    if (!isUniqueViolation(error)) throw error;
    const winner = await findSale(db, website.id, externalId);
    if (!winner) throw error;
    return sameSaleOrConflict(winner, amount, currency);
  }
}
