// Issue 19's standard-account services under /api/messaging: chat environments (`/chatbot/agent`, registered with the
// mobile carriers through Google's RBM Management API by the messaging worker) and RCS testers
// (`/messenger/rcs-tester`). A client-scoped key in `X-API-Key` or `Authorization: Bearer` (or an admin's console
// session, `Bearer cos_…`, acting as its client); another scope or an agent's session is 403,
// another tenant's ids 404, a transition the state machine refuses 409 with the current state.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { type Static, Type } from 'typebox';
import type { AppContext } from '../../context.js';
import type { MessagingAgentCarrierRow, MessagingAgentRow, MessagingTesterRow } from '../../db/schema.js';
import { AGENT_STATES } from '../../domain/messaging/agent-states.js';
import { messagingAgentWorker } from '../../domain/messaging/agent-worker.js';
import {
  type AgentWithCarriers,
  CHANNELS,
  createAgent,
  deleteAgent,
  HOSTING_REGIONS,
  listAgents,
  loadAgent,
  USE_CASES,
  updateAgent,
} from '../../domain/messaging/agents.js';
import { TESTER_STATES } from '../../domain/messaging/tester-states.js';
import { createTester, deleteTester, listTesters, loadTester } from '../../domain/messaging/testers.js';
import { IdSchema } from '../../http/ids.js';
import {
  Answer,
  accountRoutes,
  MessagingErrors as Errors,
  guarded,
  Listing,
  ok,
  page,
  pageAt,
  MESSAGING_SECURITY as security,
  MESSAGING_TAGS as tags,
  withIdempotency,
} from './common.js';

const Https = (description: string) =>
  Type.String({ format: 'uri', pattern: '^https://', maxLength: 2048, description });
const E164 = Type.String({ pattern: '^\\+[1-9][0-9]{6,14}$', description: 'E.164 phone number (+33612345678).' });

const AgentFields = {
  name: Type.String({ minLength: 1, maxLength: 40, description: 'Shown to users as the sender (at most 40).' }),
  description: Type.String({ minLength: 1, maxLength: 100, description: 'Shown in the agent info (at most 100).' }),
  logo_url: Https('Square logo, 224×224 px, https.'),
  banner_url: Https('Banner (hero) image, 1440×448 px, https.'),
  brand_color: Type.String({ pattern: '^#[0-9A-Fa-f]{6}$', description: 'Brand colour, #RRGGBB.' }),
  phone: Type.Union([E164, Type.Null()], { description: 'Contact phone (RCS needs one of phone, email, website).' }),
  email: Type.Union([Type.String({ format: 'email', maxLength: 254 }), Type.Null()], { description: 'Contact email.' }),
  website: Type.Union([Https('Contact website.'), Type.Null()]),
  privacy_url: Https('Privacy policy.'),
  terms_url: Https('Terms and conditions.'),
  use_case: Type.Enum([...USE_CASES], { description: 'Google agent use case; default multi_use.' }),
  hosting_region: Type.Enum([...HOSTING_REGIONS], { description: "Google's hosting region; default europe." }),
  channels: Type.Array(Type.Enum([...CHANNELS]), {
    minItems: 1,
    maxItems: 3,
    uniqueItems: true,
    description: 'rcs (registered with the carriers), whatsapp and sms (bound to existing channels, no carrier step).',
  }),
  whatsapp_channel_id: Type.Union([IdSchema('Your WhatsApp channel (with whatsapp in channels).'), Type.Null()]),
  sms_channel_id: Type.Union([IdSchema('Your SMS channel (with sms in channels).'), Type.Null()]),
  carriers: Type.Array(Type.String({ pattern: '^[a-z0-9][a-z0-9-]{1,63}$' }), {
    maxItems: 50,
    uniqueItems: true,
    description: "Google's region ids of the carriers to launch on ('orange-fr'); required with rcs.",
  }),
};
const AGENT_EXAMPLE = {
  name: 'Boulangerie Martin',
  description: 'Commandes et retraits en boutique',
  logo_url: 'https://cdn.example.fr/logo-224.png',
  banner_url: 'https://cdn.example.fr/banner-1440x448.png',
  brand_color: '#0B78D0',
  phone: '+33145678900',
  email: 'contact@boulangerie-martin.fr',
  website: 'https://boulangerie-martin.fr',
  privacy_url: 'https://boulangerie-martin.fr/confidentialite',
  terms_url: 'https://boulangerie-martin.fr/cgu',
  channels: ['rcs', 'whatsapp'],
  whatsapp_channel_id: 12,
  carriers: ['orange-fr', 'sfr-fr'],
};
const AgentBody = Type.Object(
  {
    ...AgentFields,
    phone: Type.Optional(AgentFields.phone),
    email: Type.Optional(AgentFields.email),
    website: Type.Optional(AgentFields.website),
    use_case: Type.Optional(AgentFields.use_case),
    hosting_region: Type.Optional(AgentFields.hosting_region),
    whatsapp_channel_id: Type.Optional(AgentFields.whatsapp_channel_id),
    sms_channel_id: Type.Optional(AgentFields.sms_channel_id),
    carriers: Type.Optional(AgentFields.carriers),
  },
  { additionalProperties: false, examples: [AGENT_EXAMPLE] },
);
const AgentPatch = Type.Partial(Type.Object(AgentFields), { additionalProperties: false, minProperties: 1 });
const TesterBody = Type.Object(
  { agent_id: IdSchema('The active chat environment.'), phone: E164 },
  { additionalProperties: false, examples: [{ agent_id: 7, phone: '+33612345678' }] },
);

