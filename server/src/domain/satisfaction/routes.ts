// HTTP routes of satisfaction surveys (to be built).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';

export const satisfactionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};
