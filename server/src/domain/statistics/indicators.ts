// The 59 indicators of GET /statistic (seed 003): family, unit, channels, grouping resources, labels and formula.
//
// This module is the catalogue only: the engine (engine.ts, formulas.ts) and the routes read it; docs/STATISTICS.md mirrors
// it and a test keeps both identical. English labels are seed 003's, verbatim. French labels are our translations
// (neither seed gives one) unless a comment names seed 002, whose French v1 documentation uses the same term. Each
// formula has a French twin (formulaFr), ours too: the same definition, with column names, values ('abandoned') and
// indicator names left as they are written in English.
//
// Conventions every formula relies on (written once here and in docs/STATISTICS.md, "Conventions"):
// - The period is [from, to) in the client's time zone; a date-only `to` covers that whole day.
// - A conversation belongs to the period that contains its `created_at`; its messages, survey and sales-after-contact
//   go with it. A sale (`sale` row) belongs to the period that contains `sale.created_at`. Presence intervals are
//   clipped to the period. Rule displays and triggers are hourly counters.
// - Channel: `chat` = `conversation.channel = 'chat'` (every source: web, whatsapp, sms, rcs, api, as docs/CHANNELS.md
//   says); `call`, `video` = that `conversation.channel`; `whatsapp`, `sms`, `rcs` = `conversation.source`. A sale or
//   survey takes the channel of its conversation; the website totals count every sale whatever the channel.
//   Presence: connection (`presence_session`) has no channel; availability and load are per live channel (chat,
//   call, video); the messaging sources use chat's.
// - Answered conversation: `operator_answer = 1` (`answered_at` is the time of the first operator message).
//   Sale after contact: `sale.conversation_id` set and that conversation answered.
// - Load of an operator on a channel at instant t: conversations of that channel the operator holds at t (from
//   assignment or transfer to them until closing or transfer away). Capacity: `operator.chat_max_number` for chat
//   (messaging sources included), 1 for call and video. While connected (inside a `presence_session`), an operator is
//   in exactly one state per channel: non-occupied (available, load 0), partially occupied (0 < load < capacity),
//   fully occupied (load ≥ max(capacity, 1)) or not in production (unavailable, load 0); in production = the first
//   three.
// - Durations are summed over operators; "smoothed" durations are the length of the union of the operators' intervals.
// - Averages and rates are null when their denominator is 0 (an average over nothing).

/** Deep-freezes a plain object tree, so no caller can edit the catalogue at run time. */
function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const child of Object.values(value)) deepFreeze(child);
  }
  return value;
}

/** The four families of seed 003, in its order. */
export const INDICATOR_FAMILIES = ['contact', 'presence', 'satisfaction', 'transactions'] as const;
export type IndicatorFamily = (typeof INDICATOR_FAMILIES)[number];

/** Seed 003's `filters[channel]` values, then the messaging sources (a Causerie extension of the filter). */
export const STATISTIC_CHANNELS = ['chat', 'call', 'video', 'whatsapp', 'sms', 'rcs'] as const;
export type StatisticChannel = (typeof STATISTIC_CHANNELS)[number];

/** Seed 003's `filters[resource]` values. */
export const STATISTIC_RESOURCES = ['operator', 'group', 'skill', 'rule', 'contact_type', 'page_type'] as const;
export type StatisticResource = (typeof STATISTIC_RESOURCES)[number];

/**
 * What a value measures: `count` an integer; `number` a decimal quantity (an average of counts, a count per hour);
 * `seconds` a duration; `rate` a fraction 0..1; `amount` money in the website's currency; `datetime` a
 * `YYYY-MM-DD HH:MM:SS` text in the client's time zone.
 */
export const INDICATOR_UNITS = ['count', 'number', 'seconds', 'rate', 'amount', 'datetime'] as const;
export type IndicatorUnit = (typeof INDICATOR_UNITS)[number];

/** Decimals each unit is rounded to on output (half away from zero), after computing from unrounded sums. */
export const UNIT_DECIMALS: Readonly<Record<IndicatorUnit, number | null>> = Object.freeze({
  count: 0,
  number: 2,
  seconds: 0,
  rate: 4,
  amount: 2,
  datetime: null,
});

/**
 * The source data indicators are computed from, all in the schema (server/src/db/schema.ts). `present: false` would
 * mark data the schema does not hold, whose indicators could not answer real figures (none since issue 17).
 */
export const SOURCE_DATA = deepFreeze({
  conversation: { present: true, description: 'conversation rows: created_at, closed_at, outcome, wait_ms, …' },
  message: { present: true, description: 'conversation_message rows: kind 1 operator, kind 2 visitor, created_at' },
  presence_session: { present: true, description: 'presence_session: operator connection intervals' },
  availability_intervals: {
    present: true,
    description: 'availability_interval: per-channel availability intervals of each operator',
  },
  load_intervals: {
    present: true,
    description: 'conversation_holding: who held each conversation when, from assignment or transfer to closing',
  },
  chat_limit_history: {
    present: true,
    description: 'operator_capacity: operator.chat_max_number from each change on',
  },
  satisfaction: { present: true, description: 'satisfaction rows: note_welcome, note_delay, note_resolution (1..3)' },
  sale: { present: true, description: 'sale rows (API transactions): amount, created_at, conversation_id' },
  website_currency: {
    present: true,
    description: 'website.currency: the ISO 4217 currency the website reports its amounts in',
  },
  rule_counters: {
    present: true,
    description: 'targeting_rule_counter: hourly displays and triggers per website × channel × rule × page_type',
  },
  suppressed_triggers: {
    present: true,
    description: 'targeting_rule_counter.withheld_busy / withheld_offline: triggers not shown for want of an operator',
  },
  contact_type: { present: true, description: 'conversation.contact_type: visitor, proactive or outbound' },
  targeting_rule: { present: true, description: 'targeting_rule: the rule conversation.rule_id refers to' },
} as const);
export type SourceData = keyof typeof SOURCE_DATA;

