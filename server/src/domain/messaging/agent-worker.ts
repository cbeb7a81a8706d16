// The worker that registers chat environments and invites testers through Google's RBM Management API, on every node:
// it claims due rows (a lease, so one node works on a row at a time and another takes it over when a node dies),
// calls Google one step at a time, and commits each step's outcome before the next: the brand's and the agent's names
// as soon as Google gives them (a retry continues instead of creating them twice), then the launch request, then the
// launch and invitation states read by polling with backoff. Failures (5xx, 429, timeouts, malformed answers) are
// written to the row's `last_error` and tried again later; Google's refusals end the work.
import { randomUUID } from 'node:crypto';
import type { Kysely, Updateable } from 'kysely';
import { type Claim, ClaimLoop } from '../../claim-loop.js';
import type { Config } from '../../config.js';
import type { AppContext } from '../../context.js';
import { dialectOf } from '../../db/dialect.js';
import type {
  Database,
  MessagingAgentRow,
  MessagingAgentTable,
  MessagingTesterRow,
  MessagingTesterTable,
} from '../../db/schema.js';
import { transact } from '../../events/transact.js';
import type { OutboundGuard } from '../../http/outbound.js';
import { nowInstant } from '../../time.js';
import { carrierStateOf } from './agent-states.js';
import { type CarrierObservation, recordCarrierStates, rejectByProvider } from './agents.js';
import { agentIdOf, type ProviderAnswer, type ProviderFailure, RbmManagementClient } from './rbm-management.js';
import { testerStateOf } from './tester-states.js';
import { recordTesterState } from './testers.js';

type Item = { kind: 'agent'; row: MessagingAgentRow } | { kind: 'tester'; row: MessagingTesterRow };

const CLAIM_BATCH = 10;
/** First retry after a failure; doubles with each attempt up to RETRY_MAX_MS. */
const RETRY_FIRST_MS = 2_000;
const RETRY_MAX_MS = 10 * 60_000;
/** First poll of the launch or invitation states; doubles with each poll that saw no change, up to POLL_MAX_MS. */
const POLL_FIRST_MS = 5_000;
const POLL_MAX_MS = 15 * 60_000;

const USE_CASE: Record<string, string> = {
  transactional: 'TRANSACTIONAL',
  promotional: 'PROMOTIONAL',
  otp: 'OTP',
  multi_use: 'MULTI_USE',
};
const HOSTING_REGION: Record<string, string> = {
  europe: 'EUROPE',
  north_america: 'NORTH_AMERICA',
  asia_pacific: 'ASIA_PACIFIC',
};

/** The RcsBusinessMessagingAgent Google takes for an environment (brands.agents). */
export function rbmAgentBody(agent: MessagingAgentRow): Record<string, unknown> {
  return {
    displayName: agent.name,
    rcsBusinessMessagingAgent: {
      description: agent.description,
      logoUri: agent.logo_url,
      heroUri: agent.banner_url,
      color: agent.brand_color,
      phoneNumbers: agent.phone === null ? [] : [{ phoneNumber: { number: agent.phone }, label: 'Call us' }],
      emails: agent.email === null ? [] : [{ address: agent.email, label: 'Email us' }],
      websites: agent.website === null ? [] : [{ uri: agent.website, label: 'Website' }],
      privacy: { uri: agent.privacy_url, label: 'Privacy policy' },
      termsConditions: { uri: agent.terms_url, label: 'Terms and conditions' },
      billingConfig: { billingCategory: 'CONVERSATIONAL' },
      agentUseCase: USE_CASE[agent.use_case] ?? 'MULTI_USE',
      hostingRegion: HOSTING_REGION[agent.hosting_region] ?? 'EUROPE',
    },
  };
}

/** A state read from Google with a later one coming: the row is given back (its lease released) by the caller. */
class LeaseLost extends Error {}

export class MessagingAgentWorker {
  readonly owner = randomUUID();
  private readonly loop: ClaimLoop<Item>;
  private readonly client: RbmManagementClient;
  private readonly scale: number;
  private readonly leaseMs: number;

