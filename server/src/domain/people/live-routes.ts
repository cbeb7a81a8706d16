// HTTP routes of operator live availability, statistic and profile: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import {
  done,
  EmptyEnvelope,
  ErrorResponses,
  many,
  OneEnvelope,
  one,
  Pagination,
  SuccessMeta,
} from '../../http/envelope.js';
import { listQuerySchema, MAX_LIMIT, pageInfo, parseListQuery } from '../../http/filters.js';
import { loadVisible } from '../../http/respond.js';
import { authorize } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { liveChangeMessage, presentOperatorLive } from './live-present.js';
import {
  OperatorLiveData,
  OperatorLiveUpdateBody,
  OperatorProfileData,
  OperatorProfileUpdateBody,
  OperatorStatisticData,
} from './live-schema.js';
import { findVisibleOperator, loadOperatorLive } from './live-store.js';
import { changeOperatorLive, readLiveChange } from './presence.js';
import { loadOperatorProfile, updateOperatorProfile } from './profile.js';
import { OPERATOR_FILTERS } from './schema.js';
import { loadOperatorStatistic } from './statistic.js';
import { listOperatorIds } from './store.js';

const LIVE_DESCRIPTION =
  "`slot_number` counts the operator's conversations on the channel that are not closed; `slot_max_number` is `chat_max_number` for chat and 1 for call and video; `busy` is `slot_number >= slot_max_number`.";

export const operatorLiveRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;

  // A static path: Fastify's router prefers it to /operator/:id whatever the registration order.
  app.get(
    '/operator/live',
    {
      schema: {
        tags: ['Operator'],
        summary: 'Get operators live availability',
        description: `The live state of your operators, with the filters of \`GET /operator\`; items are always complete (\`full\` is not needed). Without \`page\` or \`limit\` every matching operator is listed and the answer is \`{meta, data}\` as in seed 003; with either, one page and its \`pagination\`. ${LIVE_DESCRIPTION}`,
        querystring: listQuerySchema(OPERATOR_FILTERS),
        response: {
          200: Type.Object({
            meta: SuccessMeta,
            data: Type.Array(OperatorLiveData),
            pagination: Type.Optional(Pagination),
          }),
          ...ErrorResponses,
        },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'list');
      const query = parseListQuery(request.query, OPERATOR_FILTERS, 'operator');
      if (request.query.page !== undefined || request.query.limit !== undefined) {
        const page = await listOperatorIds(db, request.principal, query);
        const records = await loadOperatorLive(db, request.principal, page.ids);
        return many(records.map(presentOperatorLive), pageInfo(query.page, query.limit, page.count));
      }
      // Seed 003 shows the whole team in one answer: walk every page of ids.
      const ids: number[] = [];
      for (let pageNumber = 1; ; pageNumber += 1) {
        const page = await listOperatorIds(db, request.principal, { ...query, page: pageNumber, limit: MAX_LIMIT });
        ids.push(...page.ids);
        if (page.ids.length < MAX_LIMIT || ids.length >= page.count) break;
      }
      const records = await loadOperatorLive(db, request.principal, ids);
      return { meta: { status: 'success' as const }, data: records.map(presentOperatorLive) };
    },
  );
  app.get(
    '/operator/:id/live',
    {
      schema: {
        tags: ['Operator'],
        summary: "Get operator's live availability",
        description: LIVE_DESCRIPTION,
        params: IdParams,
        response: { 200: OneEnvelope(OperatorLiveData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'read');
      return one(
        presentOperatorLive(
          await loadVisible('operator', request.params.id, (ids) => loadOperatorLive(db, request.principal, ids)),
        ),
      );
    },
  );
  app.put(
    '/operator/:id/live',
    {
      schema: {
        tags: ['Operator'],
        summary: "Set operator's availability",
        description:
          'Send `chat[available]`, `call[available]`, `video[available]` (`1` or `0`) and/or `connected=0`. Making a channel available requires the operator to be able to process it ' +
          '(`chat_enabled` …) and connects a disconnected operator (API-driven presence for telephony and CRM integrations). `connected=0` makes the operator unavailable everywhere and disconnects them; ' +
          'operators connect from the console, so `connected=1` is refused.',
        params: IdParams,
        body: OperatorLiveUpdateBody,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      // A console session of an operator may set its own availability (and only its own).
      authorize(request.principal, 'operator', 'update', { operatorId: request.params.id });
      const operator = await findVisibleOperator(db, request.principal, request.params.id);
      const change = readLiveChange(request.body);
      // Waiting visitors are served when a channel becomes available, and a disconnected operator's conversations
      // move to someone still here: both are the queue-serving reaction (domain/routing/reactions.ts).
      await changeOperatorLive(db, operator.client_id, operator.id, change);
      return done(liveChangeMessage(change));
    },
  );

  app.get(
    '/operator/:id/statistic',
    {
      schema: {
        tags: ['Operator'],
        summary: 'Get operators statistics',
        description:
          "`conversation_number`: conversations assigned to the operator (every channel, all time). `satisfaction_global_rate`: mean over the operator's satisfaction surveys of (sum of the three notes out of 3) / 9, 2 decimals, null without surveys. `experience`: messages the operator has written. `problem` (an addition to the seed): those conversations with a problem reported on them. Every figure comes from the statistics rollups (the engine of `GET /statistic`), which follow committed changes about a second later.",
        params: IdParams,
        response: { 200: OneEnvelope(OperatorStatisticData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'read');
      return one(await loadOperatorStatistic(db, await findVisibleOperator(db, request.principal, request.params.id)));
    },
  );

  app.get(
    '/operator/:id/profile',
    {
      schema: {
        tags: ['Operator'],
        summary: "Get operator's profile",
        params: IdParams,
        response: { 200: OneEnvelope(OperatorProfileData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'read');
      const operator = await findVisibleOperator(db, request.principal, request.params.id);
      return one(await loadOperatorProfile(db, operator.id));
    },
  );
  app.put(
    '/operator/:id/profile',
    {
      schema: {
        tags: ['Operator'],
        summary: "Update operator's profile",
        description: 'Changes only the fields given; an empty value clears a field. Answers the whole profile.',
        params: IdParams,
        body: OperatorProfileUpdateBody,
        response: { 200: OneEnvelope(OperatorProfileData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'operator', 'update');
      const operator = await findVisibleOperator(db, request.principal, request.params.id);
      await updateOperatorProfile(db, operator.client_id, operator.id, request.body);
      return one(await loadOperatorProfile(db, operator.id));
    },
  );
};
