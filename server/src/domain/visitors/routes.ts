// HTTP routes of visitors and call meetings (to be built).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { AppContext } from '../../context.js';

export const visitorRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};

export const callMeetingRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async () => {};
