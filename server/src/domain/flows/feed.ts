// The flows' durable reading of the event log: each committed `commerce.order.created` starts the client's active
// order flows, and each customer message (`message.created` of a visitor on WhatsApp, SMS or RCS) resumes the run
// waiting for a reply in that conversation, or starts the flows whose keyword it is. The cursor, the ids below it not
// committed yet (PostgreSQL commits ids out of order, so a bare id cursor would skip them) and a lease are one row;
// the events' effects and the cursor's move commit together, so a crash reads them again and loses none (the loop is
// events/cursor-feed.ts, shared with the messenger; here its commits join the engine's commit group).
import type { Kysely, Transaction } from 'kysely';
import { dialectOf } from '../../db/dialect.js';
import { preparedQuery } from '../../db/prepared.js';
import type { Database } from '../../db/schema.js';
import type { CommitGroup } from '../../events/commit-group.js';
import { CursorFeed, type FedEvent } from '../../events/cursor-feed.js';
import { nowInstant } from '../../time.js';
import { presentOrder } from '../commerce/orders.js';
import { conversationAddress } from '../conversations/store.js';
import { type FlowDefinition, fillTemplate, type StepOf } from './definition.js';
import type { FlowTrigger } from './flows.js';
import { replyAt, replyOutput, replyVariables } from './replies.js';
import { startRun, versionDefinition } from './runs.js';
import { notifyFlowWork } from './signal.js';

type Tx = Transaction<Database>;

const FEED = 'flows';
const EVENT_BATCH = 2_000;
const TYPES: ReadonlySet<string> = new Set(['commerce.order.created', 'message.created']);
const MESSAGING_SOURCES: ReadonlySet<string> = new Set(['whatsapp', 'sms', 'rcs']);

/** An active flow with an `event` trigger, by the event types it starts on. */
interface EventFlow {
  id: number;
  clientId: number;
  version: number;
  userKey: string | undefined;
}

export class FlowEventFeed {
  /** Flows started by committed events, read once and again after a flow changes (the feed reads those events too). */
  private eventFlows: Map<string, EventFlow[]> | undefined;
  /** The cursor, its lease and the gaps it waits on (events/cursor-feed.ts). */
  private readonly cursor: CursorFeed;
  /** Whether the round being committed made a run due (the commit group may run a round's work again alone). */
  private woke = false;
  /** The event flows the round's events were picked by (read before its transaction, not inside it). */
  private roundFlows: Map<string, EventFlow[]> = new Map();
  /** Parsed definitions by version id (a reply's run): a version is never changed once written. */
  private readonly definitions = new Map<number, FlowDefinition>();

  constructor(
    private readonly db: Kysely<Database>,
    owner: string,
    /** The engine's commits: the feed's moves join its runs' steps in one flush on SQLite. */
    commits: CommitGroup,
  ) {
    this.cursor = new CursorFeed(db, FEED, owner, TYPES, (trx, events) => this.applyEvents(trx, events), {
      batch: EVENT_BATCH,
      commit: (work) => commits.run(work),
      // Another node reads the events meanwhile, flow changes among them: read the event flows again when leased.
      onLeaseLost: () => {
        this.eventFlows = undefined;
      },
      wants: async (read) => {
        // A flow created, changed or deleted may change which events start flows.
        if (read.some((event) => event.type.startsWith('flow.') && event.type !== 'flow.run.ended'))
          this.eventFlows = undefined;
        const eventFlows = await this.eventFlowsByType();
        this.roundFlows = eventFlows;
        return (type) => TYPES.has(type) || eventFlows.has(type);
      },
    });
  }

