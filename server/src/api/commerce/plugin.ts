// The commerce API of seed 001 under /api/commerce/v1/: method-named routes (createRequest, getRequest, getRequests,
// getFlowByUserKey, getChargesByUserKey, createOrder) and the management of flows, merchant endpoints and prices.
// A client's key in `api_key` (query) or `X-API-Key`; unknown key 401. Times in Europe/Rome with their offset.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { type TSchema, Type } from 'typebox';
import { secretsKey } from '../../channels/secrets.js';
import type { AppContext } from '../../context.js';
import { chargesOfUser, listPrices, replacePrices } from '../../domain/commerce/charges.js';
import { readMerchantSettings, saveMerchantSettings } from '../../domain/commerce/merchant.js';
import { createOrder, ordersEnabled, presentOrder } from '../../domain/commerce/orders.js';
import {
  cancelRequest,
  createRequest,
  listRequests,
  loadRequest,
  type RequestRow,
  type RunWithSteps,
  retryRun,
  runsWithSteps,
  updateRequestData,
} from '../../domain/commerce/requests.js';
import { parseRomeInput, romeTime } from '../../domain/commerce/rome-time.js';
import {
  createFlow,
  deleteFlow,
  type FlowRecord,
  listFlows,
  listVersions,
  loadFlow,
  publishVersion,
  updateFlow,
} from '../../domain/flows/flows.js';
import { ApiError, fieldInvalid, notPermitted } from '../../errors.js';
import { bearerToken } from '../../http/bearer.js';
import { ErrorEnvelope } from '../../http/envelope.js';
import { IdSchema } from '../../http/ids.js';
import { chargeTotalsRoute } from './charge-totals.js';

const tags = ['commerce'];
const ApiKey = Type.Optional(Type.String({ description: 'The client API key (or the X-API-Key header).' }));
const Errors = { 400: ErrorEnvelope, 401: ErrorEnvelope, 403: ErrorEnvelope, 404: ErrorEnvelope, 409: ErrorEnvelope };
/** Answers are `{ meta, data }`; their fields are documented in docs/COMMERCE.md. */
const Answer = (description: string) =>
  Type.Object({
    meta: Type.Object({ status: Type.Literal('success') }),
    data: Type.Unknown({ description }),
    pagination: Type.Optional(
      Type.Object({ page: Type.Integer(), limit: Type.Integer(), count: Type.Integer(), pages: Type.Integer() }),
    ),
  });
const KeyQuery = <T extends Record<string, TSchema>>(fields: T) =>
  Type.Object({ api_key: ApiKey, ...fields }, { additionalProperties: false });
const Variables = Type.Record(Type.String(), Type.Unknown());
const Trigger = Type.Union([
  Type.Object({ type: Type.Literal('request') }, { additionalProperties: false }),
  Type.Object({ type: Type.Literal('order_created') }, { additionalProperties: false }),
  Type.Object(
    {
      type: Type.Literal('keyword'),
      keywords: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), { minItems: 1 }),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('schedule'),
      every_minutes: Type.Optional(
        Type.Integer({ minimum: 1, maximum: 44_640, description: 'Fires every this many minutes.' }),
      ),
      at: Type.Optional(
        Type.String({
          pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$',
          description: 'Fires each day at this Europe/Rome time (HH:MM).',
        }),
      ),
      user_key: Type.String({ minLength: 1, maxLength: 255, description: 'The user_key of the runs it starts.' }),
      data: Type.Optional(Type.Record(Type.String(), Type.Unknown(), { description: "The runs' first variables." })),
    },
    { additionalProperties: false },
  ),
  Type.Object(
    {
      type: Type.Literal('event'),
      event_types: Type.Array(Type.String({ minLength: 1, maxLength: 100 }), {
        minItems: 1,
        maxItems: 50,
        description: 'Committed event types that start a run (docs/WEBHOOKS.md lists them).',
      }),
      user_key: Type.Optional(
        Type.String({
          minLength: 1,
          maxLength: 255,
          description:
            "A template over `event` (`{{event.payload.visitorId}}`); default '<subject type>:<subject id>'.",
        }),
      ),
    },
    { additionalProperties: false },
  ),
]);
const FlowCode = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_.-]+$' });
const UserKey = Type.String({ minLength: 1, maxLength: 255, description: "The merchant's key of its customer." });

const ok = <T>(data: T) => ({ meta: { status: 'success' as const }, data });

