// GET /api/commerce/v1/getChargeTotals: an account's charges (or one customer's) summed by Europe/Rome day or month,
// kind and currency — the console's charges page; registered inside the commerce plugin, so its key check applies.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { parseRomeInput, romeTime } from '../../domain/commerce/rome-time.js';
import { fieldInvalid } from '../../errors.js';
import { ErrorEnvelope } from '../../http/envelope.js';

/** The widest window one call sums (charges are read row by row to cut them at Rome's midnights). */
const MAX_DAYS = 400;
const DAY_MS = 86_400_000;

export interface ChargeTotal {
  /** `2026-07-01` (day) or `2026-07` (month), in Europe/Rome. */
  period: string;
  kind: string;
  currency: string;
  quantity: number;
  amount: number;
  count: number;
}

/** Sums charges by Rome period, kind and currency; periods in order, then kinds. */
export function sumCharges(
  charges: ReadonlyArray<{ at: string; kind: string; currency: string; quantity: number; amount: number }>,
  period: 'day' | 'month',
): ChargeTotal[] {
  const totals = new Map<string, ChargeTotal>();
  for (const charge of charges) {
    const local = romeTime(charge.at).slice(0, period === 'day' ? 10 : 7);
    const key = `${local}\u0000${charge.kind}\u0000${charge.currency}`;
    const total = totals.get(key) ?? {
      period: local,
      kind: charge.kind,
      currency: charge.currency,
      quantity: 0,
      amount: 0,
      count: 0,
    };
    // Rounded to a millionth as each charge is, so sums do not show binary fractions.
    total.amount = Math.round((total.amount + charge.amount) * 1e6) / 1e6;
    total.quantity = Math.round((total.quantity + charge.quantity) * 1e6) / 1e6;
    total.count += 1;
    totals.set(key, total);
  }
  return [...totals.values()].sort(
    (a, b) => a.period.localeCompare(b.period) || a.kind.localeCompare(b.kind) || a.currency.localeCompare(b.currency),
  );
}

export const chargeTotalsRoute: FastifyPluginAsyncTypebox<{
  context: AppContext;
  client: (request: FastifyRequest) => number;
}> = async (app, { context, client }) => {
  app.get(
    '/getChargeTotals',
    {
      schema: {
        tags: ['commerce'],
        summary: "Charges summed by Europe/Rome day or month, kind and currency (the account's, or one user_key's)",
        querystring: Type.Object(
          {
            api_key: Type.Optional(Type.String({ description: 'The client API key (or the X-API-Key header).' })),
            user_key: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
            period: Type.Optional(Type.Union([Type.Literal('day'), Type.Literal('month')], { default: 'day' })),
            from: Type.Optional(
              Type.String({ description: 'At or after (offset, or Europe/Rome); default 30 days ago.' }),
            ),
            to: Type.Optional(Type.String({ description: 'Before (offset, or Europe/Rome); default now.' })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Type.Object({
            meta: Type.Object({ status: Type.Literal('success') }),
            data: Type.Unknown({
              description:
                '{ period, from, to, user_key, totals: [{ period, kind, currency, quantity, amount, count }], sums }',
            }),
          }),
          400: ErrorEnvelope,
          401: ErrorEnvelope,
          403: ErrorEnvelope,
        },
      },
    },
    async (request) => {
      const clientId = client(request);
      const { user_key: userKey, period = 'day' } = request.query;
      const instant = (field: 'from' | 'to', fallback: string): string => {
        const value = request.query[field];
        if (value === undefined) return fallback;
        const parsed = parseRomeInput(value);
        if (parsed === null)
          throw fieldInvalid(
            field,
            "Expected a date such as '2026-07-01T00:00:00+02:00' or '2026-07-01' (Europe/Rome).",
          );
        return parsed;
      };
      const to = instant('to', new Date(Date.now() + 1000).toISOString());
      const from = instant('from', new Date(Date.parse(to) - 30 * DAY_MS).toISOString());
      if (Date.parse(from) > Date.parse(to)) throw fieldInvalid('from', "'from' is after 'to'.");
      if (Date.parse(to) - Date.parse(from) > MAX_DAYS * DAY_MS)
        throw fieldInvalid('from', `The window is longer than ${MAX_DAYS} days: narrow it.`);
      let query = context.db
        .selectFrom('commerce_charge')
        .select(['at', 'kind', 'currency', 'quantity', 'amount'])
        .where('client_id', '=', clientId)
        .where('at', '>=', from)
        .where('at', '<', to);
      if (userKey !== undefined) query = query.where('user_key', '=', userKey);
      const totals = sumCharges(await query.execute(), period);
      const sums = new Map<string, { currency: string; amount: number; count: number }>();
      for (const total of totals) {
        const sum = sums.get(total.currency) ?? { currency: total.currency, amount: 0, count: 0 };
        sum.amount = Math.round((sum.amount + total.amount) * 1e6) / 1e6;
        sum.count += total.count;
        sums.set(total.currency, sum);
      }
      return {
        meta: { status: 'success' as const },
        data: {
          period,
          from: romeTime(from),
          to: romeTime(to),
          user_key: userKey ?? null,
          totals,
          sums: [...sums.values()],
        },
      };
    },
  );
};
