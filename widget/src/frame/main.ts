// The iframe app: wires the page bridge (postMessage, origin-checked), the transport, the state and the view.
import { BRIDGE, type IdentityClaim, isBridgeMessage, type PageContext, type ToPage } from '../bridge';
import { pickLang, translator } from './i18n';
import { type FrameOptions, readOptions } from './options';
import { type Change, ChatState, type Pending } from './state';
import { restore, WidgetStorage } from './storage';
import { deviceOf, localeParts, type PageFacts, type TargetingConfig, type VisitRecord } from './targeting';
import { countPageView, type Display, TargetingSession } from './targeting-session';
import { type HelloFields, Transport } from './transport';
import { ChatView } from './view';
import './frame.css';

/** A client id for a message: a UUID where the browser has one, else random hex. */
function newId(prefix: string): string {
  if (typeof crypto.randomUUID === 'function') return `${prefix}${crypto.randomUUID()}`;
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return prefix + Array.from(bytes, (byte) => byte.toString(16).padStart(2, '0')).join('');
}

function start(options: FrameOptions): void {
  const lang = pickLang(options.lang, navigator.languages ?? [navigator.language]);
  const t = translator(lang);
  document.documentElement.lang = lang;
  // The page that embeds us must be the one the loader named: checked with the browser's own list where it exists.
  const ancestors = location.ancestorOrigins;
  const parentOrigin =
    options.parentOrigin !== null &&
    (ancestors === undefined || ancestors.length === 0 || ancestors[0] === options.parentOrigin)
      ? options.parentOrigin
      : null;
  const framed = window.parent !== window && parentOrigin !== null;

  const state = new ChatState();
  const storage = new WidgetStorage(safeLocalStorage(), options.websiteId);
  const saved = storage.conversation();
  if (saved !== null) restore(state, saved);
  let navigated = saved?.navigated ?? null;
  let page: string | null = null;
  let identity: IdentityClaim | null = null;
  let open = !framed;
  let connected = false;
  let typingOn = false;
  let typingTimer: ReturnType<typeof setTimeout> | null = null;
  let readSent = 0;
  let unreadFrom = state.lastIncomingSeq();
  // Targeting (docs/TARGETING.md): the rules come with the config; the page tells its context through the loader.
  let targeting: TargetingSession | null = null;
  let country: string | null = null;
  let context: PageContext = {};
  let display: Display = { button: false, invitation: null };
  /** The invitation the visitor accepted: their conversation is a proactive one of that rule. */
  let acceptedRule: number | null = null;
  let lastDisplay = '';
  let visit: VisitRecord | null = null;

  const toPage = (message: ToPage) => {
    if (framed && parentOrigin !== null) window.parent.postMessage(message, parentOrigin);
  };
  const emit = (name: string, data: unknown) => toPage({ causerie: BRIDGE, type: 'event', name, data });

  const transport = new Transport(
    location.origin,
    {
      frame: (frame) => {
        const changes = state.receive(frame);
        if (frame.type === 'welcome') afterWelcome();
        if (typeof frame.seq === 'number' && frame.type === 'entry') transport.seenUpTo(frame.seq);
        for (const change of changes) react(change);
        if (frame.type === 'started') {
          // Messages typed while the conversation was starting go now; the operator learns which page the visitor is on.
          for (const pending of state.pending) if (!pending.starts && !pending.failed) sendPending(pending);
          sendNavigation();
        }
        persist();
        refresh();
      },
      status: (status) => {
        view.setLink(status);
        refresh();
      },
      hello: (): HelloFields => {
        const vuid = state.vuid ?? storage.vuid();
        const resume = state.conversationId !== null && state.phase !== 'ended' && state.phase !== 'offline_sent';
        return {
          website_id: options.websiteId,
          ...(vuid !== null && { vuid }),
          ...(identity !== null && { identity }),
          ...(resume &&
            state.conversationId !== null && { conversation_id: state.conversationId, last_seq: state.lastSeq }),
        };
      },
      helloRefused: (code) => {
        if (code === 'identity_refused' && identity !== null) {
          // A bad signature must not cost the visitor their chat: continue as an anonymous visitor.
          identity = null;
          return true;
        }
        if (code === 'not_found' && state.conversationId !== null) {
          state.reset();
          storage.forgetConversation();
          return true;
        }
        return false;
      },
    },
    options.forceHttp,
  );

  const view = new ChatView(document, t, lang, {
    send: (text) => {
      sendPending(state.queueMessage(newId('v-'), text));
      stopTyping();
      refresh();
    },
    typing: () => {
      if (state.phase !== 'chatting' && state.phase !== 'waiting') return;
      if (!typingOn && state.conversationId !== null) {
        typingOn = true;
        transport.send({ type: 'typing', on: true, conversation_id: state.conversationId });
      }
      if (typingTimer !== null) clearTimeout(typingTimer);
      typingTimer = setTimeout(stopTyping, 3000);
    },
    close: () => toPage({ causerie: BRIDGE, type: 'close' }),
    end: () => {
      if (state.conversationId !== null) transport.send({ type: 'close', conversation_id: state.conversationId }, true);
    },
    offline: (email, text) => {
      // The form leaves a message (a conversation closed as missed when nobody is there), with the email to answer to:
      // stored on the visitor (`email`), and repeated in the text for whoever reads the message.
      const body = `${text}\n\n${t('emailLine', { email })}`.trim();
      state.offlineSent();
      transport.send(
        { type: 'start', text: body, client_message_id: newId('o-'), page_type: 'offline_form', email },
        true,
      );
      refresh();
      view.focus(state);
    },
    survey: (notes, comment) => {
      if (state.conversationId === null) return;
      transport.send(
        { type: 'satisfaction', conversation_id: state.conversationId, ...notes, ...(comment !== '' && { comment }) },
        true,
      );
      emit('survey', { conversation_id: state.conversationId, ...notes, comment });
    },
    skipSurvey: () => {
      state.skipSurvey();
      persist();
      refresh();
      view.focus(state);
    },
    newChat: () => {
      state.reset();
      storage.forgetConversation();
      navigated = null;
      refresh();
      view.focus(state);
    },
    retry: (pending: Pending) => {
      pending.failed = false;
      sendPending(pending);
      refresh();
    },
  });
  document.body.append(view.root);

  function sendPending(pending: Pending): void {
    ensureConnected();
    if (!pending.starts && state.conversationId === null) return;
    const rule = targeting?.shownRule ?? null;
    const frame = pending.starts
      ? {
          type: 'start',
          text: pending.text,
          client_message_id: pending.clientMessageId,
          ref: pending.clientMessageId,
          // What targeting knows of this contact: the page type, and the rule whose button or invitation it came from.
          ...(context.page_type !== undefined && context.page_type.trim() !== '' && { page_type: context.page_type }),
          ...(rule !== null && { rule_id: rule.id }),
          ...(rule !== null && acceptedRule === rule.id && { contact_type: 'proactive' }),
        }
      : {
          type: 'message',
          text: pending.text,
          client_message_id: pending.clientMessageId,
          conversation_id: state.conversationId,
          ref: pending.clientMessageId,
        };
    // Not kept in the outbox: every pending message is resent after each welcome (the server dedupes by client id).
    transport.send(frame);
  }

  function stopTyping(): void {
    if (typingTimer !== null) clearTimeout(typingTimer);
    typingTimer = null;
    if (typingOn && state.conversationId !== null)
      transport.send({ type: 'typing', on: false, conversation_id: state.conversationId });
    typingOn = false;
  }

  function afterWelcome(): void {
    if (state.vuid !== null) storage.saveVuid(state.vuid);
    for (const pending of state.pending) if (!pending.failed) sendPending(pending);
    readSent = 0;
    sendNavigation();
  }

  /** Tells the operator which page the visitor is on (once per page and conversation). */
  function sendNavigation(): void {
    if (page === null || state.conversationId === null || (state.phase !== 'waiting' && state.phase !== 'chatting'))
      return;
    const key = `${state.conversationId} ${page}`;
    if (navigated === key || !/^https?:/.test(page)) return;
    if (transport.send({ type: 'navigate', url: page.slice(0, 2048), conversation_id: state.conversationId }))
      navigated = key;
  }

  function react(change: Change): void {
    switch (change.kind) {
      case 'message':
        emit('message', {
          conversation_id: state.conversationId,
          seq: change.entry.seq,
          from: change.entry.kind,
          text: change.entry.text,
          at: change.entry.at,
        });
        if (change.entry.kind === 'operator')
          view.announce(t('newMessage', { name: state.operatorName ?? t('agent'), text: change.entry.text }));
        return;
      case 'started':
        emit('conversation.started', { conversation_id: change.conversationId, outcome: change.outcome });
        return;
      case 'closed':
        emit('conversation.closed', { conversation_id: change.conversationId, outcome: change.outcome });
        view.announce(t('operatorClosed'));
        if (open) setTimeout(() => view.focus(state), 0);
        return;
      case 'operator':
        view.announce(t(change.transferred ? 'transferred' : 'assigned', { name: change.name }));
        return;
      case 'error':
        if (change.code === 'conflict' && state.phase === 'survey') state.skipSurvey();
        return;
      case 'vuid':
        storage.saveVuid(change.vuid);
        return;
    }
  }

  function persist(): void {
    storage.saveConversation(state, navigated);
  }

  function refresh(): void {
    view.socketFeatures = transport.mode === 'ws';
    view.render(state);
    const newest = state.lastIncomingSeq();
    if (open && document.visibilityState === 'visible') {
      unreadFrom = newest;
      if (
        newest > readSent &&
        state.conversationId !== null &&
        transport.online &&
        (state.phase === 'chatting' || state.phase === 'waiting')
      ) {
        readSent = newest;
        transport.send({ type: 'read', seq: newest, conversation_id: state.conversationId });
      }
    }
    const unread = state.entries.filter((entry) => entry.kind === 'operator' && entry.seq > unreadFrom).length;
    toPage({ causerie: BRIDGE, type: 'unread', count: unread });
    if (targeting !== null) showDisplay();
  }

  /** The page's facts for targeting, as the rules read them. */
  function facts(newPage: boolean): Omit<PageFacts, 'secondsOnPage'> {
    // Only a page view counts in the visit; a context declared on the page reads the same visit.
    if (newPage || visit === null) visit = countPageView(safeLocalStorage(), options.websiteId, Date.now());
    const locale = localeParts(navigator.language);
    return {
      url: page ?? '',
      referrer: context.referrer ?? '',
      pageType: context.page_type ?? null,
      cartAmount: context.cart_amount ?? null,
      pagesViewed: visit.pages,
      returning: visit.first < visit.visitStart,
      country: country ?? locale.region,
      language: locale.language,
      device: deviceOf(navigator.userAgent, context.width ?? 0),
    };
  }

  /** Tells the page what to show, when it changed: targeting's decision, or the button while a conversation is on. */
  function showDisplay(): void {
    const engaged = open || (state.conversationId !== null && state.phase !== 'ended');
    const button = display.button || engaged;
    const invitation = engaged ? null : (display.invitation?.text ?? null);
    const said = JSON.stringify([button, invitation]);
    if (said === lastDisplay) return;
    lastDisplay = said;
    toPage({ causerie: BRIDGE, type: 'display', button, invitation });
  }

  /** Reads the website's rules once for this page; without them (or the config), the button shows as it always did. */
  async function loadTargeting(): Promise<void> {
    let config: TargetingConfig | null = null;
    try {
      const answer = await fetch(`/widget/config?w=${options.websiteId}`, { credentials: 'omit' });
      if (answer.ok) config = (await answer.json()) as TargetingConfig;
    } catch {
      config = null;
    }
    country = config?.country ?? null;
    showAvailability(config);
    targeting = new TargetingSession(options.websiteId, config?.rules ?? [], {
      show: (shown) => {
        display = shown;
        showDisplay();
      },
      send: sendReport,
      now: () => Date.now(),
      setTimer: (run, ms) => setTimeout(run, ms),
      clearTimer: (timer) => clearTimeout(timer as ReturnType<typeof setTimeout>),
    });
    if (page !== null) targeting.pageView(facts(true));
  }

  function showAvailability(config: TargetingConfig | null): void {
    view.setAvailability(config?.availability ?? null);
    refresh();
  }

  /** Opening the chat reads the availability again (the server lets the browser keep it 15 s): it may have changed. */
  async function reloadAvailability(): Promise<void> {
    try {
      const answer = await fetch(`/widget/config?w=${options.websiteId}`, { credentials: 'omit' });
      if (answer.ok) showAvailability((await answer.json()) as TargetingConfig);
    } catch {
      // Unknown: the first line keeps what it said.
    }
  }

  /** A report by beacon (it survives the page being left), else by a kept-alive fetch. */
  function sendReport(body: string): void {
    const url = '/widget/targeting/report';
    if (typeof navigator.sendBeacon === 'function' && navigator.sendBeacon(url, body)) return;
    void fetch(url, { method: 'POST', body, keepalive: true, headers: { 'content-type': 'text/plain' } }).catch(
      () => undefined,
    );
  }

  function ensureConnected(): void {
    if (connected) return;
    connected = true;
    transport.connect();
  }

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    // Only the page the loader named, and only our parent window, may drive the widget.
    if (!framed || event.origin !== parentOrigin || event.source !== window.parent || !isBridgeMessage(event.data))
      return;
    const message = event.data as {
      type: string;
      page?: unknown;
      identity?: unknown;
      open?: unknown;
      context?: unknown;
    };
    switch (message.type) {
      case 'init':
      case 'page':
        if (typeof message.page === 'string') page = message.page;
        if (message.type === 'init') context = readContext(message.context);
        // A new page view: counted in the visit, its rules evaluated from zero seconds.
        targeting?.pageView(facts(true));
        if (message.type === 'init') {
          identity = readIdentity(message.identity);
          // Open on the previous page: shown again, but the page keeps the focus.
          if (message.open === true) show(false);
          // Someone already chatting on the previous page is reconnected at once; others when they open the widget.
          if (state.conversationId !== null) ensureConnected();
        }
        sendNavigation();
        persist();
        return;
      case 'context':
        context = { ...readContext(message.context), referrer: context.referrer, width: context.width };
        if (targeting !== null && page !== null) targeting.contextChanged(facts(false));
        return;
      case 'accept':
        acceptedRule = display.invitation?.ruleId ?? null;
        return;
      case 'open':
        return show(true);
      case 'close':
        open = false;
        stopTyping();
        showDisplay();
        return;
      case 'identify': {
        const claim = readIdentity(message.identity);
        if (claim === null) return;
        identity = claim;
        if (connected) transport.restart();
        return;
      }
    }
  });

  function show(focus = true): void {
    open = true;
    if (framed && state.entries.length === 0) void reloadAvailability();
    ensureConnected();
    refresh();
    if (focus) view.focus(state);
  }

  document.addEventListener('keydown', (event) => {
    if (event.key === 'Escape') toPage({ causerie: BRIDGE, type: 'close' });
  });
  document.addEventListener('visibilitychange', () => {
    refresh();
    // Reported when the page is hidden or left, and every ten seconds meanwhile: few requests, nothing lost.
    if (document.visibilityState === 'hidden') targeting?.flush();
  });
  window.addEventListener('pagehide', () => targeting?.flush());
  setInterval(() => targeting?.flush(), 10_000);
  if (framed) void loadTargeting();

  view.setLink(saved !== null || !framed ? 'connecting' : 'online');
  refresh();
  if (!framed) ensureConnected();
  toPage({ causerie: BRIDGE, type: 'ready' });
}

