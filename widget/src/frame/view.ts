// The iframe's DOM: built once, updated from the state. Every text from the network goes through textContent, never HTML.
import type { WordKey } from './i18n';
import { productCard } from './product';
import type { ChatState, Entry, Pending } from './state';
import type { ChatAvailability } from './targeting';
import type { LinkStatus } from './transport';

type Translate = (key: WordKey, values?: Record<string, string | number>) => string;

/** Creates an element with attributes and children; strings become text nodes (so they are never parsed as HTML). */
export function el<K extends keyof HTMLElementTagNameMap>(
  doc: Document,
  tag: K,
  attributes: Record<string, string> = {},
  children: (Node | string)[] = [],
): HTMLElementTagNameMap[K] {
  const node = doc.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, value);
  for (const child of children) node.append(typeof child === 'string' ? doc.createTextNode(child) : child);
  return node;
}

/** What the visitor sees of a system entry: the notice in their language (or its text as plain text). */
/**
 * The first line of an empty chat: nobody available (the website has no offline text of its own: the widget's default,
 * docs/WIDGET.md) or everyone busy is said before the visitor types; unknown availability keeps the usual welcome.
 */
export function welcomeWords(availability: ChatAvailability | null): WordKey {
  if (availability === 'offline') return 'welcomeOffline';
  if (availability === 'busy') return 'welcomeBusy';
  return 'welcome';
}

export function systemText(entry: Entry, operatorName: string, t: Translate): string {
  if (entry.event === 'assigned') return t('assigned', { name: operatorName });
  if (entry.event === 'transferred') return t('transferred', { name: operatorName });
  if (entry.text === 'OPERATOR_CHAT_CLOSE') return t('operatorClosed');
  if (entry.text === 'VISITOR_CHAT_CLOSE') return t('visitorClosed');
  if (entry.text === 'OPERATOR_CHAT_ASSIGNED') return t('assigned', { name: operatorName });
  if (entry.text === 'OPERATOR_CHAT_TRANSFERRED') return t('transferred', { name: operatorName });
  return entry.text;
}

/** One message of the log as a list item; the message text is a text node. */
export function messageItem(
  doc: Document,
  entry: Entry,
  operatorName: string,
  t: Translate,
  lang: string,
  seen: boolean,
): HTMLLIElement {
  if (entry.kind === 'system')
    return el(doc, 'li', { class: 'cz-system', 'data-seq': String(entry.seq) }, [systemText(entry, operatorName, t)]);
  const mine = entry.kind === 'visitor';
  const time =
    entry.at === '' ? '' : new Date(entry.at).toLocaleTimeString(lang, { hour: '2-digit', minute: '2-digit' });
  const meta = el(doc, 'span', { class: 'cz-meta' }, [
    `${mine ? t('you') : operatorName} · ${time}${seen ? ` · ${t('seen')}` : ''}`,
  ]);
  // A product card replaces its text fallback (title, price, link) when the card can be drawn safely.
  const body = entry.product
    ? productCard(doc, el, entry.product, t)
    : el(doc, 'p', { class: 'cz-text' }, [entry.text]);
  return el(doc, 'li', { class: mine ? 'cz-msg cz-mine' : 'cz-msg cz-theirs', 'data-seq': String(entry.seq) }, [
    body,
    meta,
  ]);
}

function pendingItem(doc: Document, pending: Pending, t: Translate, retry: (pending: Pending) => void): HTMLLIElement {
  const meta = el(doc, 'span', { class: 'cz-meta' }, [pending.failed ? t('failed') : t('sending')]);
  const item = el(
    doc,
    'li',
    {
      class: `cz-msg cz-mine cz-pending${pending.failed ? ' cz-failed' : ''}`,
      'data-client-id': pending.clientMessageId,
    },
    [el(doc, 'p', { class: 'cz-text' }, [pending.text]), meta],
  );
  if (pending.failed) {
    const again = el(doc, 'button', { type: 'button', class: 'cz-link' }, ['↻']);
    again.setAttribute('aria-label', t('send'));
    again.addEventListener('click', () => retry(pending));
    item.append(again);
  }
  return item;
}

function ratingGroup(doc: Document, name: string, legend: string, t: Translate): HTMLFieldSetElement {
  const options = [1, 2, 3].map((note) => {
    const input = el(doc, 'input', { type: 'radio', name, value: String(note), required: '' });
    const word = t(note === 1 ? 'note1' : note === 2 ? 'note2' : 'note3');
    return el(doc, 'label', { class: 'cz-note' }, [input, el(doc, 'span', {}, [`${note} · ${word}`])]);
  });
  return el(doc, 'fieldset', { class: 'cz-rating' }, [el(doc, 'legend', {}, [legend]), ...options]);
}

export interface ViewActions {
  send(text: string): void;
  typing(): void;
  close(): void;
  end(): void;
  offline(email: string, text: string): void;
  survey(notes: { note_welcome: number; note_delay: number; note_resolution: number }, comment: string): void;
  skipSurvey(): void;
  newChat(): void;
  retry(pending: Pending): void;
}

