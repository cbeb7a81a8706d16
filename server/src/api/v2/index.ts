// The REST API v2 surface (seed 003) under /api/2: authentication first, then each domain's routes.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { channelRoutes } from '../../channels/routes.js';
import type { AppContext } from '../../context.js';
import { interactionRoutes } from '../../domain/apps/interaction-routes.js';
import { appRoutes } from '../../domain/apps/routes.js';
import { cannedResponseRoutes } from '../../domain/canned/routes.js';
import { transactionRoutes } from '../../domain/commerce/routes.js';
import { commerceSettingsRoutes } from '../../domain/commerce/settings-routes.js';
import { conversationRoutes, odigoCallbackRoutes, tagRoutes } from '../../domain/conversations/routes.js';
import { transcriptRoutes } from '../../domain/conversations/transcript-routes.js';
import { operatorLiveRoutes } from '../../domain/people/live-routes.js';
import { peopleRoutes } from '../../domain/people/routes.js';
import { supervisionRoutes } from '../../domain/routing/supervision-routes.js';
import { satisfactionRoutes } from '../../domain/satisfaction/routes.js';
import { searchRoutes } from '../../domain/search/routes.js';
import { statisticRoutes } from '../../domain/statistics/routes.js';
import { targetingRuleRoutes } from '../../domain/targeting/routes.js';
import { tenancyRoutes } from '../../domain/tenancy/routes.js';
import { callMeetingRoutes, visitorRoutes } from '../../domain/visitors/routes.js';
import { presentedKey } from '../../http/auth.js';
import { webhookRoutes } from '../../webhooks/routes.js';

export const apiV2: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.decorateRequest('principal');
  // Authentication precedes validation, so an unauthenticated caller learns nothing about the schema.
  // Callback style, so a known key reading a kept answer (most polling) is answered with no promise at all.
  app.addHook('onRequest', (request, reply, done) => {
    const presented = presentedKey(request);
    // A GET whose answer is kept and still current is answered here (http/read-cache.ts); an answered reply ends the
    // hooks without `done`.
    const answerFromCache = () => {
      const answered = context.readCache.lookUp(request, reply);
      if (answered === false) done();
      else if (answered !== true) answered.then((sent) => (sent ? undefined : done()), done);
    };
    const known = context.keys.known(presented);
    if (known !== undefined) {
      request.principal = known;
      answerFromCache();
      return;
    }
    context.keys
      .authenticate(presented, { sessions: true, address: request.ip })
      .then((principal) => {
        request.principal = principal;
        answerFromCache();
      })
      // A refused key (403, 429) goes to the error handler; nothing here may become an unhandled rejection.
      .catch((error: Error) => done(error));
  });
  context.readCache.install(app);
  await app.register(tenancyRoutes, { context });
  await app.register(peopleRoutes, { context });
  await app.register(operatorLiveRoutes, { context });
  await app.register(visitorRoutes, { context });
  await app.register(conversationRoutes, { context });
  await app.register(transcriptRoutes, { context });
  await app.register(tagRoutes, { context });
  await app.register(transactionRoutes, { context });
  await app.register(satisfactionRoutes, { context });
  await app.register(statisticRoutes, { context });
  await app.register(callMeetingRoutes, { context });
  await app.register(odigoCallbackRoutes, { context });
  await app.register(webhookRoutes, { context });
  await app.register(channelRoutes, { context });
  await app.register(targetingRuleRoutes, { context });
  await app.register(cannedResponseRoutes, { context });
  await app.register(commerceSettingsRoutes, { context });
  await app.register(appRoutes, { context });
  await app.register(interactionRoutes, { context });
  await app.register(supervisionRoutes, { context });
  await app.register(searchRoutes, { context });
};