/** The page's context as the loader sent it, fields of the wrong kind dropped. */
function readContext(value: unknown): PageContext {
  if (typeof value !== 'object' || value === null) return {};
  const given = value as Record<string, unknown>;
  return {
    ...(typeof given.page_type === 'string' && { page_type: given.page_type.slice(0, 64) }),
    ...(typeof given.cart_amount === 'number' &&
      Number.isFinite(given.cart_amount) && { cart_amount: given.cart_amount }),
    ...(typeof given.referrer === 'string' && { referrer: given.referrer.slice(0, 2048) }),
    ...(typeof given.width === 'number' && { width: given.width }),
  };
}

/** An identity claim from the page, or null when it is not one. */
function readIdentity(value: unknown): IdentityClaim | null {
  if (typeof value !== 'object' || value === null) return null;
  const claim = value as Record<string, unknown>;
  if (
    typeof claim.hash !== 'string' ||
    (typeof claim.external_id !== 'string' && typeof claim.external_id !== 'number')
  )
    return null;
  return {
    external_id: String(claim.external_id),
    hash: claim.hash,
    ...(typeof claim.email === 'string' && { email: claim.email }),
  };
}

function safeLocalStorage(): Storage | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}

const options = readOptions(location.hash);
if (options === null)
  document.body.textContent = 'Causerie widget: missing website id (#w=…). Embed it with widget.js.';
else start(options);
