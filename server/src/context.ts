// What route modules and commands share: the database, the key verifier, the configuration and the event reactions.
import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { Dialect } from './db/dialect.js';
import type { Database } from './db/schema.js';
import type { FlowEngine } from './domain/flows/engine.js';
import type { StatisticsProjection } from './domain/statistics/projection.js';
import type { Principal } from './domain/tenancy/policy.js';
import type { EventDispatcher } from './events/dispatcher.js';
import type { KeyVerifier } from './http/auth.js';
import type { OutboundGuard } from './http/outbound.js';
import type { ReadCache } from './http/read-cache.js';
import type { Limits } from './limits/limits.js';
import type { WebhookWorker } from './webhooks/worker.js';

export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  dialect: Dialect;
  keys: KeyVerifier;
  /**
   * Request rates and the throttle of wrong credentials (per address and account, with growing blocks), counted in
   * Redis when nodes share one (limits/).
   */
  limits: Limits;
  /** Answers to GETs kept per reader and URL until an event changes the reader's data (http/read-cache.ts). */
  readCache: ReadCache;
  /** Every outbound HTTP call (webhooks, channel providers) goes through this guard (SSRF checks, timeouts, size cap). */
  outbound: OutboundGuard;
  /** This node's webhook delivery worker (started when the app is ready, stopped on close). */
  webhooks?: WebhookWorker;
  /** This node's statistics projection (domain/statistics/projection.ts): keeps the hourly rollups current. */
  statistics?: StatisticsProjection;
  /** This node's flow engine (domain/flows/engine.ts): claims due runs and runs their steps. */
  flows?: FlowEngine;
  /**
   * Reactions to committed events: a feature that must react to a change (fan-out, queue serving, a cache) registers
   * here with `context.reactions.on([...event types], reaction, { name })` instead of being called by routes.
   */
  reactions: EventDispatcher;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API authentication hook on every `/api/2` route. */
    principal: Principal;
  }
}
