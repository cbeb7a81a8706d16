// The Search tab of the agent view: full-text search over messages, notes, visitor names and emails and tags
// (GET /api/2/conversation/search), with filters, ranked results and the matching words marked in each snippet.
// Keyboard: Enter searches, ↑ ↓ move between results, Enter or Space opens one.
import { useRef, useState } from 'react';
import { type Api, dataOf } from '../api';
import { useI18n } from '../i18n';
import { ErrorLine, formatTime, messageOf, SourceBadge } from '../ui';
import type { Directory } from './directory';
import { type SearchFilters, type SearchResult, searchConversations, snippetParts } from './search-api';
import { type SearchKey, useSearchText } from './search-strings';
import './search.css';

const PAGE = 20;
const STATUSES = ['waiting', 'open', 'closed'] as const;
const CHANNELS = ['chat', 'call', 'video', 'social'] as const;

/** A result as shown: a conversation found by number has no snippet. */
type Shown = Pick<SearchResult, 'id' | 'channel' | 'source' | 'created_at'> & { status: string } & Partial<
    Pick<SearchResult, 'visitor_name' | 'snippet' | 'matched_in'>
  >;

export function SearchList({
  api,
  selectedId,
  onOpen,
  directory,
}: {
  api: Api;
  selectedId: number | null;
  onOpen: (id: number) => void;
  directory?: Pick<Directory, 'websites' | 'tags'>;
}) {
  const { language } = useI18n();
  const text = useSearchText();
  const [query, setQuery] = useState('');
  const [filters, setFilters] = useState<SearchFilters>({});
  const [results, setResults] = useState<Shown[] | null>(null);
  const [count, setCount] = useState(0);
  const [page, setPage] = useState(1);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const list = useRef<HTMLUListElement>(null);

  const run = async (nextPage: number) => {
    const term = query.trim();
    setError(null);
    if (term === '') return;
    setBusy(true);
    try {
      const [found, byNumber] = await Promise.all([
        searchConversations(api, term, filters, nextPage, PAGE),
        nextPage === 1 && /^\d+$/.test(term)
          ? dataOf(api.GET('/api/2/conversation/{id}', { params: { path: { id: Number(term) } } })).catch(() => null)
          : Promise.resolve(null),
      ]);
      const numbered: Shown[] =
        byNumber === null
          ? []
          : [
              {
                id: byNumber.id,
                status: byNumber.status ?? 'closed',
                channel: byNumber.channel ?? 'chat',
                source: byNumber.source ?? 'web',
                created_at: byNumber.created_at ?? '',
              },
            ];
      const rows = found.results.filter((row) => row.id !== byNumber?.id);
      setResults((shown) => (nextPage === 1 ? [...numbered, ...rows] : [...(shown ?? []), ...rows]));
      setCount(found.count + numbered.length);
      setPage(nextPage);
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const setFilter = (name: keyof SearchFilters, value: string) =>
    setFilters((current) => ({ ...current, [name]: value === '' ? undefined : value }));

  // ↑ ↓ move the focus between results; the buttons themselves open on Enter and Space.
  const onListKey = (event: React.KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...(list.current?.querySelectorAll<HTMLButtonElement>('button.item') ?? [])];
    const index = buttons.indexOf(document.activeElement as HTMLButtonElement);
    const next = buttons[event.key === 'ArrowDown' ? Math.min(buttons.length - 1, index + 1) : Math.max(0, index - 1)];
    if (next !== undefined) {
      event.preventDefault();
      next.focus();
    }
  };

  const websites = directory?.websites ?? [];
  const tags = directory?.tags ?? [];
  const filtered = Object.values(filters).some((value) => value !== undefined && value !== '');

  return (
    <div className="rest-list search-list">
      {/* biome-ignore lint/a11y/useSemanticElements: a form keeps Enter to submit; <search> would need one around it. */}
      <form
        role="search"
        aria-label={text('search.label')}
        onSubmit={(event) => {
          event.preventDefault();
          void run(1);
        }}
      >
        <input
          type="search"
          value={query}
          maxLength={200}
          onChange={(event) => setQuery(event.target.value)}
          onKeyDown={(event) => {
            if (event.key === 'ArrowDown' && results !== null && results.length > 0) {
              event.preventDefault();
              list.current?.querySelector<HTMLButtonElement>('button.item')?.focus();
            }
          }}
          placeholder={text('search.placeholder')}
          aria-label={text('search.label')}
          aria-describedby="search-keys"
          data-testid="search-input"
        />
        <span id="search-keys" className="sr-only">
          {text('search.keys')}
        </span>
        <details className="search-filters" open={filtered || undefined}>
          <summary>{text('search.filters')}</summary>
          <div className="search-filter-grid">
            <label>
              {text('search.status')}
              <select value={filters.status ?? ''} onChange={(event) => setFilter('status', event.target.value)}>
                <option value="">{text('search.anyStatus')}</option>
                {STATUSES.map((status) => (
                  <option key={status} value={status}>
                    {text(`search.status.${status}` as SearchKey)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {text('search.channel')}
              <select value={filters.channel ?? ''} onChange={(event) => setFilter('channel', event.target.value)}>
                <option value="">{text('search.anyChannel')}</option>
                {CHANNELS.map((channel) => (
                  <option key={channel} value={channel}>
                    {text(`search.channel.${channel}` as SearchKey)}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {text('search.website')}
              <select
                value={filters.website_id ?? ''}
                onChange={(event) => setFilter('website_id', event.target.value)}
              >
                <option value="">{text('search.anyWebsite')}</option>
                {websites.map((website) => (
                  <option key={website.id} value={website.id}>
                    {website.label || website.url}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {text('search.tag')}
              <select value={filters.tag_id ?? ''} onChange={(event) => setFilter('tag_id', event.target.value)}>
                <option value="">{text('search.anyTag')}</option>
                {tags.map((tag) => (
                  <option key={tag.id} value={tag.id}>
                    {tag.name}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {text('search.from')}
              <input
                type="date"
                value={filters.from ?? ''}
                onChange={(event) => setFilter('from', event.target.value)}
              />
            </label>
            <label>
              {text('search.to')}
              <input type="date" value={filters.to ?? ''} onChange={(event) => setFilter('to', event.target.value)} />
            </label>
          </div>
          {filtered && (
            <button type="button" className="link" onClick={() => setFilters({})}>
              {text('search.clear')}
            </button>
          )}
        </details>
        <button type="submit" className="primary small" disabled={busy}>
          {text('search.submit')}
        </button>
      </form>
      <ErrorLine error={error} />
      <p className="muted" role="status" aria-live="polite">
        {busy
          ? text('search.searching')
          : results === null
            ? ''
            : count === 0
              ? text('search.none')
              : count === 1
                ? text('search.foundOne')
                : text('search.found', { count })}
      </p>
      {results !== null && results.length > 0 && (
        <ul className="conversation-list" data-testid="list-search" ref={list} onKeyDown={onListKey}>
          {results.map((row) => (
            <li key={row.id}>
              <button
                type="button"
                className={selectedId === row.id ? 'item selected' : 'item'}
                onClick={() => onOpen(row.id)}
                data-conversation-id={row.id}
                data-testid={`search-result-${row.id}`}
              >
                <span className="item-title">
                  #{row.id}
                  {row.visitor_name !== undefined && ` · ${row.visitor_name ?? text('search.anonymous')}`}
                </span>
                <SourceBadge source={row.source} channel={row.channel} />
                <span className="item-sub">
                  {text(`search.status.${row.status}` as SearchKey)} · {formatTime(row.created_at, language, true)}
                  {row.matched_in !== undefined && (
                    <span className="search-in"> · {text(`search.in.${row.matched_in}` as SearchKey)}</span>
                  )}
                </span>
                {row.snippet !== undefined && row.snippet !== '' && (
                  <span className="search-snippet" data-testid="search-snippet">
                    {snippetParts(row.snippet).map((part, index) =>
                      part.marked ? (
                        // biome-ignore lint/suspicious/noArrayIndexKey: parts of one fixed text, never reordered.
                        <mark key={index}>{part.text}</mark>
                      ) : (
                        // biome-ignore lint/suspicious/noArrayIndexKey: parts of one fixed text, never reordered.
                        <span key={index}>{part.text}</span>
                      ),
                    )}
                  </span>
                )}
              </button>
            </li>
          ))}
        </ul>
      )}
      {results !== null && results.length < count && (
        <button type="button" className="link" disabled={busy} onClick={() => void run(page + 1)}>
          {text('search.more')}
        </button>
      )}
    </div>
  );
}
