// What route modules and commands share: the database, the key verifier, the configuration and the realtime fan-out.
import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { Dialect } from './db/dialect.js';
import type { Database } from './db/schema.js';
import type { Principal } from './domain/tenancy/policy.js';
import type { KeyVerifier } from './http/auth.js';
import type { OutboundGuard } from './http/outbound.js';
import type { RealtimePublisher } from './realtime/publisher.js';
import type { WebhookWorker } from './webhooks/worker.js';

export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  dialect: Dialect;
  keys: KeyVerifier;
  /** Every outbound HTTP call (webhooks, channel providers) goes through this guard (SSRF checks, timeouts, size cap). */
  outbound: OutboundGuard;
  /** This node's webhook delivery worker (started when the app is ready, stopped on close). */
  webhooks?: WebhookWorker;
  /**
   * Realtime fan-out, set when the gateway plugin is registered. A command outside the gateway whose change sockets
   * should see (a message posted through the API, a conversation given an operator) calls it after its commit,
   * e.g. `context.realtime?.entries(id, [row])` or `await context.realtime?.conversationChanged(id)`.
   */
  realtime?: RealtimePublisher;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API authentication hook on every `/api/2` route. */
    principal: Principal;
  }
}
