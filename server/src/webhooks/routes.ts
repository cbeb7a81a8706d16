// HTTP routes of webhook subscriptions, their delivery log and replays: authorise → validate → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { secretsKey } from '../channels/secrets.js';
import type { AppContext } from '../context.js';
import { authorize } from '../domain/tenancy/policy.js';
import { IdParams } from '../domain/tenancy/schema.js';
import { fieldInvalid, unknownResource } from '../errors.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, OneEnvelope, one } from '../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../http/filters.js';
import { listAnswer, loadVisible } from '../http/respond.js';
import { nowInstant, parseApiDate } from '../time.js';
import { createWebhook, deleteWebhook, rotateWebhookSecret, updateWebhook } from './commands.js';
import { replayDelivery, replayRange } from './dispatch.js';
import { presentDelivery, presentWebhook } from './present.js';
import {
  DELIVERY_FILTERS,
  DELIVERY_STATUSES,
  DeliveryData,
  DeliveryParams,
  QueuedData,
  ReplayRangeBody,
  RotateBody,
  WEBHOOK_FILTERS,
  WebhookCreateBody,
  WebhookData,
  WebhookUpdateBody,
} from './schema.js';
import { notifyWebhookWork } from './signal.js';
import { listDeliveryIds, listWebhookIds, loadDeliveries, loadWebhooks } from './store.js';

const TAGS = ['Webhook'];

