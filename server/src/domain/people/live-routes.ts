// HTTP routes of operator live availability, statistic and profile (to be built).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';

export const operatorLiveRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};