function presentRequest(row: RequestRow) {
  return {
    request_id: row.id,
    flow: row.flow_code,
    user_key: row.user_key,
    reference: row.reference,
    data: JSON.parse(row.data) as unknown,
    state: row.state,
    created_at: romeTime(row.created_at),
    updated_at: romeTime(row.updated_at),
  };
}

function presentRun(run: RunWithSteps) {
  return {
    run_id: run.id,
    flow: run.flow_code,
    version: run.version,
    request_id: run.request_id,
    order_id: run.order_id,
    user_key: run.user_key,
    state: run.state,
    error: run.error,
    variables: JSON.parse(run.variables) as unknown,
    object: run.object === null ? null : (JSON.parse(run.object) as unknown),
    started_at: romeTime(run.started_at),
    ended_at: romeTime(run.ended_at),
    next_due_at: romeTime(run.due_at),
    steps: run.steps.map((step) => ({
      step: step.ordinal,
      id: step.step_id,
      type: step.type,
      state: step.state,
      attempts: step.attempts,
      output: step.output === null ? null : (JSON.parse(step.output) as unknown),
      error: step.error,
      started_at: romeTime(step.started_at),
      ended_at: romeTime(step.ended_at),
      duration_ms: step.ended_at === null ? null : Date.parse(step.ended_at) - Date.parse(step.started_at),
    })),
    messages: run.messages.map((message) => ({
      seq: message.seq,
      direction: message.kind === 2 ? 'inbound' : 'outbound',
      text: message.text,
      delivery: message.delivery,
      at: romeTime(message.at),
    })),
  };
}

function presentFlowRecord(flow: FlowRecord) {
  return {
    flow_id: flow.id,
    code: flow.code,
    name: flow.name,
    active: flow.active,
    trigger: flow.trigger,
    current_version: flow.current_version,
    // A schedule's next firing (Europe/Rome), null for other triggers and inactive flows.
    next_fire_at: flow.next_fire_at === null ? null : romeTime(flow.next_fire_at),
    created_at: romeTime(flow.created_at),
    updated_at: romeTime(flow.updated_at),
  };
}

/** An input time (offset, or Europe/Rome) as a stored instant, or 400 naming the field. */
function instantOf(field: string, value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const parsed = parseRomeInput(value);
  if (parsed === null)
    throw fieldInvalid(
      field,
      "Expected a date such as '2026-07-01T14:00:00+02:00' or '2026-07-01 14:00' (Europe/Rome).",
    );
  return parsed;
}

