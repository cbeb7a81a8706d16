// What route modules and commands share: the database, the key verifier and the configuration.
import type { Kysely } from 'kysely';
import type { Config } from './config.js';
import type { Dialect } from './db/dialect.js';
import type { Database } from './db/schema.js';
import type { Principal } from './domain/tenancy/policy.js';
import type { KeyVerifier } from './http/auth.js';

export interface AppContext {
  config: Config;
  db: Kysely<Database>;
  dialect: Dialect;
  keys: KeyVerifier;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the API authentication hook on every `/api/2` route. */
    principal: Principal;
  }
}
