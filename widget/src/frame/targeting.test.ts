// Targeting in the page: conditions against the page's facts, the first matching rule by priority, availability,
// visits, the counts reported by beacon, and a page's session over time (time on page, invitation delay).
import { describe, expect, it } from 'vitest';
import {
  decide,
  deviceOf,
  holds,
  isReturning,
  localeParts,
  matches,
  nextVisit,
  type PageFacts,
  PendingCounts,
  type Rule,
  VISIT_GAP_MS,
} from './targeting';
import { type Display, type SessionHooks, TargetingSession } from './targeting-session';

const facts = (more: Partial<PageFacts> = {}): PageFacts => ({
  url: 'https://shop.example/products/42?color=red',
  referrer: 'https://www.search.example/?q=shoes',
  pageType: 'product',
  cartAmount: 80,
  secondsOnPage: 0,
  pagesViewed: 1,
  returning: false,
  country: 'FR',
  language: 'fr',
  device: 'desktop',
  ...more,
});

let nextId = 1;
const rule = (more: Partial<Rule> = {}): Rule => ({
  id: nextId++,
  channel: 'chat',
  priority: 1,
  conditions: { match: 'all', list: [] },
  action: 'button',
  invitation_message: null,
  invitation_delay_seconds: null,
  only_when_available: false,
  availability: 'available',
  ...more,
});

describe('conditions', () => {
  it('page URL equals, contains and matches (a case-insensitive regular expression)', () => {
    const page = facts();
    expect(holds({ type: 'page_url', operator: 'contains', value: '/PRODUCTS/' }, page)).toBe(true);
    expect(holds({ type: 'page_url', operator: 'equals', value: 'https://shop.example/' }, page)).toBe(false);
    expect(holds({ type: 'page_url', operator: 'matches', value: '/products/\\d+' }, page)).toBe(true);
    expect(holds({ type: 'page_url', operator: 'matches', value: '/cart$' }, page)).toBe(false);
    // A broken expression never holds (the API refuses them; a stale one must not break the page).
    expect(holds({ type: 'page_url', operator: 'matches', value: '([' }, page)).toBe(false);
    expect(holds({ type: 'referrer', operator: 'contains', value: 'search.example' }, page)).toBe(true);
  });

  it('page type, country, language and device compare whole, ignoring case; not_equals too', () => {
    expect(holds({ type: 'page_type', operator: 'equals', value: 'Product' }, facts())).toBe(true);
    expect(holds({ type: 'page_type', operator: 'equals', value: 'product' }, facts({ pageType: null }))).toBe(false);
    expect(holds({ type: 'country', operator: 'not_equals', value: 'BE' }, facts())).toBe(true);
    expect(holds({ type: 'language', operator: 'equals', value: 'fr' }, facts())).toBe(true);
    expect(holds({ type: 'device', operator: 'equals', value: 'mobile' }, facts())).toBe(false);
  });

  it('numbers: time on page, pages viewed, cart amount (none declared: no cart condition holds)', () => {
    expect(holds({ type: 'time_on_page', operator: 'gte', value: 10 }, facts({ secondsOnPage: 9 }))).toBe(false);
    expect(holds({ type: 'time_on_page', operator: 'gte', value: 10 }, facts({ secondsOnPage: 10 }))).toBe(true);
    expect(holds({ type: 'pages_viewed', operator: 'gt', value: 2 }, facts({ pagesViewed: 3 }))).toBe(true);
    expect(holds({ type: 'cart_amount', operator: 'gt', value: 50 }, facts())).toBe(true);
    expect(holds({ type: 'cart_amount', operator: 'lt', value: 50 }, facts())).toBe(false);
    expect(holds({ type: 'cart_amount', operator: 'eq', value: 80 }, facts())).toBe(true);
    expect(holds({ type: 'cart_amount', operator: 'lt', value: 50 }, facts({ cartAmount: null }))).toBe(false);
    expect(holds({ type: 'returning_visitor', operator: 'equals', value: true }, facts({ returning: true }))).toBe(
      true,
    );
    expect(holds({ type: 'returning_visitor', operator: 'equals', value: false }, facts({ returning: true }))).toBe(
      false,
    );
    expect(holds({ type: 'weather', operator: 'equals', value: 'sun' }, facts())).toBe(false);
  });

  it('all or any of the conditions; none holds everywhere', () => {
    const list = [
      { type: 'page_type', operator: 'equals', value: 'cart' },
      { type: 'cart_amount', operator: 'gt', value: 50 },
    ];
    expect(matches(rule({ conditions: { match: 'all', list } }), facts())).toBe(false);
    expect(matches(rule({ conditions: { match: 'any', list } }), facts())).toBe(true);
    expect(matches(rule(), facts())).toBe(true);
  });
});

