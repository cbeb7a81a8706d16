// Targeting in the page (docs/TARGETING.md): the website's active rules come with the widget's config; here they are
// evaluated against what the page and the visit tell (no request per evaluation), the first matching rule by priority
// decides whether the chat button or an invitation shows, and displays and triggers are counted for the report beacon.

export interface Condition {
  type: string;
  operator: string;
  value: string | number | boolean;
}

export interface Rule {
  id: number;
  channel: string;
  priority: number;
  conditions: { match: 'all' | 'any'; list: Condition[] };
  action: 'button' | 'invitation';
  invitation_message: string | null;
  invitation_delay_seconds: number | null;
  only_when_available: boolean;
  /** The rule's routing target now: an operator free, all busy, or none there. */
  availability: 'available' | 'busy' | 'offline';
}

export interface TargetingConfig {
  website_id: number;
  /** The visitor's country when the server knows it (a proxy's header), else null. */
  country: string | null;
  /** Whether the website's chat can take a conversation now (absent from an older server). */
  availability?: ChatAvailability;
  rules: Rule[];
}

/** Whether someone can answer the chat: `busy` when every ready operator's slots are taken. */
export type ChatAvailability = 'available' | 'busy' | 'offline';

/** What a page view tells about the visitor, as conditions read it. */
export interface PageFacts {
  url: string;
  referrer: string;
  /** Declared by the site: `Causerie.setContext({ page_type })`. */
  pageType: string | null;
  /** Declared by the site: `Causerie.setContext({ cart_amount })`. */
  cartAmount: number | null;
  secondsOnPage: number;
  pagesViewed: number;
  returning: boolean;
  country: string | null;
  language: string | null;
  device: 'desktop' | 'mobile' | 'tablet';
}

function text(actual: string | null, operator: string, expected: string): boolean {
  const value = (actual ?? '').toLowerCase();
  const wanted = expected.toLowerCase();
  switch (operator) {
    case 'equals':
      return value === wanted;
    case 'not_equals':
      return value !== wanted;
    case 'contains':
      return value.includes(wanted);
    case 'matches':
      try {
        return new RegExp(expected, 'i').test(actual ?? '');
      } catch {
        return false;
      }
    default:
      return false;
  }
}

function number(actual: number | null, operator: string, expected: number): boolean {
  if (actual === null) return false;
  switch (operator) {
    case 'gt':
      return actual > expected;
    case 'gte':
      return actual >= expected;
    case 'lt':
      return actual < expected;
    case 'lte':
      return actual <= expected;
    case 'eq':
      return actual === expected;
    default:
      return false;
  }
}

/** One condition against the facts; an unknown type never holds (a newer server's rule shows nothing, rather than everywhere). */
export function holds(condition: Condition, facts: PageFacts): boolean {
  const { type, operator, value } = condition;
  switch (type) {
    case 'page_url':
      return text(facts.url, operator, String(value));
    case 'referrer':
      return text(facts.referrer, operator, String(value));
    case 'page_type':
      return text(facts.pageType, operator, String(value));
    case 'country':
      return text(facts.country, operator, String(value));
    case 'language':
      return text(facts.language, operator, String(value));
    case 'device':
      return text(facts.device, operator, String(value));
    case 'time_on_page':
      return number(facts.secondsOnPage, operator, Number(value));
    case 'pages_viewed':
      return number(facts.pagesViewed, operator, Number(value));
    case 'cart_amount':
      return number(facts.cartAmount, operator, Number(value));
    case 'returning_visitor':
      return facts.returning === (value === true);
    default:
      return false;
  }
}

/** A rule's conditions: all (or any) of them; no condition at all holds everywhere. */
export function matches(rule: Rule, facts: PageFacts): boolean {
  const list = rule.conditions?.list ?? [];
  if (list.length === 0) return true;
  return rule.conditions.match === 'any'
    ? list.some((condition) => holds(condition, facts))
    : list.every((condition) => holds(condition, facts));
}

/** The chat rules in evaluation order: priority (1 first), then id. */
export function chatRules(rules: readonly Rule[]): Rule[] {
  return rules.filter((rule) => rule.channel === 'chat').sort((a, b) => a.priority - b.priority || a.id - b.id);
}

