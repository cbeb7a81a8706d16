// HTTP routes of conversations, tags and Odigo call-backs (to be built).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';

export const conversationRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};

export const tagRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};

export const odigoCallbackRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};
