// The statistics benchmark's history: months of one client's activity written in bulk, the same for a given scale and
// end day (a seeded generator). Operators work shifts (presence sessions, availability intervals, a chat limit that
// changes for some mid-way); visitors start conversations through the day, which the available operators of their
// website take (held until closed, never beyond their limit), or which wait in the queue and are answered, abandoned
// or missed (busy), or find nobody (missed offline). Messages alternate visitor and operator with human delays;
// surveys and sales follow answered conversations; rule displays and triggers are hourly counters.
import type { BulkWriter, Row } from './bulk.js';

export interface HistoryScale {
  conversations: number;
  surveys: number;
  sales: number;
  days: number;
}

export interface SeededOperator {
  id: number;
  groupId: number;
  skillIds: readonly number[];
  websiteIds: readonly number[];
  /** Their chat limit today (the API's chat_max_number); operators with `capacityRaisedMidway` had one less before. */
  chatMax: number;
  capacityRaisedMidway: boolean;
}

export interface SeededTenant {
  clientId: number;
  websiteIds: readonly number[];
  skillIds: readonly number[];
  operators: readonly SeededOperator[];
}

export interface History {
  /** First instant of the history (ISO, a UTC midnight) and the instant it ends (the following day's midnight). */
  from: string;
  to: string;
  /** Rows written per table. */
  rows: Record<string, number>;
  outcomes: Record<string, number>;
  /** A weekday in the middle of the history (YYYY-MM-DD), for the one-day query. */
  busyDay: string;
  seconds: number;
}

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;
const MINUTE_MS = 60_000;
/** The gateway's maximum wait in the queue: longer is `missed_busy`. */
const MAX_WAIT_MS = 300_000;
/** Rows buffered before they are written (messages are the bulk: ~5 per conversation). */
const FLUSH_ROWS = 200_000;
/** Conversations per visitor (visitors come back). */
const CONVERSATIONS_PER_VISITOR = 2;
const PAGE_TYPES = ['home', 'product', 'category', 'cart', 'checkout'] as const;
/** Relative traffic of each website: a few busy shops and a long tail. */
const WEBSITE_WEIGHTS = [30, 20, 15, 10, 8, 6, 4, 3, 2, 2];
/** Relative traffic of each UTC hour of a day. */
const HOUR_WEIGHTS = [
  0.15, 0.1, 0.1, 0.1, 0.1, 0.15, 0.3, 0.6, 1.0, 1.6, 1.6, 1.6, 1.3, 1.3, 1.5, 1.5, 1.5, 1.5, 1.1, 0.8, 0.5, 0.4, 0.3,
  0.2,
];
/** Share of the conversations an available operator could take that still wait in the queue (every slot taken). */
const QUEUED_SHARE = 0.25;
const TEXTS_VISITOR = [
  'Hello, I have a question about my order.',
  'Is this item available in blue?',
  'When will my parcel arrive?',
  'Can I change the delivery address?',
  'Thanks, that helps.',
  'Do you ship abroad?',
];
const TEXTS_OPERATOR = [
  'Hello! Let me check that for you.',
  'Yes, it is in stock and ships tomorrow.',
  'Your parcel is on its way, arriving Thursday.',
  'Done, the address is updated.',
  'You are welcome, have a nice day!',
  'We ship to the whole European Union.',
];

