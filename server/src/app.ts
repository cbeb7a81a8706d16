// Builds the Fastify application from a configuration and an open store; used by the CLI and by the tests.
import { createServer } from 'node:http';
import swagger from '@fastify/swagger';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import scalar from '@scalar/fastify-api-reference';
import Fastify, { type FastifyError, type FastifyInstance } from 'fastify';
import { commerceApi } from './api/commerce/plugin.js';
import { messagingAgentsApi } from './api/messaging/agents.js';
import { messagingBroadcastsApi } from './api/messaging/broadcasts.js';
import { messagingChatTokensApi } from './api/messaging/chat-tokens.js';
import { messagingMessagesApi } from './api/messaging/messages.js';
import { messagingPartnerApi } from './api/messaging/partner.js';
import { messagingTemplatesApi } from './api/messaging/templates.js';
import { apiV1 } from './api/v1/index.js';
import { apiV2 } from './api/v2/index.js';
import { metaAppWebhook } from './channels/meta-app-webhook.js';
import { channelWebhooks } from './channels/plugin.js';
import { channelRuntime } from './channels/runtime.js';
import { secretsKey } from './channels/secrets.js';
import type { Config } from './config.js';
import type { AppContext } from './context.js';
import type { Store } from './db/database.js';
import { developerSessionRoutes } from './domain/apps/routes.js';
import { shopifyWebhookRoutes } from './domain/commerce/shopify-webhook.js';
import { FlowEngine } from './domain/flows/engine.js';
import { broadcastSending } from './domain/messaging/broadcast-sending.js';
import { notifyMessengerFeed } from './domain/messaging/messenger-signal.js';
import { sessionRoutes } from './domain/people/session-routes.js';
import { registerQueueServing } from './domain/routing/reactions.js';
import { StatisticsProjection } from './domain/statistics/projection.js';
import { ApiError } from './errors.js';
import { EventDispatcher } from './events/dispatcher.js';
import { attachDispatcher, detachDispatcher } from './events/transact.js';
import { KeyVerifier } from './http/auth.js';
import { errorEnvelope } from './http/envelope.js';
import { errorHeaders, toApiError } from './http/failure.js';
import { type FrontDoor, frontDoor, requestIdOf } from './http/front-door.js';
import { LazySchemas } from './http/lazy-schemas.js';
import { OutboundGuard } from './http/outbound.js';
import { DEFAULT_READ_CACHE, ReadCache } from './http/read-cache.js';
import { PROBLEM_KEYWORD, registerFormBodies } from './http/validation.js';
import { Limits } from './limits/limits.js';
import { createSharedLimits } from './limits/shared-limits.js';
import { registerHealth } from './ops/health.js';
import { lazyChildLogger } from './ops/lazy-logger.js';
import { limitReport, readCacheMetrics, registerMetrics } from './ops/metrics.js';
import { realtimeGateway } from './realtime/plugin.js';
import { API_REFERENCE_CONFIGURATION } from './web/api-reference.js';
import { consoleRoutes } from './web/console-routes.js';
import { faviconRoutes } from './web/favicon.js';
import { widgetRoutes } from './web/widget-routes.js';
import { WebhookWorker } from './webhooks/worker.js';

export interface BuiltApp {
  app: FastifyInstance;
  context: AppContext;
  /** Route schemas compiled on first use; `serve` compiles the rest in the background once the node listens. */
  schemas: LazySchemas;
}