describe('decide', () => {
  const onProducts = { match: 'all' as const, list: [{ type: 'page_type', operator: 'equals', value: 'product' }] };

  it('takes the first matching rule in priority order', () => {
    const cart = rule({
      priority: 1,
      conditions: { match: 'all', list: [{ type: 'page_type', operator: 'equals', value: 'cart' }] },
    });
    const product = rule({ priority: 2, conditions: onProducts, action: 'invitation', invitation_message: 'Hi' });
    const everywhere = rule({ priority: 3 });
    const rules = [cart, product, everywhere];
    expect(decide(rules, facts())).toEqual({ rule: product, outcome: 'show' });
    expect(decide(rules, facts({ pageType: 'cart' }))).toEqual({ rule: cart, outcome: 'show' });
    expect(decide(rules, facts({ pageType: 'home' }))).toEqual({ rule: everywhere, outcome: 'show' });
    expect(decide([cart], facts())).toBeUndefined();
  });

  it('withholds a rule shown only when an operator is available: busy or offline', () => {
    const busy = rule({ only_when_available: true, availability: 'busy' });
    const offline = rule({ only_when_available: true, availability: 'offline' });
    expect(decide([busy], facts())).toEqual({ rule: busy, outcome: 'withheld_busy' });
    expect(decide([offline], facts())).toEqual({ rule: offline, outcome: 'withheld_offline' });
    // Without the option, availability does not matter.
    const anyway = rule({ availability: 'offline' });
    expect(decide([anyway], facts())).toEqual({ rule: anyway, outcome: 'show' });
  });
});

describe('the visitor and the device', () => {
  it('counts pages of a visit, and a new visit after 30 minutes makes a returning visitor', () => {
    const first = nextVisit(null, 1000);
    expect(first).toEqual({ pages: 1, last: 1000, visitStart: 1000, first: 1000 });
    expect(isReturning(first)).toBe(false);
    const second = nextVisit(first, 5000);
    expect(second.pages).toBe(2);
    expect(isReturning(second)).toBe(false);
    const later = nextVisit(second, 5000 + VISIT_GAP_MS + 1);
    expect(later.pages).toBe(1);
    expect(isReturning(later)).toBe(true);
  });

  it('reads the device from the user agent, then the width; the locale into language and region', () => {
    expect(deviceOf('Mozilla/5.0 (iPad; CPU OS 17_0 like Mac OS X)', 1024)).toBe('tablet');
    expect(deviceOf('Mozilla/5.0 (Linux; Android 14; Pixel 8) Mobile Safari', 412)).toBe('mobile');
    expect(deviceOf('Mozilla/5.0 (Linux; Android 14; SM-X910) Safari', 1200)).toBe('tablet');
    expect(deviceOf('Mozilla/5.0 (X11; Linux x86_64) Chrome/130', 1280)).toBe('desktop');
    expect(deviceOf('Mozilla/5.0 (X11; Linux x86_64) Chrome/130', 500)).toBe('mobile');
    expect(localeParts('fr-BE')).toEqual({ language: 'fr', region: 'BE' });
    expect(localeParts('en')).toEqual({ language: 'en', region: null });
    expect(localeParts(undefined)).toEqual({ language: null, region: null });
  });
});

describe('PendingCounts', () => {
  it('adds up per rule and page type (at most 100, as the server takes), and empties into reports of ≤ 50 entries', () => {
    const counts = new PendingCounts();
    counts.add(7, 'product', 'triggers');
    counts.add(7, 'product', 'displays');
    counts.add(7, 'product', 'displays');
    counts.add(7, null, 'withheld_offline');
    expect(JSON.parse(counts.take(3)[0] ?? '')).toEqual({
      website_id: 3,
      entries: [
        { rule_id: 7, page_type: 'product', triggers: 1, displays: 2 },
        { rule_id: 7, page_type: '', withheld_offline: 1 },
      ],
    });
    expect(counts.size).toBe(0);
    for (let time = 0; time < 150; time += 1) counts.add(9, 'p', 'displays');
    expect(JSON.parse(counts.take(3)[0] ?? '').entries).toEqual([{ rule_id: 9, page_type: 'p', displays: 100 }]);
    for (let id = 1; id <= 120; id += 1) counts.add(id, 'p', 'triggers');
    const reports = counts.take(3).map((body) => JSON.parse(body) as { entries: unknown[] });
    expect(reports.map((report) => report.entries.length)).toEqual([50, 50, 20]);
    expect(reports.every((report) => JSON.stringify(report).length <= 8 * 1024)).toBe(true);
  });
});

