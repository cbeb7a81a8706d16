// Chat environments (issue 19 `/chatbot/agent`): commands that create, change and delete them and record what the
// provider said (Google's names, per-carrier launch states, failures). Every state change writes the row, a history
// row and a `messaging.agent_status` event in one transaction; the provider calls themselves are the worker's
// (agent-worker.ts), which claims the rows these commands leave due.
import type { Kysely } from 'kysely';
import type { Database, MessagingAgentRow, MessagingAgentState, MessagingCarrierState } from '../../db/schema.js';
import { fieldInvalid, fieldMissing, unknownResource } from '../../errors.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { assertAgentTransition, carrierCanBecome, environmentStateAfter } from './agent-states.js';
import { type AgentWithCarriers, loadAgent } from './agent-store.js';
import { newestFirst } from './listing.js';
import { announceState, recordState, writeHistory } from './state-history.js';
import { deleteTesterInTransaction } from './testers.js';

export const USE_CASES = ['transactional', 'promotional', 'otp', 'multi_use'] as const;
export const HOSTING_REGIONS = ['europe', 'north_america', 'asia_pacific'] as const;
export const CHANNELS = ['rcs', 'whatsapp', 'sms'] as const;

/** What a client gives for an environment (checked by the route's schema; the cross-field rules are checked here). */
export interface AgentInput {
  name: string;
  description: string;
  logo_url: string;
  banner_url: string;
  brand_color: string;
  phone?: string | null;
  email?: string | null;
  website?: string | null;
  privacy_url: string;
  terms_url: string;
  use_case?: (typeof USE_CASES)[number];
  hosting_region?: (typeof HOSTING_REGIONS)[number];
  channels: Array<(typeof CHANNELS)[number]>;
  whatsapp_channel_id?: number | null;
  sms_channel_id?: number | null;
  carriers?: string[];
}

export type AgentUpdate = Partial<AgentInput>;

export { type AgentWithCarriers, loadAgent } from './agent-store.js';

/** The environment as the state history and its AGENT_STATUS events name it. */
const ofAgent = (agent: Pick<MessagingAgentRow, 'id' | 'client_id'>) =>
  ({ resource: 'agent', id: agent.id, clientId: agent.client_id }) as const;

/** A WhatsApp or SMS channel of the client's, by id (no carrier step: binding it is enough). */
async function checkChannel(trx: Tx, clientId: number, field: string, id: number, type: 'whatsapp' | 'sms') {
  const channel = await trx
    .selectFrom('channel')
    .select(['id', 'type'])
    .where('id', '=', id)
    .where('client_id', '=', clientId)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (channel === undefined) throw unknownResource('channel', id, field);
  if (channel.type !== type) throw fieldInvalid(field, `Channel ${id} is a ${channel.type} channel, not ${type}.`);
}

/** The rules the schema cannot say: a channel named needs its id, RCS needs carriers and a contact. */
async function checkInput(trx: Tx, clientId: number, input: AgentInput): Promise<void> {
  if (input.channels.length === 0) throw fieldInvalid('channels', 'Give at least one of rcs, whatsapp, sms.');
  if (input.channels.includes('whatsapp')) {
    if (input.whatsapp_channel_id == null) throw fieldMissing('whatsapp_channel_id');
    await checkChannel(trx, clientId, 'whatsapp_channel_id', input.whatsapp_channel_id, 'whatsapp');
  } else if (input.whatsapp_channel_id != null)
    throw fieldInvalid('whatsapp_channel_id', "Add 'whatsapp' to channels to bind a WhatsApp channel.");
  if (input.channels.includes('sms')) {
    if (input.sms_channel_id == null) throw fieldMissing('sms_channel_id');
    await checkChannel(trx, clientId, 'sms_channel_id', input.sms_channel_id, 'sms');
  } else if (input.sms_channel_id != null)
    throw fieldInvalid('sms_channel_id', "Add 'sms' to channels to bind an SMS channel.");
  if (input.channels.includes('rcs')) {
    if (input.carriers === undefined || input.carriers.length === 0) throw fieldMissing('carriers');
    if (new Set(input.carriers).size !== input.carriers.length)
      throw fieldInvalid('carriers', 'Each carrier may be named once.');
    if (!input.phone && !input.email && !input.website) throw fieldMissing('phone');
  } else if (input.carriers !== undefined && input.carriers.length > 0)
    throw fieldInvalid('carriers', "Carriers launch the RCS agent: add 'rcs' to channels.");
}

