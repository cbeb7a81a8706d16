// Liveness and readiness probes for load balancers and orchestrators.
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../context.js';
import { pendingMigrations, ping } from '../db/database.js';

const Health = Type.Object({ status: Type.String(), checks: Type.Optional(Type.Record(Type.String(), Type.String())) });

// Kept out of the OpenAPI document: its server URL is the /api/2 base, and these live at the root (see README).
export function registerHealth(app: FastifyInstance, context: AppContext): void {
  app.get(
    '/healthz',
    { schema: { hide: true, summary: 'Liveness: the process answers', response: { 200: Health } } },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        hide: true,
        summary: 'Readiness: the database answers and every migration is applied',
        response: { 200: Health, 503: Health },
      },
    },
    async (_request, reply) => {
      const checks: Record<string, string> = {};
      try {
        await ping(context.db);
        checks.database = 'ok';
        const pending = await pendingMigrations(context.db);
        checks.migrations = pending.length === 0 ? 'ok' : `pending: ${pending.join(', ')}`;
      } catch (error) {
        checks.database = `unreachable: ${error instanceof Error ? error.message : String(error)}`;
      }
      const ready = Object.values(checks).every((value) => value === 'ok') && checks.migrations !== undefined;
      return reply.code(ready ? 200 : 503).send({ status: ready ? 'ready' : 'not ready', checks });
    },
  );
}
