// Operator login for the console and the realtime sockets: password or SSO key in, bearer token out.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { ApiError } from '../../errors.js';
import { bearerToken } from '../../http/bearer.js';
import { done, EmptyEnvelope, ErrorEnvelope, OneEnvelope, one } from '../../http/envelope.js';
import { IdSchema } from '../../http/ids.js';
import { NON_BLANK } from '../../http/validation.js';
import {
  authenticateOperatorToken,
  loginWithPassword,
  loginWithSsoKey,
  type NewSession,
  revokeOperatorSession,
} from './sessions.js';

const SessionData = Type.Object({
  token: Type.String({
    description: "Bearer token (`cos_…`): send it as `Authorization: Bearer …` or as the realtime socket's `token`.",
  }),
  operator_id: Type.Integer(),
  client_id: Type.Integer(),
  expires_at: Type.String({ description: 'End of the session, ISO 8601 UTC.' }),
});

const LoginBody = Type.Object(
  {
    email: Type.String({ minLength: 1, maxLength: 320, pattern: NON_BLANK }),
    password: Type.String({ minLength: 1, maxLength: 1024 }),
    client_id: Type.Optional(IdSchema('Only when one email and password open several accounts.')),
  },
  { additionalProperties: false },
);

// Named `sso_key`, not `key`: a `key` body field is taken for an API key and removed before validation.
const SsoBody = Type.Object(
  {
    sso_key: Type.String({
      minLength: 1,
      maxLength: 200,
      pattern: NON_BLANK,
      description: "The operator's `sso_key`.",
    }),
  },
  { additionalProperties: false },
);

const presentSession = (session: NewSession) => ({
  token: session.token,
  operator_id: session.operatorId,
  client_id: session.clientId,
  expires_at: session.expiresAt,
});

export const sessionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const responses = { 400: ErrorEnvelope, 401: ErrorEnvelope, 429: ErrorEnvelope };

  app.post(
    '/login',
    {
      schema: {
        tags: ['Session'],
        summary: 'Log an operator in with email and password',
        description:
          'Wrong passwords are counted per email and per address: after 5 for one email (20 for one address) in 15 minutes, every attempt answers 429 with Retry-After for 30 s, doubling with each new failure up to an hour (docs/SECURITY.md, Limits).',
        body: LoginBody,
        response: { 200: OneEnvelope(SessionData), ...responses },
      },
    },
    async (request) => {
      const account = request.body.email.trim().toLowerCase();
      const session = await context.limits.credentials.attempt('password', { address: request.ip, account }, () =>
        loginWithPassword(db, request.body),
      );
      return one(presentSession(session));
    },
  );
  app.post(
    '/sso',
    {
      schema: {
        tags: ['Session'],
        summary: "Log an operator in with their SSO key (seed 003's Single Sign-On)",
        description:
          'Wrong keys are counted per address: after 20 in 15 minutes, every attempt answers 429 with Retry-After for a block that doubles with each new failure (docs/SECURITY.md, Limits).',
        body: SsoBody,
        response: { 200: OneEnvelope(SessionData), ...responses },
      },
    },
    async (request) => {
      const session = await context.limits.credentials.attempt('sso_key', { address: request.ip }, () =>
        loginWithSsoKey(db, request.body.sso_key),
      );
      return one(presentSession(session));
    },
  );
  app.get(
    '/session',
    {
      schema: {
        tags: ['Session'],
        summary: 'Who a bearer token belongs to',
        response: {
          200: OneEnvelope(Type.Object({ operator_id: Type.Integer(), client_id: Type.Integer() })),
          ...responses,
        },
      },
    },
    async (request) => {
      const token = bearerToken(request.headers.authorization);
      const identity = token === undefined ? null : await authenticateOperatorToken(db, token);
      if (!identity) throw new ApiError('session_invalid', 401, 'No valid session: log in again.', 'error');
      return one({ operator_id: identity.operatorId, client_id: identity.clientId });
    },
  );
  app.post(
    '/logout',
    {
      schema: {
        tags: ['Session'],
        summary: 'End the session of a bearer token',
        response: { 200: EmptyEnvelope, ...responses },
      },
    },
    async (request) => {
      const token = bearerToken(request.headers.authorization);
      if (token !== undefined) await revokeOperatorSession(db, token);
      return done();
    },
  );
};