  private async eventFlowsByType(): Promise<Map<string, EventFlow[]>> {
    if (this.eventFlows !== undefined) return this.eventFlows;
    const rows = await this.db
      .selectFrom('flow')
      .select(['id', 'client_id', 'trigger', 'current_version'])
      .where('active', '=', 1)
      .where('deleted_at', 'is', null)
      .where('current_version', 'is not', null)
      .where('trigger', 'like', '%"event"%')
      .orderBy('id')
      .execute();
    const byType = new Map<string, EventFlow[]>();
    for (const row of rows) {
      const trigger = JSON.parse(row.trigger) as FlowTrigger;
      if (trigger.type !== 'event') continue;
      const flow = {
        id: row.id,
        clientId: row.client_id,
        version: Number(row.current_version),
        userKey: trigger.user_key,
      };
      for (const type of trigger.event_types) byType.set(type, [...(byType.get(type) ?? []), flow]);
    }
    this.eventFlows = byType;
    return byType;
  }

  /** Reads the next events if this node holds the feed's lease; answers whether there may be more at once. */
  async advance(): Promise<boolean> {
    this.woke = false;
    const more = await this.cursor.advance();
    if (this.woke) notifyFlowWork();
    return more;
  }

  /** The round's events, in the transaction that moves the cursor past them. */
  private async applyEvents(trx: Tx, events: readonly FedEvent[]): Promise<void> {
    const eventFlows = this.roundFlows;
    let woke = false;
    for (const event of events) {
      woke = (await this.apply(trx, event)) || woke;
      woke = (await this.startEventFlows(trx, event, eventFlows.get(event.type) ?? [])) || woke;
    }
    this.woke = woke;
  }

  /** One event's effect on flows; answers whether a run became due. */
  private async apply(trx: Tx, event: FedEvent): Promise<boolean> {
    if (event.client_id === null) return false;
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    if (event.type === 'commerce.order.created') return this.orderCreated(trx, event.client_id, payload);
    if (event.type === 'message.created' && payload.type === 'visitor')
      return this.customerMessage(trx, event.client_id, Number(payload.conversationId), Number(payload.seq));
    return false;
  }

  /** Starts the client's flows triggered by this event's type, the event in their `event` variable. */
  private async startEventFlows(trx: Tx, event: FedEvent, flows: readonly EventFlow[]): Promise<boolean> {
    const clientId = event.client_id;
    if (clientId === null || flows.length === 0) return false;
    const payload = JSON.parse(event.payload) as Record<string, unknown>;
    // Messages flows send are not customers': starting on them could make a flow answer itself forever.
    if (event.type === 'message.created' && payload.type !== 'visitor') return false;
    const variables = {
      event: {
        id: event.id,
        type: event.type,
        subject: { type: event.subject_type, id: event.subject_id },
        payload,
        at: event.created_at,
      },
    };
    let started = false;
    for (const flow of flows) {
      if (flow.clientId !== clientId) continue;
      const userKey =
        flow.userKey === undefined
          ? `${event.subject_type}:${event.subject_id}`
          : fillTemplate(flow.userKey, variables);
      await startRun(trx, {
        clientId,
        flowId: flow.id,
        version: flow.version,
        userKey: userKey === '' ? `${event.subject_type}:${event.subject_id}` : userKey.slice(0, 255),
        variables,
      });
      started = true;
    }
    return started;
  }

  private async flowsTriggeredBy(trx: Tx, clientId: number, type: FlowTrigger['type']) {
    const { rows: flows } = await activeFlows(trx, { clientId });
    return flows
      .map((flow) => ({
        id: flow.id,
        version: Number(flow.current_version),
        trigger: JSON.parse(flow.trigger) as FlowTrigger,
      }))
      .filter((flow) => flow.trigger.type === type);
  }

  private async orderCreated(trx: Tx, clientId: number, payload: Record<string, unknown>): Promise<boolean> {
    const flows = await this.flowsTriggeredBy(trx, clientId, 'order_created');
    if (flows.length === 0) return false;
    const row = await orderRow.first(trx, { id: Number(payload.orderId), clientId });
    if (row === undefined) return false;
    const order = presentOrder(row);
    for (const flow of flows)
      await startRun(trx, {
        clientId,
        flowId: flow.id,
        version: flow.version,
        userKey: order.user_key,
        variables: { order, ...(order.customer.phone !== undefined && { phone: order.customer.phone }) },
        orderId: order.id,
      });
    return true;
  }

