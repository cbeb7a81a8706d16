// Routing decisions as pure functions: who may take a conversation, who is chosen, queue positions and wait estimates.
//
// THE ROUTING ALGORITHM (live conversations of the web widget: chat, call, video)
//
// 1. Eligibility. An operator may be given a conversation of website W on channel C when the operator
//    - is not deleted and is linked to W (operator_website);
//    - has `C_enabled` and `C_available` set and is `connected`;
//    - has a free slot on C: the conversations on C with `operator_id` = the operator and status `waiting` or `open`
//      number less than `chat_max_number` for chat, less than 1 for call and video;
//    - is linked to the conversation's skill (operator_skill) when the conversation asks for one (`skill_id`).
//    Deliberately not considered: `chat_and_call` and `language_list` (no rule of the seeds ties them to routing yet).
//
// 2. Choice among the eligible, by the website's `routing_strategy` (null = `least_loaded`):
//    - first the higher `C_priority` (10 is served before 0), whatever the strategy;
//    - `least_loaded`: then the fewest conversations on C (waiting or open), then the longest idle: the oldest
//      `last_assigned_at` (never assigned first), then the lowest id;
//    - `round_robin`: then the oldest `last_assigned_at` (never assigned first), then the lowest id — every assignment
//      stamps `last_assigned_at`, so the operators take turns.
//
// 3. Queue. A conversation nobody can take waits (status `waiting`, `waitinglist` = 1, `queued_at`) when at least one
//    operator of W is connected and available on C (they are all busy, or none has the skill); when nobody is, the
//    request ends at once as `missed_offline` (the visitor's message is kept: a message left). The queue of a website
//    is served in `(queued_at, id)` order whenever a slot may have freed (a conversation closes, an operator connects,
//    becomes available or gets more slots) and also on every start: a newcomer is placed at the end of the queue and
//    the queue is served, so it never overtakes a visitor who waits for the same operators. A waiting conversation
//    that no free operator can take is skipped, not blocking the ones behind it (a skill nobody free has).
//
// 4. Position and estimate. A waiting conversation's position is 1 + the waiting conversations of the same website and
//    channel queued before it whose skill is none or the same as its own (those compete for the same operators).
//    Estimated wait in seconds = ceil(position × mean wait ÷ max(1, eligible connected operators) ÷ 1000), where the
//    mean wait is the average `wait_ms` of the website's conversations assigned after queueing in the last 24 hours
//    (60 s without such history) and the eligible connected operators are those of rule 1 without the slot condition.
//
// 5. Concurrency. Assigning takes the row locks of the candidate operators (PostgreSQL `FOR UPDATE`) and counts their
//    loads only once the locks are held, so concurrent starts on any number of nodes never exceed a slot limit: a
//    second transaction waits, then counts the first one's committed assignment. Each transaction locks its operators
//    in one statement, in id order (ranking them differently, two transactions locking one candidate after another
//    would each hold the operator the other wants next). Queue serving locks the waiting conversations with
//    `FOR UPDATE SKIP LOCKED`, so two nodes never assign the same one twice, and every assignment is also guarded by
//    `status = 'waiting'`. A transaction PostgreSQL aborts to break a deadlock with another writer runs again.
//    SQLite runs one transaction at a time and needs none of it (see locks.ts).
//
// 6. Outcomes (statistics read them): `answered` when an operator is assigned (the first operator message still sets
//    `operator_answer`), `missed_offline` when nobody was connected (at the start, or later when every operator left
//    a website with waiting visitors and the gateway's grace period ran out: missQueuedConversations), `missed_busy`
//    when a queued visitor waited longer than the gateway's maximum wait (expireQueuedConversations), `abandoned` when
//    the visitor left while waiting. `wait_ms` is the time from the request (`created_at`) to the assignment or to the
//    end of the wait.
import type { RoutingStrategy } from '../../db/schema.js';
import type { LiveChannel } from '../people/live-schema.js';

/** The strategy a website routes with: null (never set) is least loaded. */
export function strategyOf(stored: RoutingStrategy | null): RoutingStrategy {
  return stored ?? 'least_loaded';
}

export const ROUTING_STRATEGIES: readonly RoutingStrategy[] = ['least_loaded', 'round_robin'];

/** An operator's state on one channel, as read under lock. */
export interface ChannelState {
  /** Enabled and available on the channel (the operator is connected, linked to the website, not deleted). */
  ready: boolean;
  priority: number;
  /** Conversations on the channel waiting or open with this operator. */
  load: number;
  /** Simultaneous conversations allowed on the channel. */
  capacity: number;
}

/** What routing knows of one operator while it decides. */
export interface OperatorState {
  id: number;
  groupId: number | null;
  lastAssignedAt: string | null;
  skills: ReadonlySet<number>;
  channels: Record<LiveChannel, ChannelState>;
  /** Order of the assignments made to this operator in the running transaction (0: none), to take turns within one. */
  assignedInRun: number;
}

