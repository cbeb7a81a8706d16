// HTTP routes of transactions, the sales a merchant reports: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { ErrorResponses, ListEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../../http/filters.js';
import { listAnswer, loadVisible } from '../../http/respond.js';
import { authorize, type Principal } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { reportTransaction } from './commands.js';
import { presentTransaction } from './present.js';
import { TRANSACTION_FILTERS, TransactionCreateBody, TransactionData } from './schema.js';
import { listTransactionIds, loadTransactions } from './store.js';

export const transactionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const visible = (principal: Principal, id: number) =>
    loadVisible('transaction', id, (ids) => loadTransactions(db, principal, ids));

  app.get(
    '/transaction',
    {
      schema: {
        tags: ['Transaction'],
        summary: 'List your transactions',
        querystring: listQuerySchema(TRANSACTION_FILTERS),
        response: { 200: ListEnvelope(TransactionData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'transaction', 'list');
      const query = parseListQuery(request.query, TRANSACTION_FILTERS, 'transaction');
      return listAnswer(
        query,
        await listTransactionIds(db, request.principal, query),
        'transaction',
        (ids) => loadTransactions(db, request.principal, ids),
        presentTransaction,
      );
    },
  );
  app.get(
    '/transaction/:id',
    {
      schema: {
        tags: ['Transaction'],
        summary: 'Get a transaction details',
        params: IdParams,
        response: { 200: OneEnvelope(TransactionData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'transaction', 'read');
      return one(presentTransaction(await visible(request.principal, request.params.id)));
    },
  );
  app.post(
    '/transaction',
    {
      schema: {
        tags: ['Transaction'],
        summary: 'Report a transaction',
        description:
          'Reports a sale made on one of your websites. `website_id`, `external_id` (your order id) and `amount` are required. ' +
          'Without `conversation_id`, the sale is attributed to the most recent conversation of the visitor (found by `visitor_uid`, else by `visitor_email`) on that website that started in the 30 days before the sale; ' +
          'its operator is credited. Reporting the same `external_id` on the same website again returns the first report unchanged (safe to retry); a different amount or currency answers 409.',
        body: TransactionCreateBody,
        response: { 200: OneEnvelope(TransactionData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'transaction', 'create');
      const { id } = await reportTransaction(db, request.principal, request.body);
      return one(presentTransaction(await visible(request.principal, id)));
    },
  );
};
