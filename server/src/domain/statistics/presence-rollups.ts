// Presence measures of a client's hours, from its operators' connection, availability and holding intervals: the
// state of each operator on each live channel, second by second, summed per operator and united over operators.
import { HOUR_MS, hourOf, hourStartMs, type RollupKey, RollupRows } from './rollup-rows.js';

export const LIVE_CHANNELS = ['chat', 'call', 'video'] as const;
export type LiveChannel = (typeof LIVE_CHANNELS)[number];

/** An interval in epoch milliseconds; `end` null while it is still open (it runs until the computation's now). */
export interface Interval {
  operator_id: number;
  start: number;
  end: number | null;
}

export interface ChannelInterval extends Interval {
  channel: string;
}

export interface OperatorFact {
  id: number;
  group_id: number | null;
  skill_ids: readonly number[];
  website_ids: readonly number[];
  /** chat_max_number today: the capacity before the first recorded change. */
  chat_max_number: number;
}

export interface PresenceFacts {
  operators: readonly OperatorFact[];
  sessions: readonly Interval[];
  availability: readonly ChannelInterval[];
  holdings: readonly ChannelInterval[];
  /** Changes of chat_max_number: from `start` on, the capacity is `value`. */
  capacities: readonly { operator_id: number; start: number; value: number }[];
}

/** Measures an operator accumulates per hour and channel. */
interface OperatorHour {
  presence: number;
  nonOccupied: number;
  partial: number;
  full: number;
  unavailable: number;
  loadIntegral: number;
}

type Span = [number, number];

/** The channel whose load a holding adds to: messaging conversations are chat. */
function liveChannelOf(channel: string): LiveChannel | null {
  if (channel === 'call' || channel === 'video') return channel;
  if (channel === 'chat' || channel === 'social') return 'chat';
  return null;
}

/** Merges spans into disjoint ones, sorted. */
function union(spans: Span[]): Span[] {
  spans.sort((a, b) => a[0] - b[0]);
  const merged: Span[] = [];
  for (const [start, end] of spans) {
    const last = merged.at(-1);
    if (last !== undefined && start <= last[1]) last[1] = Math.max(last[1], end);
    else merged.push([start, end]);
  }
  return merged;
}

/** Seconds of disjoint spans per hour start. */
function secondsPerHour(spans: readonly Span[]): Map<number, number> {
  const perHour = new Map<number, number>();
  for (const [start, end] of spans) {
    for (let hour = hourStartMs(start); hour < end; hour += HOUR_MS) {
      const covered = Math.min(end, hour + HOUR_MS) - Math.max(start, hour);
      if (covered > 0) perHour.set(hour, (perHour.get(hour) ?? 0) + covered / 1000);
    }
  }
  return perHour;
}

interface OperatorTimeline {
  /** Per hour start, per channel. */
  hours: Map<number, Record<LiveChannel, OperatorHour>>;
  presence: Span[];
  production: Record<LiveChannel, Span[]>;
  presentation: Record<LiveChannel, Span[]>;
}

const emptyHour = (): OperatorHour => ({
  presence: 0,
  nonOccupied: 0,
  partial: 0,
  full: 0,
  unavailable: 0,
  loadIntegral: 0,
});

/** Walks one operator's state changes in [from, to) and sorts each elementary span into its states. */
function operatorTimeline(
  operator: OperatorFact,
  facts: { sessions: Interval[]; availability: ChannelInterval[]; holdings: ChannelInterval[] },
  capacities: readonly { start: number; value: number }[],
  from: number,
  to: number,
): OperatorTimeline {
  const clip = (interval: Interval): Span | null => {
    const start = Math.max(interval.start, from);
    const end = Math.min(interval.end ?? to, to);
    return end > start ? [start, end] : null;
  };
  const sessions = facts.sessions.map(clip).filter((span): span is Span => span !== null);
  const available = { chat: [] as Span[], call: [] as Span[], video: [] as Span[] };
  for (const interval of facts.availability) {
    const channel = liveChannelOf(interval.channel);
    const span = clip(interval);
    if (channel !== null && span !== null) available[channel].push(span);
  }
  const holdings = { chat: [] as Span[], call: [] as Span[], video: [] as Span[] };
  for (const interval of facts.holdings) {
    const channel = liveChannelOf(interval.channel);
    const span = clip(interval);
    if (channel !== null && span !== null) holdings[channel].push(span);
  }
  const points = new Set<number>([from, to]);
  for (const [start, end] of sessions) points.add(start).add(end);
  for (const channel of LIVE_CHANNELS) {
    for (const [start, end] of available[channel]) points.add(start).add(end);
    for (const [start, end] of holdings[channel]) points.add(start).add(end);
  }
  for (const capacity of capacities) if (capacity.start > from && capacity.start < to) points.add(capacity.start);
  for (let hour = hourStartMs(from) + HOUR_MS; hour < to; hour += HOUR_MS) points.add(hour);
  const sorted = [...points].sort((a, b) => a - b);

  const covers = (spans: readonly Span[], at: number) => spans.some(([start, end]) => start <= at && at < end);
  const count = (spans: readonly Span[], at: number) =>
    spans.reduce((n, [start, end]) => (start <= at && at < end ? n + 1 : n), 0);
  // The last change at or before the instant; before the first recorded change, the first recorded value held.
  const capacityAt = (at: number): number => {
    let value = capacities[0]?.value ?? operator.chat_max_number;
    for (const capacity of capacities) {
      if (capacity.start > at) break;
      value = capacity.value;
    }
    return value;
  };

  const timeline: OperatorTimeline = {
    hours: new Map(),
    presence: [],
    production: { chat: [], call: [], video: [] },
    presentation: { chat: [], call: [], video: [] },
  };
  for (let index = 0; index + 1 < sorted.length; index++) {
    const start = sorted[index] as number;
    const end = sorted[index + 1] as number;
    if (end <= start || !covers(sessions, start)) continue;
    const seconds = (end - start) / 1000;
    const hour = hourStartMs(start);
    let perChannel = timeline.hours.get(hour);
    if (perChannel === undefined) {
      perChannel = { chat: emptyHour(), call: emptyHour(), video: emptyHour() };
      timeline.hours.set(hour, perChannel);
    }
    timeline.presence.push([start, end]);
    for (const channel of LIVE_CHANNELS) {
      const state = perChannel[channel];
      state.presence += seconds;
      const load = count(holdings[channel], start);
      const isAvailable = covers(available[channel], start);
      const capacity = channel === 'chat' ? capacityAt(start) : 1;
      state.loadIntegral += load * seconds;
      if (load > 0) {
        if (load >= Math.max(capacity, 1)) state.full += seconds;
        else state.partial += seconds;
      } else if (isAvailable) state.nonOccupied += seconds;
      else state.unavailable += seconds;
      if (isAvailable || load > 0) timeline.production[channel].push([start, end]);
      if (isAvailable && load < capacity) timeline.presentation[channel].push([start, end]);
    }
  }
  return timeline;
}