  /** A customer wrote: the reply a run waits for in that conversation, or a keyword that starts flows. */
  private async customerMessage(trx: Tx, clientId: number, conversationId: number, seq: number): Promise<boolean> {
    const conversation = await conversationAddress.first(trx, { id: conversationId });
    if (conversation === undefined || !MESSAGING_SOURCES.has(conversation.source)) return false;
    const reply = await replyAt(trx, conversationId, seq);
    if (reply === undefined) return false;
    let waiting = trx
      .selectFrom('flow_run')
      .select(['id', 'version_id', 'variables', 'waiting_for'])
      .where('conversation_id', '=', conversationId)
      .where('state', '=', 'waiting')
      .orderBy('id');
    if (dialectOf(trx) === 'postgres') waiting = waiting.forUpdate();
    for (const run of await waiting.execute()) {
      const wait = JSON.parse(run.waiting_for ?? '{}') as {
        kind?: string;
        ordinal?: number;
        index?: number;
        afterSeq?: number;
      };
      if (wait.kind !== 'reply' || (wait.afterSeq ?? 0) >= seq) continue;
      const definition = await versionDefinition(this.definitions, trx, run.version_id);
      const index = wait.index ?? 0;
      const step = definition.steps[index] as StepOf<'wait_reply'>;
      const variables = { ...(JSON.parse(run.variables) as Record<string, unknown>), ...replyVariables(step, reply) };
      const next =
        step.next === undefined ? index + 1 : definition.steps.findIndex((candidate) => candidate.id === step.next);
      const at = nowInstant();
      await trx
        .updateTable('flow_run_step')
        .set({
          state: 'done',
          output: JSON.stringify(replyOutput(reply, conversationId)),
          ended_at: at,
        })
        .where('run_id', '=', run.id)
        .where('ordinal', '=', wait.ordinal ?? 0)
        .execute();
      await trx
        .updateTable('flow_run')
        .set({
          state: 'running',
          step_index: next,
          variables: JSON.stringify(variables),
          waiting_for: null,
          due_at: at,
          updated_at: at,
        })
        .where('id', '=', run.id)
        .where('state', '=', 'waiting')
        .execute();
      return true;
    }
    const keywordFlows = await this.flowsTriggeredBy(trx, clientId, 'keyword');
    const said = reply.text.trim().toLowerCase();
    let started = false;
    for (const flow of keywordFlows) {
      if (flow.trigger.type !== 'keyword') continue;
      if (!flow.trigger.keywords.some((keyword) => keyword.trim().toLowerCase() === said)) continue;
      await startRun(trx, {
        clientId,
        flowId: flow.id,
        version: flow.version,
        userKey: conversation.phone_number ?? `conversation:${conversationId}`,
        variables: {
          message: reply.text,
          ...(conversation.phone_number !== null && { phone: conversation.phone_number }),
        },
        conversationId,
      });
      started = true;
    }
    return started;
  }
}

/** A client's active flows that have a version, in order (their triggers are sorted out by the caller). */
const activeFlows = preparedQuery((db, p: { clientId: number }) =>
  db
    .selectFrom('flow')
    .select(['id', 'trigger', 'current_version'])
    .where('client_id', '=', p.clientId)
    .where('active', '=', 1)
    .where('deleted_at', 'is', null)
    .where('current_version', 'is not', null)
    .orderBy('id'),
);

const orderRow = preparedQuery((db, p: { id: number; clientId: number }) =>
  db.selectFrom('commerce_order').selectAll().where('id', '=', p.id).where('client_id', '=', p.clientId),
);
