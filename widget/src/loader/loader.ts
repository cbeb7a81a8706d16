// widget.js: the tag a site embeds. Adds the launcher button and the chat iframe (served from the Causerie origin),
// exposes window.Causerie (open, close, toggle, identify, setContext, on, off), replays calls queued before it loaded,
// and tells the iframe which page the visitor is on. The iframe evaluates the website's targeting rules and says whether
// the button or an invitation shows. It only trusts messages from the Causerie origin, from its own iframe.
import { BRIDGE, type IdentityClaim, isBridgeMessage, type PageContext, type ToFrame } from '../bridge';
import { pickLang } from '../lang';

type Listener = (data: unknown) => void;
type Call = [string, ...unknown[]];

/** The page-side API, `window.Causerie`. */
export interface CauserieApi {
  open(): void;
  close(): void;
  toggle(): void;
  /** `user.id` (or `external_id`) as signed by the site's server, an optional `email`, and the hex HMAC-SHA256 `hash`. */
  identify(user: { id?: string | number; external_id?: string | number; email?: string }, hash: string): void;
  /** Declares the page for targeting rules: `{ page_type: 'product', cart_amount: 59.9 }` (docs/TARGETING.md). */
  setContext(context: { page_type?: string; cart_amount?: number }): void;
  on(event: string, listener: Listener): void;
  off(event: string, listener: Listener): void;
  /** Array-style queue, kept working after load: `Causerie.push(['open'])`. */
  push(call: Call): void;
  version: string;
}

interface PageGlobals {
  Causerie?: unknown;
  causerieIdentity?: unknown;
  causerieContext?: unknown;
}

const OPEN_KEY = 'causerie:open';

const WORDS = {
  en: { open: 'Open the chat', close: 'Close the chat', title: 'Chat', dismiss: 'Dismiss' },
  fr: { open: 'Ouvrir la discussion', close: 'Fermer la discussion', title: 'Discussion', dismiss: 'Ignorer' },
};

const CSS = `
:host{all:initial}
.l{position:fixed;right:20px;bottom:20px;z-index:2147483000;width:56px;height:56px;border:0;border-radius:50%;background:#3451b2;color:#fff;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);display:flex;align-items:center;justify-content:center;padding:0}
button:focus-visible{outline:3px solid #f0b400;outline-offset:2px}
svg{width:28px;height:28px;fill:currentColor}
span{position:absolute;top:-2px;right:-2px;min-width:20px;height:20px;padding:0 5px;border-radius:10px;background:#d1242f;color:#fff;font:bold 12px/20px system-ui,sans-serif;box-sizing:border-box}
iframe{position:fixed;right:20px;bottom:88px;z-index:2147483000;width:380px;height:min(600px,calc(100vh - 108px));border:0;border-radius:12px;box-shadow:0 8px 30px rgba(0,0,0,.3);background:#fff}
[hidden]{display:none!important}
.i{position:fixed;right:20px;bottom:88px;z-index:2147483000;max-width:280px;display:flex;background:#fff;border-radius:12px;box-shadow:0 4px 14px rgba(0,0,0,.25);font:14px/1.4 system-ui,sans-serif}
.i button{border:0;background:none;cursor:pointer;font:inherit;color:#1f2328;padding:12px 4px 12px 14px;text-align:left}
.i .x{padding:6px 10px;font-size:18px;color:#57606a;align-self:flex-start}
@media (max-width:480px){iframe{inset:0;width:100%;height:100%;border-radius:0}.open .l{display:none}}
`;

/** The script tag that loaded us (currentScript, or for odd loaders the tag carrying data-website). */
function ownScript(): HTMLScriptElement | null {
  const current = document.currentScript;
  if (current instanceof HTMLScriptElement && current.src !== '') return current;
  return document.querySelector<HTMLScriptElement>('script[data-website][src*="widget.js"]');
}

function identityFrom(
  user: { id?: string | number; external_id?: string | number; email?: string } | null | undefined,
  hash: unknown,
): IdentityClaim | null {
  const id = user?.external_id ?? user?.id;
  if (id === undefined || typeof hash !== 'string') return null;
  return { external_id: String(id), hash, ...(typeof user?.email === 'string' && { email: user.email }) };
}

/** The site's declared page type and cart amount, kept when they are of the right kind. */
function contextFrom(value: unknown, into: PageContext): PageContext {
  const given = (value ?? {}) as { page_type?: unknown; cart_amount?: unknown };
  const context = { ...into };
  if (typeof given.page_type === 'string') context.page_type = given.page_type.slice(0, 64);
  if (typeof given.cart_amount === 'number' && Number.isFinite(given.cart_amount))
    context.cart_amount = given.cart_amount;
  return context;
}

