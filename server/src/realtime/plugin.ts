// The realtime gateway as a Fastify plugin: GET /realtime/visitor and /realtime/operator sockets, the visitor's HTTP
// fallback, the bus (in-process, or Redis when REDIS_URL is set), and the fan-out reaction to committed events.

import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import websocket from '@fastify/websocket';
import type { FastifyRequest } from 'fastify';
import type { RawData, WebSocket } from 'ws';
import { DEFAULT_PRESENCE_GRACE_MS } from '../config.js';
import type { AppContext } from '../context.js';
import { authenticateOperatorToken, type OperatorIdentity } from '../domain/people/sessions.js';
import { ApiError, realtimeErrors } from '../errors.js';
import { bearerToken } from '../http/bearer.js';
import { errorEnvelope } from '../http/envelope.js';
import { type Bus, busRelay, createBus, RedisBus } from './bus.js';
import { OperatorConnection, VisitorConnection } from './connection.js';
import { registerRealtimeFanout } from './fanout.js';
import { readInbound } from './frame-catalogue.js';
import { MAX_FRAME_BYTES } from './frames.js';
import { Gateway, type GatewayOptions } from './gateway.js';
import { visitorFallbackRoutes } from './http.js';
import { handleOperatorFrame, openOperator } from './operator.js';
import { LocalPresenceRegistry, type PresenceRegistry, RedisPresenceRegistry } from './presence.js';
import { RealtimePublisher } from './publisher.js';
import { handleVisitorFrame, takeUpConversation } from './visitor.js';

/** The gateway of each app, for tests and benchmarks that drive the sweep or read its counters. */
const gateways = new WeakMap<AppContext, Gateway>();

/** The gateway registered with this context, if any. */
export function gatewayOf(context: AppContext): Gateway | undefined {
  return gateways.get(context);
}

/** Sweep timings derived from the grace period: a tick of a third of it (0.1 s to 10 s), pings every ~30 s. */
export function gatewayOptions(graceMs: number, publicUrl: string): GatewayOptions {
  const tickMs = Math.min(10_000, Math.max(100, Math.floor(graceMs / 3)));
  return {
    publicUrl,
    graceMs,
    tickMs,
    pingEveryTicks: Math.max(1, Math.round(30_000 / tickMs)),
    maxQueueWaitMs: 15 * 60_000,
    expireEveryTicks: Math.max(1, Math.round(60_000 / tickMs)),
  };
}

const operatorOf = new WeakMap<FastifyRequest, OperatorIdentity>();

const header = (value: string | string[] | undefined): string | undefined => (Array.isArray(value) ? value[0] : value);

