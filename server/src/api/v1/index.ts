// The legacy v1 API (seed 002) under /api/{model}/{method}/ (to be built).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';

export const apiV1: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};
