// HTTP routes of the supervisor view under /api/2: auth → validate → authorise → command → present. The transfer is a
// REST command because the operator socket's `transfer` frame only moves the sender's own conversations.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { unknownResource } from '../../errors.js';
import { ErrorResponses, OneEnvelope, one } from '../../http/envelope.js';
import { authorize, clientScope } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { authorizeSupervision, superviseConversations, transferTargetOf } from './supervision.js';
import { SupervisionData, SupervisionQuery, TransferBody, TransferData } from './supervision-schema.js';
import { transferConversation } from './transfer.js';

export const supervisionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const tags = ['Supervision'];

  app.get(
    '/supervision',
    {
      schema: {
        tags,
        summary: 'Supervise waiting and open conversations',
        description:
          "Every waiting and open conversation of your websites (at most 500) with its visitor, operator, wait, queue place and last message, and every operator's live load and availability (as `GET /operator/live`, with name, roles and websites). For API keys and the console sessions of admins and managers; an operator's session is refused (403). Polling it is cheap: an unchanged answer comes from the read cache.",
        querystring: SupervisionQuery,
        response: { 200: OneEnvelope(SupervisionData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorizeSupervision(request.principal);
      return one(
        await superviseConversations(db, request.principal, {
          websiteId: request.query.website_id,
          status: request.query.status,
        }),
      );
    },
  );

  app.post(
    '/conversation/:id/transfer',
    {
      schema: {
        tags,
        summary: 'Transfer or assign a conversation (supervisor)',
        description:
          "Gives a waiting or open chat, call or video conversation to an operator (`operator_id`; the supervisor's own id takes it over), the best free member of a group (`group_id`), or the operators of a skill (`skill_id`, back to the queue when none is free). Exactly one of them. The operator must answer on the website, process the channel and be connected (not needed to take it over yourself); a supervisor decides over their availability and chat limit. Writes the transfer notice and `conversation.transferred` as an operator's transfer does. For API keys and the console sessions of admins and managers (403 for operators, who transfer their own conversations from the console). 409 naming why when it cannot be done.",
        params: IdParams,
        body: TransferBody,
        response: { 200: OneEnvelope(TransferData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorizeSupervision(request.principal);
      authorize(request.principal, 'conversation', 'update');
      const target = transferTargetOf(request.body);
      const visible = await db
        .selectFrom('conversation')
        .select('id')
        .where('id', '=', request.params.id)
        .where(clientScope(request.principal, 'conversation.client_id'))
        .executeTakeFirst();
      if (!visible) throw unknownResource('conversation', request.params.id);
      const principal = request.principal;
      const by = principal.scope === 'client' && principal.session !== undefined ? principal.session.operatorId : null;
      const transfer = await transferConversation(db, visible.id, target, by, { supervised: true });
      return one({
        conversation_id: transfer.conversationId,
        operator_id: transfer.toOperatorId,
        queue_position: transfer.queued?.position ?? null,
      });
    },
  );
};