/** The widget's screen. */
export class ChatView {
  readonly root: HTMLElement;
  readonly input: HTMLTextAreaElement;
  private readonly log: HTMLOListElement;
  private readonly banner: HTMLElement;
  private readonly typingLine: HTMLElement;
  private readonly announcer: HTMLElement;
  private readonly composer: HTMLFormElement;
  private readonly offlineForm: HTMLFormElement;
  private readonly surveyForm: HTMLFormElement;
  private readonly done: HTMLElement;
  private readonly doneText: HTMLElement;
  private readonly endButton: HTMLButtonElement;
  private link: LinkStatus = 'connecting';
  private availability: ChatAvailability | null = null;
  /** Ending the chat needs the socket; the HTTP fallback carries messages, typing, read state and the survey. */
  socketFeatures = true;

  constructor(
    private readonly doc: Document,
    private readonly t: Translate,
    private readonly lang: string,
    actions: ViewActions,
  ) {
    const closeButton = el(doc, 'button', { type: 'button', class: 'cz-icon', 'aria-label': t('close') }, ['×']);
    closeButton.addEventListener('click', () => actions.close());
    this.endButton = el(doc, 'button', { type: 'button', class: 'cz-link' }, [t('end')]);
    this.endButton.addEventListener('click', () => actions.end());
    const header = el(doc, 'header', { class: 'cz-header' }, [
      el(doc, 'h1', { id: 'cz-title' }, [t('title')]),
      this.endButton,
      closeButton,
    ]);
    this.banner = el(doc, 'p', { class: 'cz-banner', role: 'status' });
    // The log itself is not live: new messages are announced once, with their author, by the announcer below.
    this.log = el(doc, 'ol', { class: 'cz-log', 'aria-label': t('messages'), tabindex: '0' });
    this.typingLine = el(doc, 'p', { class: 'cz-typing', 'aria-hidden': 'true' });
    this.announcer = el(doc, 'p', { class: 'cz-sr', 'aria-live': 'polite', 'aria-atomic': 'true' });

    this.input = el(doc, 'textarea', {
      id: 'cz-input',
      rows: '1',
      maxlength: '20000',
      placeholder: t('placeholder'),
      autocomplete: 'off',
    });
    this.composer = el(doc, 'form', { class: 'cz-composer' }, [
      el(doc, 'label', { for: 'cz-input', class: 'cz-sr' }, [t('placeholder')]),
      this.input,
      el(doc, 'button', { type: 'submit', class: 'cz-send' }, [t('send')]),
    ]);
    const submit = () => {
      const text = this.input.value.trim();
      if (text === '') return;
      this.input.value = '';
      this.input.style.height = '';
      actions.send(text);
    };
    this.composer.addEventListener('submit', (event) => {
      event.preventDefault();
      submit();
    });
    this.input.addEventListener('keydown', (event) => {
      // Enter sends; Shift+Enter makes a new line; composing (IME) is left alone.
      if (event.key === 'Enter' && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        submit();
      }
    });
    this.input.addEventListener('input', () => {
      // Grows with the text up to the stylesheet's max-height, then scrolls.
      this.input.style.height = 'auto';
      this.input.style.height = `${this.input.scrollHeight + 2}px`;
      actions.typing();
    });

    const email = el(doc, 'input', { type: 'email', id: 'cz-email', required: '', autocomplete: 'email' });
    const offlineText = el(doc, 'textarea', { id: 'cz-offline-text', rows: '3', maxlength: '19000' });
    this.offlineForm = el(doc, 'form', { class: 'cz-panel cz-offline', hidden: '' }, [
      el(doc, 'h2', {}, [t('offlineTitle')]),
      el(doc, 'p', {}, [t('offlineText')]),
      el(doc, 'label', { for: 'cz-email' }, [t('email')]),
      email,
      el(doc, 'label', { for: 'cz-offline-text' }, [t('yourMessage')]),
      offlineText,
      el(doc, 'button', { type: 'submit', class: 'cz-send' }, [t('leaveMessage')]),
    ]);
    this.offlineForm.addEventListener('submit', (event) => {
      event.preventDefault();
      actions.offline(email.value.trim(), offlineText.value.trim());
    });

    const comment = el(doc, 'textarea', { id: 'cz-comment', rows: '2', maxlength: '2000' });
    const skip = el(doc, 'button', { type: 'button', class: 'cz-link' }, [t('skip')]);
    skip.addEventListener('click', () => actions.skipSurvey());
    this.surveyForm = el(doc, 'form', { class: 'cz-panel cz-survey', hidden: '' }, [
      el(doc, 'h2', {}, [t('surveyTitle')]),
      ratingGroup(doc, 'note_welcome', t('noteWelcome'), t),
      ratingGroup(doc, 'note_delay', t('noteDelay'), t),
      ratingGroup(doc, 'note_resolution', t('noteResolution'), t),
      el(doc, 'label', { for: 'cz-comment' }, [t('comment')]),
      comment,
      el(doc, 'div', { class: 'cz-row' }, [
        el(doc, 'button', { type: 'submit', class: 'cz-send' }, [t('submit')]),
        skip,
      ]),
    ]);
    this.surveyForm.addEventListener('submit', (event) => {
      event.preventDefault();
      const note = (name: string) =>
        Number((this.surveyForm.elements.namedItem(name) as RadioNodeList | null)?.value ?? 0);
      actions.survey(
        {
          note_welcome: note('note_welcome'),
          note_delay: note('note_delay'),
          note_resolution: note('note_resolution'),
        },
        comment.value.trim(),
      );
    });

    const again = el(doc, 'button', { type: 'button', class: 'cz-send' }, [t('newChat')]);
    again.addEventListener('click', () => actions.newChat());
    this.doneText = el(doc, 'p', {});
    this.done = el(doc, 'div', { class: 'cz-panel cz-done', hidden: '' }, [this.doneText, again]);

    this.root = el(doc, 'section', { class: 'cz', role: 'dialog', 'aria-labelledby': 'cz-title' }, [
      header,
      this.banner,
      this.log,
      this.typingLine,
      this.offlineForm,
      this.surveyForm,
      this.done,
      this.composer,
      this.announcer,
    ]);
    this.retry = actions.retry;
  }

