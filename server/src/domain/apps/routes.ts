// HTTP routes of the developer platform (seed 003, docs/APPS.md): developers and their apps, review, the marketplace,
// installations. Thin: authorise → command → load → present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { secretsKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import { ApiError, notPermitted, unknownResource } from '../../errors.js';
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
import { listQuerySchema, pageInfo, parseListQuery } from '../../http/filters.js';
import { listAnswer } from '../../http/respond.js';
import { authorize, type Principal, targetClient } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import {
  APP_FILTERS,
  createApp,
  createAppWebhook,
  deleteApp,
  deleteAppWebhook,
  developerNames,
  developerOf,
  listAppIds,
  listAppWebhooks,
  listVersions,
  loadApp,
  loadApps,
  loadAppWebhook,
  reviewApp,
  submitApp,
  updateApp,
  updateAppWebhook,
  versionsById,
} from './apps.js';
import {
  activateDeveloper,
  authenticateDeveloperToken,
  inviteDeveloper,
  loginDeveloper,
  logoutDeveloper,
  reinviteDeveloper,
} from './developers.js';
import {
  installApp,
  installationValues,
  loadInstallations,
  marketplace,
  StepRefused,
  uninstallApp,
  updateInstallation,
  verifyInstallStep,
} from './installations.js';
import {
  presentApp,
  presentAppWebhook,
  presentDeveloper,
  presentInstallation,
  presentMarketplaceEntry,
  presentVersion,
} from './present.js';
import {
  ActivationBody,
  AppCreateBody,
  AppData,
  AppUpdateBody,
  AppWebhookBody,
  AppWebhookData,
  AppWebhookParams,
  AppWebhookUpdateBody,
  DeveloperData,
  DeveloperInviteBody,
  DeveloperLoginBody,
  DeveloperSessionData,
  InstallationData,
  InstallBody,
  MarketplaceData,
  MarketplaceQuery,
  ReviewBody,
  SubmissionBody,
  UpdateInstallationBody,
  VerificationRefusedEnvelope,
  VerifyStepBody,
  VersionData,
} from './schema.js';

const APPS = ['App'];
const INSTALLATIONS = ['Marketplace'];

function platformOnly(principal: Principal, what: string): void {
  if (principal.scope !== 'platform') throw notPermitted(`Only the platform admin key can ${what}.`);
}

/** The 422 answer of a refused step: the connector's message, and each field's message under its API name. */
function refusedAnswer(refused: StepRefused) {
  const fields = refused.verdict.fields.map((field) => ({
    id: field.id,
    field: `${refused.step}[${field.id}]`,
    message: field.message,
  }));
  return {
    meta: {
      status: 'fail' as const,
      message: refused.message,
      error: 'verification_refused' as const,
      ...(fields[0] !== undefined && { field: fields[0].field }),
    },
    data: { step: refused.step, fields },
  };
}

