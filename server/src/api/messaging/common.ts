// What the /api/messaging plugins share: the key check (X-API-Key or Bearer), the success envelopes and paging of
// REST v2, the 409 of a refused transition, and the OpenAPI pieces (tag, error answers, examples).
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { InvalidTransition } from '../../domain/messaging/state-machine.js';
import type { Principal } from '../../domain/tenancy/policy.js';
import { ApiError, notPermitted } from '../../errors.js';
import { bearerToken } from '../../http/bearer.js';
import { ErrorEnvelope } from '../../http/envelope.js';

export { type IdempotencyOwner, withIdempotency } from './idempotency.js';

export const MESSAGING_TAGS = ['Messaging'];
export const MESSAGING_SECURITY = [{ apiKeyHeader: [] }];
export const MessagingErrors = { 400: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };

/** `page` and `limit` of a list (1-based page, at most 100 a page). */
export const Listing = {
  page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
};

/** A success answer in the OpenAPI document, with its example. */
export const Answer = (description: string, example: unknown) =>
  Type.Object(
    {
      meta: Type.Object({ status: Type.Literal('success') }),
      data: Type.Unknown({ description }),
      pagination: Type.Optional(
        Type.Object({ page: Type.Integer(), limit: Type.Integer(), count: Type.Integer(), pages: Type.Integer() }),
      ),
    },
    { examples: [{ meta: { status: 'success' }, data: example }] },
  );

/** The page a list's query asks for, with the defaults `Listing` documents. */
export const pageAt = (query: { page?: number; limit?: number }) => ({
  page: query.page ?? 1,
  limit: query.limit ?? 20,
});

export const ok = <T>(data: T) => ({ meta: { status: 'success' as const }, data });

export const page = <T>(items: T[], count: number, at: { page: number; limit: number }) => ({
  meta: { status: 'success' as const },
  data: items,
  pagination: { page: at.page, limit: at.limit, count, pages: Math.max(1, Math.ceil(count / at.limit)) },
});

/** The key presented in `X-API-Key`, else in `Authorization: Bearer`. */
export function messagingKey(request: FastifyRequest): string | undefined {
  const header = request.headers['x-api-key'];
  return typeof header === 'string' && header !== '' ? header : bearerToken(request.headers.authorization);
}

/** The caller's principal, or 403 (no key, a wrong one, an account not active). */
export function authenticateMessaging(context: AppContext, request: FastifyRequest): Promise<Principal> {
  return context.keys.authenticate(messagingKey(request), { address: request.ip });
}

/** The scopes a service takes; another is answered 403 saying which it needs. */
export function requireScope<S extends Principal['scope']>(
  principal: Principal,
  scopes: readonly S[],
  service: string,
): Extract<Principal, { scope: S }> {
  if (!(scopes as readonly string[]).includes(principal.scope))
    throw notPermitted(`${service} takes a ${scopes.join(' or ')}-scoped key, not a ${principal.scope} key.`);
  return principal as Extract<Principal, { scope: S }>;
}

/** A state machine's refusal as the contract's 409: `invalid_transition`, the current state in the message. */
export async function guarded<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof InvalidTransition)
      throw new ApiError('invalid_transition', 409, `${error.message} Current state: '${error.current}'.`, 'fail', {
        field: 'state',
      });
    throw error;
  }
}

/**
 * A standard account's routes (those whose URL `paths` matches): a client-scoped key, or a console session with the
 * admin role — `adminOnly` ends the refusal an operator's or manager's session gets ("A console session sends
 * messages only with the 'admin' role."). Answers the account a request acts for.
 */
export function accountRoutes(
  app: FastifyInstance,
  context: AppContext,
  paths: RegExp,
  adminOnly: string,
): (request: FastifyRequest) => number {
  const clientOf = new WeakMap<FastifyRequest, number>();
  app.addHook('onRequest', async (request) => {
    if (!paths.test(request.url)) return;
    const principal = await context.keys.authenticate(messagingKey(request), { sessions: true, address: request.ip });
    if (principal.scope !== 'client')
      throw notPermitted('This service takes a client-scoped key (a standard account), not a partner or platform key.');
    if (principal.session !== undefined && !principal.session.roles.includes('admin'))
      throw notPermitted(`A console session ${adminOnly}`);
    clientOf.set(request, principal.clientId);
  });
  return (request) => {
    const id = clientOf.get(request);
    if (id === undefined) throw notPermitted('This service takes a client-scoped key.');
    return id;
  };
}