/**
 * The presence rows of a client's hours [from, to): per operator, per group, per skill, per website (the operators
 * linked to it) and for the client (`resource` ''), on each live channel. Sums add operators up; `*_union_s` measure
 * the time at least one of them was in that state.
 */
export function presenceRollups(facts: PresenceFacts, from: number, to: number): RollupRows {
  const rows = new RollupRows();
  if (to <= from) return rows;
  const byOperator = <T extends { operator_id: number }>(list: readonly T[]) => {
    const map = new Map<number, T[]>();
    for (const item of list) {
      const entries = map.get(item.operator_id);
      if (entries === undefined) map.set(item.operator_id, [item]);
      else entries.push(item);
    }
    return map;
  };
  const sessions = byOperator(facts.sessions);
  const availability = byOperator(facts.availability);
  const holdings = byOperator(facts.holdings);
  const capacities = byOperator(facts.capacities);

  const timelines = new Map<number, OperatorTimeline>();
  for (const operator of facts.operators) {
    const own = sessions.get(operator.id);
    if (own === undefined) continue;
    const ownCapacities = (capacities.get(operator.id) ?? []).slice().sort((a, b) => a.start - b.start);
    timelines.set(
      operator.id,
      operatorTimeline(
        operator,
        {
          sessions: own,
          availability: availability.get(operator.id) ?? [],
          holdings: holdings.get(operator.id) ?? [],
        },
        ownCapacities,
        from,
        to,
      ),
    );
  }

  // Every group of operators rows are written for: the client, each operator, group, skill and website.
  const scopes: { resource: string; resourceId: string; operators: number[] }[] = [
    { resource: '', resourceId: '', operators: [] },
  ];
  const scopeIndex = new Map<string, number[]>();
  const member = (resource: string, id: number | string, operatorId: number) => {
    const key = `${resource}|${id}`;
    let list = scopeIndex.get(key);
    if (list === undefined) {
      list = [];
      scopeIndex.set(key, list);
      scopes.push({ resource, resourceId: String(id), operators: list });
    }
    list.push(operatorId);
  };
  for (const operator of facts.operators) {
    if (!timelines.has(operator.id)) continue;
    scopes[0]?.operators.push(operator.id);
    member('operator', operator.id, operator.id);
    if (operator.group_id !== null) member('group', operator.group_id, operator.id);
    for (const skill of operator.skill_ids) member('skill', skill, operator.id);
    for (const website of operator.website_ids) member('website', website, operator.id);
  }

  for (const scope of scopes) {
    const members = scope.operators
      .map((id) => timelines.get(id))
      .filter((timeline): timeline is OperatorTimeline => timeline !== undefined);
    if (members.length === 0) continue;
    const presenceUnion = secondsPerHour(union(members.flatMap((timeline) => timeline.presence)));
    for (const channel of LIVE_CHANNELS) {
      const productionUnion = secondsPerHour(union(members.flatMap((timeline) => timeline.production[channel])));
      const presentationUnion = secondsPerHour(union(members.flatMap((timeline) => timeline.presentation[channel])));
      const keyOf = (hour: number): RollupKey => ({
        hour: hourOf(hour),
        channel,
        source: '*',
        resource: scope.resource,
        resource_id: scope.resourceId,
      });
      for (const timeline of members) {
        for (const [hour, perChannel] of timeline.hours) {
          const state = perChannel[channel];
          const key = keyOf(hour);
          rows.add(key, 'presence_s', state.presence);
          rows.add(key, 'non_occupied_s', state.nonOccupied);
          rows.add(key, 'partial_s', state.partial);
          rows.add(key, 'full_s', state.full);
          rows.add(key, 'unavailable_s', state.unavailable);
          rows.add(key, 'load_integral_s', state.loadIntegral);
        }
      }
      for (const [hour, value] of presenceUnion) rows.add(keyOf(hour), 'presence_union_s', value);
      for (const [hour, value] of productionUnion) rows.add(keyOf(hour), 'production_union_s', value);
      for (const [hour, value] of presentationUnion) rows.add(keyOf(hour), 'presentation_union_s', value);
    }
  }
  return rows;
}
