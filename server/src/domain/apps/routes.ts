// HTTP routes of the developer platform (seed 003, docs/APPS.md), one file per resource: developers
// (developer-routes.ts, with the developer area's sign-in), apps and their webhooks (app-routes.ts), review
// (review-routes.ts), the marketplace and installations (installation-routes.ts). Thin: authorise → command → load →
// present.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';
import { appCrudRoutes } from './app-routes.js';
import { developerRoutes } from './developer-routes.js';
import { installationRoutes } from './installation-routes.js';
import { reviewRoutes } from './review-routes.js';

export { developerSessionRoutes } from './developer-routes.js';

/** Every /api/2 route of the developer platform. */
export const appRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  await app.register(developerRoutes, { context });
  await app.register(appCrudRoutes, { context });
  await app.register(reviewRoutes, { context });
  await app.register(installationRoutes, { context });
};