  constructor(
    private readonly db: Kysely<Database>,
    outbound: OutboundGuard,
    config: Pick<Config, 'rbmManagementUrl' | 'rbmServiceAccount' | 'webhookTimeScale'>,
    report: (error: unknown, message: string) => void,
  ) {
    // Compressed time (tests) shortens retries, polls, the lease and the calls' timeout alike.
    this.scale = config.webhookTimeScale ?? 1;
    this.client = new RbmManagementClient(
      outbound,
      config.rbmManagementUrl,
      config.rbmServiceAccount,
      Math.max(1_000, 15_000 * this.scale),
    );
    this.leaseMs = Math.max(5_000, 60_000 * this.scale);
    this.loop = new ClaimLoop(
      {
        claim: () => this.claim(),
        process: async (items) => {
          await Promise.all(items.map((item) => this.run(item)));
          return true;
        },
      },
      { work: 'chat environments and testers', idlePollMs: 1_000, report },
    );
  }

  start(): void {
    this.loop.start();
  }

  stop(): Promise<void> {
    return this.loop.stop();
  }

  /** A command left a row due now (a new environment or tester). */
  poke(): void {
    this.loop.poke();
  }

  settled(): Promise<void> {
    return this.loop.settled();
  }

  private later(ms: number): string {
    return new Date(Date.now() + Math.round(ms * this.scale)).toISOString();
  }

  private retryDelay(attempts: number): number {
    return Math.min(RETRY_MAX_MS, RETRY_FIRST_MS * 2 ** Math.min(attempts, 20));
  }

  private pollDelay(quietPolls: number): number {
    return Math.min(POLL_MAX_MS, POLL_FIRST_MS * 2 ** Math.min(quietPolls, 20));
  }

  private async claim(): Promise<Claim<Item>> {
    const items: Item[] = [];
    for (const table of ['messaging_agent', 'messaging_tester'] as const) {
      const rows = await transact(this.db, async (trx) => {
        const now = nowInstant();
        let due = trx
          .selectFrom(table)
          .select('id')
          .where('work', 'is not', null)
          .where('due_at', '<=', now)
          .where('deleted_at', 'is', null)
          .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
          .orderBy('due_at')
          .limit(CLAIM_BATCH);
        if (dialectOf(trx) === 'postgres') due = due.forUpdate().skipLocked();
        const ids = (await due.execute()).map((row) => row.id);
        if (ids.length === 0) return [];
        return trx
          .updateTable(table)
          .set({ lease_owner: this.owner, lease_until: new Date(Date.now() + this.leaseMs).toISOString() })
          .where('id', 'in', ids)
          .returningAll()
          .execute();
      });
      for (const row of rows)
        items.push(
          table === 'messaging_agent'
            ? { kind: 'agent', row: row as MessagingAgentRow }
            : { kind: 'tester', row: row as MessagingTesterRow },
        );
    }
    return { items, more: items.length >= CLAIM_BATCH };
  }

  private async run(item: Item): Promise<void> {
    try {
      if (item.kind === 'agent') await this.runAgent(item.row);
      else await this.runTester(item.row);
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
    } finally {
      await this.db
        .updateTable(item.kind === 'agent' ? 'messaging_agent' : 'messaging_tester')
        .set({ lease_owner: null, lease_until: null })
        .where('id', '=', item.row.id)
        .where('lease_owner', '=', this.owner)
        .execute();
    }
    const next = await this.db
      .selectFrom(item.kind === 'agent' ? 'messaging_agent' : 'messaging_tester')
      .select('due_at')
      .where('id', '=', item.row.id)
      .executeTakeFirst();
    if (next?.due_at != null) this.loop.pokeIn(Math.max(0, Date.parse(next.due_at) - Date.now()) + 1);
  }

  /** Updates this node's leased agent row; throws LeaseLost when another node took it over meanwhile. */
  private async setAgent(id: number, set: Updateable<MessagingAgentTable>) {
    const result = await this.db
      .updateTable('messaging_agent')
      .set(set)
      .where('id', '=', id)
      .where('lease_owner', '=', this.owner)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new LeaseLost();
  }