export async function listAgents(
  db: Kysely<Database>,
  clientId: number,
  filter: { state?: MessagingAgentState; page: number; limit: number },
): Promise<{ items: AgentWithCarriers[]; count: number }> {
  let query = db.selectFrom('messaging_agent').where('client_id', '=', clientId).where('deleted_at', 'is', null);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  const { items: agents, count } = await newestFirst(query, filter);
  const carriers =
    agents.length === 0
      ? []
      : await db
          .selectFrom('messaging_agent_carrier')
          .selectAll()
          .where(
            'agent_id',
            'in',
            agents.map((agent) => agent.id),
          )
          .orderBy('id')
          .execute();
  return {
    items: agents.map((agent) => ({ agent, carriers: carriers.filter((row) => row.agent_id === agent.id) })),
    count,
  };
}

const carrierMap = (carriers: Array<{ carrier: string; state: string }>) =>
  Object.fromEntries(carriers.map((row) => [row.carrier, row.state]));

/**
 * Creates an environment in `pending_verification`, each carrier `pending`, due at once for the worker to register
 * with Google. Without RCS (WhatsApp and SMS only, already connected) there is no carrier step: it is active at once.
 */
export async function createAgent(db: Kysely<Database>, clientId: number, input: AgentInput): Promise<number> {
  return transact(db, async (trx) => {
    await checkInput(trx, clientId, input);
    const at = nowInstant();
    const rcs = input.channels.includes('rcs');
    const inserted = await trx
      .insertInto('messaging_agent')
      .values({
        client_id: clientId,
        name: input.name,
        description: input.description,
        logo_url: input.logo_url,
        banner_url: input.banner_url,
        brand_color: input.brand_color.toUpperCase(),
        phone: input.phone ?? null,
        email: input.email ?? null,
        website: input.website ?? null,
        privacy_url: input.privacy_url,
        terms_url: input.terms_url,
        use_case: input.use_case ?? 'multi_use',
        hosting_region: input.hosting_region ?? 'europe',
        rcs: rcs ? 1 : 0,
        whatsapp_channel_id: input.channels.includes('whatsapp') ? (input.whatsapp_channel_id ?? null) : null,
        sms_channel_id: input.channels.includes('sms') ? (input.sms_channel_id ?? null) : null,
        state: 'pending_verification',
        reason: null,
        rbm_brand: null,
        rbm_agent: null,
        work: rcs ? 'submit' : null,
        due_at: rcs ? at : null,
        lease_owner: null,
        lease_until: null,
        last_error: null,
        created_at: at,
        updated_at: at,
        deleted_at: null,
      })
      .returning(['id'])
      .executeTakeFirstOrThrow();
    const agent = { id: inserted.id, client_id: clientId };
    const carriers = rcs ? (input.carriers ?? []) : [];
    for (const carrier of carriers)
      await trx
        .insertInto('messaging_agent_carrier')
        .values({ agent_id: agent.id, carrier, state: 'pending', reason: null, updated_at: at })
        .execute();
    await recordState(
      trx,
      ofAgent(agent),
      {
        state: 'pending_verification',
        previousState: null,
        reason: null,
        data: {
          channels: input.channels,
          carriers: carrierMap(carriers.map((carrier) => ({ carrier, state: 'pending' }))),
        },
      },
      at,
    );
    if (!rcs) await changeState(trx, agent, 'pending_verification', 'active', 'no_carrier_step', {}, at);
    return agent.id;
  });
}

async function changeState(
  trx: Tx,
  agent: Pick<MessagingAgentRow, 'id' | 'client_id'>,
  from: MessagingAgentState,
  to: MessagingAgentState,
  reason: string | null,
  data: Record<string, unknown>,
  at: string,
): Promise<void> {
  assertAgentTransition(from, to);
  await trx
    .updateTable('messaging_agent')
    .set({ state: to, reason, updated_at: at })
    .where('id', '=', agent.id)
    .execute();
  await recordState(trx, ofAgent(agent), { state: to, previousState: from, reason, data }, at);
}