/** Assembles the HTTP application. The store must already be migrated. */
export async function buildApp(config: Config, store: Store): Promise<BuiltApp> {
  const schemas = new LazySchemas();
  // Kept answers to polled reads are served before Fastify (http/front-door.ts); set once the cache and keys exist.
  let answeredAtTheDoor: FrontDoor = () => false;
  const app = Fastify({
    // The server Fastify would make with its default timeouts, with the front door in front of its handler.
    serverFactory: (handler) => {
      const server = createServer((request, response) => {
        if (!answeredAtTheDoor(request, response)) handler(request, response);
      });
      server.keepAliveTimeout = 72_000;
      server.requestTimeout = 0;
      server.setTimeout(0);
      return server;
    },
    schemaController: schemas.controller,
    logger: { level: config.logLevel },
    // Each request's logger is made on its first line written (ops/lazy-logger.ts): most requests write none.
    childLoggerFactory: lazyChildLogger,
    // An incoming X-Request-Id (from a load balancer) is kept so logs join up across hops.
    requestIdHeader: 'x-request-id',
    genReqId: (request) => requestIdOf(request.headers['x-request-id']),
    bodyLimit: 1024 * 1024,
    // request.ip is the client behind the configured proxies: per-address limits count by it.
    ...(config.trustProxy !== undefined && { trustProxy: trustedProxies(config.trustProxy) }),
    ajv: {
      customOptions: {
        coerceTypes: 'array',
        useDefaults: true,
        removeAdditional: false,
        allErrors: false,
        verbose: true,
        keywords: [PROBLEM_KEYWORD],
      },
    },
  }).withTypeProvider<TypeBoxTypeProvider>();

  // Reactions to committed events (events/dispatcher.ts): every command run on this database hands its events here.
  const reactions = new EventDispatcher((err, reaction) => app.log.error({ err }, `reaction failed: ${reaction}`));
  attachDispatcher(store.db, reactions);
  const metrics = registerMetrics(app, schemas);
  const limits = new Limits(
    createSharedLimits(config.redisUrl, (err, message) => app.log.warn({ err }, message)),
    limitReport(app, metrics.registry),
  );
  const context: AppContext = {
    config,
    db: store.db,
    dialect: store.dialect,
    keys: new KeyVerifier(store.db, config.adminKey, limits.credentials),
    limits,
    readCache: new ReadCache({ ...DEFAULT_READ_CACHE, maxAgeMs: config.readCacheMs ?? DEFAULT_READ_CACHE.maxAgeMs }),
    outbound: new OutboundGuard(config.outboundAllowlist ?? ''),
    reactions,
  };
  readCacheMetrics(metrics.registry, context.readCache);
  answeredAtTheDoor = frontDoor({ keys: context.keys, cache: context.readCache, metrics, log: app.log });
  // A closing node answers 503 to new requests (Fastify's rule): the door stops serving too.
  app.addHook('preClose', (done) => {
    answeredAtTheDoor = () => false;
    done();
  });
  // First of the reactions: a kept answer must stop being served as soon as the change under it is committed.
  if (config.readCacheMs !== 0)
    reactions.on('*', (events) => context.readCache.invalidate(events), { name: 'read cache', where: 'every_node' });
  registerQueueServing(reactions, store.db);
  // A revoked key stops working on every node at once (relayed over Redis when several run), not after the cache's 30 s.
  reactions.on(
    ['api_key.revoked'],
    (events) => {
      for (const event of events) context.keys.forgetKey(event.subject.id);
    },
    { name: 'forget revoked keys', where: 'every_node' },
  );
  // A partner-API account suspended or closed stops its keys on every node at once, not after the cache's 30 s.
  reactions.on(
    ['messaging.account_status'],
    (events) => {
      for (const event of events) if (event.clientId !== null) context.keys.forgetClient(event.clientId);
    },
    { name: 'forget keys of accounts that changed state', where: 'every_node' },
  );
  // Webhook delivery runs on every node from the moment it is ready; on close it finishes what is in flight.
  const webhooks = new WebhookWorker(
    store.db,
    store.dialect,
    context.outbound,
    { timeScale: config.webhookTimeScale, timeoutMs: config.webhookTimeoutMs, secretsKey: secretsKey(config) },
    (err, message) => app.log.error({ err }, message),
  );
  context.webhooks = webhooks;
  // The statistics rollups follow the event log (one node at a time holds its lease); a commit here wakes it.
  const statistics = new StatisticsProjection(store.db, {
    report: (err, message) => app.log.error({ err }, message),
  });
  context.statistics = statistics;
  reactions.on('*', () => statistics.poke(), { name: 'statistics projection' });
  // Flow runs are rows any node's engine claims; a commit here wakes it (orders and replies are read from the log).
  const flows = new FlowEngine(
    { db: store.db, outbound: context.outbound, config, secretsKey: secretsKey(config) },
    { timeScale: config.webhookTimeScale, report: (err, message) => app.log.error({ err }, message) },
  );
  context.flows = flows;
  reactions.on(['commerce.order.created', 'message.created'], () => flows.poke(), { name: 'flow engine' });
  // The messenger reads delivery changes and customers' messages from the log (its feed); a commit here wakes it.
  reactions.on(['message.status_changed', 'message.created'], () => notifyMessengerFeed(), { name: 'messenger' });
  app.addHook('onReady', async () => {
    webhooks.start();
    statistics.start();
    flows.start();
  });
  // Providers post a send's statuses to this node's port within milliseconds, and Twilio, for one, never posts a
  // refused status again: the channels' loops start once the node listens (a node restarted after a crash finds sends
  // waiting), or at the first request of an app that is only injected into (tests) — never before it takes answers.
  let channelsStarted = false;
  const startChannels = () => {
    if (channelsStarted) return;
    channelsStarted = true;
    channelRuntime(context).start();
  };
  app.addHook('onListen', (done) => {
    startChannels();
    done();
  });
  app.addHook('onRequest', (_request, _reply, done) => {
    startChannels();
    done();
  });
  app.addHook('onClose', async () => {
    await reactions.settled();
    detachDispatcher(store.db);
    await webhooks.stop();
    await statistics.stop();
    await flows.stop();
    context.outbound.close();
    await limits.close();
  });

  // Callback-style hooks on every answer: no promise per request for one header.
  app.addHook('onSend', (request, reply, payload, done) => {
    reply.header('x-request-id', request.id);
    done(null, payload);
  });
  registerFormBodies(app);
  installErrorHandling(app);

  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Causerie API',
        version: '2.0',
        description:
          'The REST API v2 of Causerie lives under `/api/2`. Every answer has a `meta` object (`status`: `success`, `fail` or `error`); reads add `data`, lists add `pagination`. ' +
          'Authenticate with the `X-API-Key` header, the `key` query parameter, or HTTP Basic with the key as user name. Bodies may be JSON or form-encoded. ' +
          'The legacy v1 API (`/api/{model}/{method}/`, tagged `v1 …`) answers `{"result": …}` and takes the same keys in its `key` parameter.',
      },
      servers: [{ url: config.publicUrl, description: 'This server' }],
      components: {
        securitySchemes: {
          apiKeyHeader: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
          apiKeyQuery: { type: 'apiKey', in: 'query', name: 'key' },
          basic: { type: 'http', scheme: 'basic', description: 'The API key as user name, any password.' },
        },
      },
      security: [{ apiKeyHeader: [] }, { apiKeyQuery: [] }, { basic: [] }],
    },
  });

  registerHealth(app, context);
  await app.register(apiV2, { prefix: '/api/2', context });
  await app.register(apiV1, { prefix: '/api', context });
  await app.register(sessionRoutes, { prefix: '/auth', context });
  await app.register(developerSessionRoutes, { prefix: '/auth/developer', context });
  await app.register(realtimeGateway, { context });
  await app.register(channelWebhooks, { context });
  await app.register(commerceApi, { prefix: '/api/commerce/v1', context });
  await app.register(messagingAgentsApi, { prefix: '/api/messaging', context });
  await app.register(messagingPartnerApi, { prefix: '/api/messaging', context });
  await app.register(messagingMessagesApi, { prefix: '/api/messaging', context });
  await app.register(messagingTemplatesApi, { prefix: '/api/messaging', context });
  // Its routes are /api/messaging/chatbot/token and the public page /chat/t/{token}: no prefix.
  await app.register(messagingChatTokensApi, { context });
  await app.register(messagingBroadcastsApi(broadcastSending), { prefix: '/api/messaging', context });
  await app.register(metaAppWebhook, { context });
  await app.register(shopifyWebhookRoutes, { context });
  await app.register(widgetRoutes, { context });
  await app.register(consoleRoutes, {});
  await app.register(faviconRoutes);

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
  await app.register(scalar, {
    routePrefix: '/docs',
    configuration: API_REFERENCE_CONFIGURATION,
    logLevel: 'warn',
  });

  return { app, context, schemas };
}

