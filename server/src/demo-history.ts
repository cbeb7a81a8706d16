// The demo's past month: operators' shifts, queued, abandoned and missed contacts, conversations on the web and on
// WhatsApp, surveys, sales and targeting counters, simulated from a seeded generator relative to now, written straight
// into the tables in one transaction (no events: history is not news), then the statistics rollups built once.
import type { Insertable, Kysely, Transaction } from 'kysely';
import type { Database, MessageKind } from './db/schema.js';
import { rebuildStatistics } from './domain/statistics/rebuild.js';
import { createTargetingRule } from './domain/targeting/commands.js';
import type { Principal } from './domain/tenancy/policy.js';
import { transact } from './events/transact.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** Whole days of history before today (today's morning comes on top, up to QUIET_BEFORE_NOW before now). */
export const HISTORY_DAYS = 30;
/** Nothing in the history happens later than this before now: the demo's own conversations stay the newest. */
const QUIET_BEFORE_NOW = 45 * MINUTE;
/** The gateway's maximum wait in the queue (realtime/plugin.ts): past it a queued conversation is missed as busy. */
const MAX_QUEUE_WAIT = 15 * MINUTE;
/** Bound values per insert statement: far below SQLite's and PostgreSQL's limits. */
const MAX_VALUES_PER_INSERT = 5_000;
const SEED = 0x5eed_2026;

export interface DemoStaff {
  id: number;
  /** Has the Billing skill: payment and invoice questions go to them only. */
  billing: boolean;
}

export interface DemoHistoryScope {
  clientId: number;
  websiteId: number;
  skillId: number;
  /** Ada, Grace, Alan: their working patterns are written below in this order. */
  staff: readonly [DemoStaff, DemoStaff, DemoStaff];
}

export interface DemoHistorySummary {
  conversations: number;
  messages: number;
  surveys: number;
  sales: number;
  presenceSessions: number;
  counterRows: number;
  rollupRows: number;
  ms: number;
}

// ——— A seeded generator: the same history for the same now ———

type Random = () => number;

