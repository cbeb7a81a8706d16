// A developer's apps and their webhooks (seed 003, docs/APPS.md); the platform admin reads them too.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { secretsKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../../http/filters.js';
import { listAnswer } from '../../http/respond.js';
import { IdParams } from '../tenancy/schema.js';
import {
  APP_FILTERS,
  createApp,
  createAppWebhook,
  deleteApp,
  deleteAppWebhook,
  developerOf,
  listAppIds,
  listAppWebhooks,
  loadApp,
  loadApps,
  loadAppWebhook,
  updateApp,
  updateAppWebhook,
  versionsById,
} from './apps.js';
import { presentApp, presentAppWebhook } from './present.js';
import { APPS, appAnswer } from './route-shared.js';
import {
  AppCreateBody,
  AppData,
  AppUpdateBody,
  AppWebhookBody,
  AppWebhookData,
  AppWebhookParams,
  AppWebhookUpdateBody,
} from './schema.js';

export const appCrudRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db, outbound } = context;
  const key = () => secretsKey(context.config);
  // Apps (their developer; the platform admin reads and reviews).
  app.get(
    '/app',
    {
      schema: {
        tags: APPS,
        summary: 'List apps: a developer their own, the platform admin every one',
        querystring: listQuerySchema(APP_FILTERS),
        // `{ id, _link }` items, or every field with `full=1`.
        response: { 200: ListEnvelope(Type.Partial(AppData)), ...ErrorResponses },
      },
    },
    async (request) => {
      const query = parseListQuery(request.query, APP_FILTERS, 'app');
      const page = await listAppIds(db, request.principal, query);
      return listAnswer(
        query,
        page,
        'app',
        async (ids) => {
          const rows = await loadApps(db, request.principal, ids);
          const versions = await versionsById(
            db,
            rows.flatMap((row) => row.published_version_id ?? []),
          );
          return rows.map((row) => ({ row, published: versions.get(row.published_version_id ?? 0) }));
        },
        ({ row, published }) => presentApp(row, published, key()),
      );
    },
  );
  app.post(
    '/app',
    {
      schema: {
        tags: APPS,
        summary: 'Create an app (developer), in sandbox',
        description:
          'Fields are asked in their order; ids are unique over `authentication` and `settings`. Connector URLs (verification, interactions) must pass the outbound guard: https, not a private address unless allow-listed.',
        body: AppCreateBody,
        response: { 200: OneEnvelope(AppData), ...ErrorResponses },
      },
    },
    async (request) => {
      const developerId = developerOf(request.principal);
      const id = await createApp(db, outbound.allowlist, key(), developerId, request.body);
      return one(await appAnswer(context, request.principal, id));
    },
  );
  app.get(
    '/app/:id',
    {
      schema: {
        tags: APPS,
        summary: 'Get an app (its draft, and the version published)',
        params: IdParams,
        response: { 200: OneEnvelope(AppData), ...ErrorResponses },
      },
    },
    async (request) => one(await appAnswer(context, request.principal, request.params.id)),
  );
  app.put(
    '/app/:id',
    {
      schema: {
        tags: APPS,
        summary: "Change an app's draft (developer)",
        description:
          'Refused (409) while under review. A published app goes back to `sandbox`: its published version stays in the marketplace and installed until a new version is approved.',
        params: IdParams,
        body: AppUpdateBody,
        response: { 200: OneEnvelope(AppData), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      await updateApp(db, outbound.allowlist, row, request.body);
      return one(await appAnswer(context, request.principal, row.id));
    },
  );
  app.delete(
    '/app/:id',
    {
      schema: {
        tags: APPS,
        summary: 'Delete an app no client has installed (developer)',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      await deleteApp(db, await loadApp(db, request.principal, request.params.id));
      return done();
    },
  );

  app.get(
    '/app/:id/webhook',
    {
      schema: {
        tags: APPS,
        summary: "List an app's webhooks, with their security tokens (developer)",
        params: IdParams,
        response: { 200: OneEnvelope(Type.Array(AppWebhookData)), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      return one((await listAppWebhooks(db, row.id)).map((webhook) => presentAppWebhook(webhook, key())));
    },
  );
  app.post(
    '/app/:id/webhook',
    {
      schema: {
        tags: APPS,
        summary: 'Add a webhook to an app (developer): made for each client that installs it',
        params: IdParams,
        body: AppWebhookBody,
        response: { 200: OneEnvelope(AppWebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      const id = await createAppWebhook(db, outbound.allowlist, key(), row, request.body);
      return one(presentAppWebhook(await loadAppWebhook(db, row.id, id), key()));
    },
  );
  app.put(
    '/app/:id/webhook/:webhookId',
    {
      schema: {
        tags: APPS,
        summary: "Change an app's webhook (developer); its security token stays",
        params: AppWebhookParams,
        body: AppWebhookUpdateBody,
        response: { 200: OneEnvelope(AppWebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      const webhook = await loadAppWebhook(db, row.id, request.params.webhookId);
      await updateAppWebhook(db, outbound.allowlist, row, webhook, request.body);
      return one(presentAppWebhook(await loadAppWebhook(db, row.id, webhook.id), key()));
    },
  );
  app.delete(
    '/app/:id/webhook/:webhookId',
    {
      schema: {
        tags: APPS,
        summary: "Remove an app's webhook from its draft (developer)",
        params: AppWebhookParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      await deleteAppWebhook(db, row, await loadAppWebhook(db, row.id, request.params.webhookId));
      return done();
    },
  );
};
