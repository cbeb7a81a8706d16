// HTTP routes of satisfaction survey answers: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { ErrorResponses, ListEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../../http/filters.js';
import { listAnswer, loadVisible } from '../../http/respond.js';
import { authorize, type Principal } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { recordSatisfaction } from './commands.js';
import { presentSatisfaction } from './present.js';
import { SATISFACTION_FILTERS, SatisfactionCreateBody, SatisfactionData } from './schema.js';
import { clientOfConversation, listSatisfactionIds, loadSatisfactions } from './store.js';

export const satisfactionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const visible = (principal: Principal, id: number) =>
    loadVisible('satisfaction', id, (ids) => loadSatisfactions(db, principal, ids));

  app.get(
    '/satisfaction',
    {
      schema: {
        tags: ['Satisfaction'],
        summary: 'List your satisfactions',
        querystring: listQuerySchema(SATISFACTION_FILTERS),
        response: { 200: ListEnvelope(SatisfactionData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'satisfaction', 'list');
      const query = parseListQuery(request.query, SATISFACTION_FILTERS, 'satisfaction');
      return listAnswer(
        query,
        await listSatisfactionIds(db, request.principal, query),
        'satisfaction',
        (ids) => loadSatisfactions(db, request.principal, ids),
        presentSatisfaction,
      );
    },
  );
  app.get(
    '/satisfaction/:id',
    {
      schema: {
        tags: ['Satisfaction'],
        summary: 'Get a satisfaction details',
        description:
          'Notes are given from 1 to 3 and shown as fractions of 3, rounded to 2 decimals: 3 → `1`, 2 → `0.67`, 1 → `0.33`. `node_delay` (seed 003 spelling) and `note_delay` carry the same value.',
        params: IdParams,
        response: { 200: OneEnvelope(SatisfactionData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'satisfaction', 'read');
      return one(presentSatisfaction(await visible(request.principal, request.params.id)));
    },
  );
  app.post(
    '/satisfaction',
    {
      schema: {
        tags: ['Satisfaction'],
        summary: 'Record a satisfaction answer',
        description:
          'Records the answer to the satisfaction survey of one of your conversations: `note_welcome`, `note_delay` (or `node_delay`) and `note_resolution` from 1 to 3 (3 is the most satisfied), and an optional `comment`. ' +
          'The website and operator come from the conversation. A conversation has at most one answer (409 afterwards).',
        body: SatisfactionCreateBody,
        response: { 200: OneEnvelope(SatisfactionData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'satisfaction', 'create');
      const clientId = await clientOfConversation(db, request.principal, request.body.conversation_id);
      const id = await recordSatisfaction(db, clientId, request.body);
      return one(presentSatisfaction(await visible(request.principal, id)));
    },
  );
};