function install(): void {
  const win = window as PageGlobals & typeof globalThis;
  const existing = win.Causerie as (Partial<CauserieApi> & { q?: unknown[] }) | undefined;
  if (existing !== undefined && typeof existing.version === 'string') return; // loaded twice
  const script = ownScript();
  const websiteId = script?.dataset.website ?? '';
  if (script === null || !/^\d+$/.test(websiteId)) {
    console.error('Causerie: add data-website="<your website id>" to the widget.js script tag.');
    return;
  }
  const origin = new URL(script.src, location.href).origin;
  const lang = pickLang(script.dataset.lang, navigator.languages ?? [navigator.language]);
  const words = WORDS[lang];
  const listeners = new Map<string, Set<Listener>>();
  let ready = false;
  let open = false;
  let identity: IdentityClaim | null = identityFrom(
    win.causerieIdentity as { external_id?: string; email?: string } | undefined,
    (win.causerieIdentity as { hash?: unknown } | undefined)?.hash,
  );
  let page = location.href;
  let context = contextFrom(win.causerieContext, {});

  const host = document.createElement('div');
  host.setAttribute('data-causerie', '');
  const shadow = host.attachShadow({ mode: 'open' });
  const style = document.createElement('style');
  style.textContent = CSS;
  const wrapper = document.createElement('div');
  const launcher = document.createElement('button');
  launcher.type = 'button';
  launcher.className = 'l';
  // Targeting decides (the iframe's `display`); should the iframe never answer, the button shows anyway.
  launcher.hidden = true;
  const fallback = setTimeout(() => (launcher.hidden = false), 8000);
  const invitation = document.createElement('div');
  invitation.className = 'i';
  invitation.hidden = true;
  const invitationText = document.createElement('button');
  invitationText.type = 'button';
  const dismiss = document.createElement('button');
  dismiss.type = 'button';
  dismiss.className = 'x';
  dismiss.textContent = '×';
  dismiss.setAttribute('aria-label', words.dismiss);
  invitation.append(invitationText, dismiss);
  dismiss.addEventListener('click', () => (invitation.hidden = true));
  invitationText.addEventListener('click', () => {
    invitation.hidden = true;
    post({ causerie: BRIDGE, type: 'accept' });
    setOpen(true, true);
  });
  launcher.setAttribute('aria-label', words.open);
  launcher.setAttribute('aria-expanded', 'false');
  launcher.setAttribute('aria-controls', 'causerie-frame');
  const icon = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
  icon.setAttribute('viewBox', '0 0 24 24');
  icon.setAttribute('aria-hidden', 'true');
  const path = document.createElementNS('http://www.w3.org/2000/svg', 'path');
  path.setAttribute('d', 'M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z');
  icon.append(path);
  const badge = document.createElement('span');
  badge.hidden = true;
  badge.setAttribute('aria-hidden', 'true');
  launcher.append(icon, badge);

  const frame = document.createElement('iframe');
  frame.id = 'causerie-frame';
  frame.title = words.title;
  frame.hidden = true;
  frame.setAttribute('allow', 'clipboard-write');
  const params = new URLSearchParams({ w: websiteId, o: location.origin });
  if (script.dataset.lang !== undefined) params.set('l', lang);
  if (script.dataset.transport === 'http') params.set('t', 'http');
  // The query names the website (the server lets only its pages frame the chat); the fragment, never sent to the
  // server, carries the iframe's settings.
  frame.src = `${origin}/widget/frame.html?w=${websiteId}#${params.toString()}`;
  wrapper.append(frame, invitation, launcher);
  shadow.append(style, wrapper);

  const post = (message: ToFrame) => {
    if (ready) frame.contentWindow?.postMessage(message, origin);
  };
  const emit = (name: string, data?: unknown) => {
    for (const listener of listeners.get(name) ?? []) {
      try {
        listener(data);
      } catch (error) {
        console.error(error);
      }
    }
  };

  const remember = (value: boolean) => {
    try {
      sessionStorage.setItem(OPEN_KEY, value ? '1' : '0');
    } catch {
      // Storage refused: the widget just starts closed on the next page.
    }
  };

  /** Opens or closes; `focus` moves focus into the chat when opening and back to the launcher when closing. */
  const setOpen = (wanted: boolean, focus: boolean) => {
    if (wanted === open) return;
    open = wanted;
    remember(open);
    frame.hidden = !open;
    wrapper.className = open ? 'open' : '';
    launcher.setAttribute('aria-expanded', String(open));
    launcher.setAttribute('aria-label', open ? words.close : words.open);
    post({ causerie: BRIDGE, type: open ? 'open' : 'close' });
    if (focus) (open ? frame : launcher).focus();
    if (open) {
      badge.hidden = true;
      invitation.hidden = true;
      // The launcher is also how the chat closes: shown once the visitor opened it.
      launcher.hidden = false;
    }
    emit(open ? 'open' : 'close');
  };

  launcher.addEventListener('click', () => setOpen(!open, true));

  window.addEventListener('message', (event: MessageEvent<unknown>) => {
    // Only our iframe, on the Causerie origin, may talk to the page.
    if (event.origin !== origin || event.source !== frame.contentWindow || !isBridgeMessage(event.data)) return;
    const message = event.data as { type: string; count?: unknown; name?: unknown; data?: unknown };
    if (message.type === 'ready') {
      ready = true;
      post({
        causerie: BRIDGE,
        type: 'init',
        page,
        identity,
        open,
        context: { ...context, referrer: document.referrer, width: innerWidth },
      });
      emit('ready');
    } else if (message.type === 'close') {
      setOpen(false, true);
    } else if (message.type === 'unread') {
      const count = typeof message.count === 'number' ? message.count : 0;
      badge.hidden = count === 0 || open;
      badge.textContent = count > 9 ? '9+' : String(count);
      emit('unread', count);
    } else if (message.type === 'display') {
      const shown = message as { button?: unknown; invitation?: unknown };
      clearTimeout(fallback);
      launcher.hidden = shown.button !== true && !open;
      invitationText.textContent = typeof shown.invitation === 'string' ? shown.invitation : '';
      invitation.hidden = typeof shown.invitation !== 'string' || open;
      if (!invitation.hidden) emit('invitation', shown.invitation);
    } else if (message.type === 'event' && typeof message.name === 'string') {
      emit(message.name, message.data);
    }
  });

  // Navigation: single-page sites change pages without reloading; the iframe turns each change into a navigation entry.
  const pageChanged = () => {
    if (location.href === page) return;
    page = location.href;
    post({ causerie: BRIDGE, type: 'page', page });
  };
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      pageChanged();
      return result;
    };
  }
  window.addEventListener('popstate', pageChanged);
  window.addEventListener('hashchange', pageChanged);

  const api: CauserieApi = {
    version: '1',
    open: () => setOpen(true, true),
    close: () => setOpen(false, false),
    toggle: () => setOpen(!open, true),
    identify: (user, hash) => {
      const claim = identityFrom(user, hash);
      if (claim === null) {
        console.error('Causerie.identify(user, hash): user needs an id and hash the hex HMAC-SHA256 of that id.');
        return;
      }
      identity = claim;
      post({ causerie: BRIDGE, type: 'identify', identity: claim });
    },
    setContext: (values) => {
      context = contextFrom(values, context);
      post({ causerie: BRIDGE, type: 'context', context });
    },
    on: (event, listener) => {
      const set = listeners.get(event) ?? new Set<Listener>();
      set.add(listener);
      listeners.set(event, set);
    },
    off: (event, listener) => {
      listeners.get(event)?.delete(listener);
    },
    push: (call) => run(call),
  };

  function run(call: unknown): void {
    if (!Array.isArray(call) || typeof call[0] !== 'string') return;
    const [name, ...rest] = call as Call;
    // The stub snippet queues [name, arguments]; the array form queues [name, ...args].
    const args = rest.length === 1 && isArguments(rest[0]) ? Array.from(rest[0] as ArrayLike<unknown>) : rest;
    const method = (api as unknown as Record<string, unknown>)[name];
    if (typeof method === 'function' && name !== 'push') (method as (...values: unknown[]) => void)(...args);
  }

  const queued = Array.isArray(existing) ? (existing as unknown[]) : Array.isArray(existing?.q) ? existing.q : [];
  win.Causerie = api;
  (document.body ?? document.documentElement).append(host);
  // Open on the previous page of this tab: open again here, without taking the focus from the page.
  let wasOpen = false;
  try {
    wasOpen = sessionStorage.getItem(OPEN_KEY) === '1';
  } catch {
    wasOpen = false;
  }
  if (wasOpen) setOpen(true, false);
  for (const call of queued) run(call);
}

function isArguments(value: unknown): boolean {
  return Object.prototype.toString.call(value) === '[object Arguments]';
}

if (document.body === null) document.addEventListener('DOMContentLoaded', install);
else install();
