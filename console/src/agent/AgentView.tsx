// The agent view: conversation lists (mine, waiting, closed, search), the conversation, and the visitor panel, kept live by the operator socket.
import { lazy, Suspense, useCallback, useEffect, useMemo, useReducer, useRef, useState } from 'react';
import { type Api, dataOf, unwrap, withFields } from '../api';
import { useI18n } from '../i18n';
import type { Me } from '../me';
import { navigate } from '../router';
import {
  type Availability,
  type ConversationView,
  type Entry,
  FrameError,
  OperatorSocket,
  type ServerFrame,
} from '../socket';
import { TagChip } from '../tags/TagChip';
import { ErrorLine, formatTime, messageOf, SourceBadge } from '../ui';
import { ConversationPane } from './ConversationPane';
import type { Directory, LoadedConversation } from './directory';
import { type ConversationRow, loadHistory } from './rest';
import { type AgentAction, agentActionOf, isTypingTarget, neighbourOf, SHEET_BUTTON } from './shortcuts';
import { agentReducer, initialAgentState } from './state';
import { useTagFilterText } from './tag-filter-strings';
import { VisitorPanel } from './VisitorPanel';

const FULL = { full: '1', limit: 100 } as const;

// The shortcut sheet loads when first opened: it is not part of the agent view's first load.
const ShortcutSheet = lazy(() => import('./ShortcutSheet').then((module) => ({ default: module.ShortcutSheet })));
// The Search tab (its filters, words and styles) loads when first opened.
const SearchList = lazy(() => import('./SearchList').then((module) => ({ default: module.SearchList })));

type ListTab = 'mine' | 'waiting' | 'closed' | 'search';

/** Plays a short two-tone chime with Web Audio (no sound file to download). */
function chime(context: AudioContext | null): void {
  if (context === null) return;
  const now = context.currentTime;
  for (const [offset, frequency] of [
    [0, 880],
    [0.16, 1320],
  ] as const) {
    const oscillator = context.createOscillator();
    const gain = context.createGain();
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, now + offset);
    gain.gain.exponentialRampToValueAtTime(0.2, now + offset + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, now + offset + 0.25);
    oscillator.connect(gain).connect(context.destination);
    oscillator.start(now + offset);
    oscillator.stop(now + offset + 0.3);
  }
}

