// The Search tab's reading of the server's snippet and its query string.
import { describe, expect, it } from 'vitest';
import { searchParameters, snippetParts } from './search-api';

describe('search snippets', () => {
  it('reads escaped text and <mark> into parts, so markup in a message stays text', () => {
    expect(snippetParts('&lt;img src=x onerror=&quot;alert(1)&quot;&gt; my <mark>order</mark> &amp; co')).toEqual([
      { text: '<img src=x onerror="alert(1)"> my ', marked: false },
      { text: 'order', marked: true },
      { text: ' & co', marked: false },
    ]);
    expect(snippetParts('')).toEqual([]);
  });

  it('writes q, the page and only the filters given', () => {
    expect(searchParameters('order late', { status: 'closed', tag_id: '', website_id: '3' }, 2, 20)).toEqual({
      q: 'order late',
      page: 2,
      limit: 20,
      'filters[status]': 'closed',
      'filters[website_id]': '3',
    });
  });
});
