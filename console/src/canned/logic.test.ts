import { describe, expect, it } from 'vitest';
import {
  type CannedResponse,
  insertionOf,
  matchResponses,
  moveActive,
  replaceSlashQuery,
  searchResponses,
  slashQueryAt,
  unknownVariable,
  validShortcut,
} from './logic';

const response = (id: number, shortcut: string, title: string, scope: 'shared' | 'personal' = 'shared') =>
  ({
    id,
    shortcut,
    title,
    body: `Body of ${shortcut}`,
    scope,
    operator_id: scope === 'personal' ? 7 : null,
    website_id: null,
    attachments: [],
  }) satisfies CannedResponse;

describe('slashQueryAt', () => {
  it('finds a /shortcut at the start of the text or of a word, up to the caret', () => {
    expect(slashQueryAt('/ref', 4)).toEqual({ start: 0, end: 4, query: 'ref' });
    expect(slashQueryAt('Hello /Ref', 10)).toEqual({ start: 6, end: 10, query: 'ref' });
    expect(slashQueryAt('/', 1)).toEqual({ start: 0, end: 1, query: '' });
    expect(slashQueryAt('line\n/é-t_1', 11)).toEqual({ start: 5, end: 11, query: 'é-t_1' });
  });
  it('ignores slashes inside words and addresses, and a caret after a space', () => {
    expect(slashQueryAt('and/or', 6)).toBeNull();
    expect(slashQueryAt('see https://shop.example', 24)).toBeNull();
    expect(slashQueryAt('/ref ', 5)).toBeNull();
    expect(slashQueryAt('no slash', 8)).toBeNull();
  });
});

describe('matchResponses', () => {
  const list = [
    response(1, 'refund-long', 'Refund, the long version'),
    response(2, 'refund', 'Refund'),
    response(3, 'hello', 'Greeting about refund'),
    response(4, 'refund', 'My refund', 'personal'),
    response(5, 'bye', 'Goodbye'),
  ];
  it('puts shortcuts starting with the query first (personal before shared), then those containing it', () => {
    expect(matchResponses(list, 'ref').map((item) => item.id)).toEqual([4, 2, 1, 3]);
    expect(matchResponses(list, 'BYE').map((item) => item.id)).toEqual([5]);
    expect(matchResponses(list, '')).toHaveLength(5);
    expect(matchResponses(list, '', 2)).toHaveLength(2);
    expect(matchResponses(list, 'zzz')).toEqual([]);
  });
});

describe('moveActive', () => {
  it('wraps at both ends and has nothing to move to in an empty list', () => {
    expect(moveActive(0, 1, 3)).toBe(1);
    expect(moveActive(2, 1, 3)).toBe(0);
    expect(moveActive(0, -1, 3)).toBe(2);
    expect(moveActive(0, 1, 0)).toBe(-1);
  });
});

describe('inserting a response', () => {
  it('replaces the /shortcut with the rendered body and its attachments, and puts the caret after', () => {
    const text = 'Sure! /ref thanks';
    const query = slashQueryAt(text, 10);
    if (query === null) throw new Error('expected a query');
    const insertion = insertionOf({ body: 'Hello Ada', attachments: ['https://shop.example/a.pdf'] });
    expect(replaceSlashQuery(text, query, insertion)).toEqual({
      text: 'Sure! Hello Ada\nhttps://shop.example/a.pdf thanks',
      caret: 6 + insertion.length,
    });
  });
});

describe('the admin form checks', () => {
  it('names an unknown variable and accepts the known ones', () => {
    expect(unknownVariable('Hi {{visitor.firstname}} from {{ website.name }}')).toBeNull();
    expect(unknownVariable('Hi {{visitor.email}}')).toBe('visitor.email');
  });
  it('takes letters, digits, - and _ as a shortcut', () => {
    expect(validShortcut('remboursé_2-x')).toBe(true);
    expect(validShortcut('two words')).toBe(false);
    expect(validShortcut('')).toBe(false);
    expect(validShortcut('a'.repeat(41))).toBe(false);
  });
  it('searches shortcut, title and body, within a scope', () => {
    const list = [response(1, 'b', 'Second'), response(2, 'a', 'First', 'personal')];
    expect(searchResponses(list, '', 'all').map((item) => item.id)).toEqual([2, 1]);
    expect(searchResponses(list, 'BODY OF B', 'all').map((item) => item.id)).toEqual([1]);
    expect(searchResponses(list, '', 'personal').map((item) => item.id)).toEqual([2]);
  });
});