  private async setTester(id: number, set: Updateable<MessagingTesterTable>) {
    const result = await this.db
      .updateTable('messaging_tester')
      .set(set)
      .where('id', '=', id)
      .where('lease_owner', '=', this.owner)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) !== 1) throw new LeaseLost();
  }

  /** A failed step: kept for a later attempt with the error shown on the resource. */
  private failureFields(failed: ProviderFailure, attempts: number) {
    return {
      attempts: attempts + 1,
      last_error: JSON.stringify({ ...failed.error, at: nowInstant() }),
      due_at: this.later(this.retryDelay(attempts)),
    };
  }

  private async runAgent(row: MessagingAgentRow): Promise<void> {
    let agent = row;
    const step = async (failed: ProviderFailure): Promise<void> => {
      if (failed.retry || agent.work === 'poll') {
        await this.setAgent(agent.id, this.failureFields(failed, agent.attempts));
        return;
      }
      const lastError = JSON.stringify({ ...failed.error, at: nowInstant() });
      if (agent.work === 'sync') {
        // Google refused the change: the registered agent stays as it was; the states are still followed.
        await this.setAgent(agent.id, { last_error: lastError, work: 'poll', due_at: nowInstant(), attempts: 0 });
        return;
      }
      // Refused at submission: nothing more will be created; the environment is rejected with Google's reason.
      await transact(this.db, async (trx) => {
        const held = await trx
          .updateTable('messaging_agent')
          .set({ last_error: lastError, work: null, due_at: null })
          .where('id', '=', agent.id)
          .where('lease_owner', '=', this.owner)
          .executeTakeFirst();
        if (Number(held.numUpdatedRows) !== 1) throw new LeaseLost();
        await rejectByProvider(trx, agent.id, `provider_refused: ${failed.error.message}`);
      });
    };

    if (agent.work === 'submit' || agent.work === 'sync') {
      if (agent.rbm_brand === null) {
        // After a failed attempt Google may have created the brand without our hearing it (a lost or late answer):
        // it is found by its display name, which names the environment, instead of being created twice.
        const displayName = brandDisplayName(agent);
        const found = agent.attempts > 0 ? await this.findBrand(displayName) : undefined;
        if (found !== undefined && !found.ok) return step(found);
        const created = found ?? (await this.client.call('POST', 'brands', { body: { displayName } }));
        if (!created.ok) return step(created);
        const name = created.body.name;
        if (typeof name !== 'string' || !/^brands\/[^/]+$/.test(name))
          return step(malformed('The brand Google created has no name.'));
        await this.setAgent(agent.id, { rbm_brand: name, updated_at: nowInstant() });
        agent = { ...agent, rbm_brand: name };
      }
      if (agent.rbm_agent === null) {
        // The brand is this environment's alone: an agent under it is the one an earlier attempt created.
        const listed = agent.attempts > 0 ? await this.client.call('GET', `${agent.rbm_brand}/agents`) : undefined;
        if (listed !== undefined && !listed.ok) return step(listed);
        const existing = listed?.ok === true && Array.isArray(listed.body.agents) ? listed.body.agents[0] : undefined;
        const created =
          typeof existing === 'object' && existing !== null
            ? { ok: true as const, body: existing as Record<string, unknown> }
            : await this.client.call('POST', `${agent.rbm_brand}/agents`, { body: rbmAgentBody(agent) });
        if (!created.ok) return step(created);
        const name = created.body.name;
        if (typeof name !== 'string' || !name.startsWith(`${agent.rbm_brand}/agents/`))
          return step(malformed('The agent Google created has no name.'));
        await this.setAgent(agent.id, { rbm_agent: name, updated_at: nowInstant() });
        agent = { ...agent, rbm_agent: name };
      } else if (agent.work === 'sync') {
        const body = rbmAgentBody(agent);
        const mask = [
          'displayName',
          ...Object.keys(body.rcsBusinessMessagingAgent as object)
            .filter((key) => !['billingConfig', 'agentUseCase', 'hostingRegion'].includes(key))
            .map((key) => `rcsBusinessMessagingAgent.${key}`),
        ].join(',');
        const patched = await this.client.call('PATCH', agent.rbm_agent, { body, query: { updateMask: mask } });
        if (!patched.ok) return step(patched);
      }
      if (agent.launch_requested !== 1) {
        const carriers = (
          await this.db
            .selectFrom('messaging_agent_carrier')
            .select('carrier')
            .where('agent_id', '=', agent.id)
            .execute()
        ).map((entry) => entry.carrier);
        const launchDetails = Object.fromEntries(carriers.map((carrier) => [`/v1/regions/${carrier}`, {}]));
        const requested = await this.client.call('POST', `${agent.rbm_agent}:requestLaunch`, {
          body: { agentLaunch: { rcsBusinessMessaging: { launchDetails } } },
        });
        if (!requested.ok) return step(requested);
        const observed = launchStates(requested.body);
        if (observed === undefined) return step(malformed('The launch Google answered has no launchDetails.'));
        await this.setAgent(agent.id, {
          launch_requested: 1,
          work: 'poll',
          due_at: this.later(POLL_FIRST_MS),
          attempts: 0,
          quiet_polls: 0,
          last_error: null,
          updated_at: nowInstant(),
        });
        await this.recordLaunch(agent.id, observed);
        return;
      }
      await this.setAgent(agent.id, { work: 'poll', due_at: nowInstant(), attempts: 0, last_error: null });
      return;
    }

    if (agent.work === 'poll' && agent.rbm_agent !== null) {
      const launch = await this.client.call('GET', `${agent.rbm_agent}/launch`);
      if (!launch.ok) return step(launch);
      const observed = launchStates(launch.body);
      if (observed === undefined) return step(malformed('The launch Google answered has no launchDetails.'));
      const changed = await this.recordLaunch(agent.id, observed);
      const quiet = changed ? 0 : agent.quiet_polls + 1;
      await this.setAgent(agent.id, {
        quiet_polls: quiet,
        attempts: 0,
        last_error: null,
        due_at: this.later(this.pollDelay(quiet)),
      });
    }
  }

  /** The brand with this display name, as `{ok, body}`; undefined when Google has none. */
  private async findBrand(displayName: string): Promise<ProviderAnswer | undefined> {
    let pageToken: string | undefined;
    for (let page = 0; page < 50; page++) {
      const listed = await this.client.call('GET', 'brands', {
        query: { pageSize: '100', ...(pageToken !== undefined && { pageToken }) },
      });
      if (!listed.ok) return listed;
      const brands = Array.isArray(listed.body.brands) ? listed.body.brands : [];
      const brand = brands.find(
        (entry): entry is Record<string, unknown> =>
          typeof entry === 'object' && entry !== null && (entry as Record<string, unknown>).displayName === displayName,
      );
      if (brand !== undefined) return { ok: true, body: brand };
      pageToken = typeof listed.body.nextPageToken === 'string' ? listed.body.nextPageToken : undefined;
      if (pageToken === undefined || pageToken === '') return undefined;
    }
    return undefined;
  }

  private async recordLaunch(agentId: number, observed: CarrierObservation[]): Promise<boolean> {
    return transact(this.db, async (trx) => {
      const held = await trx
        .updateTable('messaging_agent')
        .set({ lease_until: new Date(Date.now() + this.leaseMs).toISOString() })
        .where('id', '=', agentId)
        .where('lease_owner', '=', this.owner)
        .executeTakeFirst();
      if (Number(held.numUpdatedRows) !== 1) throw new LeaseLost();
      return recordCarrierStates(trx, agentId, observed);
    });
  }

  private async recordTester(
    testerId: number,
    state: 'accepted' | 'declined' | 'expired' | 'unreachable',
    reason: string | null,
  ) {
    await transact(this.db, async (trx) => {
      const held = await trx
        .updateTable('messaging_tester')
        .set({ lease_until: new Date(Date.now() + this.leaseMs).toISOString() })
        .where('id', '=', testerId)
        .where('lease_owner', '=', this.owner)
        .executeTakeFirst();
      if (Number(held.numUpdatedRows) !== 1) throw new LeaseLost();
      await recordTesterState(trx, testerId, state, reason);
    });
  }

  private async runTester(tester: MessagingTesterRow): Promise<void> {
    const agent = await this.db
      .selectFrom('messaging_agent')
      .select(['rbm_agent', 'state'])
      .where('id', '=', tester.agent_id)
      .executeTakeFirstOrThrow();
    if (agent.rbm_agent === null) return;
    const agentId = agentIdOf(agent.rbm_agent);
    if (tester.work === 'invite') {
      const invited = await this.client.call('POST', 'testers', { body: { phoneNumber: tester.phone, agentId } });
      if (!invited.ok) {
        if (invited.retry) return this.setTester(tester.id, this.failureFields(invited, tester.attempts));
        // Google cannot reach the number over RCS (or refuses it): no invitation was sent.
        return this.recordTester(tester.id, 'unreachable', invited.error.message);
      }
      const status = typeof invited.body.inviteStatus === 'string' ? invited.body.inviteStatus : undefined;
      if (status === undefined)
        return this.setTester(
          tester.id,
          this.failureFields(malformed('The tester Google answered has no inviteStatus.'), tester.attempts),
        );
      await this.setTester(tester.id, {
        invited_at: nowInstant(),
        work: 'poll',
        due_at: this.later(POLL_FIRST_MS),
        attempts: 0,
        quiet_polls: 0,
        last_error: null,
      });
      const answered = testerStateOf(status);
      if (answered !== undefined) await this.recordTester(tester.id, answered, null);
      return;
    }
    const read = await this.client.call('GET', `testers/${tester.phone}`, { query: { agentId } });
    if (!read.ok) {
      // Google forgets an invitation left unanswered: it expired.
      if (read.error.code === 'NOT_FOUND') return this.recordTester(tester.id, 'expired', read.error.message);
      if (read.retry) return this.setTester(tester.id, this.failureFields(read, tester.attempts));
      return this.setTester(tester.id, this.failureFields(read, tester.attempts));
    }
    const status = typeof read.body.inviteStatus === 'string' ? read.body.inviteStatus : undefined;
    if (status === undefined)
      return this.setTester(
        tester.id,
        this.failureFields(malformed('The tester Google answered has no inviteStatus.'), tester.attempts),
      );
    const answered = testerStateOf(status);
    if (answered !== undefined) return this.recordTester(tester.id, answered, null);
    const quiet = tester.quiet_polls + 1;
    await this.setTester(tester.id, {
      quiet_polls: quiet,
      attempts: 0,
      last_error: null,
      due_at: this.later(this.pollDelay(quiet)),
    });
  }
}

