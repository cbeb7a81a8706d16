// One page's targeting: evaluates the rules on each page view and as time passes (time on page), shows the first
// matching rule's button or invitation, and reports triggers, displays and withheld displays in batches by beacon.
import {
  chatRules,
  type Decision,
  decide,
  nextVisit,
  type PageFacts,
  PendingCounts,
  type Rule,
  type VisitRecord,
} from './targeting';

/** What the page shows: the chat button, and an invitation's text with the rule that made it. */
export interface Display {
  button: boolean;
  invitation: { ruleId: number; text: string } | null;
}

export interface SessionHooks {
  show(display: Display): void;
  /** Sends one report body (navigator.sendBeacon in the page). */
  send(body: string): void;
  now(): number;
  setTimer(run: () => void, ms: number): unknown;
  clearTimer(timer: unknown): void;
}

/** Evaluations stop after this long on one page: time-on-page rules beyond it never show. */
const MAX_EVALUATION_SECONDS = 3600;

export class TargetingSession {
  private readonly rules: Rule[];
  private readonly counts = new PendingCounts();
  private pageStartedAt = 0;
  private facts: Omit<PageFacts, 'secondsOnPage'> | null = null;
  private decision: Decision | undefined;
  private ticking: unknown = null;
  private invitationTimer: unknown = null;
  /** The rule whose button or invitation is shown on this page, for the conversation it may start. */
  shownRule: Rule | null = null;

  constructor(
    private readonly websiteId: number,
    rules: readonly Rule[],
    private readonly hooks: SessionHooks,
  ) {
    this.rules = chatRules(rules);
  }

  /** True when the website targets its chat: otherwise the widget shows its button everywhere, as without rules. */
  get active(): boolean {
    return this.rules.length > 0;
  }

  /** A new page (load or single-page navigation): a fresh evaluation, time on page from zero. */
  pageView(facts: Omit<PageFacts, 'secondsOnPage'>): void {
    this.stopTimers();
    this.facts = facts;
    this.pageStartedAt = this.hooks.now();
    this.decision = undefined;
    this.shownRule = null;
    this.hooks.show({ button: !this.active, invitation: null });
    if (this.active) this.evaluate();
  }

  /** The site declared a page type or cart amount: evaluated again, unless a rule already decided on this page. */
  contextChanged(facts: Omit<PageFacts, 'secondsOnPage'>): void {
    this.facts = facts;
    if (this.decision === undefined && this.active) this.evaluate();
  }

  private evaluate(): void {
    // Once a rule decided, this page's evaluation is over (a pending tick must not decide it twice).
    if (this.facts === null || this.decision !== undefined) return;
    const secondsOnPage = Math.floor((this.hooks.now() - this.pageStartedAt) / 1000);
    const decision = decide(this.rules, { ...this.facts, secondsOnPage });
    if (decision === undefined) {
      if (secondsOnPage < MAX_EVALUATION_SECONDS && this.ticking === null)
        this.ticking = this.hooks.setTimer(() => {
          this.ticking = null;
          this.evaluate();
        }, 1000);
      return;
    }
    this.decision = decision;
    if (this.ticking !== null) this.hooks.clearTimer(this.ticking);
    this.ticking = null;
    const { rule } = decision;
    const pageType = this.facts.pageType;
    this.counts.add(rule.id, pageType, 'triggers');
    if (decision.outcome !== 'show') {
      this.counts.add(rule.id, pageType, decision.outcome);
      return;
    }
    if (rule.action === 'button' || rule.invitation_message === null) {
      this.shownRule = rule;
      this.counts.add(rule.id, pageType, 'displays');
      this.hooks.show({ button: true, invitation: null });
      return;
    }
    const message = rule.invitation_message;
    this.invitationTimer = this.hooks.setTimer(
      () => {
        this.invitationTimer = null;
        this.shownRule = rule;
        this.counts.add(rule.id, pageType, 'displays');
        this.hooks.show({ button: true, invitation: { ruleId: rule.id, text: message } });
      },
      Math.max(0, rule.invitation_delay_seconds ?? 0) * 1000,
    );
  }

  /** Sends what is counted (every few seconds, and when the page is left). */
  flush(): void {
    if (this.counts.size === 0) return;
    for (const body of this.counts.take(this.websiteId)) this.hooks.send(body);
  }

  private stopTimers(): void {
    if (this.ticking !== null) this.hooks.clearTimer(this.ticking);
    if (this.invitationTimer !== null) this.hooks.clearTimer(this.invitationTimer);
    this.ticking = null;
    this.invitationTimer = null;
  }
}

/** Reads, counts and saves a page view of the visit (the iframe origin's storage; none: every page is a first). */
export function countPageView(store: Storage | null, websiteId: number, now: number): VisitRecord {
  const key = `causerie:${websiteId}:visit`;
  let previous: VisitRecord | null = null;
  try {
    const saved = JSON.parse(store?.getItem(key) ?? 'null') as VisitRecord | null;
    if (saved !== null && typeof saved.pages === 'number' && typeof saved.first === 'number') previous = saved;
  } catch {
    previous = null;
  }
  const visit = nextVisit(previous, now);
  try {
    store?.setItem(key, JSON.stringify(visit));
  } catch {
    // Blocked storage: the next page counts as a first again.
  }
  return visit;
}
