// Prometheus metrics of one app instance: process defaults plus HTTP request counts and latencies by route.
import type { FastifyInstance, onResponseHookHandler } from 'fastify';
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import type { LazySchemas } from '../http/lazy-schemas.js';
import type { LimitReport } from '../limits/limits.js';

/** Records one answered request of a route: its status and how long it took. */
export type RouteRecorder = (statusCode: number, elapsedMs: number) => void;

export interface HttpMetrics {
  registry: Registry;
  /** The recorder of a route's answers, made once per method and route (answers served before routing use it too). */
  recorder(method: string, route: string): RouteRecorder;
}

/** Registers `/metrics` and the hooks that feed it. Each app gets its own registry so tests can build several. */
export function registerMetrics(app: FastifyInstance, schemas: Pick<LazySchemas, 'remaining'>): HttpMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'causerie_' });
  // A node compiles its routes' schemas in the background once it listens (http/lazy-schemas.ts): until this is 0 it
  // spends some of its thread there, and a benchmark that wants a warm node waits for it.
  new Gauge({
    name: 'causerie_route_schemas_pending',
    help: 'Route schemas (request validators, response serializers) not compiled yet.',
    registers: [registry],
    collect() {
      this.set(schemas.remaining);
    },
  });
  const requests = new Counter({
    name: 'causerie_http_requests_total',
    help: 'HTTP requests answered, by method, route and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'causerie_http_request_duration_seconds',
    help: 'Time to answer HTTP requests, by method and route.',
    labelNames: ['method', 'route'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  // Each route gets its own onResponse hook holding its labels, made once when the route is declared: reading
  // request.routeOptions builds an object per call, and it was a measurable share of answering a cached read.
  const recorders = new Map<string, RouteRecorder>();
  const record = (method: string, route: string): RouteRecorder => {
    const made = recorders.get(`${method} ${route}`);
    if (made !== undefined) return made;
    const routeLabels = { method, route };
    const byStatus = new Map<number, { method: string; route: string; status: string }>();
    const recorder: RouteRecorder = (statusCode, elapsedMs) => {
      let labels = byStatus.get(statusCode);
      if (labels === undefined) {
        labels = { method, route, status: String(statusCode) };
        byStatus.set(statusCode, labels);
      }
      requests.inc(labels);
      duration.observe(routeLabels, elapsedMs / 1000);
    };
    recorders.set(`${method} ${route}`, recorder);
    return recorder;
  };
  app.addHook('onRoute', (route) => {
    const methods = Array.isArray(route.method) ? route.method : [route.method];
    const byMethod = new Map(methods.map((method) => [method, record(method, route.url)]));
    const hook: onResponseHookHandler = (request, reply, done) => {
      byMethod.get(request.method)?.(reply.statusCode, reply.elapsedTime);
      done();
    };
    route.onResponse = route.onResponse === undefined ? [hook] : [route.onResponse, hook].flat();
  });
  // Requests no route matched: the route pattern, never the raw URL, keeps label cardinality bounded (and methods are
  // the few Node's parser knows).
  app.addHook('onResponse', (request, reply, done) => {
    if (request.is404) record(request.method, 'unmatched')(reply.statusCode, reply.elapsedTime);
    done();
  });
  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return registry.metrics();
  });
  return { registry, recorder: record };
}

/**
 * What the limits report: a log line and a count when a credential key becomes blocked (someone is guessing), a count
 * of every request refused by a limit; refused attempts are logged at debug level only (a flood would flood the log).
 */
export function limitReport(app: FastifyInstance, registry: Registry): LimitReport {
  const blocks = new Counter({
    name: 'causerie_credential_blocks_total',
    help: 'Addresses or accounts blocked after too many wrong passwords, sign-on keys or API keys, by credential kind.',
    labelNames: ['kind'] as const,
    registers: [registry],
  });
  const refused = new Counter({
    name: 'causerie_limited_requests_total',
    help: 'Requests answered 429 by a limit: credential kinds while blocked, or request rates (visitor, address, website).',
    labelNames: ['limit'] as const,
    registers: [registry],
  });
  return {
    blocked: ({ kind, key, blockMs }) => {
      blocks.inc({ kind });
      app.log.warn(
        { limit: key, blockMs },
        `too many wrong credentials (${kind}): blocked for ${Math.ceil(blockMs / 1000)} s`,
      );
    },
    refused: ({ kind, key, waitMs }) => {
      refused.inc({ limit: kind });
      app.log.debug({ limit: key, waitMs }, `${kind} attempt refused while blocked`);
    },
    throttled: ({ limit, key, waitMs }) => {
      refused.inc({ limit });
      app.log.debug({ limit: key, waitMs }, `request over the ${limit} limit refused`);
    },
  };
}

/** The read cache's answers so far, by result: how much of the read load it takes (http/read-cache.ts). */
export function readCacheMetrics(
  registry: Registry,
  cache: { hits: number; misses: number; frontDoorHits: number },
): void {
  new Gauge({
    name: 'causerie_read_cache_front_door_answers',
    help: 'Hits among the read cache answers that were served before routing (http/front-door.ts).',
    registers: [registry],
    collect() {
      this.set(cache.frontDoorHits);
    },
  });
  new Gauge({
    name: 'causerie_read_cache_answers',
    help: 'GET answers since start, by result: hit (served from the read cache) or miss (made by the route).',
    labelNames: ['result'] as const,
    registers: [registry],
    collect() {
      this.set({ result: 'hit' }, cache.hits);
      this.set({ result: 'miss' }, cache.misses);
    },
  });
}
