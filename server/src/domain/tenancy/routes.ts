// HTTP routes of partners, clients, API keys and websites: auth → validate → authorise → command → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { done, EmptyEnvelope, ErrorResponses, ListEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { listQuerySchema, parseListQuery } from '../../http/filters.js';
import { listAnswer, loadVisible } from '../../http/respond.js';
import {
  createClient,
  createClientKey,
  createPartner,
  createPartnerKey,
  createWebsite,
  revokeApiKey,
  updateClient,
  updateWebsite,
} from './commands.js';
import { authorize, authorizeClientUpdate } from './policy.js';
import { presentApiKey, presentClient, presentPartner, presentWebsite } from './present.js';
import {
  API_KEY_FILTERS,
  ApiKeyCreateBody,
  ApiKeyData,
  CLIENT_FILTERS,
  ClientCreateBody,
  ClientData,
  ClientUpdateBody,
  IdParams,
  PartnerCreateBody,
  PartnerData,
  WEBSITE_FILTERS,
  WebsiteCreateBody,
  WebsiteData,
  WebsiteUpdateBody,
} from './schema.js';
import {
  listApiKeyIds,
  listClientIds,
  listPartnerIds,
  listWebsiteIds,
  loadApiKeys,
  loadClients,
  loadPartners,
  loadWebsites,
} from './store.js';