const lastError = (stored: string | null) => (stored === null ? null : (JSON.parse(stored) as unknown));

function presentAgent({ agent, carriers }: AgentWithCarriers) {
  return {
    id: agent.id,
    name: agent.name,
    description: agent.description,
    logo_url: agent.logo_url,
    banner_url: agent.banner_url,
    brand_color: agent.brand_color,
    phone: agent.phone,
    email: agent.email,
    website: agent.website,
    privacy_url: agent.privacy_url,
    terms_url: agent.terms_url,
    use_case: agent.use_case,
    hosting_region: agent.hosting_region,
    channels: [
      ...(agent.rcs === 1 ? ['rcs'] : []),
      ...(agent.whatsapp_channel_id !== null ? ['whatsapp'] : []),
      ...(agent.sms_channel_id !== null ? ['sms'] : []),
    ],
    whatsapp_channel_id: agent.whatsapp_channel_id,
    sms_channel_id: agent.sms_channel_id,
    state: agent.state,
    reason: agent.reason,
    carriers: carriers.map(presentCarrier),
    registration: registrationOf(agent),
    last_error: lastError(agent.last_error),
    created_at: agent.created_at,
    updated_at: agent.updated_at,
  };
}

function presentCarrier(row: MessagingAgentCarrierRow) {
  return { carrier: row.carrier, state: row.state, reason: row.reason, updated_at: row.updated_at };
}

/** Where the registration with Google stands: the names obtained and what the worker does next. */
function registrationOf(agent: MessagingAgentRow) {
  return {
    brand: agent.rbm_brand,
    agent: agent.rbm_agent,
    launch_requested: agent.launch_requested === 1,
    next_step: agent.work,
    next_attempt_at: agent.due_at,
    attempts: agent.attempts,
  };
}

function presentTester(row: MessagingTesterRow) {
  return {
    id: row.id,
    agent_id: row.agent_id,
    phone: row.phone,
    state: row.state,
    reason: row.reason,
    invited_at: row.invited_at,
    last_error: lastError(row.last_error),
    created_at: row.created_at,
    updated_at: row.updated_at,
  };
}

/** The answers' shapes (what tests and clients read). */
export type AgentView = ReturnType<typeof presentAgent>;
export type TesterView = ReturnType<typeof presentTester>;