export interface IndicatorDefinition {
  readonly family: IndicatorFamily;
  readonly unit: IndicatorUnit;
  /** Channels on which the indicator is defined (seed 003's "available on"); asked on another, the API answers 400. */
  readonly channels: readonly StatisticChannel[];
  /** Resources `filters[resource]` may group it by; with another resource the API answers 400. */
  readonly groupableBy: readonly StatisticResource[];
  readonly labels: { readonly en: string; readonly fr: string };
  /** How the value is computed, precisely enough to compute a test's expectation by hand. */
  readonly formula: string;
  /** The same definition in French, for the console's French pages and French-speaking readers of the API. */
  readonly formulaFr: string;
  /** True for the seed's "estimated" indicators. */
  readonly estimated: boolean;
  readonly sources: readonly SourceData[];
}

// Seed 003's "available on" lists. It names Facebook, Twitter, Messenger and Instagram too, which Causerie has no
// channel for; RCS is not in the seed, but it is a messaging source routed like SMS and WhatsApp, so it goes with them.
const ALL_CHANNELS = ['chat', 'call', 'video', 'whatsapp', 'sms', 'rcs'] as const;
const LIVE = ['chat', 'call', 'video'] as const;
const CHAT_AND_VIDEO = ['chat', 'video'] as const;
const CHAT_ONLY = ['chat'] as const;

// A conversation carries operator_id (→ operator.group_id), skill_id, rule_id, page_type and contact_type.
const BY_CONVERSATION = ['operator', 'group', 'skill', 'rule', 'contact_type', 'page_type'] as const;
// An abandoned conversation never had an operator: only the conversation's own resources group it.
const BY_CONVERSATION_WITHOUT_OPERATOR = ['skill', 'rule', 'contact_type', 'page_type'] as const;
// Presence belongs to operators: a group or skill is the union of its operators.
const BY_OPERATORS = ['operator', 'group', 'skill'] as const;
// Displays and triggers are counted per rule and page type, never per operator.
const BY_TARGETING = ['rule', 'page_type'] as const;
const NOT_GROUPABLE = [] as const;

const PRESENCE_SOURCES = [
  'presence_session',
  'availability_intervals',
  'load_intervals',
  'chat_limit_history',
] as const satisfies readonly SourceData[];