export const tenancyRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;

  // Partners: resellers that provision clients (seed 000's partner accounts). Platform keys only.
  app.get(
    '/partner',
    {
      schema: {
        tags: ['Partner'],
        summary: 'List partners',
        querystring: listQuerySchema({}),
        response: { 200: ListEnvelope(PartnerData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'partner', 'list');
      const query = parseListQuery(request.query, {}, 'partner');
      return listAnswer(
        query,
        await listPartnerIds(db, query),
        'partner',
        (ids) => loadPartners(db, ids),
        presentPartner,
      );
    },
  );
  app.get(
    '/partner/:id',
    {
      schema: {
        tags: ['Partner'],
        summary: 'Get a partner',
        params: IdParams,
        response: { 200: OneEnvelope(PartnerData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'partner', 'read');
      return one(presentPartner(await loadVisible('partner', request.params.id, (ids) => loadPartners(db, ids))));
    },
  );
  app.post(
    '/partner',
    {
      schema: {
        tags: ['Partner'],
        summary: 'Create a partner',
        body: PartnerCreateBody,
        response: { 200: OneEnvelope(PartnerData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'partner', 'create');
      const id = await createPartner(db, request.body);
      return one(presentPartner(await loadVisible('partner', id, (ids) => loadPartners(db, ids))));
    },
  );
  app.post(
    '/partner/:id/key',
    {
      schema: {
        tags: ['Partner'],
        summary: 'Create a partner API key',
        description: 'The key (`data.key`) is shown only in this answer.',
        params: IdParams,
        body: ApiKeyCreateBody,
        response: { 200: OneEnvelope(ApiKeyData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'partner', 'update');
      const created = await createPartnerKey(db, request.params.id, request.body?.name);
      const row = await loadVisible('key', created.id, (ids) => loadApiKeys(db, request.principal, ids));
      return one(presentApiKey(row, created.plaintext));
    },
  );

  // Clients: the tenants.
  app.get(
    '/client',
    {
      schema: {
        tags: ['Client'],
        summary: 'List clients',
        description: 'The clients this API key may see.',
        querystring: listQuerySchema(CLIENT_FILTERS),
        response: { 200: ListEnvelope(ClientData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'client', 'list');
      const query = parseListQuery(request.query, CLIENT_FILTERS, 'client');
      return listAnswer(
        query,
        await listClientIds(db, request.principal, query),
        'client',
        (ids) => loadClients(db, request.principal, ids),
        presentClient,
      );
    },
  );
  app.get(
    '/client/:id',
    {
      schema: {
        tags: ['Client'],
        summary: 'Get a client',
        params: IdParams,
        response: { 200: OneEnvelope(ClientData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'client', 'read');
      return one(
        presentClient(await loadVisible('client', request.params.id, (ids) => loadClients(db, request.principal, ids))),
      );
    },
  );
  app.post(
    '/client',
    {
      schema: {
        tags: ['Client'],
        summary: 'Create a client',
        description: 'Partner keys create clients of their own; platform keys may name a `partner_id`.',
        body: ClientCreateBody,
        response: { 200: OneEnvelope(ClientData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'client', 'create');
      const id = await createClient(db, request.principal, request.body);
      return one(presentClient(await loadVisible('client', id, (ids) => loadClients(db, request.principal, ids))));
    },
  );
  app.put(
    '/client/:id',
    {
      schema: {
        tags: ['Client'],
        summary: 'Update a client',
        description:
          "Partner and platform keys change any field. A client changes its own `timezone` (an IANA name, in which its statistics periods are read) with its key or a manager's or admin's console session; its name and language stay with its partner.",
        params: IdParams,
        body: ClientUpdateBody,
        response: { 200: OneEnvelope(ClientData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorizeClientUpdate(request.principal, Object.keys(request.body));
      await updateClient(db, request.principal, request.params.id, request.body);
      return one(
        presentClient(await loadVisible('client', request.params.id, (ids) => loadClients(db, request.principal, ids))),
      );
    },
  );
  app.post(
    '/client/:id/key',
    {
      schema: {
        tags: ['Client', 'API key'],
        summary: 'Create a client API key',
        description:
          'Returns a new key limited to this client as `data.key`. The key is shown only in this answer; store it safely.',
        params: IdParams,
        body: ApiKeyCreateBody,
        response: { 200: OneEnvelope(ApiKeyData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'api_key', 'create');
      const created = await createClientKey(db, request.principal, request.params.id, request.body?.name);
      const row = await loadVisible('key', created.id, (ids) => loadApiKeys(db, request.principal, ids));
      return one(presentApiKey(row, created.plaintext));
    },
  );

  // API keys: listing and revocation (secrets are never shown again).
  app.get(
    '/key',
    {
      schema: {
        tags: ['API key'],
        summary: 'List API keys',
        querystring: listQuerySchema(API_KEY_FILTERS),
        response: { 200: ListEnvelope(ApiKeyData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'api_key', 'list');
      const query = parseListQuery(request.query, API_KEY_FILTERS, 'key');
      return listAnswer(
        query,
        await listApiKeyIds(db, request.principal, query),
        'key',
        (ids) => loadApiKeys(db, request.principal, ids),
        (row) => presentApiKey(row),
      );
    },
  );
  app.get(
    '/key/:id',
    {
      schema: {
        tags: ['API key'],
        summary: 'Get an API key (without its secret)',
        params: IdParams,
        response: { 200: OneEnvelope(ApiKeyData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'api_key', 'read');
      return one(
        presentApiKey(await loadVisible('key', request.params.id, (ids) => loadApiKeys(db, request.principal, ids))),
      );
    },
  );
  app.delete(
    '/key/:id',
    {
      schema: {
        tags: ['API key'],
        summary: 'Revoke an API key',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'api_key', 'delete');
      const row = await loadVisible('key', request.params.id, (ids) => loadApiKeys(db, request.principal, ids));
      // Every node forgets the key through the `api_key.revoked` reaction (app.ts).
      await revokeApiKey(db, row.id, { partnerId: row.partner_id, clientId: row.client_id });
      return done();
    },
  );

  // Websites.
  app.get(
    '/website',
    {
      schema: {
        tags: ['Website'],
        summary: 'List your websites',
        querystring: listQuerySchema(WEBSITE_FILTERS),
        response: { 200: ListEnvelope(WebsiteData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'website', 'list');
      const query = parseListQuery(request.query, WEBSITE_FILTERS, 'website');
      return listAnswer(
        query,
        await listWebsiteIds(db, request.principal, query),
        'website',
        (ids) => loadWebsites(db, request.principal, ids),
        (row) => presentWebsite(request.principal, row),
      );
    },
  );
  app.get(
    '/website/:id',
    {
      schema: {
        tags: ['Website'],
        summary: 'Get a website details',
        params: IdParams,
        response: { 200: OneEnvelope(WebsiteData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'website', 'read');
      return one(
        presentWebsite(
          request.principal,
          await loadVisible('website', request.params.id, (ids) => loadWebsites(db, request.principal, ids)),
        ),
      );
    },
  );
  app.post(
    '/website',
    {
      schema: {
        tags: ['Website'],
        summary: 'Create a website',
        body: WebsiteCreateBody,
        response: { 200: OneEnvelope(WebsiteData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'website', 'create');
      const id = await createWebsite(db, request.principal, request.body);
      return one(
        presentWebsite(
          request.principal,
          await loadVisible('website', id, (ids) => loadWebsites(db, request.principal, ids)),
        ),
      );
    },
  );
  app.put(
    '/website/:id',
    {
      schema: {
        tags: ['Website'],
        summary: 'Update a website',
        params: IdParams,
        body: WebsiteUpdateBody,
        response: { 200: OneEnvelope(WebsiteData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'website', 'update');
      const existing = await loadVisible('website', request.params.id, (ids) =>
        loadWebsites(db, request.principal, ids),
      );
      await updateWebsite(db, existing.client_id, existing.id, request.body);
      return one(
        presentWebsite(
          request.principal,
          await loadVisible('website', existing.id, (ids) => loadWebsites(db, request.principal, ids)),
        ),
      );
    },
  );
};
