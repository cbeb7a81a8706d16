// The legacy v1 API (seed 002) under /api/{model}/{method}/: a client key, GET or form POST, answers `{"result":…}` or the data in json, xml or csv.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyError, FastifyInstance, FastifyRequest } from 'fastify';
import qs from 'qs';
import type { AppContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { presentedKey } from '../../http/auth.js';
import { errorHeaders, toApiError } from '../../http/failure.js';
import { type MethodRegistry, V1_MODELS } from './method.js';
import { registerOperatorMethods } from './operator-routes.js';
import { registerReportMethods } from './report-routes.js';

/** Keys sent in a form body: the shared form parser drops `key` from bodies, so v1 keeps it aside to authenticate with. */
const formKeys = new WeakMap<FastifyRequest, string>();

export const apiV1: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  app.decorateRequest('principal');
  readFormBodiesKeepingKey(app);
  installV1Errors(app);

  const registry: MethodRegistry = new Map();
  await app.register(async (methods) => {
    // Authentication precedes validation, so a caller without a key learns nothing about the parameters.
    methods.addHook('preValidation', async (request, reply) => {
      request.principal = await context.keys.authenticate(presentedKey(request) ?? formKeys.get(request), {
        address: request.ip,
      });
      if (request.method === 'POST') request.body = mergedParameters(request.query, request.body);
      // The exports are polled like the v2 lists: a kept answer still current is served here (http/read-cache.ts).
      else if (await context.readCache.lookUp(request, reply)) return reply;
    });
    context.readCache.install(methods);
    registerOperatorMethods(methods, registry, context);
    registerReportMethods(methods, registry, context);
  });
  // Outside the authenticated scope: what the models and methods are is no secret (the documentation lists them).
  registerExplanations(app, registry);
};

/** Replaces the shared form parser in this plugin only: same parsing, but the key is kept for authentication. */
function readFormBodiesKeepingKey(app: FastifyInstance): void {
  app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (request, body, done) => {
    try {
      const parsed = qs.parse(String(body), {
        depth: 3,
        arrayLimit: 200,
        parameterLimit: 1000,
        allowPrototypes: false,
      });
      if (typeof parsed.key === 'string' && parsed.key !== '') formKeys.set(request, parsed.key);
      done(null, parsed);
    } catch (error) {
      done(error instanceof Error ? error : new Error(String(error)), undefined);
    }
  });
}

/** A POST's parameters: those of its body over those of its query string (the key is a credential, never a parameter). */
function mergedParameters(query: unknown, body: unknown): unknown {
  if (body !== null && typeof body === 'object' && Array.isArray(body)) return body;
  const fromQuery = query !== null && typeof query === 'object' ? { ...(query as Record<string, unknown>) } : {};
  delete fromQuery.key;
  return { ...fromQuery, ...(body !== null && typeof body === 'object' ? (body as Record<string, unknown>) : {}) };
}

/** v1's own error envelope, `{"result":"error","message":…}`, for v1 routes only (v2 keeps its `meta` envelope). */
function installV1Errors(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError | ApiError, request, reply) => {
    const apiError = toV1Error(error);
    if (apiError.httpStatus >= 500) request.log.error({ err: error }, 'request failed');
    reply.headers(errorHeaders(apiError));
    if (apiError.httpStatus === 405) reply.header('allow', 'GET, HEAD, POST');
    return reply.code(apiError.httpStatus).send({ result: 'error', message: apiError.message });
  });
}

/** v1 words a bad key as its own `key` parameter; every other failure reads as in v2. */
function toV1Error(error: FastifyError | ApiError): ApiError {
  if (error instanceof ApiError && error.id === 'forbidden')
    return new ApiError('forbidden', 403, "Forbidden: give your client API key in the 'key' parameter.", 'error');
  return toApiError(error, {
    defaultContext: 'querystring',
    resource: 'this method',
    mediaTypeHint: 'Send the parameters in the query string, or as an application/x-www-form-urlencoded body.',
  });
}

/**
 * Answers, in v1's envelope, calls that name no method of a model: an unknown method (404, listing the
 * model's methods), a known method with another HTTP verb (405), or an unknown model written the v1 way,
 * `/api/{model}/{method}/` (404, listing the models). Model names are lower case, so `/api/2/…` never matches.
 */
function registerExplanations(app: FastifyInstance, registry: MethodRegistry): void {
  const models = `Models: ${V1_MODELS.join(', ')}.`;
  const schema = { hide: true };
  for (const model of V1_MODELS) {
    const methods = registry.get(model) ?? [];
    const listing = `Methods of '${model}': ${methods.join(', ')}.`;
    const explain = async (request: FastifyRequest) => {
      const asked = ((request.params as { '*'?: string })['*'] ?? '').replace(/\/+$/, '');
      if (asked === '') throw new ApiError('method_missing', 404, `Name a method: /api/${model}/{method}/. ${listing}`);
      if (methods.includes(asked))
        throw new ApiError(
          'method_not_allowed',
          405,
          `Method ${request.method} is not allowed: call /api/${model}/${asked}/ with GET, or POST a form.`,
        );
      throw new ApiError('method_unknown', 404, `Unknown method '${asked}' of model '${model}'. ${listing}`);
    };
    app.all(`/${model}`, { schema }, explain);
    app.all(`/${model}/*`, { schema }, explain);
  }
  // Known models are static paths above, which the router prefers: only unknown models reach this one.
  app.all('/:model(^[a-z_]+$)/:method(^[A-Za-z]+$)/', { schema }, async (request) => {
    const { model } = request.params as { model: string };
    throw new ApiError(
      'model_unknown',
      404,
      `Unknown model '${model}'. ${models} The REST API v2 lives under /api/2; see /docs.`,
    );
  });
}