  private readonly retry: (pending: Pending) => void;

  /** Says something to screen readers (e.g. a new message with its author). */
  announce(text: string): void {
    this.announcer.textContent = text;
  }

  setLink(status: LinkStatus): void {
    this.link = status;
  }

  /** What the server last said of the chat's availability: the first line says so before the visitor types. */
  setAvailability(availability: ChatAvailability | null): void {
    this.availability = availability;
  }

  /** Redraws from the state (the log is rebuilt: conversations are short, and this keeps the view a function of the state). */
  render(state: ChatState): void {
    const operatorName = state.operatorName ?? this.t('agent');
    const atBottom = this.log.scrollHeight - this.log.scrollTop - this.log.clientHeight < 40;
    let lastSeenMine = -1;
    for (const entry of state.entries)
      if (entry.kind === 'visitor' && entry.seq <= state.operatorReadSeq) lastSeenMine = entry.seq;
    const items: HTMLLIElement[] = [];
    if (state.entries.length === 0 && state.pending.length === 0)
      items.push(
        el(this.doc, 'li', { class: 'cz-system', 'data-availability': this.availability ?? 'unknown' }, [
          this.t(welcomeWords(this.availability)),
        ]),
      );
    const missed = state.outcome === 'missed_offline' || state.outcome === 'missed_busy';
    for (const entry of state.entries) {
      if (entry.kind === 'navigation') continue;
      // A missed conversation is closed by the system at once: no "you ended it" notice above the offline form.
      if (
        missed &&
        entry.kind === 'system' &&
        (entry.text === 'VISITOR_CHAT_CLOSE' || entry.text === 'OPERATOR_CHAT_CLOSE')
      )
        continue;
      items.push(messageItem(this.doc, entry, operatorName, this.t, this.lang, entry.seq === lastSeenMine));
    }
    for (const pending of state.pending) items.push(pendingItem(this.doc, pending, this.t, this.retry));
    this.log.replaceChildren(...items);
    if (atBottom || state.pending.length > 0) this.log.scrollTop = this.log.scrollHeight;

    this.typingLine.textContent = state.operatorTyping ? this.t('typing', { name: operatorName }) : '';
    let banner = '';
    if (this.link === 'connecting') banner = this.t('connecting');
    else if (this.link === 'reconnecting' || this.link === 'failed') banner = this.t('reconnecting');
    else if (state.phase === 'waiting' && state.queue !== null) {
      const minutes = Math.ceil(state.queue.estimatedWaitSeconds / 60);
      banner = `${this.t('queued', { position: state.queue.position })} ${minutes < 1 ? this.t('waitSoon') : this.t('wait', { minutes })}`;
    }
    this.banner.textContent = banner;
    this.banner.hidden = banner === '';

    const show = (node: HTMLElement, visible: boolean) => {
      node.hidden = !visible;
    };
    show(this.composer, state.canType());
    show(this.offlineForm, state.phase === 'offline');
    show(this.surveyForm, state.phase === 'survey');
    show(this.done, state.phase === 'ended' || state.phase === 'offline_sent');
    show(this.endButton, this.socketFeatures && (state.phase === 'waiting' || state.phase === 'chatting'));
    this.doneText.textContent =
      state.phase === 'offline_sent'
        ? this.t('offlineThanks')
        : state.surveyed.has(state.conversationId ?? -1)
          ? this.t('surveyThanks')
          : this.t('operatorClosed');
  }

  /** Moves focus to the first thing to do: the composer, or the first field of a form. */
  focus(state: ChatState): void {
    const target = state.canType()
      ? this.input
      : (this.root.querySelector<HTMLElement>(
          '.cz-panel:not([hidden]) input, .cz-panel:not([hidden]) textarea, .cz-panel:not([hidden]) button',
        ) ?? this.input);
    target.focus();
  }
}