export const webhookRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db, outbound } = context;
  const visible = (principal: Parameters<typeof loadWebhooks>[1], id: number) =>
    loadVisible('webhook', id, (ids) => loadWebhooks(db, principal, ids));

  app.get(
    '/webhook',
    {
      schema: {
        tags: TAGS,
        summary: 'List your webhook subscriptions',
        querystring: listQuerySchema(WEBHOOK_FILTERS),
        response: { 200: ListEnvelope(WebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'list');
      const query = parseListQuery(request.query, WEBHOOK_FILTERS, 'webhook');
      return listAnswer(
        query,
        await listWebhookIds(db, request.principal, query),
        'webhook',
        (ids) => loadWebhooks(db, request.principal, ids),
        (row) => presentWebhook(row),
      );
    },
  );
  app.get(
    '/webhook/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Get a webhook subscription',
        params: IdParams,
        response: { 200: OneEnvelope(WebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'read');
      return one(presentWebhook(await visible(request.principal, request.params.id)));
    },
  );
  app.post(
    '/webhook',
    {
      schema: {
        tags: TAGS,
        summary: 'Create a webhook subscription',
        description:
          '`url` and `events` are required. The answer carries the signing `secret` (`whsec_…`), shown this once. See docs/WEBHOOKS.md for payloads and signatures.',
        body: WebhookCreateBody,
        response: { 200: OneEnvelope(WebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'create');
      const { id, secret } = await createWebhook(
        db,
        outbound,
        secretsKey(context.config),
        request.principal,
        request.body,
      );
      return one(presentWebhook(await visible(request.principal, id), secret));
    },
  );
  app.put(
    '/webhook/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Update a webhook subscription',
        params: IdParams,
        body: WebhookUpdateBody,
        response: { 200: OneEnvelope(WebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'update');
      const existing = await visible(request.principal, request.params.id);
      await updateWebhook(db, outbound, existing, request.body);
      if (request.body.enabled === true) notifyWebhookWork();
      return one(presentWebhook(await visible(request.principal, existing.id)));
    },
  );
  app.delete(
    '/webhook/:id',
    {
      schema: {
        tags: TAGS,
        summary: 'Delete a webhook subscription and its log',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'delete');
      await deleteWebhook(db, await visible(request.principal, request.params.id));
      return done();
    },
  );
  app.post(
    '/webhook/:id/rotate',
    {
      schema: {
        tags: TAGS,
        summary: 'Rotate the signing secret',
        description:
          'Answers the new secret, shown once. The old one keeps signing beside it for `overlap_hours` (default 24): receivers accept either while they switch.',
        params: IdParams,
        body: RotateBody,
        response: { 200: OneEnvelope(WebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'update');
      const existing = await visible(request.principal, request.params.id);
      const secret = await rotateWebhookSecret(
        db,
        secretsKey(context.config),
        existing,
        request.body?.overlap_hours ?? 24,
      );
      return one(presentWebhook(await visible(request.principal, existing.id), secret));
    },
  );

  // Delivery log and replays.
  app.get(
    '/webhook/:id/delivery',
    {
      schema: {
        tags: TAGS,
        summary: 'List delivery attempts, newest first',
        params: IdParams,
        querystring: listQuerySchema(DELIVERY_FILTERS),
        response: { 200: ListEnvelope(DeliveryData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'read');
      const webhook = await visible(request.principal, request.params.id);
      const query = parseListQuery(request.query, DELIVERY_FILTERS, 'delivery');
      const status = query.filters.status;
      if (typeof status === 'string' && !(DELIVERY_STATUSES as readonly string[]).includes(status))
        throw fieldInvalid('filters[status]', `Expected one of ${DELIVERY_STATUSES.join(', ')}.`);
      return listAnswer(
        query,
        await listDeliveryIds(db, webhook.id, query),
        `webhook/${webhook.id}/delivery`,
        (ids) => loadDeliveries(db, webhook.id, ids),
        presentDelivery,
      );
    },
  );
  app.get(
    '/webhook/:id/delivery/:deliveryId',
    {
      schema: {
        tags: TAGS,
        summary: 'Get one delivery attempt',
        params: DeliveryParams,
        response: { 200: OneEnvelope(DeliveryData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'read');
      const webhook = await visible(request.principal, request.params.id);
      const [delivery] = await loadDeliveries(db, webhook.id, [request.params.deliveryId]);
      if (!delivery) throw unknownResource('delivery', request.params.deliveryId);
      return one(presentDelivery(delivery));
    },
  );
  app.post(
    '/webhook/:id/delivery/:deliveryId/replay',
    {
      schema: {
        tags: TAGS,
        summary: 'Send one delivery again',
        description: 'Queues a new attempt with the same body, correlation id and webhook-id, due now.',
        params: DeliveryParams,
        response: { 200: OneEnvelope(DeliveryData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'update');
      const webhook = await visible(request.principal, request.params.id);
      const [delivery] = await loadDeliveries(db, webhook.id, [request.params.deliveryId]);
      if (!delivery) throw unknownResource('delivery', request.params.deliveryId);
      const id = await replayDelivery(db, delivery, nowInstant());
      notifyWebhookWork();
      const [queued] = await loadDeliveries(db, webhook.id, [id]);
      if (!queued) throw unknownResource('delivery', id);
      return one(presentDelivery(queued));
    },
  );
  app.post(
    '/webhook/:id/replay',
    {
      schema: {
        tags: TAGS,
        summary: 'Send the events of a period again',
        description:
          'Queues, from the event log, every event of the period this subscription selects (at most 10,000), whether or not it was delivered before.',
        params: IdParams,
        body: ReplayRangeBody,
        response: { 200: OneEnvelope(QueuedData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'webhook', 'update');
      const webhook = await visible(request.principal, request.params.id);
      const from = parseApiDate(request.body.from);
      if (!from) throw fieldInvalid('from', 'Expected a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.');
      const to = parseApiDate(request.body.to);
      if (!to) throw fieldInvalid('to', 'Expected a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.');
      if (to.endExclusive <= from.start) throw fieldInvalid('to', "Expected a date after 'from'.");
      const queued = await replayRange(
        db,
        webhook,
        from.start.toISOString(),
        to.endExclusive.toISOString(),
        nowInstant(),
      );
      if (queued > 0) notifyWebhookWork();
      return one({ queued });
    },
  );
};