/** mulberry32: small, fast and good enough for demo data; never for anything secret. */
function seeded(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

const between = (random: Random, min: number, max: number) => min + (max - min) * random();
const integer = (random: Random, min: number, max: number) => Math.floor(between(random, min, max + 1));
const chance = (random: Random, probability: number) => random() < probability;
function pick<T>(random: Random, list: readonly T[]): T {
  const item = list[Math.floor(random() * list.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}
const hex = (random: Random, length: number) =>
  Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');
const uuid = (random: Random) =>
  `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${pick(random, ['8', '9', 'a', 'b'])}${hex(random, 3)}-${hex(random, 12)}`;
const iso = (epochMs: number) => new Date(Math.round(epochMs)).toISOString();

// ——— What visitors talk about ———

interface Topic {
  path: string | null;
  pageType: string | null;
  billing: boolean;
  /** [kind, text]: 2 visitor, 1 operator; consecutive lines of one side form one turn. */
  lines: readonly (readonly [1 | 2, string])[];
}

const PRODUCTS = ['blue teapot', 'cast-iron kettle', 'tea tin', 'porcelain cup set', 'bamboo tray', 'glass infuser'];

const WEB_TOPICS: readonly Topic[] = [
  {
    path: '/orders',
    pageType: 'account',
    billing: false,
    lines: [
      [2, 'Hello, has my order {order} been sent?'],
      [1, 'Hello! Let me check that for you.'],
      [1, 'It left our warehouse this morning; the tracking link is in your email.'],
      [2, 'Perfect, thank you!'],
    ],
  },
  {
    path: '/products/{slug}',
    pageType: 'product',
    billing: false,
    lines: [
      [2, 'Is the {product} dishwasher safe?'],
      [1, 'Hi! Yes, on a gentle cycle.'],
      [2, 'Does it come in green?'],
      [1, 'It does, and the green one ships within two days.'],
      [2, 'Great, I will take it.'],
    ],
  },
  {
    path: '/products/{slug}',
    pageType: 'product',
    billing: false,
    lines: [
      [2, 'Do you still have the {product} in stock?'],
      [1, 'Let me look at the warehouse.'],
      [1, 'Yes, four left.'],
      [2, 'Thanks!'],
    ],
  },
  {
    path: '/help/returns',
    pageType: 'help',
    billing: false,
    lines: [
      [2, 'How do I return an item?'],
      [1, 'You have 30 days: print the label from your account and drop the parcel at any post office.'],
      [2, 'Do I pay for the return?'],
      [1, 'No, the label is free.'],
      [2, 'OK, thanks'],
    ],
  },
  {
    path: '/checkout',
    pageType: 'checkout',
    billing: true,
    lines: [
      [2, 'My card was refused at checkout.'],
      [1, 'Sorry about that! Which card do you use?'],
      [2, 'A Visa card.'],
      [1, 'Our bank had a hiccup a few minutes ago; could you try again?'],
      [2, 'It worked, thanks!'],
    ],
  },
  {
    path: '/account/invoices',
    pageType: 'account',
    billing: true,
    lines: [
      [2, 'I need an invoice for order {order} with my company name.'],
      [1, 'Of course, which name should it show?'],
      [2, 'Leaf & Co.'],
      [1, 'Done: the new invoice is in your account.'],
    ],
  },
  {
    path: '/cart',
    pageType: 'cart',
    billing: false,
    lines: [
      [2, 'Is there a discount for a first order?'],
      [1, 'Welcome! WELCOME10 takes 10% off your first order.'],
      [2, 'Thanks!'],
    ],
  },
];

const WHATSAPP_TOPICS: readonly Topic[] = [
  {
    path: null,
    pageType: null,
    billing: false,
    lines: [
      [2, 'Hi, my parcel {order} says delivered but it is not here'],
      [1, 'Hello! Sorry to hear that. Let me ask the carrier.'],
      [1, 'The driver left it with your neighbour at number 12.'],
      [2, 'Found it, thanks!'],
    ],
  },
  {
    path: null,
    pageType: null,
    billing: false,
    lines: [
      [2, 'Hello, can I change the address of order {order}?'],
      [1, 'Hi! It has not left yet, so yes: what is the new address?'],
      [2, '4 Rue des Lilas, Lyon'],
      [1, 'Changed. You will get a new confirmation email.'],
    ],
  },
];

const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0',
];
const FIRST_NAMES = ['Léa', 'Tom', 'Chloé', 'Hugo', 'Inès', 'Noah', 'Jade', 'Louis', 'Emma', 'Sam'];
const COUNTRIES = ['FR', 'FR', 'FR', 'BE', 'CH', 'GB', 'DE'];
const COMMENTS = [
  'Quick answer, thanks.',
  'Very helpful.',
  'Problem solved in a minute.',
  'I waited a bit, but the answer was clear.',
  'Friendly and precise.',
];
const PROBLEM_REASONS = ['The visitor was rude.', 'The order number given does not exist.', 'Spam.'];
const PRICES = [12.5, 19.9, 24.5, 34.9, 39, 49.9, 59.9, 79, 89.9, 129, 149.9];

// ——— Operators' days ———

type Span = [number, number];

interface Operator extends DemoStaff {
  sessions: Span[];
  available: Span[];
  /** Conversations held (assignment to close) that may still run: the simulated day's. */
  holding: Span[];
  /** Every conversation held over the month. */
  allHoldings: Span[];
  /** chat_max_number changes: from `at` on, `value`. */
  capacities: { at: number; value: number }[];
}

const covers = (spans: readonly Span[], at: number) => spans.some(([start, end]) => start <= at && at < end);
const loadAt = (operator: Operator, at: number) =>
  operator.holding.reduce((load, [start, end]) => (start <= at && at < end ? load + 1 : load), 0);
function capacityAt(operator: Operator, at: number): number {
  let value = operator.capacities[0]?.value ?? 2;
  for (const change of operator.capacities) if (change.at <= at) value = change.value;
  return value;
}
const ready = (operator: Operator, at: number) =>
  covers(operator.available, at) && loadAt(operator, at) < capacityAt(operator, at);

/**
 * One operator's shift: connected over `span`, available on chat a few minutes after logging in until a few minutes
 * before leaving, minus a break (connected, not available: the reports' "not in production").
 */
function workShift(random: Random, operator: Operator, span: Span, withBreak: boolean): void {
  const [start, end] = span;
  if (end - start < 20 * MINUTE) return;
  operator.sessions.push([start, end]);
  const from = start + between(random, 1, 5) * MINUTE;
  const to = end - between(random, 1, 4) * MINUTE;
  if (withBreak && to - from > 90 * MINUTE) {
    const pause = from + between(random, 0.35, 0.65) * (to - from);
    const back = pause + between(random, 10, 20) * MINUTE;
    operator.available.push([from, pause], [back, to]);
  } else operator.available.push([from, to]);
}

/** Weekdays: Ada in the morning, Grace in the middle of the day, Alan until the evening; one of them at weekends. */
function planDay(random: Random, operators: readonly Operator[], dayStart: number): void {
  const weekday = new Date(dayStart).getUTCDay();
  const at = (hours: number) => dayStart + hours * HOUR + between(random, -10, 10) * MINUTE;
  if (weekday === 0 || weekday === 6) {
    const onDuty = operators[weekday === 6 ? 1 : 2];
    if (onDuty !== undefined) workShift(random, onDuty, [at(10), at(16)], true);
    return;
  }
  const patterns: readonly (readonly [number, number])[][] = [
    [
      [8, 12.5],
      [13.5, 17.5],
    ],
    [
      [9, 13],
      [14, 18.5],
    ],
    [
      [11, 15],
      [15.5, 20],
    ],
  ];
  operators.forEach((operator, index) => {
    // Now and then someone is off.
    if (chance(random, 0.07)) return;
    const sessions = patterns[index] ?? [];
    sessions.forEach(([from, to], session) => {
      workShift(random, operator, [at(from), at(to)], session === (index === 0 ? 0 : 1));
    });
  });
}

/** Today until shortly before now: everyone on since the morning (or for the last 9 hours), Alan for the second half. */
function planToday(random: Random, operators: readonly Operator[], window: Span): void {
  const [from, to] = window;
  const [ada, grace, alan] = operators;
  if (ada) workShift(random, ada, [from, to], true);
  if (grace) workShift(random, grace, [from + 30 * MINUTE, to - 5 * MINUTE], true);
  if (alan) workShift(random, alan, [from + (to - from) / 2, to], false);
}

// ——— Conversations ———

interface Message {
  kind: MessageKind;
  at: number;
  body: string;
  operator: Operator | null;
}

interface Conversation {
  xmppId: string;
  visitorUid: string;
  source: 'web' | 'whatsapp';
  phone: string | null;
  userAgent: string | null;
  billing: boolean;
  ruleIndex: 0 | 1 | null;
  pageType: string | null;
  contactType: 'visitor' | 'proactive';
  createdAt: number;
  queuedAt: number | null;
  assignedAt: number | null;
  answeredAt: number | null;
  closedAt: number;
  operator: Operator | null;
  operatorClosed: boolean;
  outcome: 'answered' | 'abandoned' | 'missed_busy' | 'missed_offline';
  waitMs: number;
  messages: Message[];
  problem: { at: number; reason: string } | null;
}

interface Visitor {
  uid: string;
  firstSeen: number;
  firstname: string | null;
  phone: string | null;
  country: string;
  browser: string | null;
}

/** Arrival hours of the shop's visitors (07:00 to 21:00 UTC): a morning rise, a lunch peak and a quiet evening. */
const HOURLY_WEIGHTS = [1, 3, 5, 6, 6, 5, 6, 7, 6, 5, 4, 3, 2, 1];
const FIRST_HOUR = 7;

function arrivalTimes(random: Random, dayStart: number, count: number): number[] {
  const total = HOURLY_WEIGHTS.reduce((sum, weight) => sum + weight, 0);
  const times: number[] = [];
  for (let index = 0; index < count; index++) {
    let draw = random() * total;
    let hour = 0;
    while (hour < HOURLY_WEIGHTS.length - 1 && draw >= (HOURLY_WEIGHTS[hour] ?? 0)) {
      draw -= HOURLY_WEIGHTS[hour] ?? 0;
      hour++;
    }
    times.push(dayStart + (FIRST_HOUR + hour) * HOUR + random() * HOUR);
  }
  return times;
}

class HistoryWriter {
  readonly conversations: Conversation[] = [];
  readonly visitors = new Map<string, Visitor>();
  private readonly webVisitors: string[] = [];
  private readonly phoneVisitors: string[] = [];
  private orderNumber = 10_400;

  constructor(
    private readonly random: Random,
    private readonly operators: readonly Operator[],
    private readonly cutoff: number,
  ) {}

  private visitorFor(source: 'web' | 'whatsapp', at: number): Visitor {
    const random = this.random;
    const pool = source === 'web' ? this.webVisitors : this.phoneVisitors;
    if (pool.length > 5 && chance(random, 0.25)) {
      const known = this.visitors.get(pick(random, pool));
      if (known) return known;
    }
    const phone = source === 'whatsapp' ? `+447700900${String(integer(random, 100, 999))}` : null;
    const uid = phone !== null ? `whatsapp:${phone}` : hex(random, 45);
    const existing = this.visitors.get(uid);
    if (existing) return existing;
    const visitor: Visitor = {
      uid,
      firstSeen: at - between(random, 1, 20) * MINUTE,
      firstname: phone !== null ? pick(random, FIRST_NAMES) : null,
      phone,
      country: pick(random, COUNTRIES),
      browser: phone === null ? pick(random, ['Chrome', 'Safari', 'Firefox', 'Edge']) : null,
    };
    this.visitors.set(uid, visitor);
    pool.push(uid);
    return visitor;
  }

  /** Fills a topic's placeholders (an order number, a product) for one conversation. */
  private lines(topic: Topic): { kind: 1 | 2; text: string }[] {
    const product = pick(this.random, PRODUCTS);
    const order = String(this.orderNumber++);
    return topic.lines.map(([kind, text]) => ({
      kind,
      text: text.replace('{order}', order).replace('{product}', product),
    }));
  }

  /** The earliest instant in (at, at + limit] when an operator who may take it is ready, and who. */
  private firstFreeSlot(candidates: readonly Operator[], at: number, limit: number): [number, Operator] | null {
    const instants = new Set<number>();
    for (const operator of candidates) {
      for (const [, end] of operator.holding) if (end > at && end <= at + limit) instants.add(end);
      for (const [start] of operator.available) if (start > at && start <= at + limit) instants.add(start);
    }
    for (const instant of [...instants].sort((a, b) => a - b)) {
      const free = candidates.filter((operator) => ready(operator, instant));
      if (free.length > 0) return [instant, this.leastLoaded(free, instant)];
    }
    return null;
  }

  private leastLoaded(operators: readonly Operator[], at: number): Operator {
    const random = this.random;
    const loads = operators.map((operator) => loadAt(operator, at));
    const lowest = Math.min(...loads);
    return pick(
      random,
      operators.filter((_, index) => loads[index] === lowest),
    );
  }

  /** A visitor asks at `at`: routed as the live path does (assigned, queued then taken or given up, or missed). */
  arrive(at: number, options: { proactive: boolean }): void {
    const random = this.random;
    const source: 'web' | 'whatsapp' = !options.proactive && chance(random, 0.15) ? 'whatsapp' : 'web';
    const topic = options.proactive
      ? (WEB_TOPICS[1] as Topic)
      : source === 'whatsapp'
        ? pick(random, WHATSAPP_TOPICS)
        : pick(random, WEB_TOPICS);
    const visitor = this.visitorFor(source, at);
    const lines = this.lines(topic);
    const candidates = this.operators.filter((operator) => !topic.billing || operator.billing);
    const atCheckout = topic.pageType === 'checkout' || topic.pageType === 'cart';
    const ruleIndex = options.proactive ? 0 : atCheckout && chance(random, 0.6) ? 1 : null;
    const slug = pick(random, PRODUCTS).replaceAll(' ', '-');
    const conversation: Conversation = {
      xmppId: uuid(random),
      visitorUid: visitor.uid,
      source,
      phone: visitor.phone,
      userAgent: source === 'web' ? pick(random, USER_AGENTS) : null,
      billing: topic.billing,
      ruleIndex,
      pageType: topic.pageType,
      contactType: options.proactive ? 'proactive' : 'visitor',
      createdAt: at,
      queuedAt: null,
      assignedAt: null,
      answeredAt: null,
      closedAt: at,
      operator: null,
      operatorClosed: false,
      outcome: 'answered',
      waitMs: 0,
      messages: [],
      problem: null,
    };
    if (topic.path !== null)
      conversation.messages.push({
        kind: 5,
        at: at - between(random, 20, 240) * SECOND,
        body: `https://shop.causerie.test${topic.path.replace('{slug}', slug)}`,
        operator: null,
      });
    const first = lines[0];
    conversation.messages.push({ kind: 2, at, body: first?.text ?? 'Hello', operator: null });

    let assigned: [number, Operator] | null = null;
    const free = candidates.filter((operator) => ready(operator, at));
    if (free.length > 0) {
      assigned = [at + between(random, 0.2, 1.5) * SECOND, this.leastLoaded(free, at)];
    } else if (candidates.some((operator) => covers(operator.available, at))) {
      // Everyone who could take it is full: it waits in the queue, until a slot frees, the visitor leaves, or the
      // maximum wait runs out (missed, operators busy).
      conversation.queuedAt = at + 0.1 * SECOND;
      const patienceDraw = random();
      const patience =
        (patienceDraw < 0.55
          ? between(random, 20, 240)
          : patienceDraw < 0.8
            ? between(random, 240, 720)
            : between(random, 900, 1800)) * SECOND;
      assigned = this.firstFreeSlot(candidates, at, Math.min(patience, MAX_QUEUE_WAIT));
      if (assigned === null) {
        const gaveUp = patience < MAX_QUEUE_WAIT;
        conversation.outcome = gaveUp ? 'abandoned' : 'missed_busy';
        conversation.waitMs = Math.round(gaveUp ? patience : MAX_QUEUE_WAIT);
        conversation.closedAt = at + conversation.waitMs;
        if (conversation.waitMs > 90 * SECOND)
          conversation.messages.push({ kind: 2, at: at + 60 * SECOND, body: 'Hello? Anyone there?', operator: null });
      }
    } else {
      conversation.outcome = 'missed_offline';
      conversation.waitMs = Math.round(between(random, 50, 400));
      conversation.closedAt = at + conversation.waitMs;
    }
    if (assigned !== null) this.converse(conversation, lines, assigned, source);
    if (conversation.closedAt > this.cutoff) return;
    if (conversation.operator !== null) {
      const held: Span = [conversation.assignedAt ?? at, conversation.closedAt];
      conversation.operator.holding.push(held);
      conversation.operator.allHoldings.push(held);
    }
    this.conversations.push(conversation);
  }

  /** The exchange once an operator has it: replies after realistic delays, then closed by the operator or the visitor. */
  private converse(
    conversation: Conversation,
    lines: readonly { kind: 1 | 2; text: string }[],
    [assignedAt, operator]: [number, Operator],
    source: 'web' | 'whatsapp',
  ): void {
    const random = this.random;
    conversation.assignedAt = assignedAt;
    conversation.operator = operator;
    conversation.outcome = 'answered';
    conversation.waitMs = Math.round(assignedAt - conversation.createdAt);
    // A few visitors leave before the first reply: assigned, never answered.
    if (chance(random, 0.03)) {
      conversation.closedAt = assignedAt + between(random, 10, 40) * SECOND;
      return;
    }
    const visitorPace = source === 'whatsapp' ? 3 : 1;
    let clock = assignedAt;
    let previous: 1 | 2 = 2;
    for (const line of lines.slice(1)) {
      if (line.kind === 1) {
        clock +=
          (previous === 2
            ? chance(random, 0.15)
              ? between(random, 90, 240)
              : between(random, 8, 75)
            : between(random, 5, 30)) * SECOND;
        if (conversation.answeredAt === null) conversation.answeredAt = clock;
      } else clock += (previous === 1 ? between(random, 15, 120) : between(random, 4, 25)) * SECOND * visitorPace;
      conversation.messages.push({
        kind: line.kind,
        at: clock,
        body: line.text,
        operator: line.kind === 1 ? operator : null,
      });
      previous = line.kind;
    }
    conversation.operatorClosed = chance(random, 0.7);
    conversation.closedAt =
      clock + (conversation.operatorClosed ? between(random, 30, 300) : between(random, 5, 90)) * SECOND;
    if (conversation.answeredAt !== null && chance(random, 0.015))
      conversation.problem = {
        at: between(random, conversation.answeredAt, conversation.closedAt),
        reason: pick(random, PROBLEM_REASONS),
      };
  }
}

// ——— Writing ———

type Tx = Transaction<Database>;

function chunks<T extends object>(rows: readonly T[]): T[][] {
  const first = rows[0];
  if (first === undefined) return [];
  const size = Math.max(1, Math.floor(MAX_VALUES_PER_INSERT / Object.keys(first).length));
  const out: T[][] = [];
  for (let index = 0; index < rows.length; index += size) out.push(rows.slice(index, index + size));
  return out;
}

/** Two targeting rules with a month of displays: paused, so the demo shop shows its chat button on every page as before. */
async function createDemoRules(db: Kysely<Database>, websiteId: number): Promise<[number, number]> {
  const platform: Principal = { scope: 'platform', keyId: null };
  const invitation = await createTargetingRule(db, platform, {
    name: 'Invitation on product pages',
    website_id: websiteId,
    status: 'inactive',
    priority: 1,
    conditions: { match: 'all', list: [{ type: 'page_type', operator: 'equals', value: 'product' }] },
    action: 'invitation',
    invitation_message: 'A question about this product? We are here.',
    invitation_delay_seconds: 20,
    only_when_available: true,
  });
  const button = await createTargetingRule(db, platform, {
    name: 'Help button at checkout',
    website_id: websiteId,
    status: 'inactive',
    priority: 2,
    conditions: {
      match: 'any',
      list: [
        { type: 'page_type', operator: 'equals', value: 'checkout' },
        { type: 'page_type', operator: 'equals', value: 'cart' },
      ],
    },
    action: 'button',
  });
  return [invitation, button];
}

/**
 * Writes the demo client's last HISTORY_DAYS days and this morning (until QUIET_BEFORE_NOW before `now`): every row
 * closed and in the past, so nothing appears as waiting or open; then computes their statistics.
 */
export async function writeDemoHistory(
  db: Kysely<Database>,
  scope: DemoHistoryScope,
  now: Date = new Date(),
): Promise<DemoHistorySummary> {
  const started = Date.now();
  const random = seeded(SEED);
  const nowMs = now.getTime();
  const cutoff = nowMs - QUIET_BEFORE_NOW;
  const todayStart = Math.floor(nowMs / DAY) * DAY;
  const firstDay = todayStart - HISTORY_DAYS * DAY;
  const operators: Operator[] = scope.staff.map((staff) => ({
    ...staff,
    sessions: [],
    available: [],
    holding: [],
    allHoldings: [],
    capacities: [{ at: firstDay - DAY, value: 2 }],
  }));
  // Alan started with one chat at a time and was given two halfway through the month.
  const alan = operators[2];
  if (alan)
    alan.capacities = [
      { at: firstDay - DAY, value: 1 },
      { at: todayStart - 14 * DAY + 10 * HOUR, value: 2 },
    ];

  const writer = new HistoryWriter(random, operators, cutoff);
  const today: Span = [Math.max(todayStart, cutoff - 10 * MINUTE - 9 * HOUR), cutoff - 10 * MINUTE];
  const days: { start: number; arrivals: number[] }[] = [];
  const flashSales: number[] = [];
  for (let day = 0; day <= HISTORY_DAYS; day++) {
    const dayStart = firstDay + day * DAY;
    const isToday = dayStart === todayStart;
    if (isToday) {
      if (today[1] - today[0] < 90 * MINUTE) break;
      planToday(random, operators, today);
    } else planDay(random, operators, dayStart);
    const weekday = new Date(dayStart).getUTCDay();
    const weekend = weekday === 0 || weekday === 6;
    let arrivals: number[];
    if (isToday) {
      const hours = (today[1] - today[0]) / HOUR;
      arrivals = Array.from(
        { length: Math.round(hours * between(random, 2.4, 3.2)) },
        () => today[0] - 20 * MINUTE + random() * (today[1] - today[0] - 15 * MINUTE),
      );
    } else {
      arrivals = arrivalTimes(random, dayStart, weekend ? integer(random, 9, 16) : integer(random, 24, 38));
      // Some days a newsletter brings a burst; twice in the month a flash sale at lunchtime brings more visitors than
      // the operators can take: the queue fills, visitors give up, and the most patient are missed at its maximum wait.
      if (!weekend && chance(random, 0.45)) {
        const burst = dayStart + between(random, 11.5, 15) * HOUR;
        for (let index = integer(random, 8, 14); index > 0; index--) arrivals.push(burst + random() * 20 * MINUTE);
      }
      if (!weekend && (flashSales.length === 0 ? day >= 8 : flashSales.length === 1 && day >= 22)) {
        flashSales.push(day);
        const sale = dayStart + 12.6 * HOUR;
        for (let index = integer(random, 55, 70); index > 0; index--) arrivals.push(sale + random() * 30 * MINUTE);
      }
    }
    arrivals.sort((a, b) => a - b);
    // Only conversations still running count in an operator's load: the day's, and the night's before.
    for (const operator of operators) operator.holding = operator.holding.filter(([, end]) => end > dayStart);
    for (const at of arrivals) {
      // Accepted invitations of the product-page rule (shown only when someone is available).
      const proactive = chance(random, 0.12) && operators.some((operator) => ready(operator, at));
      writer.arrive(at, { proactive });
    }
    days.push({ start: dayStart, arrivals });
  }

  const [invitationRule, buttonRule] = await createDemoRules(db, scope.websiteId);
  const ruleIds = [invitationRule, buttonRule] as const;
  const counters = targetingCounters(random, operators, writer.conversations, days, cutoff);
  const rows = { messages: 0, surveys: 0, sales: 0, sessions: 0 };

  // One transaction, no events (history is not news): transact() is still the one place transactions open.
  await transact(db, async (trx) => {
    const monthAgo = iso(firstDay - DAY);
    await trx
      .updateTable('targeting_rule')
      .set({ created_at: monthAgo })
      .where('id', 'in', [...ruleIds])
      .execute();
    const visitorIds = await insertVisitors(trx, scope, [...writer.visitors.values()]);
    const conversationIds = await insertConversations(trx, scope, writer.conversations, visitorIds, ruleIds);
    const messages: Insertable<Database['conversation_message']>[] = [];
    const holdings: Insertable<Database['conversation_holding']>[] = [];
    for (const conversation of writer.conversations) {
      const id = conversationIds.get(conversation.xmppId) as number;
      conversation.messages.forEach((message, index) => {
        messages.push({
          conversation_id: id,
          seq: index + 1,
          kind: message.kind,
          operator_id: message.operator?.id ?? null,
          body: message.body,
          created_at: iso(message.at),
          data: null,
          client_message_id: null,
        });
      });
      if (conversation.operator !== null && conversation.assignedAt !== null)
        holdings.push({
          client_id: scope.clientId,
          website_id: scope.websiteId,
          conversation_id: id,
          operator_id: conversation.operator.id,
          channel: 'chat',
          started_at: iso(conversation.assignedAt),
          ended_at: iso(conversation.closedAt),
        });
    }
    for (const chunk of chunks(messages)) await trx.insertInto('conversation_message').values(chunk).execute();
    for (const chunk of chunks(holdings)) await trx.insertInto('conversation_holding').values(chunk).execute();
    rows.messages = messages.length;

    const { surveys, sales } = surveysAndSales(random, scope, writer.conversations, conversationIds, days, cutoff);
    for (const chunk of chunks(surveys)) await trx.insertInto('satisfaction').values(chunk).execute();
    for (const chunk of chunks(sales)) await trx.insertInto('sale').values(chunk).execute();
    rows.surveys = surveys.length;
    rows.sales = sales.length;

    const sessions: Insertable<Database['presence_session']>[] = [];
    const availability: Insertable<Database['availability_interval']>[] = [];
    const capacities: Insertable<Database['operator_capacity']>[] = [];
    for (const operator of operators) {
      for (const [start, end] of operator.sessions)
        sessions.push({
          client_id: scope.clientId,
          operator_id: operator.id,
          started_at: iso(start),
          ended_at: iso(end),
        });
      for (const [start, end] of operator.available)
        availability.push({
          client_id: scope.clientId,
          operator_id: operator.id,
          channel: 'chat',
          started_at: iso(start),
          ended_at: iso(end),
        });
      for (const change of operator.capacities)
        capacities.push({
          client_id: scope.clientId,
          operator_id: operator.id,
          chat_max_number: change.value,
          started_at: iso(change.at),
        });
    }
    for (const chunk of chunks(sessions)) await trx.insertInto('presence_session').values(chunk).execute();
    for (const chunk of chunks(availability)) await trx.insertInto('availability_interval').values(chunk).execute();
    for (const chunk of chunks(capacities)) await trx.insertInto('operator_capacity').values(chunk).execute();
    rows.sessions = sessions.length;

    const counterRows = counters.map((counter) => ({
      client_id: scope.clientId,
      website_id: scope.websiteId,
      hour: counter.hour,
      channel: 'chat',
      rule_id: ruleIds[counter.ruleIndex],
      page_type: counter.pageType,
      displays: counter.displays,
      triggers: counter.triggers,
      withheld_busy: counter.withheldBusy,
      withheld_offline: counter.withheldOffline,
    }));
    for (const chunk of chunks(counterRows)) await trx.insertInto('targeting_rule_counter').values(chunk).execute();
  });

  const rebuilt = await rebuildStatistics(db, { clientId: scope.clientId, now });
  return {
    conversations: writer.conversations.length,
    messages: rows.messages,
    surveys: rows.surveys,
    sales: rows.sales,
    presenceSessions: rows.sessions,
    counterRows: counters.length,
    rollupRows: rebuilt.rows,
    ms: Date.now() - started,
  };
}

async function insertVisitors(
  trx: Tx,
  scope: DemoHistoryScope,
  visitors: readonly Visitor[],
): Promise<Map<string, number>> {
  const rows: Insertable<Database['visitor']>[] = visitors.map((visitor) => ({
    client_id: scope.clientId,
    unique_id: visitor.uid,
    external_id: null,
    lastname: null,
    firstname: visitor.firstname,
    address: null,
    city: null,
    zip: null,
    country: visitor.country,
    phone: visitor.phone,
    email: null,
    browser: visitor.browser,
    created_at: iso(visitor.firstSeen),
    updated_at: iso(visitor.firstSeen),
    deleted_at: null,
  }));
  for (const chunk of chunks(rows)) await trx.insertInto('visitor').values(chunk).execute();
  const wanted = new Set(visitors.map((visitor) => visitor.uid));
  const ids = new Map<string, number>();
  const stored = await trx
    .selectFrom('visitor')
    .select(['id', 'unique_id'])
    .where('client_id', '=', scope.clientId)
    .execute();
  for (const row of stored) if (wanted.has(row.unique_id)) ids.set(row.unique_id, row.id);
  const links = [...ids.values()].map((visitorId) => ({ visitor_id: visitorId, website_id: scope.websiteId }));
  for (const chunk of chunks(links)) await trx.insertInto('visitor_website').values(chunk).execute();
  return ids;
}

async function insertConversations(
  trx: Tx,
  scope: DemoHistoryScope,
  conversations: readonly Conversation[],
  visitorIds: ReadonlyMap<string, number>,
  ruleIds: readonly [number, number],
): Promise<Map<string, number>> {
  const rows: Insertable<Database['conversation']>[] = conversations.map((conversation) => ({
    client_id: scope.clientId,
    website_id: scope.websiteId,
    channel: 'chat',
    source: conversation.source,
    visitor_id: visitorIds.get(conversation.visitorUid) as number,
    operator_id: conversation.operator?.id ?? null,
    skill_id: conversation.billing ? scope.skillId : null,
    rule_id: conversation.ruleIndex === null ? null : ruleIds[conversation.ruleIndex],
    status: 'closed',
    operator_answer: conversation.answeredAt === null ? 0 : 1,
    operator_closed: conversation.operatorClosed ? 1 : 0,
    waitinglist: 0,
    page_type: conversation.pageType,
    contact_type: conversation.contactType,
    user_agent: conversation.userAgent,
    phone_number: conversation.phone,
    xmpp_id: conversation.xmppId,
    last_seq: conversation.messages.length,
    created_at: iso(conversation.createdAt),
    answered_at: conversation.answeredAt === null ? null : iso(conversation.answeredAt),
    closed_at: iso(conversation.closedAt),
    updated_at: iso(conversation.closedAt),
    queued_at: conversation.queuedAt === null ? null : iso(conversation.queuedAt),
    assigned_at: conversation.assignedAt === null ? null : iso(conversation.assignedAt),
    outcome: conversation.outcome,
    wait_ms: conversation.waitMs,
    visitor_read_seq: conversation.messages.length,
    operator_read_seq: conversation.messages.length,
    problem_reported_at: conversation.problem === null ? null : iso(conversation.problem.at),
    problem_reason: conversation.problem?.reason ?? null,
    problem_operator_id: conversation.problem === null ? null : (conversation.operator?.id ?? null),
  }));
  for (const chunk of chunks(rows)) await trx.insertInto('conversation').values(chunk).execute();
  const wanted = new Set(conversations.map((conversation) => conversation.xmppId));
  const stored = await trx
    .selectFrom('conversation')
    .select(['id', 'xmpp_id'])
    .where('client_id', '=', scope.clientId)
    .execute();
  const ids = new Map<string, number>();
  for (const row of stored) if (wanted.has(row.xmpp_id)) ids.set(row.xmpp_id, row.id);
  return ids;
}

/**
 * About a third of the answered conversations get a survey; a fifth of them lead to a sale (a quarter of those during
 * the conversation, the others minutes to a day and a half later); other sales come without any contact.
 */
function surveysAndSales(
  random: Random,
  scope: DemoHistoryScope,
  conversations: readonly Conversation[],
  conversationIds: ReadonlyMap<string, number>,
  days: readonly { start: number }[],
  cutoff: number,
) {
  const surveys: Insertable<Database['satisfaction']>[] = [];
  const sales: Insertable<Database['sale']>[] = [];
  let external = 1;
  const basket = () => {
    let amount = 0;
    for (let items = integer(random, 1, 3); items > 0; items--) amount += pick(random, PRICES);
    return Math.round(amount * 100) / 100;
  };
  const note = (weights: readonly [number, number, number]) => {
    const draw = random();
    return draw < weights[0] ? 3 : draw < weights[0] + weights[1] ? 2 : 1;
  };
  for (const conversation of conversations) {
    if (conversation.answeredAt === null || conversation.operator === null) continue;
    const id = conversationIds.get(conversation.xmppId) as number;
    if (chance(random, 0.34)) {
      const at = conversation.closedAt + between(random, 15, 120) * SECOND;
      const waited = conversation.waitMs > 2 * MINUTE;
      if (at <= cutoff)
        surveys.push({
          client_id: scope.clientId,
          website_id: scope.websiteId,
          conversation_id: id,
          operator_id: conversation.operator.id,
          note_welcome: note([0.78, 0.18, 0.04]),
          note_delay: note(waited ? [0.3, 0.45, 0.25] : [0.75, 0.2, 0.05]),
          note_resolution: note([0.7, 0.22, 0.08]),
          comment: chance(random, 0.35) ? pick(random, COMMENTS) : '',
          created_at: iso(at),
        });
    }
    if (chance(random, 0.22)) {
      const during = chance(random, 0.25);
      const at = during
        ? between(random, conversation.answeredAt, conversation.closedAt)
        : conversation.closedAt +
          (chance(random, 0.6) ? between(random, 5, 120) * MINUTE : between(random, 2, 36) * HOUR);
      if (at <= cutoff)
        sales.push({
          client_id: scope.clientId,
          website_id: scope.websiteId,
          external_id: `DEMO-H${String(external++).padStart(5, '0')}`,
          visitor_id: null,
          visitor_uid: conversation.visitorUid,
          visitor_email: null,
          amount: basket(),
          currency: 'EUR',
          operator_id: conversation.operator.id,
          conversation_id: id,
          created_at: iso(at),
        });
    }
  }
  for (const day of days) {
    const weekend = [0, 6].includes(new Date(day.start).getUTCDay());
    for (let count = weekend ? integer(random, 3, 7) : integer(random, 6, 12); count > 0; count--) {
      const at = day.start + between(random, 7.5, 23) * HOUR;
      if (at > cutoff) continue;
      sales.push({
        client_id: scope.clientId,
        website_id: scope.websiteId,
        external_id: `DEMO-H${String(external++).padStart(5, '0')}`,
        visitor_id: null,
        visitor_uid: hex(random, 45),
        visitor_email: null,
        amount: basket(),
        currency: 'EUR',
        operator_id: null,
        conversation_id: null,
        created_at: iso(at),
      });
    }
  }
  sales.sort((a, b) => (a.created_at < b.created_at ? -1 : 1));
  return { surveys, sales };
}

interface Counter {
  hour: string;
  ruleIndex: 0 | 1;
  pageType: string;
  displays: number;
  triggers: number;
  withheldBusy: number;
  withheldOffline: number;
}

/**
 * Hourly counters of the two rules, as the widget would have reported them: the product-page invitation shows only
 * when an operator is available and not full (else it is withheld, busy or offline); the checkout button always shows.
 * Displays are at least the conversations each rule started in that hour.
 */
function targetingCounters(
  random: Random,
  operators: readonly Operator[],
  conversations: readonly Conversation[],
  days: readonly { start: number }[],
  cutoff: number,
): Counter[] {
  const started = new Map<string, number>();
  for (const conversation of conversations) {
    if (conversation.ruleIndex === null) continue;
    const key = `${iso(Math.floor(conversation.createdAt / HOUR) * HOUR)}|${conversation.ruleIndex}|${conversation.pageType ?? ''}`;
    started.set(key, (started.get(key) ?? 0) + 1);
  }
  const stateAt = (at: number): 'available' | 'busy' | 'offline' => {
    const on = operators.filter((operator) => covers(operator.available, at));
    if (on.length === 0) return 'offline';
    const full = on.every((operator) => {
      const load = operator.allHoldings.reduce((n, [start, end]) => (start <= at && at < end ? n + 1 : n), 0);
      return load >= capacityAt(operator, at);
    });
    return full ? 'busy' : 'available';
  };
  const counters: Counter[] = [];
  for (const day of days) {
    HOURLY_WEIGHTS.forEach((weight, offset) => {
      const hourStart = day.start + (FIRST_HOUR + offset) * HOUR;
      if (hourStart + HOUR > cutoff) return;
      const hour = iso(hourStart);
      const invitation: Counter = {
        hour,
        ruleIndex: 0,
        pageType: 'product',
        displays: 0,
        triggers: 0,
        withheldBusy: 0,
        withheldOffline: 0,
      };
      for (let visits = Math.round(weight * between(random, 1.5, 3.5)); visits > 0; visits--) {
        const state = stateAt(hourStart + random() * HOUR);
        if (state === 'offline') invitation.withheldOffline++;
        else if (state === 'busy') invitation.withheldBusy++;
        else invitation.displays++;
      }
      invitation.displays = Math.max(invitation.displays, started.get(`${hour}|0|product`) ?? 0);
      counters.push(invitation);
      for (const pageType of ['checkout', 'cart']) {
        const shown = Math.max(integer(random, 0, Math.ceil(weight / 2)), started.get(`${hour}|1|${pageType}`) ?? 0);
        if (shown > 0)
          counters.push({
            hour,
            ruleIndex: 1,
            pageType,
            displays: shown,
            triggers: 0,
            withheldBusy: 0,
            withheldOffline: 0,
          });
      }
    });
  }
  for (const counter of counters) counter.triggers = counter.displays + counter.withheldBusy + counter.withheldOffline;
  return counters.filter((counter) => counter.triggers > 0);
}