/** Slots of a channel: `chat_max_number` for chat, one call or video at a time. */
export function channelCapacity(channel: LiveChannel, chatMaxNumber: number): number {
  return channel === 'chat' ? chatMaxNumber : 1;
}

/** What a conversation asks of its operator. */
export interface RoutingRequest {
  channel: LiveChannel;
  skillId: number | null;
  /** An operator who may not take it (the one transferring it away). */
  excludeOperatorId?: number | null;
}

/** Rule 1: may this operator take this conversation now? */
export function isEligible(operator: OperatorState, request: RoutingRequest): boolean {
  const channel = operator.channels[request.channel];
  if (!channel.ready || channel.load >= channel.capacity) return false;
  if (request.skillId !== null && !operator.skills.has(request.skillId)) return false;
  return operator.id !== request.excludeOperatorId;
}

/** Longest idle first: never assigned, then the oldest `last_assigned_at`, then those assigned earlier in this run, then the lowest id. */
function compareIdle(a: OperatorState, b: OperatorState): number {
  if (a.lastAssignedAt !== b.lastAssignedAt) {
    if (a.lastAssignedAt === null) return -1;
    if (b.lastAssignedAt === null) return 1;
    return a.lastAssignedAt < b.lastAssignedAt ? -1 : 1;
  }
  return a.assignedInRun - b.assignedInRun || a.id - b.id;
}

/** Rule 2 as a comparator: the operator that sorts first is chosen. */
export function compareOperators(
  strategy: RoutingStrategy,
  channel: LiveChannel,
): (a: OperatorState, b: OperatorState) => number {
  return (a, b) => {
    const priority = b.channels[channel].priority - a.channels[channel].priority;
    if (priority !== 0) return priority;
    if (strategy === 'least_loaded') {
      const load = a.channels[channel].load - b.channels[channel].load;
      if (load !== 0) return load;
    }
    return compareIdle(a, b);
  };
}

/** The operator rule 2 chooses among those rule 1 admits, or undefined when nobody may take the conversation. */
export function chooseOperator(
  operators: readonly OperatorState[],
  request: RoutingRequest,
  strategy: RoutingStrategy,
): OperatorState | undefined {
  return operators
    .filter((operator) => isEligible(operator, request))
    .sort(compareOperators(strategy, request.channel))[0];
}

/** Records an assignment in the in-memory states, so the next decision of the same transaction sees it. */
export function noteAssignment(operator: OperatorState, channel: LiveChannel, at: string, run: number): void {
  operator.channels[channel].load += 1;
  operator.lastAssignedAt = at;
  operator.assignedInRun = run;
}

/** A conversation waiting in a queue, as positions are computed. */
export interface QueuedConversation {
  id: number;
  channel: string;
  skillId: number | null;
  queuedAt: string;
}

/** Queue order: `queued_at`, then id. */
export function compareQueued(
  a: Pick<QueuedConversation, 'id' | 'queuedAt'>,
  b: Pick<QueuedConversation, 'id' | 'queuedAt'>,
): number {
  if (a.queuedAt !== b.queuedAt) return a.queuedAt < b.queuedAt ? -1 : 1;
  return a.id - b.id;
}

/**
 * Rule 4 for a whole queue: the 1-based position of each waiting conversation. Within a channel, a conversation
 * without skill waits behind the earlier ones without skill; one asking for skill S behind the earlier ones without
 * skill or with S.
 */
export function queuePositions(waiting: readonly QueuedConversation[]): Map<number, number> {
  const positions = new Map<number, number>();
  const withoutSkill = new Map<string, number>();
  const withSkill = new Map<string, number>();
  for (const entry of [...waiting].sort(compareQueued)) {
    const plain = withoutSkill.get(entry.channel) ?? 0;
    if (entry.skillId === null) {
      positions.set(entry.id, plain + 1);
      withoutSkill.set(entry.channel, plain + 1);
    } else {
      const key = `${entry.channel}:${entry.skillId}`;
      const skilled = withSkill.get(key) ?? 0;
      positions.set(entry.id, plain + skilled + 1);
      withSkill.set(key, skilled + 1);
    }
  }
  return positions;
}

/** Mean wait assumed when a website has no queue history of the last 24 hours. */
export const DEFAULT_MEAN_WAIT_MS = 60_000;
/** How far back the mean wait looks. */
export const WAIT_HISTORY_MS = 24 * 60 * 60 * 1000;

/** Rule 4: estimated seconds before an operator takes the conversation. */
export function estimateWaitSeconds(position: number, meanWaitMs: number | null, eligibleOperators: number): number {
  const mean = meanWaitMs ?? DEFAULT_MEAN_WAIT_MS;
  return Math.ceil((position * mean) / Math.max(1, eligibleOperators) / 1000);
}

/** Milliseconds between two stored instants, never negative (clocks of two nodes may differ slightly). */
export function millisBetween(from: string, to: string): number {
  return Math.max(0, Date.parse(to) - Date.parse(from));
}
