// The REST API v2 surface (seed 003) under /api/2: authentication first, then each domain's routes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { peopleRoutes } from '../../domain/people/routes.js';
import { tenancyRoutes } from '../../domain/tenancy/routes.js';
import { presentedKey } from '../../http/auth.js';

export const apiV2: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.decorateRequest('principal');
  // Authentication precedes validation, so an unauthenticated caller learns nothing about the schema.
  app.addHook('onRequest', async (request) => {
    request.principal = await context.keys.authenticate(presentedKey(request));
  });
  await app.register(tenancyRoutes, { context });
  await app.register(peopleRoutes, { context });
};