/** What the first matching rule decides: show (button or invitation), or withhold it for want of an operator. */
export type Decision = { rule: Rule; outcome: 'show' } | { rule: Rule; outcome: 'withheld_busy' | 'withheld_offline' };

/** The first rule (in order) whose conditions hold now, and what it decides; undefined while none does. */
export function decide(rules: readonly Rule[], facts: PageFacts): Decision | undefined {
  const rule = rules.find((candidate) => matches(candidate, facts));
  if (rule === undefined) return undefined;
  if (rule.only_when_available && rule.availability !== 'available')
    return { rule, outcome: rule.availability === 'busy' ? 'withheld_busy' : 'withheld_offline' };
  return { rule, outcome: 'show' };
}

/** The device class, from the user agent first (tablets say so), then the page's width. */
export function deviceOf(userAgent: string, width: number): PageFacts['device'] {
  if (/iPad|Tablet|PlayBook|Silk|(Android(?!.*Mobile))/i.test(userAgent)) return 'tablet';
  if (/Mobi|iPhone|iPod|Android/i.test(userAgent)) return 'mobile';
  if (width > 0 && width < 768) return 'mobile';
  return 'desktop';
}

/** `fr-BE` → language `fr`, region `BE` (the country when the server gives none). */
export function localeParts(language: string | undefined): { language: string | null; region: string | null } {
  const match = /^([a-z]{2})(?:[-_]([a-z]{2}))?/i.exec(language ?? '');
  return { language: match?.[1]?.toLowerCase() ?? null, region: match?.[2]?.toUpperCase() ?? null };
}

/** A visit ends after 30 minutes without a page view, as web analytics count them. */
export const VISIT_GAP_MS = 30 * 60 * 1000;

export interface VisitRecord {
  /** Pages viewed in the current visit. */
  pages: number;
  /** Last page view, epoch ms. */
  last: number;
  /** Start of the current visit, epoch ms. */
  visitStart: number;
  /** First visit ever seen in this browser, epoch ms. */
  first: number;
}

/** Counts one more page view: in the same visit within the gap, else a new visit (the visitor is then returning). */
export function nextVisit(previous: VisitRecord | null, now: number): VisitRecord {
  if (previous === null) return { pages: 1, last: now, visitStart: now, first: now };
  if (now - previous.last > VISIT_GAP_MS) return { pages: 1, last: now, visitStart: now, first: previous.first };
  return { ...previous, pages: previous.pages + 1, last: now };
}

export const isReturning = (visit: VisitRecord): boolean => visit.first < visit.visitStart;

/** The counts the widget reports, per rule and page type (the beacon's entries). */
export type CountName = 'displays' | 'triggers' | 'withheld_busy' | 'withheld_offline';
export interface ReportEntry {
  rule_id: number;
  page_type: string;
  displays?: number;
  triggers?: number;
  withheld_busy?: number;
  withheld_offline?: number;
}

/** The server takes at most this many entries per report (and 8 KB), and counts of at most 100 each. */
export const MAX_REPORT_ENTRIES = 50;
export const MAX_REPORT_COUNT = 100;

/** Counts waiting to be reported, added up per rule and page type; `take` empties it by reports of ≤ 50 entries. */
export class PendingCounts {
  private readonly entries = new Map<string, ReportEntry>();

  add(ruleId: number, pageType: string | null, name: CountName): void {
    const page = (pageType ?? '').slice(0, 64);
    const key = `${ruleId} ${page}`;
    const entry = this.entries.get(key) ?? { rule_id: ruleId, page_type: page };
    // Beyond the server's bound (a single-page site changing pages very fast), the excess is not counted.
    entry[name] = Math.min(MAX_REPORT_COUNT, (entry[name] ?? 0) + 1);
    this.entries.set(key, entry);
  }

  get size(): number {
    return this.entries.size;
  }

  /** The reports to send now (bodies of at most 50 entries), leaving nothing pending. */
  take(websiteId: number): string[] {
    const all = [...this.entries.values()];
    this.entries.clear();
    const bodies: string[] = [];
    for (let start = 0; start < all.length; start += MAX_REPORT_ENTRIES)
      bodies.push(JSON.stringify({ website_id: websiteId, entries: all.slice(start, start + MAX_REPORT_ENTRIES) }));
    return bodies;
  }
}
