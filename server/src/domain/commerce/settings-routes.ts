// REST v2 routes of a client's commerce set-up: whether it takes orders, and its Shopify stores (SHOPIFY_STORE_NAME,
// SHOPIFY_TOKEN_APP and the webhook secret; the secrets are write-only). auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { channelKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import { unknownResource } from '../../errors.js';
import { appendEvent } from '../../events/append.js';
import { transact } from '../../events/transact.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, many, OneEnvelope, one } from '../../http/envelope.js';
import { pageInfo } from '../../http/filters.js';
import { NON_BLANK } from '../../http/validation.js';
import { ID_MAX } from '../../ids.js';
import { nowInstant } from '../../time.js';
import { authorize, targetClient } from '../tenancy/policy.js';
import { ordersEnabled } from './orders.js';
import { createStore, deleteStore, findStore, listStores, presentStore, updateStore } from './shopify-stores.js';

const tags = ['Commerce'];

const ClientIdQuery = Type.Object({
  client_id: Type.Optional(
    Type.Integer({
      minimum: 1,
      maximum: ID_MAX,
      description: 'The client, for a partner or platform key (a client key: its own).',
    }),
  ),
});

const SettingsData = Type.Object({
  client_id: Type.Integer({ description: 'Client identifier.' }),
  orders_enabled: Type.Boolean({
    description: 'Whether the account takes orders (createOrder and the Shopify webhook answer 403 otherwise).',
  }),
});
const SettingsBody = Type.Object(
  {
    orders_enabled: Type.Boolean({ description: 'Take orders (true) or refuse them (false).' }),
    client_id: Type.Optional(
      Type.Integer({ minimum: 1, maximum: ID_MAX, description: 'The client, for a partner or platform key.' }),
    ),
  },
  { additionalProperties: false },
);

const IdStore = Type.String({
  minLength: 1,
  maxLength: 64,
  pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$',
  description: 'The `id_store` of the webhook URL: letters, digits, `_`, `.`, `-` (default: the store name).',
});
const StoreName = Type.String({
  minLength: 1,
  maxLength: 100,
  pattern: '^[A-Za-z0-9][A-Za-z0-9-]*$',
  description: 'SHOPIFY_STORE_NAME: the `{name}` of admin.shopify.com/store/{name} ({name}.myshopify.com).',
});
const Secret = (description: string) => Type.String({ minLength: 1, maxLength: 512, pattern: NON_BLANK, description });
const AccessToken = Secret("SHOPIFY_TOKEN_APP: the custom app's Admin API access token (`shpat_…`). Write-only.");
const WebhookSecret = Secret(
  'The secret Shopify signs webhooks with (Settings › Notifications › Webhooks: "Your webhooks will be signed with …"). Write-only.',
);

const StoreData = Type.Object({
  id: Type.Integer({ description: 'Store identifier.' }),
  id_store: Type.String({ description: 'The `id_store` of the webhook URL.' }),
  store_name: Type.String({ description: 'SHOPIFY_STORE_NAME.' }),
  access_token_set: Type.Boolean({ description: 'Whether SHOPIFY_TOKEN_APP is set (it is never returned).' }),
  webhook_secret_set: Type.Boolean({ description: 'Whether the webhook secret is set (it is never returned).' }),
  webhook_url: Type.String({
    description: "The URL to enter as Shopify's Order creation webhook, with your API key in place of {your_api_key}.",
  }),
  client_id: Type.Integer({ description: 'Client identifier.' }),
  created_at: Type.String({ description: '`YYYY-MM-DD HH:MM:SS` (UTC).' }),
  updated_at: Type.String({ description: '`YYYY-MM-DD HH:MM:SS` (UTC).' }),
});
const StoreCreateBody = Type.Object(
  {
    id_store: Type.Optional(IdStore),
    store_name: StoreName,
    access_token: AccessToken,
    webhook_secret: WebhookSecret,
    client_id: Type.Optional(
      Type.Integer({ minimum: 1, maximum: ID_MAX, description: 'The client, for a partner or platform key.' }),
    ),
  },
  { additionalProperties: false },
);
const StoreUpdateBody = Type.Object(
  {
    store_name: Type.Optional(StoreName),
    access_token: Type.Optional(AccessToken),
    webhook_secret: Type.Optional(WebhookSecret),
    client_id: Type.Optional(
      Type.Integer({ minimum: 1, maximum: ID_MAX, description: 'The client, for a partner or platform key.' }),
    ),
  },
  { additionalProperties: false },
);
const StoreParams = Type.Object({ id_store: IdStore });