/** mulberry32: small, fast, and the same sequence for the same seed on every machine. */
function prng(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const iso = (ms: number) => new Date(ms).toISOString();

interface Interval {
  start: number;
  end: number;
}

interface OperatorDay {
  operator: SeededOperator;
  sessions: Interval[];
  available: Interval[];
  capacity: number;
}

/** Tables and columns that exist depend on which migrations of issue 17 are on the tree. */
interface Schema {
  contactType: boolean;
  problems: boolean;
  presenceHistory: boolean;
  targetingRules: boolean;
  ruleCounters: boolean;
}

async function schemaOf(writer: BulkWriter): Promise<Schema> {
  const conversation = await writer.columns('conversation');
  return {
    contactType: conversation.has('contact_type'),
    problems: conversation.has('problem_reported_at'),
    presenceHistory:
      (await writer.columns('availability_interval')).size > 0 &&
      (await writer.columns('conversation_holding')).size > 0 &&
      (await writer.columns('operator_capacity')).size > 0,
    targetingRules: (await writer.columns('targeting_rule')).size > 0,
    ruleCounters: (await writer.columns('targeting_rule_counter')).size > 0,
  };
}

/** Rows waiting to be written, per table, with their columns. */
class Buffers {
  private readonly tables = new Map<string, { columns: readonly string[]; rows: Row[] }>();
  readonly written: Record<string, number> = {};
  private pending = 0;

  constructor(
    private readonly writer: BulkWriter,
    /** Tables in the order they are written (what others refer to first). */
    private readonly order: readonly string[],
  ) {}

  async add(table: string, columns: readonly string[], row: Row): Promise<void> {
    let buffer = this.tables.get(table);
    if (buffer === undefined) {
      buffer = { columns, rows: [] };
      this.tables.set(table, buffer);
    }
    buffer.rows.push(row);
    if (++this.pending >= FLUSH_ROWS) await this.flush();
  }

  async flush(): Promise<void> {
    for (const table of this.order) {
      const buffer = this.tables.get(table);
      if (buffer === undefined || buffer.rows.length === 0) continue;
      await this.writer.insert(table, buffer.columns, buffer.rows);
      this.written[table] = (this.written[table] ?? 0) + buffer.rows.length;
      buffer.rows = [];
    }
    this.pending = 0;
  }
}

const CONVERSATION_COLUMNS = [
  'id',
  'client_id',
  'website_id',
  'channel',
  'source',
  'visitor_id',
  'operator_id',
  'skill_id',
  'rule_id',
  'page_type',
  'status',
  'operator_answer',
  'operator_closed',
  'waitinglist',
  'xmpp_id',
  'last_seq',
  'created_at',
  'answered_at',
  'closed_at',
  'updated_at',
  'queued_at',
  'assigned_at',
  'outcome',
  'wait_ms',
  'visitor_read_seq',
  'operator_read_seq',
] as const;
const MESSAGE_COLUMNS = ['conversation_id', 'seq', 'kind', 'operator_id', 'body', 'created_at'];
const HOLDING_COLUMNS = [
  'client_id',
  'website_id',
  'conversation_id',
  'operator_id',
  'channel',
  'started_at',
  'ended_at',
];
const SURVEY_COLUMNS = [
  'client_id',
  'website_id',
  'conversation_id',
  'operator_id',
  'note_welcome',
  'note_delay',
  'note_resolution',
  'comment',
  'created_at',
];
const SALE_COLUMNS = [
  'client_id',
  'website_id',
  'external_id',
  'visitor_id',
  'visitor_uid',
  'amount',
  'currency',
  'operator_id',
  'conversation_id',
  'created_at',
];
const WRITE_ORDER = [
  'conversation',
  'conversation_message',
  'conversation_holding',
  'satisfaction',
  'sale',
  'presence_session',
  'availability_interval',
  'targeting_rule_counter',
];

/** Picks an index by weight. */
function weighted(random: () => number, cumulative: readonly number[]): number {
  const total = cumulative[cumulative.length - 1] ?? 1;
  const target = random() * total;
  let low = 0;
  let high = cumulative.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if ((cumulative[middle] ?? 0) > target) high = middle;
    else low = middle + 1;
  }
  return low;
}

const cumulate = (weights: readonly number[]) => {
  let sum = 0;
  return weights.map((weight) => (sum += weight));
};