/** The fields the RCS agent shows: a change of one is sent to Google (`sync`) once the agent exists there. */
const PROFILE_FIELDS = [
  'name',
  'description',
  'logo_url',
  'banner_url',
  'brand_color',
  'phone',
  'email',
  'website',
  'privacy_url',
  'terms_url',
] as const;

/**
 * Changes an environment. Carriers may be added (the worker requests their launch), not removed; binding channels
 * changes nothing at the carriers; profile changes are sent to Google when the agent is registered there.
 */
export async function updateAgent(
  db: Kysely<Database>,
  clientId: number,
  id: number,
  update: AgentUpdate,
): Promise<void> {
  await transact(db, async (trx) => {
    const { agent, carriers } = await loadAgent(trx, clientId, id);
    if (update.channels !== undefined && update.channels.includes('rcs') !== (agent.rcs === 1))
      throw fieldInvalid('channels', 'RCS cannot be added to or removed from an environment; create another one.');
    const known = carriers.map((row) => row.carrier);
    if (update.carriers !== undefined) {
      const dropped = known.filter((carrier) => !update.carriers?.includes(carrier));
      if (dropped.length > 0)
        throw fieldInvalid('carriers', `A carrier cannot be removed (${dropped.join(', ')}); list every carrier.`);
    }
    const channels: AgentInput['channels'] = update.channels ?? [
      ...(agent.rcs === 1 ? (['rcs'] as const) : []),
      ...(agent.whatsapp_channel_id !== null ? (['whatsapp'] as const) : []),
      ...(agent.sms_channel_id !== null ? (['sms'] as const) : []),
    ];
    const merged: AgentInput = {
      name: update.name ?? agent.name,
      description: update.description ?? agent.description,
      logo_url: update.logo_url ?? agent.logo_url,
      banner_url: update.banner_url ?? agent.banner_url,
      brand_color: update.brand_color ?? agent.brand_color,
      phone: update.phone !== undefined ? update.phone : agent.phone,
      email: update.email !== undefined ? update.email : agent.email,
      website: update.website !== undefined ? update.website : agent.website,
      privacy_url: update.privacy_url ?? agent.privacy_url,
      terms_url: update.terms_url ?? agent.terms_url,
      channels,
      whatsapp_channel_id: channels.includes('whatsapp')
        ? update.whatsapp_channel_id !== undefined
          ? update.whatsapp_channel_id
          : agent.whatsapp_channel_id
        : update.whatsapp_channel_id,
      sms_channel_id: channels.includes('sms')
        ? update.sms_channel_id !== undefined
          ? update.sms_channel_id
          : agent.sms_channel_id
        : update.sms_channel_id,
      carriers: update.carriers ?? known,
    };
    await checkInput(trx, clientId, merged);
    const at = nowInstant();
    const added = (update.carriers ?? []).filter((carrier) => !known.includes(carrier));
    for (const carrier of added)
      await trx
        .insertInto('messaging_agent_carrier')
        .values({ agent_id: id, carrier, state: 'pending', reason: null, updated_at: at })
        .execute();
    const profileChanged = PROFILE_FIELDS.some(
      (field) => update[field] !== undefined && update[field] !== agent[field],
    );
    // Registered at Google: the change (and new carriers' launch) is sent by the worker; before, the submission sends it.
    const sync = agent.rbm_agent !== null && (profileChanged || added.length > 0);
    await trx
      .updateTable('messaging_agent')
      .set({
        name: merged.name,
        description: merged.description,
        logo_url: merged.logo_url,
        banner_url: merged.banner_url,
        brand_color: merged.brand_color.toUpperCase(),
        phone: merged.phone ?? null,
        email: merged.email ?? null,
        website: merged.website ?? null,
        privacy_url: merged.privacy_url,
        terms_url: merged.terms_url,
        whatsapp_channel_id: channels.includes('whatsapp') ? (merged.whatsapp_channel_id ?? null) : null,
        sms_channel_id: channels.includes('sms') ? (merged.sms_channel_id ?? null) : null,
        updated_at: at,
        ...(sync && { work: 'sync' as const, due_at: at, attempts: 0, launch_requested: added.length > 0 ? 0 : 1 }),
      })
      .where('id', '=', id)
      .execute();
  });
}