/** The brand's display name: the environment's name and id, so a brand created by a lost call is found again. */
function brandDisplayName(agent: MessagingAgentRow): string {
  return `${agent.name} · causerie-env-${agent.id}`;
}

function malformed(message: string): ProviderFailure {
  return { ok: false, retry: true, error: { code: 'malformed_answer', message } };
}

/** `rcsBusinessMessaging.launchDetails` of an AgentLaunch as carrier observations; undefined when it is missing. */
function launchStates(body: Record<string, unknown>): CarrierObservation[] | undefined {
  const rbm = body.rcsBusinessMessaging;
  const details = typeof rbm === 'object' && rbm !== null ? (rbm as Record<string, unknown>).launchDetails : undefined;
  if (typeof details !== 'object' || details === null || Array.isArray(details)) return undefined;
  const observed: CarrierObservation[] = [];
  for (const [region, launch] of Object.entries(details as Record<string, unknown>)) {
    const entry = typeof launch === 'object' && launch !== null ? (launch as Record<string, unknown>) : {};
    const state = typeof entry.launchState === 'string' ? carrierStateOf(entry.launchState) : undefined;
    if (state === undefined) continue;
    observed.push({
      carrier: region.replace(/^\/v1\/regions\//, ''),
      state,
      reason: typeof entry.comment === 'string' ? entry.comment : null,
    });
  }
  return observed;
}

const workers = new WeakMap<AppContext, MessagingAgentWorker>();

/** The messaging worker of an application (one per built app; started and stopped by the messaging routes' plugin). */
export function messagingAgentWorker(
  context: AppContext,
  report: (error: unknown, message: string) => void = () => undefined,
): MessagingAgentWorker {
  let worker = workers.get(context);
  if (worker === undefined) {
    worker = new MessagingAgentWorker(context.db, context.outbound, context.config, report);
    workers.set(context, worker);
  }
  return worker;
}
