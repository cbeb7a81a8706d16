// The front door: a GET whose answer the read cache keeps, current and fresh, is answered straight from node:http,
// before Fastify makes its request and reply objects, routes, and runs its hooks. Integrators poll the same lists over
// and over, and for such a poll that machinery was most of the cost (bench/RESULTS.md, rest). Nothing is skipped that
// decides the answer: the key must be one this node has verified and still trusts (a revoked key is forgotten on every
// node at once), and a kept answer is one a routed, authenticated request of the same reader made for the same raw URL,
// under the same generation of the reader's data. Everything else — an unknown key, a session, a miss, an answer past
// its age — goes to Fastify as before. The answer carries what Fastify's would (content type, length, request id), is
// counted in the route's metrics, and is logged as Fastify logs requests when the level includes them.
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyBaseLogger } from 'fastify';
import { writesAt } from '../ops/lazy-logger.js';
import type { HttpMetrics } from '../ops/metrics.js';
import { type KeyVerifier, presentedKey } from './auth.js';
import type { ReadCache } from './read-cache.js';

/** The ids Fastify keeps from an incoming X-Request-Id (app.ts); any other gets a new one. */
export const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export function requestIdOf(incoming: string | string[] | undefined): string {
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

export interface FrontDoorParts {
  keys: KeyVerifier;
  cache: ReadCache;
  metrics: HttpMetrics;
  log: FastifyBaseLogger;
}

/** Returns true when it answered the request; false leaves it untouched for Fastify. */
export type FrontDoor = (request: IncomingMessage, response: ServerResponse) => boolean;

/** The URL prefixes whose GETs the read cache keeps (REST v2 and the v1 exports). */
const CACHED_PREFIX = '/api/';

export function frontDoor({ keys, cache, metrics, log }: FrontDoorParts): FrontDoor {
  return (request, response) => {
    const url = request.url;
    if (request.method !== 'GET' || url === undefined || !url.startsWith(CACHED_PREFIX)) return false;
    const principal = keys.known(presentedKey({ headers: request.headers, url }));
    if (principal === undefined) return false;
    const kept = cache.fresh(principal, url);
    if (kept === undefined) return false;
    const started = performance.now();
    const requestId = requestIdOf(request.headers['x-request-id']);
    // Fastify's request lines, at the level it writes them: the cached answer is still a request served.
    const logged = writesAt(log, 'info');
    if (logged)
      log.info(
        {
          reqId: requestId,
          req: { method: 'GET', url, host: request.headers.host, remoteAddress: request.socket.remoteAddress },
        },
        'incoming request',
      );
    response.writeHead(200, {
      'content-type': kept.contentType,
      'content-length': kept.body.length,
      'x-request-id': requestId,
    });
    response.end(kept.body);
    const elapsedMs = performance.now() - started;
    metrics.recorder('GET', kept.route)(200, elapsedMs);
    if (logged) log.info({ reqId: requestId, res: { statusCode: 200 }, responseTime: elapsedMs }, 'request completed');
    return true;
  };
}