export const INDICATORS = deepFreeze({
  // ——— Contact (22) ———
  contact_answered_after_first_message_duration: {
    family: 'contact',
    unit: 'seconds',
    channels: ALL_CHANNELS,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Response time after first message', fr: 'Temps de réponse après le premier message' },
    formula:
      'Average, over conversations of the period having a visitor message (kind 2) followed later by an operator ' +
      'message (kind 1), of (time of the first operator message after the first visitor message − time of the ' +
      'first visitor message), in seconds; null when there is none.',
    formulaFr:
      "Moyenne, sur les conversations de la période ayant un message du visiteur (kind 2) suivi plus tard d'un " +
      "message d'opérateur (kind 1), de (heure du premier message d'opérateur après le premier message du visiteur " +
      "− heure du premier message du visiteur), en secondes ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation', 'message'],
  },
  contact_answered_duration: {
    family: 'contact',
    unit: 'seconds',
    channels: ALL_CHANNELS,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Response time', fr: 'Temps de réponse' },
    formula:
      'Average, over every visitor turn of the conversations of the period (a run of consecutive visitor messages, ' +
      'kind 2, other kinds ignored) that an operator message (kind 1) follows, of (time of that operator message − ' +
      'time of the first message of the turn), in seconds; null when no turn was answered.',
    formulaFr:
      'Moyenne, sur chaque tour de parole du visiteur dans les conversations de la période (une suite de messages ' +
      "consécutifs du visiteur, kind 2, les autres kinds étant ignorés) suivi d'un message d'opérateur (kind 1), de " +
      "(heure de ce message d'opérateur − heure du premier message du tour), en secondes ; null si aucun tour n'a " +
      'reçu de réponse.',
    estimated: false,
    sources: ['conversation', 'message'],
  },
  contact_closed_after_last_message_duration: {
    family: 'contact',
    unit: 'seconds',
    channels: ALL_CHANNELS,
    groupableBy: BY_CONVERSATION,
    labels: {
      en: 'Length of time between last message and closing of chat',
      fr: 'Délai entre le dernier message et la clôture',
    },
    formula:
      'Average, over conversations of the period closed by an operator (operator_closed = 1) having at least one ' +
      'visitor message, of (closed_at − time of the last visitor message), in seconds; null when there is none.',
    formulaFr:
      'Moyenne, sur les conversations de la période clôturées par un opérateur (operator_closed = 1) ayant au moins ' +
      "un message du visiteur, de (closed_at − heure du dernier message du visiteur), en secondes ; null s'il n'y " +
      'en a aucune.',
    estimated: false,
    sources: ['conversation', 'message'],
  },
  contact_duration: {
    family: 'contact',
    unit: 'seconds',
    channels: ALL_CHANNELS,
    groupableBy: BY_CONVERSATION,
    // fr: seed 002's « durée moyenne de traitement ».
    labels: { en: 'Average processing time', fr: 'Durée moyenne de traitement' },
    formula:
      'Average, over conversations of the period that were assigned to an operator (operator_id not null) and are ' +
      'closed, of (closed_at − created_at), in seconds; null when there is none.',
    formulaFr:
      'Moyenne, sur les conversations de la période attribuées à un opérateur (operator_id non null) et clôturées, ' +
      "de (closed_at − created_at), en secondes ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation'],
  },
  contact_number: {
    family: 'contact',
    unit: 'count',
    channels: ALL_CHANNELS,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Initiated contacts', fr: 'Contacts initiés' },
    formula:
      'Number of conversations of the period (created_at in the period), whatever their outcome: answered, ' +
      'missed, abandoned or still waiting.',
    formulaFr:
      'Nombre de conversations de la période (created_at dans la période), quelle que soit leur issue : avec ' +
      'réponse, manquées, abandonnées ou encore en attente.',
    estimated: false,
    sources: ['conversation'],
  },
  contact_sent_message_number: {
    family: 'contact',
    unit: 'count',
    channels: ALL_CHANNELS,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Sent messages', fr: 'Messages envoyés' },
    formula: 'Number of operator messages (conversation_message kind 1) in the conversations of the period.',
    formulaFr: "Nombre de messages d'opérateur (conversation_message kind 1) dans les conversations de la période.",
    estimated: false,
    sources: ['conversation', 'message'],
  },
  contact_received_message_number: {
    family: 'contact',
    unit: 'count',
    channels: ALL_CHANNELS,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Received messages', fr: 'Messages reçus' },
    formula: 'Number of visitor messages (conversation_message kind 2) in the conversations of the period.',
    formulaFr: 'Nombre de messages du visiteur (conversation_message kind 2) dans les conversations de la période.',
    estimated: false,
    sources: ['conversation', 'message'],
  },
  contact_unanswered_number: {
    family: 'contact',
    unit: 'count',
    channels: ALL_CHANNELS,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Contacts initiated with no response', fr: 'Contacts initiés sans réponse' },
    formula:
      "Number of closed conversations of the period started by the visitor (contact_type 'visitor') without any " +
      'operator message (operator_answer = 0).',
    formulaFr:
      "Nombre de conversations clôturées de la période ouvertes par le visiteur (contact_type 'visitor') sans aucun " +
      "message d'opérateur (operator_answer = 0).",
    estimated: false,
    sources: ['conversation', 'message', 'contact_type'],
  },
  contact_missed_number: {
    family: 'contact',
    unit: 'number',
    channels: CHAT_ONLY,
    groupableBy: BY_TARGETING,
    labels: { en: 'Missed contact opportunities', fr: 'Opportunités de contact manquées' },
    formula:
      'contact_missed_with_busy_operators_number + contact_missed_with_no_operators_number of the same period and ' +
      'scope (an estimate, so a decimal).',
    formulaFr:
      'contact_missed_with_busy_operators_number + contact_missed_with_no_operators_number de la même période et du ' +
      'même périmètre (une estimation, donc un nombre décimal).',
    estimated: true,
    sources: ['conversation', 'rule_counters', 'suppressed_triggers'],
  },
  contact_missed_with_busy_operators_number: {
    family: 'contact',
    unit: 'number',
    channels: CHAT_ONLY,
    groupableBy: BY_TARGETING,
    labels: {
      en: 'Missed contact opportunities (agents busy)',
      fr: 'Opportunités de contact manquées (agents occupés)',
    },
    formula:
      "Estimate: number of conversations of the period with outcome 'missed_busy' (they waited in the queue past " +
      'the maximum wait) + number of rule triggers of the period not shown because every available operator was ' +
      'fully occupied × rule_contact_rate of the period (that term is 0 when the rate is null).',
    formulaFr:
      "Estimation : nombre de conversations de la période d'issue 'missed_busy' (restées en file d'attente au-delà " +
      "de l'attente maximale) + nombre de déclenchements de règles de la période non affichés parce que tous les " +
      'opérateurs disponibles étaient totalement occupés × rule_contact_rate de la période (ce terme vaut 0 quand ' +
      'le taux est null).',
    estimated: true,
    sources: ['conversation', 'rule_counters', 'suppressed_triggers'],
  },
  contact_missed_with_no_operators_number: {
    family: 'contact',
    unit: 'number',
    channels: CHAT_ONLY,
    groupableBy: BY_TARGETING,
    labels: {
      en: 'Missed contact opportunities (agents absent)',
      fr: 'Opportunités de contact manquées (agents absents)',
    },
    formula:
      "Estimate: number of conversations of the period with outcome 'missed_offline' (nobody was connected and " +
      'available on the channel) + number of rule triggers of the period not shown because no operator was ' +
      'connected and available × rule_contact_rate of the period (that term is 0 when the rate is null).',
    formulaFr:
      "Estimation : nombre de conversations de la période d'issue 'missed_offline' (personne n'était connecté et " +
      "disponible sur le canal) + nombre de déclenchements de règles de la période non affichés parce qu'aucun " +
      "opérateur n'était connecté et disponible × rule_contact_rate de la période (ce terme vaut 0 quand le taux " +
      'est null).',
    estimated: true,
    sources: ['conversation', 'rule_counters', 'suppressed_triggers'],
  },
  contact_simultaneous_number: {
    family: 'contact',
    unit: 'number',
    channels: CHAT_ONLY,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Simultaneous contacts', fr: 'Contacts simultanés' },
    formula:
      'Time-weighted average chat load of the operators over their presence: Σ over operators of ∫ chat load dt ' +
      'over their connected time in the period ÷ presence_duration; null when presence_duration is 0.',
    formulaFr:
      'Charge de chat moyenne des opérateurs, pondérée par le temps, sur leur présence : Σ sur les opérateurs de ' +
      '∫ charge de chat dt sur leur temps de connexion dans la période ÷ presence_duration ; null quand ' +
      'presence_duration vaut 0.',
    estimated: false,
    sources: ['presence_session', 'load_intervals'],
  },
  contact_waiting_abort_number: {
    family: 'contact',
    unit: 'count',
    channels: CHAT_AND_VIDEO,
    groupableBy: BY_CONVERSATION_WITHOUT_OPERATOR,
    labels: { en: 'Abandoned contacts', fr: 'Contacts abandonnés' },
    formula:
      "Number of conversations of the period that entered the queue (queued_at not null) with outcome 'abandoned' " +
      '(the visitor left before an operator took the conversation).',
    formulaFr:
      "Nombre de conversations de la période entrées en file d'attente (queued_at non null) d'issue 'abandoned' (le " +
      "visiteur est parti avant qu'un opérateur ne prenne la conversation).",
    estimated: false,
    sources: ['conversation'],
  },
  contact_waiting_answered_number: {
    family: 'contact',
    unit: 'count',
    channels: CHAT_AND_VIDEO,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Processed contacts', fr: 'Contacts traités' },
    formula:
      "Number of conversations of the period that entered the queue (queued_at not null) with outcome 'answered' " +
      '(an operator was assigned from the queue).',
    formulaFr:
      "Nombre de conversations de la période entrées en file d'attente (queued_at non null) d'issue 'answered' (un " +
      'opérateur leur a été attribué depuis la file).',
    estimated: false,
    sources: ['conversation'],
  },
  contact_waiting_before_quit_duration: {
    family: 'contact',
    unit: 'seconds',
    channels: CHAT_AND_VIDEO,
    groupableBy: BY_CONVERSATION_WITHOUT_OPERATOR,
    labels: { en: 'Waiting time before abandonment', fr: "Temps d'attente avant abandon" },
    formula:
      "Average of wait_ms ÷ 1000 over conversations of the period with queued_at not null and outcome 'abandoned', " +
      'in seconds; null when there is none.',
    formulaFr:
      "Moyenne de wait_ms ÷ 1000 sur les conversations de la période avec queued_at non null et d'issue " +
      "'abandoned', en secondes ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation'],
  },
  contact_waiting_duration: {
    family: 'contact',
    unit: 'seconds',
    channels: CHAT_AND_VIDEO,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Waiting time before contact', fr: "Temps d'attente avant contact" },
    formula:
      "Average of wait_ms ÷ 1000 over conversations of the period with queued_at not null and outcome 'answered' " +
      '(time from the request to the assignment), in seconds; null when there is none.',
    formulaFr:
      "Moyenne de wait_ms ÷ 1000 sur les conversations de la période avec queued_at non null et d'issue 'answered' " +
      "(temps entre la demande et l'attribution), en secondes ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation'],
  },
  contact_waiting_number: {
    family: 'contact',
    unit: 'count',
    channels: CHAT_AND_VIDEO,
    groupableBy: BY_CONVERSATION,
    // Seed 003 gives this the label of contact_number and the description of contact_waiting_duration (copy slips);
    // the name says what it counts: contacts that entered the queue. The French label says so.
    labels: { en: 'Initiated contacts', fr: "Contacts initiés en file d'attente" },
    formula:
      'Number of conversations of the period that entered the queue (queued_at not null), whatever their outcome.',
    formulaFr:
      "Nombre de conversations de la période entrées en file d'attente (queued_at non null), quelle que soit leur " +
      'issue.',
    estimated: false,
    sources: ['conversation'],
  },
  contact_per_hour_average_number: {
    family: 'contact',
    unit: 'number',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Contacts / hr of the website', fr: 'Contacts / h du site' },
    formula:
      "Number of conversations of the period with outcome 'answered' ÷ (production_smoothed_duration ÷ 3600): " +
      'contacts processed per hour during which at least one operator was in production; null when that is 0.',
    formulaFr:
      "Nombre de conversations de la période d'issue 'answered' ÷ (production_smoothed_duration ÷ 3600) : contacts " +
      'traités par heure pendant laquelle au moins un opérateur était en production ; null quand cette durée vaut 0.',
    estimated: false,
    sources: ['conversation', ...PRESENCE_SOURCES],
  },
  contact_per_hour_number: {
    family: 'contact',
    unit: 'number',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Contacts per hour', fr: 'Contacts par heure' },
    formula:
      "Number of conversations of the period with outcome 'answered' ÷ (production_duration ÷ 3600): contacts " +
      'processed per operator-hour in production; null when production_duration is 0.',
    formulaFr:
      "Nombre de conversations de la période d'issue 'answered' ÷ (production_duration ÷ 3600) : contacts traités " +
      'par heure-opérateur en production ; null quand production_duration vaut 0.',
    estimated: false,
    sources: ['conversation', ...PRESENCE_SOURCES],
  },
  rule_contact_rate: {
    family: 'contact',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_TARGETING,
    // Seed 003 labels satisfaction_respondent_rate "Response rate" too; the French label tells them apart.
    labels: { en: 'Response rate', fr: 'Taux de contact des affichages' },
    formula:
      'Number of conversations of the period started from a targeting rule (rule_id not null) ÷ rule_display_number ' +
      'of the period; null when there was no display (may exceed 1 if contacts outnumber displays).',
    formulaFr:
      'Nombre de conversations de la période ouvertes depuis une règle de ciblage (rule_id non null) ÷ ' +
      "rule_display_number de la période ; null s'il n'y a eu aucun affichage (peut dépasser 1 si les contacts sont " +
      'plus nombreux que les affichages).',
    estimated: false,
    sources: ['conversation', 'rule_counters', 'targeting_rule'],
  },
  rule_display_number: {
    family: 'contact',
    unit: 'count',
    channels: LIVE,
    groupableBy: BY_TARGETING,
    labels: { en: 'Displays', fr: 'Affichages' },
    formula:
      'Sum over the hours of the period of the display counters: times a targeting rule showed the chat, call or ' +
      'video button or invitation to a visitor, as the widget reports them.',
    formulaFr:
      "Somme, sur les heures de la période, des compteurs d'affichages : nombre de fois où une règle de ciblage a " +
      "montré à un visiteur le bouton ou l'invitation de chat, d'appel ou de vidéo, d'après ce que signale le widget.",
    estimated: false,
    sources: ['rule_counters', 'targeting_rule'],
  },
  targeting_rule_triggered: {
    family: 'contact',
    unit: 'count',
    channels: LIVE,
    groupableBy: BY_TARGETING,
    labels: { en: 'Triggers', fr: 'Déclenchements' },
    formula:
      "Sum over the hours of the period of the trigger counters: times a visitor met a targeting rule's conditions, " +
      'whether or not its button or invitation was then shown.',
    formulaFr:
      'Somme, sur les heures de la période, des compteurs de déclenchements : nombre de fois où un visiteur a ' +
      "rempli les conditions d'une règle de ciblage, que son bouton ou son invitation ait ensuite été affiché ou " +
      'non.',
    estimated: false,
    sources: ['rule_counters', 'targeting_rule'],
  },

  // ——— Presence (15) ———
  max_and_partial_occupation_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Global occupation', fr: 'Occupation globale' },
    formula:
      'Σ over operators of the time in the period they were connected with load ≥ 1 on the channel (partially or ' +
      'fully occupied) = occupation_duration + max_occupation_duration, in seconds.',
    formulaFr:
      'Σ sur les opérateurs du temps de la période où ils étaient connectés avec une charge ≥ 1 sur le canal ' +
      '(partiellement ou totalement occupés) = occupation_duration + max_occupation_duration, en secondes.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  max_and_partial_occupation_rate: {
    family: 'presence',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Global occupation rate', fr: "Taux d'occupation globale" },
    formula: 'max_and_partial_occupation_duration ÷ production_duration; null when production_duration is 0.',
    formulaFr: 'max_and_partial_occupation_duration ÷ production_duration ; null quand production_duration vaut 0.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  max_occupation_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Maximum occupation', fr: 'Occupation maximale' },
    formula:
      'Σ over operators of the time in the period they were connected with a load ≥ max(capacity, 1) on the ' +
      'channel (chat_max_number for chat, 1 for call and video), in seconds.',
    formulaFr:
      'Σ sur les opérateurs du temps de la période où ils étaient connectés avec une charge ≥ max(capacité, 1) sur ' +
      "le canal (chat_max_number pour le chat, 1 pour l'appel et la vidéo), en secondes.",
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  max_occupation_rate: {
    family: 'presence',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Maximum occupation rate', fr: "Taux d'occupation maximale" },
    formula: 'max_occupation_duration ÷ production_duration; null when production_duration is 0.',
    formulaFr: 'max_occupation_duration ÷ production_duration ; null quand production_duration vaut 0.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  non_occupation_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Inocc.', fr: 'Inoccupation' },
    formula:
      'Σ over operators of the time in the period they were connected, available on the channel and with a load of ' +
      '0 on it, in seconds.',
    formulaFr:
      'Σ sur les opérateurs du temps de la période où ils étaient connectés, disponibles sur le canal et avec une ' +
      'charge de 0 sur ce canal, en secondes.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  non_occupation_rate: {
    family: 'presence',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Rate of non-occupation', fr: "Taux d'inoccupation" },
    formula: 'non_occupation_duration ÷ production_duration; null when production_duration is 0.',
    formulaFr: 'non_occupation_duration ÷ production_duration ; null quand production_duration vaut 0.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  non_production_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Not in production', fr: 'Hors production' },
    formula:
      'Σ over operators of the time in the period they were connected, unavailable on the channel and with a load ' +
      'of 0 on it (= presence_duration − production_duration), in seconds.',
    formulaFr:
      'Σ sur les opérateurs du temps de la période où ils étaient connectés, indisponibles sur le canal et avec une ' +
      'charge de 0 sur ce canal (= presence_duration − production_duration), en secondes.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  non_production_rate: {
    family: 'presence',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Not in production rate', fr: 'Taux de hors production' },
    // The seed measures this one against connection time, not production time: it lies outside production.
    formula: 'non_production_duration ÷ presence_duration; null when presence_duration is 0.',
    formulaFr: 'non_production_duration ÷ presence_duration ; null quand presence_duration vaut 0.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  occupation_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    // Seed 003 repeats non_production_duration's description here; the label and occupation_rate say "partially".
    labels: { en: 'Partial occupation', fr: 'Occupation partielle' },
    formula:
      'Σ over operators of the time in the period they were connected with 0 < load < capacity on the channel ' +
      '(partially occupied), in seconds; always 0 on call and video, whose capacity is 1.',
    formulaFr:
      'Σ sur les opérateurs du temps de la période où ils étaient connectés avec 0 < charge < capacité sur le canal ' +
      "(partiellement occupés), en secondes ; toujours 0 pour l'appel et la vidéo, dont la capacité est 1.",
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  occupation_rate: {
    family: 'presence',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Partial occupation rate', fr: "Taux d'occupation partielle" },
    formula: 'occupation_duration ÷ production_duration; null when production_duration is 0.',
    formulaFr: 'occupation_duration ÷ production_duration ; null quand production_duration vaut 0.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  presentation_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Smoothed period of button presentation', fr: 'Durée lissée de présentation des boutons' },
    formula:
      'Length of the union, over operators, of the intervals in the period when they were connected, available on ' +
      'the channel and below capacity (load < capacity): the time buttons could be shown, in seconds.',
    formulaFr:
      "Longueur de l'union, sur les opérateurs, des intervalles de la période où ils étaient connectés, disponibles " +
      'sur le canal et sous leur capacité (charge < capacité) : le temps pendant lequel les boutons pouvaient être ' +
      'affichés, en secondes.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  production_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'In production', fr: 'En production' },
    formula:
      'Σ over operators of the time in the period they were connected and either available on the channel or with ' +
      'a load ≥ 1 on it (= non_occupation_duration + occupation_duration + max_occupation_duration), in seconds.',
    formulaFr:
      'Σ sur les opérateurs du temps de la période où ils étaient connectés et soit disponibles sur le canal, soit ' +
      'avec une charge ≥ 1 sur ce canal (= non_occupation_duration + occupation_duration + ' +
      'max_occupation_duration), en secondes.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  production_smoothed_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Smoothed period of production', fr: 'Durée lissée de production' },
    formula:
      'Length of the union, over operators, of their in-production intervals in the period (connected, and ' +
      'available on the channel or with a load ≥ 1): time with at least one operator in production, in seconds.',
    formulaFr:
      "Longueur de l'union, sur les opérateurs, de leurs intervalles en production dans la période (connectés, et " +
      'disponibles sur le canal ou avec une charge ≥ 1) : temps pendant lequel au moins un opérateur était en ' +
      'production, en secondes.',
    estimated: false,
    sources: PRESENCE_SOURCES,
  },
  presence_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: ALL_CHANNELS,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Total period of presence', fr: 'Durée totale de présence' }, // seed 002: « temps de présence »
    formula:
      'Σ over operators linked to the websites of the length of their presence_session intervals clipped to the ' +
      'period (an open session, ended_at null, runs until now), in seconds; the same on every channel.',
    formulaFr:
      'Σ sur les opérateurs rattachés aux sites de la longueur de leurs intervalles presence_session bornés à la ' +
      "période (une session ouverte, ended_at null, court jusqu'à l'instant présent), en secondes ; la même valeur " +
      'sur tous les canaux.',
    estimated: false,
    sources: ['presence_session'],
  },
  presence_smoothed_duration: {
    family: 'presence',
    unit: 'seconds',
    channels: ALL_CHANNELS,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Smoothed period of presence', fr: 'Durée lissée de présence' },
    formula:
      'Length of the union of the presence_session intervals (clipped to the period) of the operators linked to ' +
      'the websites: time with at least one operator connected, in seconds.',
    formulaFr:
      "Longueur de l'union des intervalles presence_session (bornés à la période) des opérateurs rattachés aux " +
      'sites : temps pendant lequel au moins un opérateur était connecté, en secondes.',
    estimated: false,
    sources: ['presence_session'],
  },

  // ——— Satisfaction (6) ———
  satisfaction_delay_rate: {
    family: 'satisfaction',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Waiting time', fr: "Satisfaction sur le délai d'attente" }, // seed 002: « note_delai »
    formula:
      'Average of note_delay ÷ 3 over the satisfaction surveys of the conversations of the period; null without ' +
      'surveys.',
    formulaFr:
      'Moyenne de note_delay ÷ 3 sur les questionnaires de satisfaction des conversations de la période ; null sans ' +
      'questionnaire.',
    estimated: false,
    sources: ['conversation', 'satisfaction'],
  },
  satisfaction_global_rate: {
    family: 'satisfaction',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Overall satisfaction', fr: 'Satisfaction globale' }, // seed 002: « note_globale »
    formula:
      'Average of (note_welcome + note_delay + note_resolution) ÷ 9 over the satisfaction surveys of the ' +
      'conversations of the period (as GET /operator/{id}/statistic computes it); null without surveys.',
    formulaFr:
      'Moyenne de (note_welcome + note_delay + note_resolution) ÷ 9 sur les questionnaires de satisfaction des ' +
      'conversations de la période (comme la calcule GET /operator/{id}/statistic) ; null sans questionnaire.',
    estimated: false,
    sources: ['conversation', 'satisfaction'],
  },
  satisfaction_resolution_rate: {
    family: 'satisfaction',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Quality of response', fr: 'Qualité de la réponse' }, // seed 002: « note_resolution »
    formula:
      'Average of note_resolution ÷ 3 over the satisfaction surveys of the conversations of the period; null ' +
      'without surveys.',
    formulaFr:
      'Moyenne de note_resolution ÷ 3 sur les questionnaires de satisfaction des conversations de la période ; null ' +
      'sans questionnaire.',
    estimated: false,
    sources: ['conversation', 'satisfaction'],
  },
  satisfaction_respondent_number: {
    family: 'satisfaction',
    unit: 'count',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Number of respondents', fr: 'Nombre de répondants' },
    formula:
      'Number of satisfaction surveys of the conversations of the period (at most one per conversation: ' +
      'satisfaction.conversation_id is unique).',
    formulaFr:
      'Nombre de questionnaires de satisfaction des conversations de la période (au plus un par conversation : ' +
      'satisfaction.conversation_id est unique).',
    estimated: false,
    sources: ['conversation', 'satisfaction'],
  },
  satisfaction_respondent_rate: {
    family: 'satisfaction',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Response rate', fr: 'Taux de réponse au questionnaire' },
    formula:
      'satisfaction_respondent_number ÷ number of answered conversations of the period (operator_answer = 1); ' +
      'null when there is none.',
    formulaFr:
      'satisfaction_respondent_number ÷ nombre de conversations de la période ayant reçu une réponse ' +
      "(operator_answer = 1) ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation', 'satisfaction'],
  },
  satisfaction_welcome_rate: {
    family: 'satisfaction',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Quality of welcome', fr: "Qualité de l'accueil" }, // seed 002: « note_accueil »
    formula:
      'Average of note_welcome ÷ 3 over the satisfaction surveys of the conversations of the period; null without ' +
      'surveys.',
    formulaFr:
      'Moyenne de note_welcome ÷ 3 sur les questionnaires de satisfaction des conversations de la période ; null ' +
      'sans questionnaire.',
    estimated: false,
    sources: ['conversation', 'satisfaction'],
  },

  // ——— Transactions (16) ———
  cart_after_contact_amount: {
    family: 'transactions',
    unit: 'amount',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Average order value after contact', fr: 'Panier moyen après contact' },
    formula:
      'transaction_after_contact_amount ÷ transaction_after_contact_number (average amount of the sales of the ' +
      'period made after contact); null when there is none.',
    formulaFr:
      'transaction_after_contact_amount ÷ transaction_after_contact_number (montant moyen des ventes de la période ' +
      "réalisées après contact) ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation', 'sale', 'website_currency'],
  },
  cart_global_amount: {
    family: 'transactions',
    unit: 'amount',
    channels: LIVE,
    groupableBy: NOT_GROUPABLE,
    labels: { en: 'Average order value on the website', fr: 'Panier moyen du site' },
    formula:
      'transaction_total_amount ÷ transaction_total_number (average amount of every sale of the period, with or ' +
      'without contact, whatever the channel); null when there is none.',
    formulaFr:
      'transaction_total_amount ÷ transaction_total_number (montant moyen de toutes les ventes de la période, avec ' +
      "ou sans contact, quel que soit le canal) ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['sale', 'website_currency'],
  },
  conversion_rate: {
    family: 'transactions',
    unit: 'rate',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Conversion rate', fr: 'Taux de conversion' }, // seed 002: « taux de conversion »
    formula:
      'Number of answered conversations of the period (operator_answer = 1) having at least one sale ' +
      '(sale.conversation_id, whatever its date) ÷ number of answered conversations of the period; null when none.',
    formulaFr:
      'Nombre de conversations de la période ayant reçu une réponse (operator_answer = 1) et au moins une vente ' +
      '(sale.conversation_id, quelle que soit sa date) ÷ nombre de conversations de la période ayant reçu une ' +
      "réponse ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation', 'sale'],
  },
  transaction_after_contact_amount: {
    family: 'transactions',
    unit: 'amount',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'T/O after contact', fr: "Chiffre d'affaires après contact" },
    formula:
      'Sum of sale.amount over the sales of the period made after contact (sale.conversation_id set, that ' +
      'conversation answered); 0 when there is none.',
    formulaFr:
      'Somme de sale.amount sur les ventes de la période réalisées après contact (sale.conversation_id renseigné, ' +
      "cette conversation ayant reçu une réponse) ; 0 s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation', 'sale', 'website_currency'],
  },
  transaction_after_contact_duration: {
    family: 'transactions',
    unit: 'seconds',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Transformation time after contact', fr: 'Délai de transformation après contact' },
    formula:
      'Average, over the sales of the period made after contact, of max(0, sale.created_at − answered_at of its ' +
      'conversation) (the first exchange is the first operator message), in seconds; null when there is none.',
    formulaFr:
      'Moyenne, sur les ventes de la période réalisées après contact, de max(0, sale.created_at − answered_at de sa ' +
      "conversation) (le premier échange est le premier message d'opérateur), en secondes ; null s'il n'y en a " +
      'aucune.',
    estimated: false,
    sources: ['conversation', 'sale'],
  },
  transaction_after_contact_number: {
    family: 'transactions',
    unit: 'count',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Transactions after contact', fr: 'Transactions après contact' },
    formula:
      'Number of sales of the period made after contact (sale.conversation_id set, that conversation answered ' +
      'with operator_answer = 1).',
    formulaFr:
      'Nombre de ventes de la période réalisées après contact (sale.conversation_id renseigné, cette conversation ' +
      'ayant reçu une réponse : operator_answer = 1).',
    estimated: false,
    sources: ['conversation', 'sale'],
  },
  transaction_date: {
    family: 'transactions',
    unit: 'datetime',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'Transaction date', fr: 'Date de transaction' },
    formula:
      'Date of the last sale of the period, max(sale.created_at), as YYYY-MM-DD HH:MM:SS in the client time zone; ' +
      'grouped by a resource, the last sale attributed to it (through its conversation); null when there is none.',
    formulaFr:
      'Date de la dernière vente de la période, max(sale.created_at), au format YYYY-MM-DD HH:MM:SS dans le fuseau ' +
      'horaire du client ; regroupée par ressource, la date de la dernière vente attribuée à chacune (par sa ' +
      "conversation) ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['sale'],
  },
  transaction_in_session: {
    family: 'transactions',
    unit: 'count',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: { en: 'In-session transaction', fr: 'Transaction en session' },
    formula:
      'Number of sales of the period made during a conversation: sale.conversation_id set and sale.created_at ' +
      'between that conversation created_at and its closed_at (or still open).',
    formulaFr:
      'Nombre de ventes de la période réalisées pendant une conversation : sale.conversation_id renseigné et ' +
      'sale.created_at entre le created_at de cette conversation et son closed_at (ou conversation encore ouverte).',
    estimated: false,
    sources: ['conversation', 'sale'],
  },
  transaction_missed_with_busy_operators_amount: {
    family: 'transactions',
    unit: 'amount',
    channels: LIVE,
    groupableBy: BY_TARGETING,
    labels: { en: 'T/O missed (agents totally busy)', fr: "Chiffre d'affaires manqué (agents totalement occupés)" },
    formula:
      'Estimate: transaction_missed_with_busy_operators_number × cart_after_contact_amount of the period; null ' +
      'when that number is null, 0 when it is 0, otherwise null when cart_after_contact_amount is null.',
    formulaFr:
      'Estimation : transaction_missed_with_busy_operators_number × cart_after_contact_amount de la période ; null ' +
      'quand ce nombre est null, 0 quand il vaut 0, sinon null quand cart_after_contact_amount est null.',
    estimated: true,
    sources: ['conversation', 'sale', 'rule_counters', 'suppressed_triggers', 'website_currency'],
  },
  transaction_missed_with_busy_operators_number: {
    family: 'transactions',
    unit: 'number',
    channels: LIVE,
    groupableBy: BY_TARGETING,
    labels: {
      en: 'Missed transaction opportunities (agents totally busy)',
      fr: 'Opportunités de transaction manquées (agents totalement occupés)',
    },
    formula:
      'Estimate: contact_missed_with_busy_operators_number, computed as for chat on the requested channel ' +
      '(its missed conversations and withheld triggers), × conversion_rate of the period; null when ' +
      'conversion_rate is null.',
    formulaFr:
      'Estimation : contact_missed_with_busy_operators_number, calculé comme pour le chat sur le canal demandé (ses ' +
      'conversations manquées et ses déclenchements non affichés), × conversion_rate de la période ; null quand ' +
      'conversion_rate est null.',
    estimated: true,
    sources: ['conversation', 'sale', 'rule_counters', 'suppressed_triggers'],
  },
  transaction_missed_with_no_operators_amount: {
    family: 'transactions',
    unit: 'amount',
    channels: LIVE,
    groupableBy: BY_TARGETING,
    labels: {
      en: 'Missed T/O opportunity (no agents available)',
      fr: "Chiffre d'affaires manqué (aucun agent disponible)",
    },
    formula:
      'Estimate: transaction_missed_with_no_operators_number × cart_after_contact_amount of the period; null ' +
      'when that number is null, 0 when it is 0, otherwise null when cart_after_contact_amount is null.',
    formulaFr:
      'Estimation : transaction_missed_with_no_operators_number × cart_after_contact_amount de la période ; null ' +
      'quand ce nombre est null, 0 quand il vaut 0, sinon null quand cart_after_contact_amount est null.',
    estimated: true,
    sources: ['conversation', 'sale', 'rule_counters', 'suppressed_triggers', 'website_currency'],
  },
  transaction_missed_with_no_operators_number: {
    family: 'transactions',
    unit: 'number',
    channels: LIVE,
    groupableBy: BY_TARGETING,
    labels: {
      en: 'Missed transaction opportunities (no agents available)',
      fr: 'Opportunités de transaction manquées (aucun agent disponible)',
    },
    formula:
      'Estimate: contact_missed_with_no_operators_number, computed as for chat on the requested channel ' +
      '(its missed conversations and withheld triggers), × conversion_rate of the period; null when ' +
      'conversion_rate is null.',
    formulaFr:
      'Estimation : contact_missed_with_no_operators_number, calculé comme pour le chat sur le canal demandé (ses ' +
      'conversations manquées et ses déclenchements non affichés), × conversion_rate de la période ; null quand ' +
      'conversion_rate est null.',
    estimated: true,
    sources: ['conversation', 'sale', 'rule_counters', 'suppressed_triggers'],
  },
  transaction_total_amount: {
    family: 'transactions',
    unit: 'amount',
    channels: LIVE,
    groupableBy: NOT_GROUPABLE,
    labels: { en: 'Website T/O', fr: "Chiffre d'affaires du site" },
    formula:
      'Sum of sale.amount over every sale of the period, with or without contact, whatever the channel; 0 when ' +
      'there is none.',
    formulaFr:
      'Somme de sale.amount sur toutes les ventes de la période, avec ou sans contact, quel que soit le canal ; 0 ' +
      "s'il n'y en a aucune.",
    estimated: false,
    sources: ['sale', 'website_currency'],
  },
  transaction_total_number: {
    family: 'transactions',
    unit: 'count',
    channels: LIVE,
    groupableBy: NOT_GROUPABLE,
    labels: { en: 'Website transactions', fr: 'Transactions du site' },
    formula: 'Number of sales of the period, with or without contact, whatever the channel.',
    formulaFr: 'Nombre de ventes de la période, avec ou sans contact, quel que soit le canal.',
    estimated: false,
    sources: ['sale'],
  },
  transaction_amount_per_conversation: {
    family: 'transactions',
    unit: 'amount',
    channels: LIVE,
    groupableBy: BY_CONVERSATION,
    labels: {
      en: 'Website transactions amount per conversation',
      fr: "Chiffre d'affaires du site par conversation",
    },
    formula:
      'transaction_after_contact_amount ÷ number of answered conversations of the period (operator_answer = 1); ' +
      'null when there is none.',
    formulaFr:
      'transaction_after_contact_amount ÷ nombre de conversations de la période ayant reçu une réponse ' +
      "(operator_answer = 1) ; null s'il n'y en a aucune.",
    estimated: false,
    sources: ['conversation', 'sale', 'website_currency'],
  },
  transaction_after_conversation_amount_per_hour: {
    family: 'transactions',
    unit: 'amount',
    channels: LIVE,
    groupableBy: BY_OPERATORS,
    labels: { en: 'Website transactions amount per hour', fr: "Chiffre d'affaires du site par heure" },
    formula:
      'transaction_after_contact_amount ÷ (production_duration ÷ 3600): turnover after contact per operator-hour ' +
      'in production; null when production_duration is 0.',
    formulaFr:
      "transaction_after_contact_amount ÷ (production_duration ÷ 3600) : chiffre d'affaires après contact par " +
      'heure-opérateur en production ; null quand production_duration vaut 0.',
    estimated: false,
    sources: ['conversation', 'sale', 'website_currency', ...PRESENCE_SOURCES],
  },
} as const satisfies Record<string, IndicatorDefinition>);

