// HTTP routes of canned responses under /api/2: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../../http/filters.js';
import { listAnswer, loadVisible } from '../../http/respond.js';
import { authorize } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { createCannedResponse, deleteCannedResponse, updateCannedResponse } from './commands.js';
import { presentCannedResponse } from './present.js';
import { renderCannedResponse } from './render.js';
import {
  CANNED_RESPONSE_FILTERS,
  CannedRenderData,
  CannedRenderQuery,
  CannedResponseCreateBody,
  CannedResponseData,
  CannedResponseUpdateBody,
} from './schema.js';
import { type CannedResponseFilter, listCannedResponseIds, loadCannedResponses } from './store.js';

const RESOURCE = 'canned_response';

export const cannedResponseRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const tags = ['Canned response'];

  app.get(
    '/canned_response',
    {
      schema: {
        tags,
        summary: 'List canned responses',
        description:
          "Newest first. An API key lists every response of its clients; an operator's console session the shared ones and its own personal ones.",
        querystring: listQuerySchema(CANNED_RESPONSE_FILTERS),
        response: { 200: ListEnvelope(CannedResponseData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'canned_response', 'list');
      const query = parseListQuery<CannedResponseFilter>(
        request.query,
        CANNED_RESPONSE_FILTERS as Record<CannedResponseFilter, (typeof CANNED_RESPONSE_FILTERS)[string]>,
        RESOURCE,
      );
      return listAnswer(
        query,
        await listCannedResponseIds(db, request.principal, query),
        RESOURCE,
        (ids) => loadCannedResponses(db, request.principal, ids),
        presentCannedResponse,
      );
    },
  );
  app.get(
    '/canned_response/:id',
    {
      schema: {
        tags,
        summary: 'Get a canned response',
        params: IdParams,
        response: { 200: OneEnvelope(CannedResponseData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'canned_response', 'read');
      return one(
        presentCannedResponse(
          await loadVisible(RESOURCE, request.params.id, (ids) => loadCannedResponses(db, request.principal, ids)),
        ),
      );
    },
  );
  app.get(
    '/canned_response/:id/render',
    {
      schema: {
        tags,
        summary: 'Render a canned response for a conversation',
        description:
          "The body with its variables filled from the conversation's visitor and website and from the operator (the console session's, or else the conversation's). A value that is not known renders empty.",
        params: IdParams,
        querystring: CannedRenderQuery,
        response: { 200: OneEnvelope(CannedRenderData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'canned_response', 'read');
      authorize(request.principal, 'conversation', 'read');
      const response = await loadVisible(RESOURCE, request.params.id, (ids) =>
        loadCannedResponses(db, request.principal, ids),
      );
      return one(await renderCannedResponse(db, request.principal, response, request.query.conversation_id));
    },
  );
  app.post(
    '/canned_response',
    {
      schema: {
        tags,
        summary: 'Create a canned response',
        description:
          '`shared` responses (API keys, admins and managers) are offered to every operator of the client; `personal` ones to their operator only. The shortcut is unique per owner whatever its case (409 otherwise); an unknown `{{variable}}` in the body is refused naming it.',
        body: CannedResponseCreateBody,
        response: { 200: OneEnvelope(CannedResponseData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'canned_response', 'create');
      const id = await createCannedResponse(db, request.principal, request.body);
      return one(
        presentCannedResponse(
          await loadVisible(RESOURCE, id, (ids) => loadCannedResponses(db, request.principal, ids)),
        ),
      );
    },
  );
  app.put(
    '/canned_response/:id',
    {
      schema: {
        tags,
        summary: 'Update a canned response',
        description: 'Scope and owner stay as created. Shared responses: API keys, admins and managers only.',
        params: IdParams,
        body: CannedResponseUpdateBody,
        response: { 200: OneEnvelope(CannedResponseData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'canned_response', 'update');
      const load = (ids: number[]) => loadCannedResponses(db, request.principal, ids);
      const existing = await loadVisible(RESOURCE, request.params.id, load);
      await updateCannedResponse(db, request.principal, existing, request.body);
      return one(presentCannedResponse(await loadVisible(RESOURCE, existing.id, load)));
    },
  );
  app.delete(
    '/canned_response/:id',
    {
      schema: {
        tags,
        summary: 'Delete a canned response',
        description:
          'Messages already sent from it keep their text. Shared responses: API keys, admins and managers only.',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'canned_response', 'delete');
      const existing = await loadVisible(RESOURCE, request.params.id, (ids) =>
        loadCannedResponses(db, request.principal, ids),
      );
      await deleteCannedResponse(db, request.principal, existing);
      return done();
    },
  );
};