export function AgentView({ api, me, selectedId }: { api: Api; me: Me | null; selectedId: number | null }) {
  const { t, language } = useI18n();
  const [state, dispatch] = useReducer(agentReducer, initialAgentState);
  const [tab, setTab] = useState<ListTab>('mine');
  const [error, setError] = useState<string | null>(null);
  const [directory, setDirectory] = useState<Directory>({
    operators: [],
    groups: [],
    skills: [],
    tags: [],
    websites: [],
  });
  const [notifyPermission, setNotifyPermission] = useState<NotificationPermission | 'unsupported'>(() =>
    'Notification' in window ? Notification.permission : 'unsupported',
  );
  const [visitorPanelOpen, setVisitorPanelOpen] = useState(false);
  const [shortcutsOpen, setShortcutsOpen] = useState(false);
  const socketRef = useRef<OperatorSocket | null>(null);
  const selectedRef = useRef<number | null>(selectedId);
  selectedRef.current = selectedId;
  const audioRef = useRef<AudioContext | null>(null);
  const snapshotSeen = useRef(false);
  const operatorId = api.session.operatorId;

  // Browsers allow sound only after a user gesture: the first click on the page prepares it.
  useEffect(() => {
    const unlock = () => {
      if (audioRef.current === null && 'AudioContext' in window) audioRef.current = new AudioContext();
      void audioRef.current?.resume();
    };
    window.addEventListener('pointerdown', unlock);
    window.addEventListener('keydown', unlock);
    return () => {
      window.removeEventListener('pointerdown', unlock);
      window.removeEventListener('keydown', unlock);
    };
  }, []);

  useEffect(() => {
    const socket = new OperatorSocket(
      api.session.token,
      (frame: ServerFrame) => {
        if (frame.type === 'snapshot') snapshotSeen.current = true;
        dispatch({ type: 'frame', frame, selected: selectedRef.current });
      },
      (online) => dispatch({ type: 'online', online }),
      () => {
        // Refused repeatedly: a REST call tells whether the session is gone (and logs out if so).
        void api.GET('/api/2/operator/{id}', { params: { path: { id: operatorId } } }).catch(() => undefined);
      },
    );
    socketRef.current = socket;
    socket.start();
    return () => {
      socket.stop();
      socketRef.current = null;
    };
  }, [api, operatorId]);

  // Who is who (names in the history, transfer targets, tags for the closing form).
  useEffect(() => {
    let cancelled = false;
    const load = async () => {
      const [operators, groups, skills, tags, websites] = await Promise.all([
        dataOf(api.GET('/api/2/operator', { params: { query: FULL } })).then((rows) => withFields(rows, ['name'])),
        dataOf(api.GET('/api/2/group', { params: { query: FULL } })).then((rows) => withFields(rows, ['name'])),
        dataOf(api.GET('/api/2/skill', { params: { query: FULL } })).then((rows) => withFields(rows, ['name'])),
        dataOf(api.GET('/api/2/tag', { params: { query: FULL } })).then((rows) => withFields(rows, ['name'])),
        dataOf(api.GET('/api/2/website', { params: { query: FULL } })).then((rows) => withFields(rows, ['url'])),
      ]);
      if (!cancelled) setDirectory({ operators, groups, skills, tags, websites });
    };
    load().catch((failure: unknown) => setError(messageOf(failure)));
    return () => {
      cancelled = true;
    };
  }, [api]);

  // A new conversation: a chime, and a desktop notification when the tab is not in front (or always, if allowed).
  // biome-ignore lint/correctness/useExhaustiveDependencies: only a new assignment rings, not a change of language or permission.
  useEffect(() => {
    const assigned = state.lastAssigned;
    if (assigned === null) return;
    chime(audioRef.current);
    if (notifyPermission === 'granted') {
      try {
        const notification = new Notification(t('agent.newConversation'), {
          body: t('agent.newConversationBody', { id: assigned.id }),
          tag: `conversation-${assigned.id}`,
        });
        notification.onclick = () => {
          window.focus();
          navigate(`/admin/conversations/${assigned.id}`);
          notification.close();
        };
      } catch {
        // Some browsers (Android Chrome) only notify from a service worker: the chime and the list still tell.
      }
    }
    // Only a new assignment rings, not a re-render.
  }, [state.lastAssigned]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a new entry in the open conversation is seen at once.
  useEffect(() => {
    if (selectedId !== null) dispatch({ type: 'seen', conversationId: selectedId });
  }, [selectedId, state.conversations[selectedId ?? -1]?.entries.length]);

  // Keyboard: `?` shows the shortcut sheet; Alt+↓/↑ opens the next/previous conversation of the list shown, Alt+1–4
  // picks a list, Alt+R goes to the reply box (shortcuts.ts; the conversation's own are ConversationPane's).
  useEffect(() => {
    const tabs: Partial<Record<AgentAction, ListTab>> = {
      'tab-mine': 'mine',
      'tab-waiting': 'waiting',
      'tab-closed': 'closed',
      'tab-search': 'search',
    };
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (document.querySelector('[aria-modal="true"]') !== null) return;
      const action = agentActionOf(event, isTypingTarget(document.activeElement));
      if (action === null) return;
      event.preventDefault();
      if (action === 'help') setShortcutsOpen(true);
      else if (action === 'reply') document.querySelector<HTMLTextAreaElement>('.composer-row textarea')?.focus();
      else if (action === 'next' || action === 'previous') {
        const items = [...document.querySelectorAll<HTMLElement>('.sidebar [data-conversation-id]')];
        const ids = items.map((item) => Number(item.dataset.conversationId));
        const target = neighbourOf(ids, selectedRef.current, action === 'next' ? 1 : -1);
        if (target === null) return;
        items[ids.indexOf(target)]?.focus();
        if (target !== selectedRef.current) navigate(`/admin/conversations/${target}`);
      } else {
        const tab = tabs[action];
        if (tab !== undefined) setTab(tab);
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  const setAvailability = async (change: Partial<Availability>) => {
    const next = {
      chat: state.availability.chat,
      call: state.availability.call,
      video: state.availability.video,
      ...change,
    };
    setError(null);
    try {
      await socketRef.current?.request({ type: 'availability', chat: next.chat, call: next.call, video: next.video });
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  const requestNotifications = async () => {
    if (!('Notification' in window)) return;
    setNotifyPermission(await Notification.requestPermission());
  };

  const live = selectedId === null ? undefined : state.conversations[selectedId];
  const mine = state.order
    .map((id) => state.conversations[id])
    .filter(
      (c): c is NonNullable<typeof c> =>
        c !== undefined && c.view.operator_id === operatorId && c.view.status !== 'closed',
    );
  const waitingTotal = Object.values(state.queues).reduce((sum, waiting) => sum + waiting, 0);

  const open = (id: number) => {
    navigate(`/admin/conversations/${id}`);
  };

  return (
    <div
      className={`agent ${selectedId === null ? 'no-selection' : 'has-selection'} ${visitorPanelOpen ? 'visitor-open' : ''}`}
    >
      <aside className="sidebar" aria-label={t('nav.agent')}>
        <section className="availability" aria-label={t('agent.availability')}>
          <div className="row">
            <span className={state.online ? 'dot online' : 'dot offline'} aria-hidden="true" />
            <span data-testid="connection">
              {state.online ? t('agent.connection.online') : t('agent.connection.offline')}
            </span>
            {waitingTotal > 0 && (
              <span className="badge waiting" data-testid="queue-count">
                {t('agent.queue', { count: waitingTotal })}
              </span>
            )}
          </div>
          <fieldset>
            <legend>{t('agent.availability')}</legend>
            {(['chat', 'call', 'video'] as const).map((channel) => (
              <label key={channel} className="toggle">
                <input
                  type="checkbox"
                  name={`available-${channel}`}
                  checked={state.availability[channel]}
                  disabled={!state.online}
                  onChange={(event) => void setAvailability({ [channel]: event.target.checked })}
                />
                {t(`channel.${channel}`)}
              </label>
            ))}
          </fieldset>
          {notifyPermission === 'default' && (
            <button type="button" className="link" onClick={() => void requestNotifications()}>
              {t('agent.notifications')}
            </button>
          )}
          <button
            type="button"
            className="link"
            onClick={() => setShortcutsOpen(true)}
            aria-keyshortcuts="?"
            data-testid="open-shortcuts"
          >
            {SHEET_BUTTON[language]}
          </button>
          <ErrorLine error={error} />
        </section>
        <div className="tabs" role="tablist">
          {(['mine', 'waiting', 'closed', 'search'] as const).map((name) => (
            <button
              key={name}
              type="button"
              role="tab"
              aria-selected={tab === name}
              className={tab === name ? 'tab active' : 'tab'}
              onClick={() => setTab(name)}
            >
              {t(`agent.${name}`)}
              {name === 'mine' && mine.length > 0 && <span className="count">{mine.length}</span>}
              {name === 'waiting' && waitingTotal > 0 && <span className="count">{waitingTotal}</span>}
            </button>
          ))}
        </div>
        {tab === 'mine' && (
          <ul className="conversation-list" data-testid="list-mine">
            {mine.length === 0 && <li className="muted">{t('agent.noMine')}</li>}
            {mine.map((c) => (
              <li key={c.view.id}>
                <button
                  type="button"
                  className={selectedId === c.view.id ? 'item selected' : 'item'}
                  onClick={() => open(c.view.id)}
                  data-testid={`conversation-${c.view.id}`}
                  data-conversation-id={c.view.id}
                >
                  <span className="item-title">
                    #{c.view.id} · {visitorName(c.view)}
                  </span>
                  <SourceBadge source={c.view.source} channel={c.view.channel} />
                  {c.unread > 0 && (
                    <span className="count">
                      <span aria-hidden="true">{c.unread}</span>
                      <span className="sr-only">{`${c.unread} new`}</span>
                    </span>
                  )}
                  <span className="item-sub">{lastText(c.entries)}</span>
                  {c.visitorTyping && <span className="item-sub typing">{t('conv.typing')}</span>}
                </button>
              </li>
            ))}
          </ul>
        )}
        {tab === 'waiting' && (
          <RestList
            api={api}
            kind="waiting"
            operatorId={operatorId}
            selectedId={selectedId}
            onOpen={open}
            refreshKey={waitingTotal}
          />
        )}
        {tab === 'closed' && (
          <RestList
            api={api}
            kind="closed"
            operatorId={operatorId}
            selectedId={selectedId}
            onOpen={open}
            refreshKey={0}
            tags={directory.tags}
          />
        )}
        {tab === 'search' && (
          <Suspense fallback={<p className="muted padded">{t('common.loading')}</p>}>
            <SearchList api={api} selectedId={selectedId} onOpen={open} directory={directory} />
          </Suspense>
        )}
      </aside>
      <main className="conversation-main">
        {selectedId === null ? (
          <p className="empty">{t('agent.empty')}</p>
        ) : (
          <ConversationLoader
            key={selectedId}
            api={api}
            conversationId={selectedId}
            live={
              live && live.view.operator_id === operatorId
                ? { view: live.view, entries: live.entries, pending: live.pending, visitorTyping: live.visitorTyping }
                : null
            }
            me={me}
            directory={directory}
            socket={socketRef}
            dispatch={dispatch}
            onToggleVisitor={() => setVisitorPanelOpen((value) => !value)}
            language={language}
          />
        )}
      </main>
      {shortcutsOpen && (
        <Suspense fallback={null}>
          <ShortcutSheet onClose={() => setShortcutsOpen(false)} />
        </Suspense>
      )}
      {selectedId !== null && (
        <aside className="visitor-panel" aria-label={t('visitor.title')}>
          <VisitorPanel
            api={api}
            conversationId={selectedId}
            live={live?.view ?? null}
            entries={live?.entries ?? null}
            tags={directory.tags}
            onOpen={open}
            onClose={() => setVisitorPanelOpen(false)}
          />
        </aside>
      )}
    </div>
  );
}

function visitorName(view: { visitor?: ConversationView['visitor'] }): string {
  const visitor = view.visitor;
  if (!visitor) return '';
  const name = [visitor.firstname, visitor.lastname].filter((part) => part).join(' ');
  return name || visitor.email || visitor.external_id || visitor.vuid.slice(0, 8);
}

function lastText(entries: readonly Entry[]): string {
  for (let index = entries.length - 1; index >= 0; index -= 1) {
    const entry = entries[index];
    if (entry && (entry.kind === 'visitor' || entry.kind === 'operator')) return entry.text.slice(0, 80);
  }
  return '';
}

/** Waiting (no operator yet, not closed) and my closed conversations, from the REST API. */
function RestList({
  api,
  kind,
  operatorId,
  selectedId,
  onOpen,
  refreshKey,
  tags = [],
}: {
  api: Api;
  kind: 'waiting' | 'closed';
  operatorId: number;
  selectedId: number | null;
  onOpen: (id: number) => void;
  refreshKey: number;
  /** Closed: the tags to filter by (archived ones too: old conversations keep them). */
  tags?: Directory['tags'];
}) {
  const { t, language } = useI18n();
  const tagFilterText = useTagFilterText();
  const [rows, setRows] = useState<ConversationRow[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  const [tagFilter, setTagFilter] = useState('');

  // biome-ignore lint/correctness/useExhaustiveDependencies: `refreshKey` and `tick` ask for the list again.
  useEffect(() => {
    let cancelled = false;
    // Waiting: the whole queue (no operator yet); closed: my latest 30 (`full=1` carries each history, so few).
    const filters = {
      'filters[status]': kind,
      ...(kind === 'closed' && { 'filters[operator_id]': String(operatorId) }),
      ...(kind === 'closed' && tagFilter !== '' && { 'filters[tag_id]': tagFilter }),
    };
    dataOf(
      api.GET('/api/2/conversation', {
        params: { query: { ...filters, full: '1', limit: kind === 'waiting' ? 100 : 30 } },
      }),
    )
      .then((rows) => {
        if (!cancelled) setRows(rows);
      })
      .catch((failure: unknown) => !cancelled && setError(messageOf(failure)));
    return () => {
      cancelled = true;
    };
  }, [api, kind, operatorId, refreshKey, tick, tagFilter]);

  const take = async (id: number) => {
    try {
      await unwrap(
        api.PUT('/api/2/conversation/{id}', { params: { path: { id } }, body: { operator_id: operatorId } }),
      );
      onOpen(id);
      setTick((value) => value + 1);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  return (
    <div className="rest-list">
      <button type="button" className="link" onClick={() => setTick((value) => value + 1)}>
        {t('common.refresh')}
      </button>
      {kind === 'closed' && tags.length > 0 && (
        <label className="tag-filter">
          <span className="sr-only">{tagFilterText.label}</span>
          <select
            value={tagFilter}
            aria-label={tagFilterText.label}
            onChange={(event) => setTagFilter(event.target.value)}
          >
            <option value="">{tagFilterText.all}</option>
            {tags.map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.archived ? tagFilterText.archived(tag.name) : tag.name}
              </option>
            ))}
          </select>
        </label>
      )}
      <ErrorLine error={error} />
      {rows === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <ul className="conversation-list" data-testid={`list-${kind}`}>
          {rows.length === 0 && <li className="muted">{t('common.none')}</li>}
          {rows.map((row) => (
            <li key={row.id} className="with-action">
              <button
                type="button"
                className={selectedId === row.id ? 'item selected' : 'item'}
                onClick={() => onOpen(row.id)}
                data-testid={`conversation-${row.id}`}
                data-conversation-id={row.id}
              >
                <span className="item-title">#{row.id}</span>
                <SourceBadge source={row.source} channel={row.channel} />
                <span className="item-sub">
                  {formatTime(kind === 'closed' ? (row.closed_at ?? row.created_at) : row.created_at, language, true)}
                </span>
                {kind === 'closed' && (row.tag_list?.length ?? 0) > 0 && (
                  <span className="item-sub tag-chips">
                    {row.tag_list?.map((id) => {
                      const tag = tags.find((candidate) => candidate.id === id);
                      return <TagChip key={id} tag={{ name: tag?.name ?? `#${id}`, colour: tag?.colour ?? null }} />;
                    })}
                  </span>
                )}
              </button>
              {kind === 'waiting' && (
                <button type="button" className="primary small" onClick={() => void take(row.id)}>
                  {t('agent.take')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

/** Shows a live conversation from the socket state, or loads any other one (waiting, closed, another operator's) read-only from the API. */
function ConversationLoader(props: {
  api: Api;
  conversationId: number;
  live: LoadedConversation | null;
  me: Me | null;
  directory: Directory;
  socket: React.RefObject<OperatorSocket | null>;
  dispatch: React.Dispatch<import('./state').AgentAction>;
  onToggleVisitor: () => void;
  language: string;
}) {
  const { t } = useI18n();
  const { api, conversationId, live } = props;
  const [loaded, setLoaded] = useState<LoadedConversation | null>(null);
  const [error, setError] = useState<string | null>(null);

  const load = useCallback(async () => {
    const row = await dataOf(api.GET('/api/2/conversation/{id}', { params: { path: { id: conversationId } } }));
    const entries = await loadHistory(api, conversationId);
    setLoaded({
      view: {
        id: row.id,
        website_id: row.website_id ?? 0,
        status: row.status ?? 'closed',
        operator_id: row.operator_id ?? null,
        skill_id: null,
        outcome: null,
        last_seq: entries[entries.length - 1]?.seq ?? 0,
        ...(row.channel !== undefined && { channel: row.channel }),
        ...(row.source !== undefined && { source: row.source }),
        ...(row.created_at !== undefined && { created_at: row.created_at }),
      },
      entries,
      pending: [],
      visitorTyping: false,
      problem: row.problem ?? null,
    });
  }, [api, conversationId]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: loads when the conversation stops being live, not on each live update.
  useEffect(() => {
    if (live !== null) return;
    load().catch((failure: unknown) => setError(messageOf(failure)));
  }, [live === null, load]);

  const shown = useMemo(() => live ?? loaded, [live, loaded]);
  if (error !== null) return <ErrorLine error={error} />;
  if (shown === null) return <p className="muted padded">{t('common.loading')}</p>;
  return (
    <ConversationPane
      {...props}
      conversation={shown}
      editable={live !== null && live.view.status !== 'closed'}
      onClosed={() => void load()}
      onFailure={(failure) => setError(failure instanceof FrameError ? failure.message : messageOf(failure))}
    />
  );
}