export const commerceApi: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const sealing = secretsKey(context.config);
  const clientOf = new WeakMap<FastifyRequest, number>();
  // Authentication precedes validation: an unknown key learns nothing about the schema.
  app.addHook('onRequest', async (request) => {
    const header = request.headers['x-api-key'];
    const search = request.url.indexOf('?');
    const fromQuery = search === -1 ? null : new URLSearchParams(request.url.slice(search + 1)).get('api_key');
    const apiKey = typeof header === 'string' && header !== '' ? header : (fromQuery ?? undefined);
    // Else an admin's console session (`Authorization: Bearer cos_…`): the console's Flows pages call this API.
    const session = apiKey ? undefined : bearerToken(request.headers.authorization);
    const key = apiKey || (session?.startsWith('cos_') ? session : undefined);
    if (key === undefined || key === '')
      throw new ApiError('unauthorized', 401, "Field 'api_key' is missing: give your API key.", 'error', {
        field: 'api_key',
      });
    let principal: Awaited<ReturnType<typeof context.keys.authenticate>>;
    try {
      principal = await context.keys.authenticate(key, { sessions: key === session, address: request.ip });
    } catch (error) {
      if (error instanceof ApiError && error.id === 'forbidden')
        throw new ApiError('unauthorized', 401, 'Unknown api_key.', 'error', { field: 'api_key' });
      throw error;
    }
    if (principal.scope !== 'client')
      throw notPermitted("The commerce API takes a client's API key (its requests belong to one account).", 'api_key');
    if (principal.session !== undefined && !principal.session.roles.includes('admin'))
      throw notPermitted("A console session reaches the commerce API only with the 'admin' role.");
    clientOf.set(request, principal.clientId);
  });
  const client = (request: FastifyRequest): number => {
    const id = clientOf.get(request);
    if (id === undefined) throw new ApiError('unauthorized', 401, 'Unknown api_key.', 'error', { field: 'api_key' });
    return id;
  };
  await app.register(chargeTotalsRoute, { context, client });

  app.post(
    '/createRequest',
    {
      schema: {
        tags,
        summary: "Create a request: starts the flow's run",
        querystring: KeyQuery({}),
        body: Type.Object(
          {
            flow: FlowCode,
            user_key: UserKey,
            data: Type.Optional(Variables),
            reference: Type.Optional(Type.String({ maxLength: 255 })),
          },
          { additionalProperties: false },
        ),
        response: {
          200: Answer('The request (request_id, flow, user_key, data, state, times) and run_id.'),
          ...Errors,
        },
      },
    },
    async (request) => {
      const clientId = client(request);
      const { requestId, runId } = await createRequest(db, clientId, request.body);
      return ok({ ...presentRequest(await loadRequest(db, clientId, requestId)), run_id: runId });
    },
  );

  app.get(
    '/getRequest',
    {
      schema: {
        tags,
        summary: 'One request, with its run(s), steps and messages',
        querystring: KeyQuery({ request_id: IdSchema('The request (createRequest answered it).') }),
        response: { 200: Answer('The request and its runs.'), ...Errors },
      },
    },
    async (request) => {
      const clientId = client(request);
      const row = await loadRequest(db, clientId, request.query.request_id);
      const runs = await runsWithSteps(db, clientId, { requestId: row.id });
      return ok({ ...presentRequest(row), runs: runs.map(presentRun) });
    },
  );

  app.get(
    '/getRequests',
    {
      schema: {
        tags,
        summary: 'Requests, newest first, filtered',
        querystring: KeyQuery({
          flow: Type.Optional(FlowCode),
          user_key: Type.Optional(UserKey),
          state: Type.Optional(Type.Union(['open', 'done', 'failed', 'cancelled'].map((state) => Type.Literal(state)))),
          from: Type.Optional(Type.String({ description: 'Created at or after (offset, or Europe/Rome).' })),
          to: Type.Optional(Type.String({ description: 'Created before (offset, or Europe/Rome).' })),
          page: Type.Optional(Type.Integer({ minimum: 1, default: 1 })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
        }),
        response: { 200: Answer('A page of requests.'), ...Errors },
      },
    },
    async (request) => {
      const query = request.query;
      const page = query.page ?? 1;
      const limit = query.limit ?? 20;
      const { rows, count } = await listRequests(db, client(request), {
        ...(query.flow !== undefined && { flow: query.flow }),
        ...(query.user_key !== undefined && { user_key: query.user_key }),
        ...(query.state !== undefined && { state: query.state }),
        from: instantOf('from', query.from),
        to: instantOf('to', query.to),
        page,
        limit,
      } as Parameters<typeof listRequests>[2]);
      return { ...ok(rows.map(presentRequest)), pagination: { page, limit, count, pages: Math.ceil(count / limit) } };
    },
  );

  app.patch(
    '/updateRequest',
    {
      schema: {
        tags,
        summary: "Change a request's variables (its running flow reads them from its next step)",
        querystring: KeyQuery({ request_id: IdSchema('The request (createRequest answered it).') }),
        body: Type.Object({ data: Variables }, { additionalProperties: false }),
        response: { 200: Answer('The request.'), ...Errors },
      },
    },
    async (request) => {
      const clientId = client(request);
      await updateRequestData(db, clientId, request.query.request_id, request.body.data);
      return ok(presentRequest(await loadRequest(db, clientId, request.query.request_id)));
    },
  );

  app.delete(
    '/deleteRequest',
    {
      schema: {
        tags,
        summary: 'Cancel a request and its run',
        querystring: KeyQuery({ request_id: IdSchema('The request (createRequest answered it).') }),
        response: { 200: Answer('The cancelled request.'), ...Errors },
      },
    },
    async (request) => {
      const clientId = client(request);
      await cancelRequest(db, clientId, request.query.request_id);
      return ok(presentRequest(await loadRequest(db, clientId, request.query.request_id)));
    },
  );

  app.post(
    '/retryRun',
    {
      schema: {
        tags,
        summary: 'Run a failed run again from its failed step (same idempotency key)',
        querystring: KeyQuery({}),
        body: Type.Object({ run_id: IdSchema('The run to retry.') }, { additionalProperties: false }),
        response: { 200: Answer('{ run_id, state }.'), ...Errors },
      },
    },
    async (request) => {
      await retryRun(db, client(request), request.body.run_id);
      return ok({ run_id: request.body.run_id, state: 'running' });
    },
  );

  app.get(
    '/getFlowByUserKey',
    {
      schema: {
        tags,
        summary: 'Every flow run of a customer, with its steps, states, messages and timings',
        querystring: KeyQuery({ user_key: UserKey }),
        response: { 200: Answer('The runs, oldest first.'), ...Errors },
      },
    },
    async (request) => {
      const runs = await runsWithSteps(db, client(request), { userKey: request.query.user_key });
      return ok(runs.map(presentRun));
    },
  );

  app.get(
    '/getChargesByUserKey',
    {
      schema: {
        tags,
        summary: 'Every charge of a customer, with totals per currency',
        querystring: KeyQuery({ user_key: UserKey }),
        response: { 200: Answer('{ user_key, charges, totals }.'), ...Errors },
      },
    },
    async (request) => {
      const { charges, totals } = await chargesOfUser(db, client(request), request.query.user_key);
      return ok({
        user_key: request.query.user_key,
        charges: charges.map((charge) => ({ ...charge, charge_id: charge.id, at: romeTime(charge.at) })),
        totals,
      });
    },
  );

  app.post(
    '/createOrder',
    {
      schema: {
        tags,
        summary: 'Create an order (403 unless the account takes orders); flows with an order trigger start on it',
        querystring: KeyQuery({}),
        body: Type.Record(Type.String(), Type.Unknown(), { description: 'The order (docs/COMMERCE.md, Orders).' }),
        response: { 200: Answer('The order.'), ...Errors },
      },
    },
    async (request) => {
      const clientId = client(request);
      if (!(await ordersEnabled(db, clientId)))
        throw notPermitted('This account is not configured for orders: enable them in its commerce settings first.');
      const order = await createOrder(context, clientId, request.body, 'api');
      return ok({ ...order, order_id: order.id, created_at: romeTime(order.created_at) });
    },
  );
  void presentOrder;

  // ——— Management: flows and their versions, merchant endpoints, prices ———

  app.get(
    '/flows',
    {
      schema: {
        tags,
        summary: "The account's flows",
        querystring: KeyQuery({}),
        response: { 200: Answer('Flows.'), ...Errors },
      },
    },
    async (request) => ok((await listFlows(db, client(request))).map(presentFlowRecord)),
  );

  app.post(
    '/flows',
    {
      schema: {
        tags,
        summary: 'Create a flow (and its version 1 when a definition is given)',
        querystring: KeyQuery({}),
        body: Type.Object(
          {
            code: FlowCode,
            name: Type.String({ minLength: 1, maxLength: 255 }),
            trigger: Type.Optional(Trigger),
            active: Type.Optional(Type.Boolean()),
            definition: Type.Optional(
              Type.Unknown({ description: 'A flow definition (checked; errors name its JSON pointer).' }),
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer('The flow.'), ...Errors },
      },
    },
    async (request) => {
      const clientId = client(request);
      const id = await createFlow(db, clientId, request.body);
      return ok(presentFlowRecord(await loadFlow(db, clientId, id)));
    },
  );

  const FlowParams = Type.Object({ flow_id: IdSchema('The flow.') });

  app.get(
    '/flows/:flow_id',
    {
      schema: {
        tags,
        summary: 'One flow and its versions',
        params: FlowParams,
        querystring: KeyQuery({}),
        response: { 200: Answer('The flow with `versions`.'), ...Errors },
      },
    },
    async (request) => {
      const clientId = client(request);
      const flow = await loadFlow(db, clientId, request.params.flow_id);
      const versions = await listVersions(db, clientId, flow.id);
      return ok({
        ...presentFlowRecord(flow),
        versions: versions.map((version) => ({ ...version, created_at: romeTime(version.created_at) })),
      });
    },
  );

  app.patch(
    '/flows/:flow_id',
    {
      schema: {
        tags,
        summary: "Change a flow's name, trigger or activity",
        params: FlowParams,
        querystring: KeyQuery({}),
        body: Type.Object(
          {
            name: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
            trigger: Type.Optional(Trigger),
            active: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer('The flow.'), ...Errors },
      },
    },
    async (request) => {
      const clientId = client(request);
      await updateFlow(db, clientId, request.params.flow_id, request.body);
      return ok(presentFlowRecord(await loadFlow(db, clientId, request.params.flow_id)));
    },
  );

  app.delete(
    '/flows/:flow_id',
    {
      schema: {
        tags,
        summary: 'Delete a flow (409 while runs are under way, unless cancel_runs=true)',
        description:
          'The flow leaves the lists and never starts again; its code may be used by a new flow; its runs stay ' +
          'readable through getFlowByUserKey and getRequest.',
        params: FlowParams,
        querystring: KeyQuery({
          cancel_runs: Type.Optional(Type.Boolean({ description: 'Cancel the runs under way in the same change.' })),
        }),
        response: { 200: Answer('{ flow_id, cancelled_runs }.'), ...Errors },
      },
    },
    async (request) => {
      const { cancelled } = await deleteFlow(db, client(request), request.params.flow_id, {
        cancelRuns: request.query.cancel_runs === true,
      });
      return ok({ flow_id: request.params.flow_id, cancelled_runs: cancelled });
    },
  );

  app.post(
    '/flows/:flow_id/versions',
    {
      schema: {
        tags,
        summary: 'Publish a new version of the definition (runs under way keep theirs)',
        params: FlowParams,
        querystring: KeyQuery({}),
        // Checked by checkDefinition, whose errors name the JSON pointer of the bad part (the schema: FlowDefinition).
        body: Type.Object(
          {
            definition: Type.Unknown({
              description: 'A flow definition: see the FlowDefinition schema, docs/COMMERCE.md.',
            }),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer('{ flow_id, version }.'), ...Errors },
      },
    },
    async (request) => {
      const version = await publishVersion(db, client(request), request.params.flow_id, request.body.definition);
      return ok({ flow_id: request.params.flow_id, version });
    },
  );

  app.get(
    '/merchant',
    {
      schema: {
        tags,
        summary: "The merchant's getObject / updateObject endpoints (secrets never shown)",
        querystring: KeyQuery({}),
        response: { 200: Answer('The settings, or null.'), ...Errors },
      },
    },
    async (request) => {
      const settings = await readMerchantSettings(db, client(request));
      return ok(settings === undefined ? null : { ...settings, updated_at: romeTime(settings.updated_at) });
    },
  );

  app.put(
    '/merchant',
    {
      schema: {
        tags,
        summary: "Set the merchant's endpoints; the first save (or rotate_secret) answers the signing secret once",
        querystring: KeyQuery({}),
        body: Type.Object(
          {
            get_object_url: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
            update_object_url: Type.Optional(Type.Union([Type.String({ maxLength: 2048 }), Type.Null()])),
            auth_header_name: Type.Optional(Type.Union([Type.String({ maxLength: 100 }), Type.Null()])),
            auth_header_value: Type.Optional(Type.Union([Type.String({ maxLength: 4096 }), Type.Null()])),
            timeout_ms: Type.Optional(Type.Integer({ minimum: 100, maximum: 30_000 })),
            rotate_secret: Type.Optional(Type.Boolean()),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer('The settings (signing_secret once).'), ...Errors },
      },
    },
    async (request) => {
      const settings = await saveMerchantSettings(db, sealing, context.outbound, client(request), request.body);
      return ok({ ...settings, updated_at: romeTime(settings.updated_at) });
    },
  );

  app.get(
    '/prices',
    {
      schema: {
        tags,
        summary: "The account's price list",
        querystring: KeyQuery({}),
        response: { 200: Answer('Prices.'), ...Errors },
      },
    },
    async (request) => ok(await listPrices(db, client(request))),
  );

  app.put(
    '/prices',
    {
      schema: {
        tags,
        summary:
          'Replace the price list (kinds: charge steps’ kinds, whatsapp.template, whatsapp.message, sms.message, merchant.call…)',
        querystring: KeyQuery({}),
        body: Type.Object(
          {
            prices: Type.Array(
              Type.Object(
                {
                  kind: Type.String({ minLength: 1, maxLength: 100 }),
                  unit_price: Type.Number({ minimum: 0 }),
                  currency: Type.String({ pattern: '^[A-Za-z]{3}$' }),
                },
                { additionalProperties: false },
              ),
              { maxItems: 500 },
            ),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer('Prices.'), ...Errors },
      },
    },
    async (request) => {
      const clientId = client(request);
      await replacePrices(db, clientId, request.body.prices);
      return ok(await listPrices(db, clientId));
    },
  );
};