/** Deletes an environment (from any state) and its testers; Google keeps the agent, which is no longer used. */
export async function deleteAgent(db: Kysely<Database>, clientId: number, id: number): Promise<void> {
  await transact(db, async (trx) => {
    const { agent } = await loadAgent(trx, clientId, id);
    const at = nowInstant();
    await changeState(trx, agent, agent.state, 'deleted', 'deleted_by_client', {}, at);
    await trx
      .updateTable('messaging_agent')
      .set({ deleted_at: at, work: null, due_at: null, lease_owner: null, lease_until: null })
      .where('id', '=', id)
      .execute();
    const testers = await trx
      .selectFrom('messaging_tester')
      .select('id')
      .where('agent_id', '=', id)
      .where('deleted_at', 'is', null)
      .execute();
    for (const tester of testers) await deleteTesterInTransaction(trx, clientId, tester.id, 'environment_deleted', at);
  });
}

/** What Google answered for one region, as recorded. */
export interface CarrierObservation {
  carrier: string;
  state: MessagingCarrierState;
  reason: string | null;
}

/**
 * Records carrier states read from Google: each change the carrier state machine allows is one history row and one
 * event, with the environment's state after it (so the first launch is the event that makes it active). Answers
 * whether anything changed. Runs in the worker's transaction, guarded by its lease.
 */
export async function recordCarrierStates(
  trx: Tx,
  agentId: number,
  observed: readonly CarrierObservation[],
): Promise<boolean> {
  const agent = await trx.selectFrom('messaging_agent').selectAll().where('id', '=', agentId).executeTakeFirstOrThrow();
  if (agent.state === 'deleted') return false;
  const carriers = await trx
    .selectFrom('messaging_agent_carrier')
    .selectAll()
    .where('agent_id', '=', agentId)
    .orderBy('id')
    .execute();
  const states = new Map(carriers.map((row) => [row.carrier, row.state]));
  let state: MessagingAgentState = agent.state;
  let changed = false;
  const at = nowInstant();
  for (const observation of observed) {
    const before = states.get(observation.carrier);
    if (before === undefined || before === observation.state || !carrierCanBecome(before, observation.state)) continue;
    changed = true;
    states.set(observation.carrier, observation.state);
    await trx
      .updateTable('messaging_agent_carrier')
      .set({ state: observation.state, reason: observation.reason, updated_at: at })
      .where('agent_id', '=', agentId)
      .where('carrier', '=', observation.carrier)
      .execute();
    await writeHistory(
      trx,
      ofAgent(agent),
      { carrier: observation.carrier, state: observation.state, previousState: before, reason: observation.reason },
      at,
    );
    const next = environmentStateAfter(state, [...states.values()]);
    if (next !== state) {
      assertAgentTransition(state, next);
      await writeHistory(
        trx,
        ofAgent(agent),
        { carrier: null, state: next, previousState: state, reason: observation.reason },
        at,
      );
    }
    await announceState(
      trx,
      ofAgent(agent),
      {
        state: next,
        previousState: state,
        reason: observation.reason,
        data: {
          carrier: observation.carrier,
          carrierState: observation.state,
          previousCarrierState: before,
          carriers: Object.fromEntries(states),
        },
      },
      at,
    );
    state = next;
  }
  if (state !== agent.state)
    await trx
      .updateTable('messaging_agent')
      .set({ state, reason: null, updated_at: at })
      .where('id', '=', agentId)
      .execute();
  return changed;
}

/** Google refused the environment (a 4xx naming a field): it is rejected, with the provider's message as reason. */
export async function rejectByProvider(trx: Tx, agentId: number, reason: string): Promise<void> {
  const agent = await trx.selectFrom('messaging_agent').selectAll().where('id', '=', agentId).executeTakeFirstOrThrow();
  if (agent.state !== 'pending_verification') return;
  const at = nowInstant();
  await trx
    .updateTable('messaging_agent_carrier')
    .set({ state: 'rejected', reason, updated_at: at })
    .where('agent_id', '=', agentId)
    .where('state', '=', 'pending')
    .execute();
  await changeState(trx, agent, 'pending_verification', 'rejected', reason, { provider: 'google_rbm' }, at);
}
