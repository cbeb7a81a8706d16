// Messages render as text: built from text nodes, never parsed as HTML (checked with a document that forbids innerHTML).
import { describe, expect, it } from 'vitest';
import { translator } from './i18n';
import type { Entry } from './state';
import { messageItem, systemText, welcomeWords } from './view';

class FakeText {
  constructor(readonly data: string) {}
  get textContent(): string {
    return this.data;
  }
}

class FakeElement {
  readonly attributes = new Map<string, string>();
  readonly children: (FakeElement | FakeText)[] = [];
  constructor(readonly tagName: string) {}
  setAttribute(name: string, value: string): void {
    this.attributes.set(name, value);
  }
  append(...nodes: (FakeElement | FakeText)[]): void {
    this.children.push(...nodes);
  }
  get textContent(): string {
    return this.children.map((child) => child.textContent).join('');
  }
  set innerHTML(_html: string) {
    throw new Error('innerHTML must never be used for widget content');
  }
  set outerHTML(_html: string) {
    throw new Error('outerHTML must never be used for widget content');
  }
  insertAdjacentHTML(): void {
    throw new Error('insertAdjacentHTML must never be used for widget content');
  }
}

const fakeDocument = {
  createElement: (tag: string) => new FakeElement(tag),
  createTextNode: (data: string) => new FakeText(data),
} as unknown as Document;

const t = translator('en');
const entry = (fields: Partial<Entry>): Entry => ({
  seq: 1,
  kind: 'operator',
  text: '',
  at: '2026-11-21T14:25:33.012Z',
  operatorId: 7,
  clientMessageId: null,
  event: null,
  ...fields,
});

describe('messageItem', () => {
  it('puts hostile message text in a text node, exactly as typed', () => {
    const payload = '<img src=x onerror=alert(1)><script>alert(2)</script>&amp;';
    const item = messageItem(
      fakeDocument,
      entry({ text: payload }),
      '<b>Ada</b>',
      t,
      'en',
      false,
    ) as unknown as FakeElement;
    const paragraph = item.children[0] as FakeElement;
    expect(paragraph.tagName).toBe('p');
    expect(paragraph.children).toEqual([new FakeText(payload)]);
    expect(item.textContent.startsWith(payload)).toBe(true);
    // The operator's name is text too.
    expect((item.children[1] as FakeElement).textContent).toContain('<b>Ada</b> · ');
    expect(item.attributes.get('class')).toBe('cz-msg cz-theirs');
  });

  it("marks the visitor's own message, and the read one as Seen", () => {
    const item = messageItem(
      fakeDocument,
      entry({ kind: 'visitor', operatorId: null, text: 'Hi' }),
      'Ada',
      t,
      'en',
      true,
    ) as unknown as FakeElement;
    expect(item.attributes.get('class')).toBe('cz-msg cz-mine');
    expect(item.textContent).toMatch(/^HiYou · .+ · Seen$/);
  });
});

describe('systemText', () => {
  it('translates the protocol notices and shows any other text as is', () => {
    expect(systemText(entry({ kind: 'system', text: 'OPERATOR_CHAT_ASSIGNED', event: 'assigned' }), 'Ada', t)).toBe(
      'Ada joined the conversation.',
    );
    expect(systemText(entry({ kind: 'system', text: 'OPERATOR_CHAT_CLOSE' }), 'Ada', translator('fr'))).toBe(
      'La conversation est terminée.',
    );
    expect(systemText(entry({ kind: 'system', text: '<b>custom</b>' }), 'Ada', t)).toBe('<b>custom</b>');
  });
});

describe('the first line of an empty chat', () => {
  it('says nobody is available, or everyone busy, before the visitor types', () => {
    expect(t(welcomeWords('available'))).toBe('Hello! Ask us anything: someone will answer you here.');
    expect(t(welcomeWords(null))).toBe('Hello! Ask us anything: someone will answer you here.');
    expect(t(welcomeWords('offline'))).toMatch(/^Nobody is available to chat right now\./);
    expect(t(welcomeWords('busy'))).toMatch(/^Everyone is busy right now/);
    expect(translator('fr')(welcomeWords('offline'))).toMatch(/^Personne n’est disponible/);
    expect(t(welcomeWords('offline'))).not.toContain('someone will answer you here');
  });
});
