// The platform admin's developer accounts (seed 003, docs/APPS.md): invite, list, a new invitation link.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { ApiError, unknownResource } from '../../errors.js';
import { bearerToken } from '../../http/bearer.js';
import {
  done,
  EmptyEnvelope,
  ErrorEnvelope,
  ErrorResponses,
  ListEnvelope,
  many,
  OneEnvelope,
  one,
} from '../../http/envelope.js';
import { pageInfo } from '../../http/filters.js';
import { IdParams } from '../tenancy/schema.js';
import {
  activateDeveloper,
  authenticateDeveloperToken,
  inviteDeveloper,
  loginDeveloper,
  logoutDeveloper,
  reinviteDeveloper,
} from './developers.js';
import { presentDeveloper } from './present.js';
import { APPS, platformOnly } from './route-shared.js';
import {
  ActivationBody,
  DeveloperData,
  DeveloperInviteBody,
  DeveloperLoginBody,
  DeveloperSessionData,
} from './schema.js';

export const developerRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const developerRow = async (id: number) => {
    const row = await db.selectFrom('developer').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw unknownResource('developer', id);
    return row;
  };
  const invitationLink = (token: string) => `${context.config.publicUrl}/admin/developer/activate#token=${token}`;
  // Developers (platform admin).
  app.post(
    '/developer',
    {
      schema: {
        tags: APPS,
        summary: 'Invite a developer (platform admin)',
        description:
          'Answers the invitation `token` and `link` once: the developer opens the link and chooses a password (POST /auth/developer/activation), then logs in to the developer area.',
        body: DeveloperInviteBody,
        response: { 200: OneEnvelope(DeveloperData), ...ErrorResponses },
      },
    },
    async (request) => {
      platformOnly(request.principal, 'invite developers');
      const invitation = await inviteDeveloper(db, request.body);
      return one(
        presentDeveloper(await developerRow(invitation.id), { ...invitation, link: invitationLink(invitation.token) }),
      );
    },
  );
  app.get(
    '/developer',
    {
      schema: {
        tags: APPS,
        summary: 'List developers (platform admin)',
        response: { 200: ListEnvelope(DeveloperData), ...ErrorResponses },
      },
    },
    async (request) => {
      platformOnly(request.principal, 'list developers');
      const rows = await db.selectFrom('developer').selectAll().orderBy('id', 'desc').limit(500).execute();
      return many(
        rows.map((row) => presentDeveloper(row)),
        pageInfo(1, 500, rows.length),
      );
    },
  );
  app.post(
    '/developer/:id/invitation',
    {
      schema: {
        tags: APPS,
        summary: 'Invite a developer again (platform admin): a new link; the old one stops working',
        params: IdParams,
        response: { 200: OneEnvelope(DeveloperData), ...ErrorResponses },
      },
    },
    async (request) => {
      platformOnly(request.principal, 'invite developers');
      const invitation = await reinviteDeveloper(db, await developerRow(request.params.id));
      return one(
        presentDeveloper(await developerRow(invitation.id), { ...invitation, link: invitationLink(invitation.token) }),
      );
    },
  );
};

/** The developer area's own sign-in, outside /api/2 (no key yet): activation, login, session, logout. */
export const developerSessionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const responses = { 400: ErrorEnvelope, 401: ErrorEnvelope, 429: ErrorEnvelope };
  app.post(
    '/activation',
    {
      schema: {
        tags: ['Session'],
        summary: 'A developer chooses their password with the invitation token',
        body: ActivationBody,
        response: {
          200: OneEnvelope(Type.Object({ developer_id: Type.Integer(), email: Type.String() })),
          ...responses,
        },
      },
    },
    async (request) => {
      const activated = await activateDeveloper(db, request.body);
      return one({ developer_id: activated.id, email: activated.email });
    },
  );
  app.post(
    '/login',
    {
      schema: {
        tags: ['Session'],
        summary: 'Log a developer in to the developer area',
        description: 'Wrong passwords are throttled as operators’ are (docs/SECURITY.md, Limits).',
        body: DeveloperLoginBody,
        response: { 200: OneEnvelope(DeveloperSessionData), ...responses },
      },
    },
    async (request) => {
      const account = `developer:${request.body.email.trim().toLowerCase()}`;
      const session = await context.limits.credentials.attempt('password', { address: request.ip, account }, () =>
        loginDeveloper(db, request.body),
      );
      return one({ token: session.token, developer_id: session.developerId, expires_at: session.expiresAt });
    },
  );
  app.get(
    '/session',
    {
      schema: {
        tags: ['Session'],
        summary: 'Who a developer bearer token belongs to',
        response: {
          200: OneEnvelope(Type.Object({ developer_id: Type.Integer(), email: Type.String(), name: Type.String() })),
          ...responses,
        },
      },
    },
    async (request) => {
      const token = bearerToken(request.headers.authorization);
      const developerId = token === undefined ? undefined : await authenticateDeveloperToken(db, token);
      const row =
        developerId === undefined
          ? undefined
          : await db
              .selectFrom('developer')
              .select(['id', 'email', 'name'])
              .where('id', '=', developerId)
              .executeTakeFirst();
      if (row === undefined) throw new ApiError('session_invalid', 401, 'No valid session: log in again.', 'error');
      return one({ developer_id: row.id, email: row.email, name: row.name });
    },
  );
  app.post(
    '/logout',
    {
      schema: { tags: ['Session'], summary: 'End a developer session', response: { 200: EmptyEnvelope, ...responses } },
    },
    async (request) => {
      const token = bearerToken(request.headers.authorization);
      if (token !== undefined) await logoutDeveloper(db, token);
      return done();
    },
  );
};