export const messagingAgentsApi: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  const worker = messagingAgentWorker(context, (err, message) => app.log.error({ err }, message));
  worker.start();
  app.addHook('onClose', async () => {
    await worker.stop();
  });
  // A console session (`Bearer cos_…`) acts as its client: the console's chat environment pages call these routes.
  const clientId = accountRoutes(
    app,
    context,
    /^\/api\/messaging\/(chatbot\/agent|messenger\/rcs-tester)(\/|\?|$)/,
    "reaches chat environments and RCS testers only with the 'admin' role.",
  );
  const IdParams = Type.Object({ id: IdSchema('The resource id.') });

  app.post(
    '/chatbot/agent',
    {
      schema: {
        tags,
        summary: 'Create a chat environment',
        description:
          "Registered with the carriers through Google's RBM Management API by a background worker (brand, agent, launch request): answered at once in `pending_verification`, each carrier `pending`. Active as soon as one carrier launched it; `last_error` shows a provider failure being retried. WhatsApp and SMS bind existing channels: an environment without RCS is active at once. Accepts `Idempotency-Key`.",
        security,
        body: AgentBody,
        response: { 201: Answer('The environment.', { id: 7, state: 'pending_verification' }), ...Errors },
      },
    },
    async (request, reply) => {
      await withIdempotency(db, request, reply, { kind: 'client', id: clientId(request) }, async () => {
        const owner = clientId(request);
        const id = await createAgent(db, owner, request.body as Static<typeof AgentBody>);
        worker.poke();
        return { status: 201, body: ok(presentAgent(await loadAgent(db, owner, id))) };
      });
    },
  );

  app.get(
    '/chatbot/agent',
    {
      schema: {
        tags,
        summary: 'List chat environments',
        security,
        querystring: Type.Object(
          { ...Listing, state: Type.Optional(Type.Enum([...AGENT_STATES].filter((state) => state !== 'deleted'))) },
          { additionalProperties: false },
        ),
        response: { 200: Answer('Environments, newest first.', [{ id: 7, state: 'active' }]), ...Errors },
      },
    },
    async (request) => {
      const at = pageAt(request.query);
      const { items, count } = await listAgents(db, clientId(request), { ...at, state: request.query.state });
      return page(items.map(presentAgent), count, at);
    },
  );

  app.get(
    '/chatbot/agent/:id',
    {
      schema: {
        tags,
        summary: 'A chat environment with its per-carrier launch states',
        security,
        params: IdParams,
        response: {
          200: Answer('The environment.', {
            id: 7,
            state: 'active',
            carriers: [
              { carrier: 'orange-fr', state: 'launched' },
              { carrier: 'sfr-fr', state: 'rejected', reason: 'Use case not accepted' },
            ],
          }),
          ...Errors,
        },
      },
    },
    async (request) => ok(presentAgent(await loadAgent(db, clientId(request), request.params.id))),
  );

  app.put(
    '/chatbot/agent/:id',
    {
      schema: {
        tags,
        summary: 'Change a chat environment',
        description:
          'Profile fields, channel bindings, and carriers to add (a carrier cannot be removed). Once the agent is registered with Google, the worker sends the change and requests the launch on new carriers.',
        security,
        params: IdParams,
        body: AgentPatch,
        response: { 200: Answer('The environment.', { id: 7, state: 'active' }), ...Errors },
      },
    },
    async (request) => {
      const owner = clientId(request);
      await guarded(() => updateAgent(db, owner, request.params.id, request.body as Static<typeof AgentPatch>));
      worker.poke();
      return ok(presentAgent(await loadAgent(db, owner, request.params.id)));
    },
  );

  app.delete(
    '/chatbot/agent/:id',
    {
      schema: {
        tags,
        summary: 'Delete a chat environment (and its testers)',
        security,
        params: IdParams,
        response: { 200: Answer('The deleted environment.', { id: 7, state: 'deleted' }), ...Errors },
      },
    },
    async (request) => {
      const owner = clientId(request);
      const before = await loadAgent(db, owner, request.params.id);
      await guarded(() => deleteAgent(db, owner, request.params.id));
      return ok({ ...presentAgent(before), state: 'deleted' });
    },
  );

  app.post(
    '/messenger/rcs-tester',
    {
      schema: {
        tags,
        summary: 'Register an RCS tester',
        description:
          'For an active environment (409 otherwise). Google sends the tester invitation to the device: `invite_pending`, then `accepted`, `declined`, `expired`, or `unreachable` when the device cannot take RCS. Accepts `Idempotency-Key`.',
        security,
        body: TesterBody,
        response: {
          201: Answer('The tester.', { id: 3, agent_id: 7, phone: '+33612345678', state: 'invite_pending' }),
          ...Errors,
        },
      },
    },
    async (request, reply) => {
      await withIdempotency(db, request, reply, { kind: 'client', id: clientId(request) }, async () => {
        const owner = clientId(request);
        const id = await guarded(() => createTester(db, owner, request.body));
        worker.poke();
        return { status: 201, body: ok(presentTester(await loadTester(db, owner, id))) };
      });
    },
  );

  app.get(
    '/messenger/rcs-tester',
    {
      schema: {
        tags,
        summary: 'List RCS testers',
        security,
        querystring: Type.Object(
          {
            ...Listing,
            agent_id: Type.Optional(IdSchema('Only the testers of this environment.')),
            state: Type.Optional(Type.Enum([...TESTER_STATES].filter((state) => state !== 'deleted'))),
          },
          { additionalProperties: false },
        ),
        response: { 200: Answer('Testers, newest first.', [{ id: 3, state: 'accepted' }]), ...Errors },
      },
    },
    async (request) => {
      const at = pageAt(request.query);
      const { items, count } = await listTesters(db, clientId(request), {
        ...at,
        agentId: request.query.agent_id,
        state: request.query.state,
      });
      return page(items.map(presentTester), count, at);
    },
  );

  app.get(
    '/messenger/rcs-tester/:id',
    {
      schema: {
        tags,
        summary: 'An RCS tester',
        security,
        params: IdParams,
        response: { 200: Answer('The tester.', { id: 3, state: 'accepted' }), ...Errors },
      },
    },
    async (request) => ok(presentTester(await loadTester(db, clientId(request), request.params.id))),
  );

  app.delete(
    '/messenger/rcs-tester/:id',
    {
      schema: {
        tags,
        summary: 'Delete an RCS tester',
        security,
        params: IdParams,
        response: { 200: Answer('The deleted tester.', { id: 3, state: 'deleted' }), ...Errors },
      },
    },
    async (request) => {
      const owner = clientId(request);
      const before = await loadTester(db, owner, request.params.id);
      await guarded(() => deleteTester(db, owner, request.params.id));
      return ok({ ...presentTester(before), state: 'deleted' });
    },
  );
};
