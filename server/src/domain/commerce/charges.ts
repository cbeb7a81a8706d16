// Charges (seed 001): each billable action of a run, priced from the client's price list, recorded once per step (an
// idempotency key per run step), and read back by user_key with totals per currency.
import type { Kysely, Transaction } from 'kysely';
import { preparedQuery } from '../../db/prepared.js';
import type { CommerceChargeTable, Database } from '../../db/schema.js';
import { fieldInvalid } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';

type Tx = Transaction<Database>;

/** The currency of a charge whose kind has no price in the list: it is recorded at 0 so it still shows. */
const DEFAULT_CURRENCY = 'EUR';

export interface PriceInput {
  kind: string;
  unit_price: number;
  currency: string;
}

export interface NewCharge {
  clientId: number;
  userKey: string;
  requestId: number | null;
  runId: number | null;
  idempotencyKey: string;
  kind: string;
  quantity: number;
}

/** Records a charge at the listed price (`commerce.charge.created`); a second call with the same key records nothing. */
export async function recordCharge(trx: Tx, charge: NewCharge): Promise<number | undefined> {
  const price = await listedPrice.first(trx, { clientId: charge.clientId, kind: charge.kind });
  const unitPrice = price?.unit_price ?? 0;
  const at = nowInstant();
  // Rounded to a millionth: a price times a quantity should not show binary fractions.
  const amount = Math.round(unitPrice * charge.quantity * 1e6) / 1e6;
  const inserted = await trx
    .insertInto('commerce_charge')
    .values({
      client_id: charge.clientId,
      user_key: charge.userKey,
      request_id: charge.requestId,
      run_id: charge.runId,
      idempotency_key: charge.idempotencyKey,
      kind: charge.kind,
      quantity: charge.quantity,
      unit_price: unitPrice,
      amount,
      currency: price?.currency ?? DEFAULT_CURRENCY,
      at,
    })
    .onConflict((oc) => oc.columns(['client_id', 'idempotency_key']).doNothing())
    .returning('id')
    .executeTakeFirst();
  if (inserted === undefined) return undefined;
  await appendEvent(trx, {
    type: 'commerce.charge.created',
    clientId: charge.clientId,
    subject: { type: 'commerce_charge', id: inserted.id },
    payload: {
      chargeId: inserted.id,
      userKey: charge.userKey,
      requestId: charge.requestId,
      runId: charge.runId,
      kind: charge.kind,
      amount,
      currency: price?.currency ?? DEFAULT_CURRENCY,
    },
    at,
  });
  return inserted.id;
}

export async function listPrices(db: Kysely<Database>, clientId: number): Promise<PriceInput[]> {
  return db
    .selectFrom('commerce_price')
    .select(['kind', 'unit_price', 'currency'])
    .where('client_id', '=', clientId)
    .orderBy('kind')
    .execute();
}

/** Replaces the client's price list with `prices` (`commerce_prices.updated`). */
export async function replacePrices(db: Kysely<Database>, clientId: number, prices: PriceInput[]): Promise<void> {
  const kinds = new Set<string>();
  prices.forEach((price, index) => {
    if (kinds.has(price.kind)) throw fieldInvalid(`prices[${index}].kind`, `'${price.kind}' is listed twice.`);
    kinds.add(price.kind);
  });
  await transact(db, async (trx) => {
    const at = nowInstant();
    await trx.deleteFrom('commerce_price').where('client_id', '=', clientId).execute();
    if (prices.length > 0)
      await trx
        .insertInto('commerce_price')
        .values(
          prices.map((price) => ({
            client_id: clientId,
            kind: price.kind,
            unit_price: price.unit_price,
            currency: price.currency.toUpperCase(),
            updated_at: at,
          })),
        )
        .execute();
    await appendEvent(trx, {
      type: 'commerce_prices.updated',
      clientId,
      subject: { type: 'client', id: clientId },
      payload: { kinds: [...kinds] },
      at,
    });
  });
}

export type ChargeRow = Omit<CommerceChargeTable, 'id' | 'client_id' | 'idempotency_key'> & { id: number };

/** Every charge of a customer (oldest first) and their totals per currency. */
export async function chargesOfUser(
  db: Kysely<Database>,
  clientId: number,
  userKey: string,
): Promise<{ charges: ChargeRow[]; totals: Array<{ currency: string; amount: number; count: number }> }> {
  const charges = await db
    .selectFrom('commerce_charge')
    .select(['id', 'user_key', 'request_id', 'run_id', 'kind', 'quantity', 'unit_price', 'amount', 'currency', 'at'])
    .where('client_id', '=', clientId)
    .where('user_key', '=', userKey)
    .orderBy('id')
    .execute();
  const totals = new Map<string, { currency: string; amount: number; count: number }>();
  for (const charge of charges) {
    const total = totals.get(charge.currency) ?? { currency: charge.currency, amount: 0, count: 0 };
    total.amount = Math.round((total.amount + charge.amount) * 1e6) / 1e6;
    total.count += 1;
    totals.set(charge.currency, total);
  }
  return { charges, totals: [...totals.values()] };
}

const listedPrice = preparedQuery((db, p: { clientId: number; kind: string }) =>
  db
    .selectFrom('commerce_price')
    .select(['unit_price', 'currency'])
    .where('client_id', '=', p.clientId)
    .where('kind', '=', p.kind),
);