export type IndicatorName = keyof typeof INDICATORS;

/** Every indicator name, in seed 003's order (families, then the seed's order within each). */
export const INDICATOR_NAMES: readonly IndicatorName[] = Object.freeze(Object.keys(INDICATORS) as IndicatorName[]);

export function isIndicatorName(name: string): name is IndicatorName {
  return Object.hasOwn(INDICATORS, name);
}

export function indicatorDefinition(name: IndicatorName): IndicatorDefinition {
  return INDICATORS[name];
}

/** The indicators defined on a channel: `filters[indicators]`'s default for that channel. */
export function indicatorsFor(channel: StatisticChannel): readonly IndicatorName[] {
  return INDICATOR_NAMES.filter((name) => indicatorDefinition(name).channels.includes(channel));
}

/** The indicators that can be grouped by a resource. */
export function indicatorsGroupableBy(resource: StatisticResource): readonly IndicatorName[] {
  return INDICATOR_NAMES.filter((name) => indicatorDefinition(name).groupableBy.includes(resource));
}

/** The indicators whose formula needs source data the schema does not hold yet. */
export function indicatorsMissingSource(): readonly IndicatorName[] {
  return INDICATOR_NAMES.filter((name) =>
    indicatorDefinition(name).sources.some((source) => !SOURCE_DATA[source].present),
  );
}