export const commerceSettingsRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const key = channelKey(context.config).key;
  const present = (row: Parameters<typeof presentStore>[0]) => presentStore(row, context.config.publicUrl);

  app.get(
    '/commerce/settings',
    {
      schema: {
        tags,
        summary: 'Get your commerce settings',
        querystring: ClientIdQuery,
        response: { 200: OneEnvelope(SettingsData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'commerce', 'read');
      const clientId = await targetClient(db, request.principal, request.query.client_id);
      return one({ client_id: clientId, orders_enabled: await ordersEnabled(db, clientId) });
    },
  );
  app.put(
    '/commerce/settings',
    {
      schema: {
        tags,
        summary: 'Change your commerce settings',
        description: 'Enable orders for the account: `createOrder` and the Shopify webhook answer 403 until then.',
        body: SettingsBody,
        response: { 200: OneEnvelope(SettingsData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'commerce', 'update');
      const clientId = await targetClient(db, request.principal, request.body.client_id);
      const enabled = request.body.orders_enabled ? 1 : 0;
      const at = nowInstant();
      await transact(db, async (trx) => {
        await trx
          .insertInto('commerce_settings')
          .values({ client_id: clientId, orders_enabled: enabled, updated_at: at })
          .onConflict((oc) => oc.column('client_id').doUpdateSet({ orders_enabled: enabled, updated_at: at }))
          .execute();
        await appendEvent(trx, {
          type: 'commerce_settings.updated',
          clientId,
          subject: { type: 'client', id: clientId },
          payload: { changed: ['orders_enabled'] },
          at,
        });
      });
      return one({ client_id: clientId, orders_enabled: enabled === 1 });
    },
  );

  app.get(
    '/commerce/shopify_store',
    {
      schema: {
        tags,
        summary: 'List your Shopify stores',
        querystring: ClientIdQuery,
        response: { 200: ListEnvelope(StoreData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'commerce', 'list');
      const clientId = await targetClient(db, request.principal, request.query.client_id);
      const rows = await listStores(db, clientId);
      return many(rows.map(present), pageInfo(1, Math.max(rows.length, 1), rows.length));
    },
  );
  app.get(
    '/commerce/shopify_store/:id_store',
    {
      schema: {
        tags,
        summary: 'Get a Shopify store',
        params: StoreParams,
        querystring: ClientIdQuery,
        response: { 200: OneEnvelope(StoreData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'commerce', 'read');
      const clientId = await targetClient(db, request.principal, request.query.client_id);
      const row = await findStore(db, clientId, request.params.id_store);
      if (row === undefined) throw unknownResource('shopify_store', request.params.id_store);
      return one(present(row));
    },
  );
  app.post(
    '/commerce/shopify_store',
    {
      schema: {
        tags,
        summary: 'Connect a Shopify store',
        description:
          'SHOPIFY_STORE_NAME, SHOPIFY_TOKEN_APP (`access_token`) and the webhook signing secret. The secrets are stored encrypted and never returned; enter the answered `webhook_url` as the Order creation webhook in Shopify.',
        body: StoreCreateBody,
        response: { 200: OneEnvelope(StoreData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'commerce', 'create');
      const { client_id, ...input } = request.body;
      const clientId = await targetClient(db, request.principal, client_id);
      return one(present(await createStore(db, key, clientId, input)));
    },
  );
  app.put(
    '/commerce/shopify_store/:id_store',
    {
      schema: {
        tags,
        summary: 'Change a Shopify store',
        description: 'Fields left out are kept; a secret given replaces the stored one.',
        params: StoreParams,
        body: StoreUpdateBody,
        response: { 200: OneEnvelope(StoreData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'commerce', 'update');
      const { client_id, ...input } = request.body;
      const clientId = await targetClient(db, request.principal, client_id);
      return one(present(await updateStore(db, key, clientId, request.params.id_store, input)));
    },
  );
  app.delete(
    '/commerce/shopify_store/:id_store',
    {
      schema: {
        tags,
        summary: 'Disconnect a Shopify store',
        description: 'Its orders stay; its webhook answers 404 from then on.',
        params: StoreParams,
        querystring: ClientIdQuery,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'commerce', 'delete');
      const clientId = await targetClient(db, request.principal, request.query.client_id);
      await deleteStore(db, clientId, request.params.id_store);
      return done();
    },
  );
};