const between = (random: () => number, low: number, high: number) => low + Math.floor(random() * (high - low + 1));
const pick = <T>(random: () => number, items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;

/** The shifts of one operator on one day (UTC): two sessions around a lunch break, a short pause in each. */
function operatorDay(random: () => number, index: number, dayStart: number): Interval[][] {
  // Not index % 3: the websites an operator serves follow it (statistics.ts), every website needs every shift.
  const shiftStartHour = [7, 10, 13][Math.floor(index / 3) % 3] ?? 10;
  const start = dayStart + shiftStartHour * HOUR_MS + between(random, -20, 20) * MINUTE_MS;
  const lunch = start + 4 * HOUR_MS + between(random, -15, 15) * MINUTE_MS;
  const lunchEnd = lunch + between(random, 30, 45) * MINUTE_MS;
  const end = start + 8.5 * HOUR_MS + between(random, -15, 20) * MINUTE_MS;
  const sessions = [
    { start, end: lunch },
    { start: lunchEnd, end },
  ];
  const available: Interval[] = [];
  for (const session of sessions) {
    const from = session.start + between(random, 1, 3) * MINUTE_MS;
    const to = session.end - between(random, 1, 3) * MINUTE_MS;
    const pause = from + Math.floor((to - from) * (0.3 + 0.4 * random()));
    const pauseEnd = pause + between(random, 5, 15) * MINUTE_MS;
    available.push({ start: from, end: pause }, { start: pauseEnd, end: to });
  }
  return [sessions, available];
}

/** A weekday in the second half of the history (YYYY-MM-DD). */
export function middleWeekday(startMs: number, days: number): string {
  for (let day = Math.floor(days / 2); day < days; day++) {
    const weekday = new Date(startMs + day * DAY_MS).getUTCDay();
    if (weekday !== 0 && weekday !== 6) return iso(startMs + day * DAY_MS).slice(0, 10);
  }
  return iso(startMs).slice(0, 10);
}

/** Writes the history; the tenant's websites, skills, groups and operators exist already. */
export async function writeHistory(
  writer: BulkWriter,
  tenant: SeededTenant,
  scale: HistoryScale,
  endMs: number,
): Promise<History> {
  const started = Date.now();
  const random = prng(17);
  const schema = await schemaOf(writer);
  const startMs = endMs - scale.days * DAY_MS;
  const midwayMs = startMs + Math.floor(scale.days / 2) * DAY_MS;
  const clientId = tenant.clientId;
  const websites = tenant.websiteIds;
  const websiteCumulative = cumulate(websites.map((_, index) => WEBSITE_WEIGHTS[index] ?? 1));
  const hourCumulative = cumulate(HOUR_WEIGHTS);
  const buffers = new Buffers(writer, ['visitor', 'visitor_website', 'targeting_rule', ...WRITE_ORDER]);
  const outcomes: Record<string, number> = {};

  // Rules: a button and two invitations per website.
  const rulesOfWebsite = new Map<number, { button: number; invitations: number[] }>();
  if (schema.targetingRules) {
    const firstRule = (await writer.maxId('targeting_rule')) + 1;
    const created = iso(startMs - DAY_MS);
    const rules: Row[] = [];
    websites.forEach((websiteId, index) => {
      const ids = [0, 1, 2].map((n) => firstRule + index * 3 + n);
      rulesOfWebsite.set(websiteId, { button: ids[0] ?? 0, invitations: ids.slice(1) });
      const rule = (n: number, name: string, pageType: string, action: string, message: string | null): Row => [
        ids[n],
        clientId,
        websiteId,
        name,
        'chat',
        'active',
        n + 1,
        JSON.stringify({ match: 'all', list: [{ type: 'page_type', operator: 'equals', value: pageType }] }),
        action,
        message,
        message === null ? null : 20,
        message === null ? 0 : 1,
        created,
        created,
        null,
      ];
      rules.push(
        rule(0, 'Chat button', 'product', 'button', null),
        rule(1, 'Cart invitation', 'cart', 'invitation', 'Need help with your order?'),
        rule(2, 'Checkout invitation', 'checkout', 'invitation', 'Any question before you pay?'),
      );
    });
    await writer.insert(
      'targeting_rule',
      [
        'id',
        'client_id',
        'website_id',
        'name',
        'channel',
        'status',
        'priority',
        'conditions',
        'action',
        'invitation_message',
        'invitation_delay_seconds',
        'only_when_available',
        'created_at',
        'updated_at',
        'deleted_at',
      ],
      rules,
    );
    await writer.resetSequence('targeting_rule');
  }

  // Visitors: each belongs to one website (visitor index modulo the websites).
  const firstVisitor = (await writer.maxId('visitor')) + 1;
  const visitorCount = Math.max(websites.length, Math.ceil(scale.conversations / CONVERSATIONS_PER_VISITOR));
  const visitorsPerWebsite = Math.floor(visitorCount / websites.length);
  {
    const created = iso(startMs);
    const visitors: Row[] = [];
    const links: Row[] = [];
    for (let index = 0; index < visitorsPerWebsite * websites.length; index++) {
      const id = firstVisitor + index;
      visitors.push([
        id,
        clientId,
        `bench-${id}`,
        `Visitor ${index}`,
        `visitor${index}@mail.example`,
        created,
        created,
      ]);
      links.push([id, websites[index % websites.length]]);
    }
    await writer.insert(
      'visitor',
      ['id', 'client_id', 'unique_id', 'lastname', 'email', 'created_at', 'updated_at'],
      visitors,
    );
    await writer.insert('visitor_website', ['visitor_id', 'website_id'], links);
    await writer.resetSequence('visitor');
    buffers.written.visitor = visitors.length;
    buffers.written.visitor_website = links.length;
  }
  const visitorOf = (websiteIndex: number) =>
    firstVisitor + websiteIndex + websites.length * Math.floor(random() * visitorsPerWebsite);

  // Chat limits over time: the value before the midway raise, then today's.
  if (schema.presenceHistory) {
    const rows: Row[] = [];
    for (const operator of tenant.operators) {
      const before = operator.capacityRaisedMidway ? operator.chatMax - 1 : operator.chatMax;
      rows.push([clientId, operator.id, before, iso(startMs - DAY_MS)]);
      if (operator.capacityRaisedMidway) rows.push([clientId, operator.id, operator.chatMax, iso(midwayMs)]);
    }
    await writer.insert('operator_capacity', ['client_id', 'operator_id', 'chat_max_number', 'started_at'], rows);
    buffers.written.operator_capacity = rows.length;
  }

  // Conversations per day: weekends are quieter; the last day takes what rounding left.
  const dayWeights = Array.from({ length: scale.days }, (_, day) => {
    const weekday = new Date(startMs + day * DAY_MS).getUTCDay();
    return weekday === 0 ? 0.35 : weekday === 6 ? 0.5 : 1;
  });
  const weightSum = dayWeights.reduce((sum, weight) => sum + weight, 0);
  const perDay = dayWeights.map((weight) => Math.floor((scale.conversations * weight) / weightSum));
  perDay[perDay.length - 1] =
    (perDay[perDay.length - 1] ?? 0) + scale.conversations - perDay.reduce((a, b) => a + b, 0);
  // Surveys and linked sales are drawn among answered conversations, at the rate that reaches the counts asked for
  // given what is left (about 84 % of the conversations are answered).
  const linkedSales = Math.floor(scale.sales / 2);
  let surveysWritten = 0;
  let linkedSalesWritten = 0;
  const chanceOf = (wanted: number, written: number, conversationsLeft: number) =>
    Math.min(1, Math.max(0, wanted - written) / Math.max(1, conversationsLeft * 0.84));
  const unlinkedSales = scale.sales - linkedSales;
  let unlinkedWritten = 0;

  const firstConversation = (await writer.maxId('conversation')) + 1;
  let conversationId = firstConversation;
  let orderNumber = 0;
  const conversationColumns: string[] = [...CONVERSATION_COLUMNS];
  if (schema.contactType) conversationColumns.push('contact_type');
  if (schema.problems) conversationColumns.push('problem_reported_at', 'problem_reason', 'problem_operator_id');
  /** Operator id → end times of the conversations they hold (their load). */
  const holdings = new Map<number, number[]>();
  const loadOf = (operatorId: number, at: number) => {
    const ends = holdings.get(operatorId);
    if (ends === undefined) return 0;
    let load = 0;
    for (let index = ends.length - 1; index >= 0; index--) {
      if ((ends[index] ?? 0) > at) load++;
      else ends.splice(index, 1);
    }
    return load;
  };
  const hold = (operatorId: number, until: number) => {
    const ends = holdings.get(operatorId);
    if (ends === undefined) holdings.set(operatorId, [until]);
    else ends.push(until);
  };
  /** (website, hour, rule, page type) → rule conversations that hour, and how many found nobody. */
  const ruleContacts = new Map<string, { contacts: number; offline: number; busy: number }>();

  const sale = async (websiteId: number, visitorId: number, amountRandom: number, rest: Row) =>
    buffers.add('sale', SALE_COLUMNS, [
      clientId,
      websiteId,
      `order-${++orderNumber}`,
      visitorId,
      `bench-${visitorId}`,
      Math.round((15 + amountRandom * amountRandom * 400) * 100) / 100,
      'EUR',
      ...rest,
    ]);

  for (let day = 0; day < scale.days; day++) {
    const dayStart = startMs + day * DAY_MS;
    const weekday = new Date(dayStart).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    // Who works today: five days in seven, staggered; a third of the team at weekends.
    const team: OperatorDay[] = [];
    tenant.operators.forEach((operator, index) => {
      if ((day + index) % 7 >= 5 || (weekend && Math.floor(index / 9) % 3 !== 0)) return;
      const [sessions = [], available = []] = operatorDay(random, index, dayStart);
      const capacity = operator.capacityRaisedMidway && dayStart < midwayMs ? operator.chatMax - 1 : operator.chatMax;
      team.push({ operator, sessions, available, capacity });
    });
    for (const member of team) {
      for (const session of member.sessions)
        await buffers.add(
          'presence_session',
          ['client_id', 'operator_id', 'started_at', 'ended_at'],
          [clientId, member.operator.id, iso(session.start), iso(session.end)],
        );
      if (schema.presenceHistory)
        for (const interval of member.available)
          await buffers.add(
            'availability_interval',
            ['client_id', 'operator_id', 'channel', 'started_at', 'ended_at'],
            [clientId, member.operator.id, 'chat', iso(interval.start), iso(interval.end)],
          );
    }

    const times = Array.from(
      { length: perDay[day] ?? 0 },
      () => dayStart + weighted(random, hourCumulative) * HOUR_MS + Math.floor(random() * HOUR_MS),
    ).sort((a, b) => a - b);
    for (const createdMs of times) {
      const id = conversationId++;
      const websiteIndex = weighted(random, websiteCumulative);
      const websiteId = websites[websiteIndex] ?? 0;
      const visitorId = visitorOf(websiteIndex);
      const candidates = team.filter(
        (member) =>
          member.operator.websiteIds.includes(websiteId) &&
          member.available.some((interval) => interval.start <= createdMs && createdMs < interval.end),
      );
      // Who started it: mostly the visitor, a fifth through an invitation, a few by an operator.
      const typeRoll = random();
      let contactType =
        typeRoll < 0.2 ? 'proactive' : typeRoll < 0.24 && candidates.length > 0 ? 'outbound' : 'visitor';
      if (!schema.contactType && contactType === 'outbound') contactType = 'visitor';
      const rules = rulesOfWebsite.get(websiteId);
      let ruleId: number | null = null;
      let pageType: string | null = null;
      if (contactType === 'proactive') {
        pageType = random() < 0.5 ? 'cart' : 'checkout';
        ruleId =
          rules === undefined
            ? null
            : pageType === 'cart'
              ? (rules.invitations[0] ?? null)
              : (rules.invitations[1] ?? null);
      } else if (contactType === 'visitor') {
        pageType = random() < 0.7 ? pick(random, PAGE_TYPES) : null;
        if (rules !== undefined && pageType === 'product' && random() < 0.8) ruleId = rules.button;
      }

      let outcome: 'answered' | 'abandoned' | 'missed_busy' | 'missed_offline';
      let operator: OperatorDay | undefined;
      let queued = false;
      let waitMs = 0;
      if (candidates.length === 0) outcome = 'missed_offline';
      else {
        const free = candidates.filter((member) => loadOf(member.operator.id, createdMs) < member.capacity);
        if (free.length > 0 && (contactType === 'outbound' || random() >= QUEUED_SHARE)) {
          // Least loaded first, ties broken at random (the routing's least_loaded).
          let best = Number.POSITIVE_INFINITY;
          for (const member of free) {
            const load = loadOf(member.operator.id, createdMs) + random() * 0.5;
            if (load < best) {
              best = load;
              operator = member;
            }
          }
          outcome = 'answered';
          waitMs = contactType === 'outbound' ? 0 : between(random, 200, 4_000);
        } else {
          queued = true;
          const roll = random();
          if (roll < 0.12) {
            outcome = 'missed_busy';
            waitMs = MAX_WAIT_MS;
          } else if (roll < 0.4) {
            outcome = 'abandoned';
            waitMs = between(random, 15_000, MAX_WAIT_MS - 1_000);
          } else {
            outcome = 'answered';
            waitMs = between(random, 10_000, 240_000);
            operator = pick(random, candidates);
          }
        }
      }
      outcomes[outcome] = (outcomes[outcome] ?? 0) + 1;

      // Messages: the visitor opens (the operator for outbound), then turns alternate with human delays.
      const assignedMs = createdMs + waitMs;
      const messageTimes: { kind: 1 | 2; at: number }[] = [];
      let answeredMs: number | null = null;
      if (operator !== undefined) {
        const count = between(random, 4, 8);
        let at = createdMs;
        let kind: 1 | 2 = contactType === 'outbound' ? 1 : 2;
        for (let seq = 1; seq <= count; seq++) {
          if (seq > 1)
            at = Math.max(at, assignedMs) + (kind === 1 ? between(random, 8, 90) : between(random, 10, 150)) * 1000;
          if (kind === 1 && answeredMs === null) answeredMs = at;
          messageTimes.push({ kind, at });
          kind = kind === 1 ? 2 : 1;
        }
      } else {
        messageTimes.push({ kind: 2, at: createdMs });
        if (random() < 0.4) messageTimes.push({ kind: 2, at: createdMs + between(random, 5, 40) * 1000 });
      }
      const lastMessageMs = messageTimes[messageTimes.length - 1]?.at ?? createdMs;
      const closedMs =
        operator !== undefined
          ? lastMessageMs + between(random, 30, 300) * 1000
          : outcome === 'missed_offline'
            ? lastMessageMs + between(random, 60, 120) * 1000
            : Math.max(lastMessageMs, createdMs + waitMs) + 1000;
      const operatorId = operator?.operator.id ?? null;
      const skillId =
        random() < 0.7
          ? operator !== undefined
            ? pick(random, operator.operator.skillIds)
            : pick(random, tenant.skillIds)
          : null;
      const operatorClosed = operator !== undefined && random() < 0.6 ? 1 : 0;
      const lastSeq = messageTimes.length;
      const row: unknown[] = [
        id,
        clientId,
        websiteId,
        'chat',
        'web',
        visitorId,
        operatorId,
        skillId,
        ruleId,
        pageType,
        'closed',
        answeredMs === null ? 0 : 1,
        operatorClosed,
        queued ? 1 : 0,
        `bench-${id}@chat.bench.example`,
        lastSeq,
        iso(createdMs),
        answeredMs === null ? null : iso(answeredMs),
        iso(closedMs),
        iso(closedMs),
        queued ? iso(createdMs) : null,
        operator === undefined ? null : iso(assignedMs),
        outcome,
        waitMs,
        lastSeq,
        lastSeq,
      ];
      if (schema.contactType) row.push(contactType);
      if (schema.problems) {
        const problem = operator !== undefined && random() < 0.005;
        row.push(
          problem ? iso(closedMs - 30_000) : null,
          problem ? 'Abusive visitor' : null,
          problem ? operatorId : null,
        );
      }
      await buffers.add('conversation', conversationColumns, row);
      for (let index = 0; index < messageTimes.length; index++) {
        const message = messageTimes[index];
        if (message === undefined) continue;
        const fromOperator = message.kind === 1;
        await buffers.add('conversation_message', MESSAGE_COLUMNS, [
          id,
          index + 1,
          message.kind,
          fromOperator ? operatorId : null,
          fromOperator ? pick(random, TEXTS_OPERATOR) : pick(random, TEXTS_VISITOR),
          iso(message.at),
        ]);
      }
      if (operator !== undefined) {
        hold(operator.operator.id, closedMs);
        if (schema.presenceHistory)
          await buffers.add('conversation_holding', HOLDING_COLUMNS, [
            clientId,
            websiteId,
            id,
            operator.operator.id,
            'chat',
            iso(assignedMs),
            iso(closedMs),
          ]);
        const conversationsLeft = scale.conversations - (id - firstConversation);
        if (random() < chanceOf(scale.surveys, surveysWritten, conversationsLeft)) {
          surveysWritten++;
          const note = () => {
            const roll = random();
            return roll < 0.1 ? 1 : roll < 0.35 ? 2 : 3;
          };
          const surveyMs = Math.min(endMs - 1000, closedMs + between(random, 30, 600) * 1000);
          await buffers.add('satisfaction', SURVEY_COLUMNS, [
            clientId,
            websiteId,
            id,
            operatorId,
            note(),
            note(),
            note(),
            random() < 0.2 ? 'Quick and kind.' : '',
            iso(surveyMs),
          ]);
        }
        if (random() < chanceOf(linkedSales, linkedSalesWritten, conversationsLeft) && answeredMs !== null) {
          linkedSalesWritten++;
          // A third while the conversation lasts, the rest up to two days later (never after the history's end).
          const afterMs = closedMs + between(random, 5, 2_880) * MINUTE_MS;
          const saleMs =
            random() < 0.33 || afterMs >= endMs ? answeredMs + Math.floor(random() * (closedMs - answeredMs)) : afterMs;
          await sale(websiteId, visitorId, random(), [operatorId, id, iso(saleMs)]);
        }
      }
      if (ruleId !== null) {
        const key = `${websiteId}|${Math.floor(createdMs / HOUR_MS)}|${ruleId}|${pageType ?? ''}`;
        const counter = ruleContacts.get(key) ?? { contacts: 0, offline: 0, busy: 0 };
        counter.contacts++;
        if (outcome === 'missed_offline') counter.offline++;
        if (outcome === 'missed_busy') counter.busy++;
        ruleContacts.set(key, counter);
      }
    }

    // Sales without a conversation, spread like the traffic.
    const unlinkedToday =
      day === scale.days - 1
        ? unlinkedSales - unlinkedWritten
        : Math.floor((unlinkedSales * (dayWeights[day] ?? 0)) / weightSum);
    unlinkedWritten += unlinkedToday;
    for (let index = 0; index < unlinkedToday; index++) {
      const websiteIndex = weighted(random, websiteCumulative);
      const saleMs = dayStart + weighted(random, hourCumulative) * HOUR_MS + Math.floor(random() * HOUR_MS);
      await sale(websites[websiteIndex] ?? 0, visitorOf(websiteIndex), random(), [null, null, iso(saleMs)]);
    }
  }

  // Displays and triggers per hour: several displays per contact; triggers held back when nobody could answer.
  if (schema.ruleCounters)
    for (const [key, counter] of ruleContacts) {
      const [websiteId, hour, ruleId, pageType] = key.split('|');
      const displays = counter.contacts - counter.offline - counter.busy + between(random, 4, 12) * counter.contacts;
      const withheldOffline = counter.offline * between(random, 2, 4);
      const withheldBusy = counter.busy * between(random, 1, 3);
      await buffers.add(
        'targeting_rule_counter',
        [
          'client_id',
          'website_id',
          'hour',
          'channel',
          'rule_id',
          'page_type',
          'displays',
          'triggers',
          'withheld_busy',
          'withheld_offline',
        ],
        [
          clientId,
          Number(websiteId),
          iso(Number(hour) * HOUR_MS),
          'chat',
          Number(ruleId),
          pageType,
          displays,
          displays + withheldBusy + withheldOffline,
          withheldBusy,
          withheldOffline,
        ],
      );
    }
  await buffers.flush();
  await writer.resetSequence('conversation');
  // The planner's statistics, as a running database would have them.
  await writer.run('analyze');

  return {
    from: iso(startMs),
    to: iso(endMs),
    rows: buffers.written,
    outcomes,
    busyDay: middleWeekday(startMs, scale.days),
    seconds: Math.round((Date.now() - started) / 100) / 10,
  };
}