export const appRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db, outbound } = context;
  const key = () => secretsKey(context.config);
  const developerRow = async (id: number) => {
    const row = await db.selectFrom('developer').selectAll().where('id', '=', id).executeTakeFirst();
    if (row === undefined) throw unknownResource('developer', id);
    return row;
  };
  const invitationLink = (token: string) => `${context.config.publicUrl}/admin/developer/activate#token=${token}`;
  const appAnswer = async (principal: Principal, id: number) => {
    const row = await loadApp(db, principal, id);
    const published =
      row.published_version_id === null
        ? undefined
        : (await versionsById(db, [row.published_version_id])).get(row.published_version_id);
    return presentApp(row, published, key());
  };

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

  // Apps (their developer; the platform admin reads and reviews).
  app.get(
    '/app',
    {
      schema: {
        tags: APPS,
        summary: 'List apps: a developer their own, the platform admin every one',
        querystring: listQuerySchema(APP_FILTERS),
        // `{ id, _link }` items, or every field with `full=1`.
        response: { 200: ListEnvelope(Type.Partial(AppData)), ...ErrorResponses },
      },
    },
    async (request) => {
      const query = parseListQuery(request.query, APP_FILTERS, 'app');
      const page = await listAppIds(db, request.principal, query);
      return listAnswer(
        query,
        page,
        'app',
        async (ids) => {
          const rows = await loadApps(db, request.principal, ids);
          const versions = await versionsById(
            db,
            rows.flatMap((row) => row.published_version_id ?? []),
          );
          return rows.map((row) => ({ row, published: versions.get(row.published_version_id ?? 0) }));
        },
        ({ row, published }) => presentApp(row, published, key()),
      );
    },
  );
  app.post(
    '/app',
    {
      schema: {
        tags: APPS,
        summary: 'Create an app (developer), in sandbox',
        description:
          'Fields are asked in their order; ids are unique over `authentication` and `settings`. Connector URLs (verification, interactions) must pass the outbound guard: https, not a private address unless allow-listed.',
        body: AppCreateBody,
        response: { 200: OneEnvelope(AppData), ...ErrorResponses },
      },
    },
    async (request) => {
      const developerId = developerOf(request.principal);
      const id = await createApp(db, outbound.allowlist, key(), developerId, request.body);
      return one(await appAnswer(request.principal, id));
    },
  );
  app.get(
    '/app/:id',
    {
      schema: {
        tags: APPS,
        summary: 'Get an app (its draft, and the version published)',
        params: IdParams,
        response: { 200: OneEnvelope(AppData), ...ErrorResponses },
      },
    },
    async (request) => one(await appAnswer(request.principal, request.params.id)),
  );
  app.put(
    '/app/:id',
    {
      schema: {
        tags: APPS,
        summary: "Change an app's draft (developer)",
        description:
          'Refused (409) while under review. A published app goes back to `sandbox`: its published version stays in the marketplace and installed until a new version is approved.',
        params: IdParams,
        body: AppUpdateBody,
        response: { 200: OneEnvelope(AppData), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      await updateApp(db, outbound.allowlist, row, request.body);
      return one(await appAnswer(request.principal, row.id));
    },
  );
  app.delete(
    '/app/:id',
    {
      schema: {
        tags: APPS,
        summary: 'Delete an app no client has installed (developer)',
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      await deleteApp(db, await loadApp(db, request.principal, request.params.id));
      return done();
    },
  );

  app.get(
    '/app/:id/webhook',
    {
      schema: {
        tags: APPS,
        summary: "List an app's webhooks, with their security tokens (developer)",
        params: IdParams,
        response: { 200: OneEnvelope(Type.Array(AppWebhookData)), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      return one((await listAppWebhooks(db, row.id)).map((webhook) => presentAppWebhook(webhook, key())));
    },
  );
  app.post(
    '/app/:id/webhook',
    {
      schema: {
        tags: APPS,
        summary: 'Add a webhook to an app (developer): made for each client that installs it',
        params: IdParams,
        body: AppWebhookBody,
        response: { 200: OneEnvelope(AppWebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      const id = await createAppWebhook(db, outbound.allowlist, key(), row, request.body);
      return one(presentAppWebhook(await loadAppWebhook(db, row.id, id), key()));
    },
  );
  app.put(
    '/app/:id/webhook/:webhookId',
    {
      schema: {
        tags: APPS,
        summary: "Change an app's webhook (developer); its security token stays",
        params: AppWebhookParams,
        body: AppWebhookUpdateBody,
        response: { 200: OneEnvelope(AppWebhookData), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      const webhook = await loadAppWebhook(db, row.id, request.params.webhookId);
      await updateAppWebhook(db, outbound.allowlist, row, webhook, request.body);
      return one(presentAppWebhook(await loadAppWebhook(db, row.id, webhook.id), key()));
    },
  );
  app.delete(
    '/app/:id/webhook/:webhookId',
    {
      schema: {
        tags: APPS,
        summary: "Remove an app's webhook from its draft (developer)",
        params: AppWebhookParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      await deleteAppWebhook(db, row, await loadAppWebhook(db, row.id, request.params.webhookId));
      return done();
    },
  );

  app.post(
    '/app/:id/submission',
    {
      schema: {
        tags: APPS,
        summary: 'Submit the draft for review as a version (developer) → under_review',
        params: IdParams,
        body: SubmissionBody,
        response: { 200: OneEnvelope(VersionData), ...ErrorResponses },
      },
    },
    async (request) => {
      developerOf(request.principal);
      const row = await loadApp(db, request.principal, request.params.id);
      const versionId = await submitApp(db, row, request.body.version);
      const version = (await versionsById(db, [versionId])).get(versionId);
      if (version === undefined) throw unknownResource('version', versionId);
      return one(presentVersion(version));
    },
  );
  app.post(
    '/app/:id/review',
    {
      schema: {
        tags: APPS,
        summary: 'Approve or refuse the version under review (platform admin)',
        description:
          '`approved`: the version is published (frozen; the marketplace shows it). `refused` needs a `reason`: the app goes back to sandbox and its developer reads why.',
        params: IdParams,
        body: ReviewBody,
        response: { 200: OneEnvelope(AppData), ...ErrorResponses },
      },
    },
    async (request) => {
      platformOnly(request.principal, 'review apps');
      const row = await loadApp(db, request.principal, request.params.id);
      await reviewApp(db, row, request.body);
      return one(await appAnswer(request.principal, row.id));
    },
  );
  app.get(
    '/app/:id/version',
    {
      schema: {
        tags: APPS,
        summary: "An app's submitted versions, newest first",
        params: IdParams,
        response: { 200: OneEnvelope(Type.Array(VersionData)), ...ErrorResponses },
      },
    },
    async (request) => {
      const row = await loadApp(db, request.principal, request.params.id);
      return one((await listVersions(db, row.id)).map(presentVersion));
    },
  );

  // Marketplace and installations (clients; partners and the platform for a client they see).
  app.get(
    '/marketplace',
    {
      schema: {
        tags: INSTALLATIONS,
        summary: 'Apps a client can install: published public apps and the private ones granted to it',
        querystring: MarketplaceQuery,
        response: { 200: OneEnvelope(Type.Array(MarketplaceData)), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'installation', 'list');
      const clientId =
        request.principal.scope === 'client' || request.query.client_id !== undefined
          ? await targetClient(db, request.principal, request.query.client_id)
          : undefined;
      const entries = await marketplace(db, clientId);
      const names = await developerNames(
        db,
        entries.map((entry) => entry.app.developer_id),
      );
      const installed = new Map(
        clientId === undefined
          ? []
          : (
              await db
                .selectFrom('app_installation')
                .select(['id', 'app_id'])
                .where('client_id', '=', clientId)
                .where('deleted_at', 'is', null)
                .execute()
            ).map((row) => [row.app_id, row.id]),
      );
      return one(
        entries.map((entry) =>
          presentMarketplaceEntry(entry, names.get(entry.app.developer_id) ?? '', installed.get(entry.app.id)),
        ),
      );
    },
  );
  app.post(
    '/installation/verification',
    {
      schema: {
        tags: INSTALLATIONS,
        summary: "Check one step's values with the app's verification URL, installing nothing (the wizard's steps)",
        body: VerifyStepBody,
        response: { 200: EmptyEnvelope, 422: VerificationRefusedEnvelope, 502: ErrorEnvelope, ...ErrorResponses },
      },
    },
    async (request, reply) => {
      authorize(request.principal, 'installation', 'create');
      try {
        await verifyInstallStep(db, outbound, key(), request.principal, request.body);
      } catch (error) {
        if (error instanceof StepRefused) return reply.code(422).send(refusedAnswer(error));
        throw error;
      }
      return done();
    },
  );
  app.post(
    '/installation',
    {
      schema: {
        tags: INSTALLATIONS,
        summary: 'Install an app from the marketplace',
        description:
          "Each step's values go to its verification URL first (seed 003's payload); a refusal answers 422 with the connector's message and each field's, and installs nothing. Installed: the app's webhooks are made for the client, `connector.installed` is sent for each website, and the app receives its client-scoped API key on its last verification call (header `X-Causerie-Api-Key`).",
        body: InstallBody,
        response: {
          200: OneEnvelope(InstallationData),
          422: VerificationRefusedEnvelope,
          502: ErrorEnvelope,
          ...ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      authorize(request.principal, 'installation', 'create');
      let id: number;
      try {
        id = await installApp(db, outbound, key(), request.principal, request.body);
      } catch (error) {
        if (error instanceof StepRefused) return reply.code(422).send(refusedAnswer(error));
        throw error;
      }
      return one(await installationAnswer(request.principal, id));
    },
  );
  const installationAnswer = async (principal: Principal, id: number) => {
    const [row] = await loadInstallations(db, principal, [id]);
    if (row === undefined) throw unknownResource('installation', id);
    const [answer] = await presentInstallations([row]);
    if (answer === undefined) throw unknownResource('installation', id);
    return answer;
  };
  const presentInstallations = async (rows: Awaited<ReturnType<typeof loadInstallations>>) => {
    const versions = await versionsById(
      db,
      rows.map((row) => row.app_version_id),
    );
    const apps = new Map(
      rows.length === 0
        ? []
        : (
            await db
              .selectFrom('app')
              .select(['id', 'uuid'])
              .where(
                'id',
                'in',
                rows.map((row) => row.app_id),
              )
              .execute()
          ).map((row) => [row.id, row]),
    );
    return rows.flatMap((row) => {
      const version = versions.get(row.app_version_id);
      const appRow = apps.get(row.app_id);
      return version === undefined || appRow === undefined
        ? []
        : [presentInstallation(row, appRow, version, installationValues(key(), row))];
    });
  };
  app.get(
    '/installation',
    {
      schema: {
        tags: INSTALLATIONS,
        summary: 'List installed apps',
        response: { 200: OneEnvelope(Type.Array(InstallationData)), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'installation', 'list');
      return one(await presentInstallations(await loadInstallations(db, request.principal)));
    },
  );
  app.get(
    '/installation/:id',
    {
      schema: {
        tags: INSTALLATIONS,
        summary: 'Get an installation (PASSWORD values are never returned)',
        params: IdParams,
        response: { 200: OneEnvelope(InstallationData), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'installation', 'read');
      return one(await installationAnswer(request.principal, request.params.id));
    },
  );
  app.put(
    '/installation/:id',
    {
      schema: {
        tags: INSTALLATIONS,
        summary: "Change an installation's field values or websites",
        description:
          "The values given replace the stored ones field by field (a field left out keeps its value, PASSWORD ones included), then each step goes to its verification URL as at install time (authentication, then settings; seed 003's payload): a refusal answers 422 with the connector's message and each field's, and changes nothing. Valid: the values are sealed again, the app's webhooks follow the websites, each website added gets `connector.installed` and each one taken off `connector.uninstalled`. PASSWORD values are never returned.",
        params: IdParams,
        body: UpdateInstallationBody,
        response: {
          200: OneEnvelope(InstallationData),
          422: VerificationRefusedEnvelope,
          502: ErrorEnvelope,
          ...ErrorResponses,
        },
      },
    },
    async (request, reply) => {
      authorize(request.principal, 'installation', 'update');
      const [row] = await loadInstallations(db, request.principal, [request.params.id]);
      if (row === undefined) throw unknownResource('installation', request.params.id);
      try {
        await updateInstallation(db, outbound, key(), row, request.body);
      } catch (error) {
        if (error instanceof StepRefused) return reply.code(422).send(refusedAnswer(error));
        throw error;
      }
      return one(await installationAnswer(request.principal, row.id));
    },
  );
  app.delete(
    '/installation/:id',
    {
      schema: {
        tags: INSTALLATIONS,
        summary: "Uninstall: the app's key revoked, connector.uninstalled sent, the app's webhooks retired",
        description:
          "The app's webhooks for the client are retired, not deleted: they receive this uninstallation's `connector.uninstalled` (one per website) and nothing after it, and the API no longer lists them.",
        params: IdParams,
        response: { 200: EmptyEnvelope, ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'installation', 'delete');
      const [row] = await loadInstallations(db, request.principal, [request.params.id]);
      if (row === undefined) throw unknownResource('installation', request.params.id);
      await uninstallApp(db, row);
      context.keys.forgetKey(row.api_key_id ?? -1);
      return done();
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
