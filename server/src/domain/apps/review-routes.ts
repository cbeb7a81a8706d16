// Review (seed 003, docs/APPS.md): a developer submits a version, the platform admin approves or refuses it.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { unknownResource } from '../../errors.js';
import { ErrorResponses, OneEnvelope, one } from '../../http/envelope.js';
import { IdParams } from '../tenancy/schema.js';
import { developerOf, listVersions, loadApp, reviewApp, submitApp, versionsById } from './apps.js';
import { presentVersion } from './present.js';
import { APPS, appAnswer, platformOnly } from './route-shared.js';
import { AppData, ReviewBody, SubmissionBody, VersionData } from './schema.js';

export const reviewRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
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
      return one(await appAnswer(context, request.principal, row.id));
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
};
