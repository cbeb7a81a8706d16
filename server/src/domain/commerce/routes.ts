// HTTP routes of transactions (sales a merchant reports) (to be built).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';

export const transactionRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};
