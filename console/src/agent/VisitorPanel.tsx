// The visitor beside the conversation: who they are, the conversation's details (tags, satisfaction, sales, reopen,
// print), their profile in installed apps, the pages they visited, and their past conversations.
import { useEffect, useState } from 'react';
import { type Api, dataOf, failureId } from '../api';
import { ContactCard } from '../contacts/ContactCard';
import { useI18n } from '../i18n';
import type { ConversationView, Entry } from '../socket';
import { ErrorLine, formatTime, messageOf, SourceBadge } from '../ui';
import { AppProfiles } from './AppInteractions';
import { ConversationDetails } from './ConversationDetails';
import type { Directory } from './directory';
import { type ConversationRow, loadHistory } from './rest';

interface VisitorRow {
  id: number;
  unique_id?: string;
  external_id?: string | null;
  firstname?: string | null;
  lastname?: string | null;
  email?: string | null;
  phone?: string | null;
  city?: string | null;
  country?: string | null;
  browser?: string | null;
  created_at?: string;
}

export function VisitorPanel({
  api,
  conversationId,
  live,
  entries,
  tags,
  onOpen,
  onClose,
}: {
  api: Api;
  conversationId: number;
  live: ConversationView | null;
  tags: Directory['tags'];
  entries: readonly Entry[] | null;
  onOpen: (id: number) => void;
  onClose: () => void;
}) {
  const { t, language } = useI18n();
  const [visitorId, setVisitorId] = useState<number | null>(live?.visitor?.id ?? null);
  const [visitor, setVisitor] = useState<VisitorRow | null>(null);
  const [past, setPast] = useState<ConversationRow[] | null>(null);
  const [navigation, setNavigation] = useState<Entry[] | null>(null);
  const [error, setError] = useState<string | null>(null);

  // The visitor of the conversation: the socket's view names them; otherwise the REST conversation does.
  // biome-ignore lint/correctness/useExhaustiveDependencies: the live view changes on every frame; only its visitor matters.
  useEffect(() => {
    if (live?.visitor) {
      setVisitorId(live.visitor.id);
      return;
    }
    let cancelled = false;
    dataOf(api.GET('/api/2/conversation/{id}', { params: { path: { id: conversationId } } }))
      .then((row) => !cancelled && setVisitorId(row.visitor_id ?? null))
      .catch((failure: unknown) => !cancelled && setError(messageOf(failure)));
    return () => {
      cancelled = true;
    };
  }, [api, conversationId, live?.visitor?.id]);

  // Cleared here rather than when the conversation's visitor is named: the socket's view may name, after a merge, the
  // contact already shown (found through the conversation), and that would leave the panel loading for ever.
  useEffect(() => {
    setVisitor(null);
    setPast(null);
    if (visitorId === null) return;
    let cancelled = false;
    Promise.all([
      dataOf(api.GET('/api/2/visitor/{id}', { params: { path: { id: visitorId } } })),
      dataOf(
        api.GET('/api/2/conversation', {
          params: { query: { 'filters[visitor_id]': String(visitorId), full: '1', limit: 20 } },
        }),
      ),
    ])
      .then(([row, conversations]) => {
        if (cancelled) return;
        setError(null);
        setVisitor(row);
        setPast(conversations.filter((conversation) => conversation.id !== conversationId));
      })
      .catch(async (failure: unknown) => {
        // A contact merged into another is gone (404) while the socket's view still names it: the conversation went
        // with the merge to the surviving contact, whom the conversation itself now names.
        const survivor =
          failureId(failure) === 'not_found'
            ? await dataOf(api.GET('/api/2/conversation/{id}', { params: { path: { id: conversationId } } }))
                .then((row) => row.visitor_id ?? null)
                .catch(() => null)
            : null;
        if (cancelled) return;
        if (survivor !== null && survivor !== visitorId) setVisitorId(survivor);
        else setError(messageOf(failure));
      });
    return () => {
      cancelled = true;
    };
  }, [api, visitorId, conversationId]);

  // Navigation entries: live ones from the socket, else from the history.
  useEffect(() => {
    if (entries !== null) {
      setNavigation(entries.filter((entry) => entry.kind === 'navigation'));
      return;
    }
    let cancelled = false;
    loadHistory(api, conversationId)
      .then((all) => !cancelled && setNavigation(all.filter((entry) => entry.kind === 'navigation')))
      .catch(() => undefined);
    return () => {
      cancelled = true;
    };
  }, [api, conversationId, entries]);

  return (
    <div className="visitor" data-testid="visitor-panel">
      <div className="panel-head">
        <h2>{t('visitor.title')}</h2>
        <button type="button" className="visitor-close small" onClick={onClose} aria-label={t('common.closePanel')}>
          ×
        </button>
      </div>
      <ErrorLine error={error} />
      {visitor === null ? (
        <p className="muted">{t('common.loading')}</p>
      ) : (
        <>
          <ContactCard api={api} contact={visitor} onChange={setVisitor} />
          <dl className="facts">
            {visitor.external_id && (
              <>
                <dt>{t('visitor.externalId')}</dt>
                <dd>{visitor.external_id}</dd>
              </>
            )}
            {(visitor.city || visitor.country) && (
              <>
                <dt>{t('visitor.location')}</dt>
                <dd>{[visitor.city, visitor.country].filter((part) => part).join(', ')}</dd>
              </>
            )}
            <dt>{t('visitor.uid')}</dt>
            <dd className="mono">{visitor.unique_id}</dd>
          </dl>
        </>
      )}
      <ConversationDetails api={api} conversationId={conversationId} live={live} tags={tags} />
      <AppProfiles api={api} conversationId={conversationId} />
      <h3>{t('visitor.navigation')}</h3>
      {navigation === null || navigation.length === 0 ? (
        <p className="muted small">{t('visitor.noNavigation')}</p>
      ) : (
        <ol className="navigation" data-testid="navigation">
          {navigation.map((entry) => (
            <li key={entry.seq}>
              <span className="mono small url">{entry.text}</span>{' '}
              <time className="muted small">{formatTime(entry.at, language)}</time>
            </li>
          ))}
        </ol>
      )}
      <h3>{t('visitor.past')}</h3>
      {past === null ? null : past.length === 0 ? (
        <p className="muted small">{t('common.none')}</p>
      ) : (
        <ul className="past" data-testid="past-conversations">
          {past.map((conversation) => (
            <li key={conversation.id}>
              <button type="button" className="link" onClick={() => onOpen(conversation.id)}>
                #{conversation.id}
              </button>{' '}
              <SourceBadge source={conversation.source} channel={conversation.channel} />{' '}
              <span className="muted small">{formatTime(conversation.created_at, language, true)}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
