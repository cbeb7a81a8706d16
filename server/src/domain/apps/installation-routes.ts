// The marketplace and installations (seed 003, docs/APPS.md): clients, and partners and the platform for a client.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { secretsKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import { unknownResource } from '../../errors.js';
import { done, EmptyEnvelope, ErrorEnvelope, ErrorResponses, OneEnvelope, one } from '../../http/envelope.js';
import { authorize, type Principal, targetClient } from '../tenancy/policy.js';
import { IdParams } from '../tenancy/schema.js';
import { developerNames, versionsById } from './apps.js';
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
import { presentInstallation, presentMarketplaceEntry } from './present.js';
import { INSTALLATIONS } from './route-shared.js';
import {
  InstallationData,
  InstallBody,
  MarketplaceData,
  MarketplaceQuery,
  UpdateInstallationBody,
  VerificationRefusedEnvelope,
  VerifyStepBody,
} from './schema.js';

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
export const installationRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db, outbound } = context;
  const key = () => secretsKey(context.config);
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