/** A session on a fake clock: timers run when the test moves time on. */
function fakeSession(rules: Rule[]) {
  let now = 0;
  const timers: { at: number; run: () => void }[] = [];
  const shown: Display[] = [];
  const sent: string[] = [];
  const hooks: SessionHooks = {
    show: (display) => shown.push(display),
    send: (body) => sent.push(body),
    now: () => now,
    setTimer: (run, ms) => {
      const timer = { at: now + ms, run };
      timers.push(timer);
      return timer;
    },
    clearTimer: (timer) => {
      const index = timers.indexOf(timer as (typeof timers)[number]);
      if (index >= 0) timers.splice(index, 1);
    },
  };
  const session = new TargetingSession(5, rules, hooks);
  const advance = (ms: number) => {
    const until = now + ms;
    for (;;) {
      timers.sort((a, b) => a.at - b.at);
      const next = timers[0];
      if (next === undefined || next.at > until) break;
      timers.shift();
      now = next.at;
      next.run();
    }
    now = until;
  };
  const reported = () => {
    session.flush();
    return sent.splice(0).flatMap((body) => (JSON.parse(body) as { entries: unknown[] }).entries);
  };
  return { session, shown, advance, reported };
}

const page = (more: Partial<PageFacts> = {}) => {
  const { secondsOnPage: _ignored, ...rest } = facts(more);
  return rest;
};

describe('TargetingSession', () => {
  it('without chat rules shows the button everywhere and reports nothing', () => {
    const { session, shown, reported } = fakeSession([rule({ channel: 'call' })]);
    session.pageView(page());
    expect(shown).toEqual([{ button: true, invitation: null }]);
    expect(reported()).toEqual([]);
  });

  it('shows an invitation after its delay once time on page holds, counting one trigger and one display', () => {
    const invite = rule({
      action: 'invitation',
      invitation_message: 'Can I help?',
      invitation_delay_seconds: 3,
      conditions: { match: 'all', list: [{ type: 'time_on_page', operator: 'gte', value: 5 }] },
    });
    const { session, shown, advance, reported } = fakeSession([invite]);
    session.pageView(page());
    expect(shown.at(-1)).toEqual({ button: false, invitation: null });
    advance(4000);
    expect(reported()).toEqual([]);
    advance(1000);
    // Triggered at 5 s, shown 3 s later.
    expect(reported()).toEqual([{ rule_id: invite.id, page_type: 'product', triggers: 1 }]);
    advance(2999);
    expect(shown.at(-1)).toEqual({ button: false, invitation: null });
    advance(1);
    expect(shown.at(-1)).toEqual({ button: true, invitation: { ruleId: invite.id, text: 'Can I help?' } });
    expect(session.shownRule).toBe(invite);
    advance(60_000);
    expect(reported()).toEqual([{ rule_id: invite.id, page_type: 'product', displays: 1 }]);
  });

  it('a page left before the invitation shows counts the trigger, not a display', () => {
    const invite = rule({ action: 'invitation', invitation_message: 'Hello', invitation_delay_seconds: 10 });
    const { session, advance, reported } = fakeSession([invite]);
    session.pageView(page({ pageType: 'home' }));
    advance(5000);
    session.pageView(page({ pageType: 'cart' }));
    advance(20_000);
    expect(reported()).toEqual([
      { rule_id: invite.id, page_type: 'home', triggers: 1 },
      { rule_id: invite.id, page_type: 'cart', triggers: 1, displays: 1 },
    ]);
  });

  it('withheld for want of an operator: counted, nothing shown', () => {
    const busy = rule({ only_when_available: true, availability: 'busy' });
    const { session, shown, reported } = fakeSession([busy]);
    session.pageView(page());
    expect(shown).toEqual([{ button: false, invitation: null }]);
    expect(reported()).toEqual([{ rule_id: busy.id, page_type: 'product', triggers: 1, withheld_busy: 1 }]);
    expect(session.shownRule).toBeNull();
  });

  it('a cart amount declared later makes a cart rule match on the same page', () => {
    const bigCart = rule({
      conditions: { match: 'all', list: [{ type: 'cart_amount', operator: 'gte', value: 100 }] },
    });
    const { session, shown, advance, reported } = fakeSession([bigCart]);
    session.pageView(page({ cartAmount: null }));
    expect(shown.at(-1)).toEqual({ button: false, invitation: null });
    advance(2500);
    session.contextChanged(page({ cartAmount: 150 }));
    expect(shown.at(-1)).toEqual({ button: true, invitation: null });
    // Decided once: the time-on-page tick still pending does not count it again.
    advance(5000);
    expect(reported()).toEqual([{ rule_id: bigCart.id, page_type: 'product', triggers: 1, displays: 1 }]);
  });
});