export const realtimeGateway: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db, config } = context;
  const log = app.log;
  const onBusError = (error: unknown, where: string) => log.error({ err: error }, `realtime bus: ${where}`);
  const bus: Bus = createBus(config.redisUrl, onBusError);
  const options = gatewayOptions(config.presenceGraceMs ?? DEFAULT_PRESENCE_GRACE_MS, config.publicUrl);
  const registry: PresenceRegistry =
    bus instanceof RedisBus
      ? new RedisPresenceRegistry(
          bus.commands,
          bus.nodeId,
          Math.max(3 * options.tickMs, options.graceMs, 1000),
          options.tickMs,
        )
      : new LocalPresenceRegistry();
  const publisher = new RealtimePublisher(db, bus, (error, where) => log.error({ err: error }, `realtime: ${where}`));
  const gateway = new Gateway(db, context.dialect, bus, registry, options, log);
  gateway.visitorTabStarted = (connection, conversationId, visitorId) =>
    takeUpConversation(gateway, connection, conversationId, visitorId);
  // Committed events reach the sockets through this reaction, whoever committed them; and the events of other nodes
  // reach this node's `every_node` reactions through the bus.
  const stopFanout = registerRealtimeFanout(context.reactions, db, publisher);
  context.reactions.connect(busRelay(bus));
  gateways.set(context, gateway);
  const report = (error: unknown) => gateway.report(error, 'frame');

  // One listener of each kind for all sockets: they find their connection through `this`, so a socket costs no closure.
  function onMessage(this: WebSocket, data: RawData, isBinary: boolean): void {
    const connection = gateway.connections.get(this);
    if (connection === undefined) return;
    connection.alive = true;
    if (!connection.takeToken()) {
      const now = Date.now();
      if (now - connection.warnedAt >= 1000) {
        connection.warnedAt = now;
        connection.fail(realtimeErrors.rateLimited());
      }
      return;
    }
    if (isBinary) {
      connection.fail(realtimeErrors.invalidFrame('Frames are JSON text, not binary.'));
      return;
    }
    const inbound = readInbound(connection.role, data.toString());
    const ref = inbound.ref;
    if ('error' in inbound) {
      // Behind the frames before it, so the answers keep the order of the frames.
      const refused = inbound.error;
      connection.inbound(() => connection.fail(refused, ref));
      return;
    }
    const { type, reader } = inbound.frame;
    const reply = (frame: object) => connection.send(ref === undefined ? frame : { ...frame, ref });
    connection.inbound(async () => {
      try {
        if (connection instanceof VisitorConnection) await handleVisitorFrame(gateway, connection, type, reader, reply);
        else await handleOperatorFrame(gateway, connection, type, reader, reply);
      } catch (error) {
        connection.fail(error, ref);
      }
    });
  }
  function onPong(this: WebSocket): void {
    const connection = gateway.connections.get(this);
    if (connection !== undefined) connection.alive = true;
  }
  function onClose(this: WebSocket): void {
    gateway.remove(this);
  }
  const listen = (socket: WebSocket) => {
    socket.on('message', onMessage);
    socket.on('pong', onPong);
    socket.on('close', onClose);
  };

  // Before @fastify/websocket's own (registered after, run after): sockets learn the node is going away (1001), so
  // clients reconnect, through the load balancer, to another node and resume.
  app.addHook('preClose', async () => {
    for (const socket of gateway.connections.keys()) socket.close(1001, 'Server shutting down.');
  });
  await app.register(websocket, {
    options: { maxPayload: MAX_FRAME_BYTES, perMessageDeflate: false },
    // Errors of established sockets (a peer vanishing, a frame over the size limit) end that socket only.
    errorHandler: (error, socket) => {
      log.debug({ err: error }, 'realtime socket error');
      socket.terminate();
    },
  });

  app.get('/realtime/visitor', { websocket: true, schema: { hide: true } }, (socket, request) => {
    const connection = new VisitorConnection(
      socket,
      { origin: header(request.headers.origin), userAgent: header(request.headers['user-agent']) },
      report,
    );
    gateway.add(connection);
    listen(socket);
  });

  app.get(
    '/realtime/operator',
    {
      websocket: true,
      schema: { hide: true },
      // Before the upgrade: a socket without a valid session is refused with 401 and never opens.
      preValidation: async (request, reply) => {
        const query = request.query as { token?: unknown };
        const token = typeof query.token === 'string' ? query.token : bearerToken(request.headers.authorization);
        const identity = token === undefined ? null : await authenticateOperatorToken(db, token);
        if (identity === null) {
          const refused = new ApiError(
            'session_invalid',
            401,
            'No valid session: log in (POST /auth/login) and pass its token as ?token=… or Authorization: Bearer ….',
            'error',
          );
          reply.header('x-causerie-error', refused.id);
          return reply.code(401).send(errorEnvelope(refused));
        }
        operatorOf.set(request, identity);
      },
    },
    (socket, request) => {
      const identity = operatorOf.get(request);
      if (identity === undefined) {
        socket.close(4401, 'No session.');
        return;
      }
      const connection = new OperatorConnection(socket, identity.operatorId, identity.clientId, report);
      gateway.add(connection);
      listen(socket);
      openOperator(gateway, connection).catch((error: unknown) => {
        connection.fail(error);
        socket.close(4403, 'Operator unavailable.');
      });
    },
  );

  await app.register(visitorFallbackRoutes(gateway, context.limits));

  gateway.start();
  app.addHook('onClose', async () => {
    stopFanout();
    context.reactions.disconnect();
    await gateway.close(bus instanceof RedisBus);
    await bus.close();
    gateways.delete(context);
  });
};