/** A number of hops becomes a function (Fastify's types take a list or a function): the nearest `hops` peers are proxies. */
function trustedProxies(setting: number | string): string | ((address: string, hop: number) => boolean) {
  return typeof setting === 'number' ? (_address, hop) => hop < setting : setting;
}

function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    // A route taking other bodies (a file upload) says which in its config.
    const routeHint = (request.routeOptions.config as { mediaTypeHint?: unknown } | undefined)?.mediaTypeHint;
    const mediaTypeHint =
      typeof routeHint === 'string'
        ? routeHint
        : 'Send the body as application/json or application/x-www-form-urlencoded.';
    const apiError = toApiError(error, {
      defaultContext: 'body',
      resource: resourceOf(request.routeOptions.url),
      mediaTypeHint,
    });
    if (apiError.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
    reply.headers(errorHeaders(apiError));
    return reply.code(apiError.httpStatus).send(errorEnvelope(apiError));
  });
  app.setNotFoundHandler((request, reply) => {
    const unknownRoute = new ApiError(
      'route_not_found',
      404,
      `No route ${request.method} ${request.url.split('?')[0]}. See /docs for the API reference.`,
    );
    reply.header('x-causerie-error', unknownRoute.id);
    return reply.code(404).send(errorEnvelope(unknownRoute));
  });
}

/** `/api/2/operator/:id` → `operator`: the resource a route serves, for messages. */
function resourceOf(routeUrl: string | undefined): string {
  return /^\/api\/2\/([a-z_]+)/.exec(routeUrl ?? '')?.[1] ?? 'this resource';
}
