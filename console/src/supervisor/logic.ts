// The supervisor view's reckoning, kept free of React so it is unit-tested: the answer of GET /api/2/supervision,
// durations ticking from the server's clock, each operator's load, and whom a conversation may be given to.

export type SupervisedStatus = 'waiting' | 'open';
export type LiveChannel = 'chat' | 'call' | 'video';
export const LIVE_CHANNELS: readonly LiveChannel[] = ['chat', 'call', 'video'];

export interface SupervisedConversation {
  id: number;
  website_id: number;
  website: string;
  channel: string;
  source: string;
  status: SupervisedStatus;
  visitor: { id: number; name: string | null; email: string | null };
  operator_id: number | null;
  operator_name: string | null;
  created_at: string;
  waiting_since: string | null;
  assigned_at: string | null;
  queue_position: number | null;
  estimated_wait_seconds: number | null;
  last_message: { from: 'visitor' | 'operator'; text: string; at: string } | null;
}

export interface ChannelLive {
  enabled: boolean;
  slot_number: number;
  slot_max_number: number;
  busy: boolean;
  available: boolean;
}

export interface SupervisedOperator {
  id: number;
  name: string;
  roles: string[];
  connected: boolean;
  website_list: number[];
  chat: ChannelLive;
  call: ChannelLive;
  video: ChannelLive;
}

export interface Supervision {
  server_time: string;
  conversations: SupervisedConversation[];
  operators: SupervisedOperator[];
}

export interface SupervisionFilter {
  websiteId: number | null;
  status: SupervisedStatus | null;
}

/** The query string of a filter (empty when it shows everything). */
export function supervisionQuery(filter: SupervisionFilter): string {
  const query = new URLSearchParams();
  if (filter.websiteId !== null) query.set('website_id', String(filter.websiteId));
  if (filter.status !== null) query.set('status', filter.status);
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

/** `YYYY-MM-DD HH:MM:SS` (UTC, as the API writes dates) in epoch milliseconds; NaN when it is not such a date. */
export function apiDateMillis(value: string): number {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/.exec(value);
  if (match === null) return Number.NaN;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  return Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0);
}

/**
 * How far this browser's clock is ahead of the server's, from an answer's `server_time` and when it arrived: durations
 * are counted on the server's clock, so a visitor waiting 10 s shows 0:10 whatever the supervisor's clock says.
 */
export function clockOffset(serverTime: string, receivedAt: number): number {
  const server = apiDateMillis(serverTime);
  return Number.isNaN(server) ? 0 : receivedAt - server;
}

/** Whole seconds from `since` to the browser's `now` corrected by `offset` (never negative). */
export function secondsSince(since: string, now: number, offset: number): number {
  const start = apiDateMillis(since);
  if (Number.isNaN(start)) return 0;
  return Math.max(0, Math.floor((now - offset - start) / 1000));
}

/** `0:07`, `12:30`, `1:02:03`: a running clock. */
export function formatDuration(totalSeconds: number): string {
  const seconds = Math.max(0, Math.floor(totalSeconds));
  const hours = Math.floor(seconds / 3600);
  const minutes = Math.floor((seconds % 3600) / 60);
  const rest = String(seconds % 60).padStart(2, '0');
  return hours > 0 ? `${hours}:${String(minutes).padStart(2, '0')}:${rest}` : `${minutes}:${rest}`;
}

/** When a row's clock starts: the wait of a waiting conversation, else the time since its operator got it. */
export function clockStart(conversation: SupervisedConversation): string {
  return conversation.waiting_since ?? conversation.assigned_at ?? conversation.created_at;
}

/** The conversations the filter keeps (the server filters too; this keeps the list right between two polls). */
export function applyFilter(
  conversations: readonly SupervisedConversation[],
  filter: SupervisionFilter,
): SupervisedConversation[] {
  return conversations.filter(
    (conversation) =>
      (filter.websiteId === null || conversation.website_id === filter.websiteId) &&
      (filter.status === null || conversation.status === filter.status),
  );
}

export type OperatorState = 'offline' | 'unavailable' | 'available' | 'full';

/** Where an operator stands on a channel: not connected, connected but not available, available, or at their limit. */
export function channelState(operator: SupervisedOperator, channel: LiveChannel): OperatorState {
  if (!operator.connected) return 'offline';
  const live = operator[channel];
  if (!live.available) return 'unavailable';
  return live.busy ? 'full' : 'available';
}

/** A live channel of the conversation, or null for the channels routing does not serve. */
export function liveChannelOf(channel: string): LiveChannel | null {
  return (LIVE_CHANNELS as readonly string[]).includes(channel) ? (channel as LiveChannel) : null;
}

export interface Candidate {
  operator: SupervisedOperator;
  state: OperatorState;
  /** False for an operator the server would refuse: not of the website, not connected, or not processing the channel. */
  eligible: boolean;
}

const STATE_ORDER: Record<OperatorState, number> = { available: 0, unavailable: 1, full: 2, offline: 3 };

/**
 * Whom a conversation may be given to, best first: operators of its website other than its current one, available
 * and least loaded first. The server decides over availability and chat limits for a supervisor, but the operator must
 * answer on the website, process the channel and be connected: the others are listed as not eligible.
 */
export function candidatesFor(
  conversation: SupervisedConversation,
  operators: readonly SupervisedOperator[],
): Candidate[] {
  const channel = liveChannelOf(conversation.channel) ?? 'chat';
  return operators
    .filter((operator) => operator.id !== conversation.operator_id)
    .filter((operator) => operator.website_list.includes(conversation.website_id))
    .map((operator) => {
      const state = channelState(operator, channel);
      return { operator, state, eligible: operator.connected && operator[channel].enabled };
    })
    .sort(
      (a, b) =>
        Number(b.eligible) - Number(a.eligible) ||
        STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
        a.operator[channel].slot_number - b.operator[channel].slot_number ||
        a.operator.name.localeCompare(b.operator.name),
    );
}

/** How many seconds until the next poll: short while the page is seen, slower in a background tab. */
export function pollDelayMs(visible: boolean): number {
  return visible ? 3_000 : 15_000;
}
