// One entry of a conversation's history as the operator sees it: messages with their delivery and read states, private
// notes, system notices in words, navigation, media files fetched with the session, and products sent as cards.
import { useEffect, useState } from 'react';
import { type Api, unwrap } from '../api';
import { type MessageKey, type Translate, useI18n } from '../i18n';
import type { Me } from '../me';
import type { Entry } from '../socket';
import { formatTime, LockIcon, messageOf } from '../ui';
import { ProductCardView } from './AppInteractions';
import { type Directory, operatorName } from './directory';
import { productOf } from './interactions';

/** A media file of a conversation, fetched with the session (an <img src> could not send its token). */
const downloadMedia = (api: Api, conversationId: number, mediaId: number): Promise<Blob> =>
  unwrap(
    api.GET('/api/2/conversation/{id}/media/{mediaId}', {
      params: { path: { id: conversationId, mediaId } },
      parseAs: 'blob',
    }),
  );

/** A file of an entry (`data.media_id`): images shown, other files offered for download, fetched with the session. */
function MediaAttachment({ api, entry }: { api: Api; entry: Entry }) {
  const { t } = useI18n();
  const mediaId = entry.data?.media_id;
  const mimeType = typeof entry.data?.mime_type === 'string' ? entry.data.mime_type : '';
  const isImage = /^image\/(png|jpeg|gif|webp)$/.test(mimeType);
  const [url, setUrl] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const conversationId = entry.conversation_id;
  useEffect(() => {
    if (!isImage || typeof mediaId !== 'number') return;
    let objectUrl: string | null = null;
    let live = true;
    downloadMedia(api, conversationId, mediaId)
      .then((blob) => {
        if (!live) return;
        objectUrl = URL.createObjectURL(blob);
        setUrl(objectUrl);
      })
      .catch((error: unknown) => live && setFailure(messageOf(error)));
    return () => {
      live = false;
      if (objectUrl !== null) URL.revokeObjectURL(objectUrl);
    };
  }, [api, conversationId, isImage, mediaId]);
  if (typeof mediaId !== 'number') return null;
  if (failure !== null) return <p className="error small">{t('conv.mediaUnavailable', { reason: failure })}</p>;
  if (isImage)
    return url === null ? null : (
      <img className="attachment-image" src={url} alt={entry.text} data-testid="attachment-image" />
    );
  const name = typeof entry.data?.filename === 'string' ? entry.data.filename : t('conv.file');
  const download = async () => {
    try {
      const blob = await downloadMedia(api, conversationId, mediaId);
      const link = document.createElement('a');
      link.href = URL.createObjectURL(blob);
      link.download = name;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
    } catch (error) {
      setFailure(messageOf(error));
    }
  };
  return (
    <button
      type="button"
      className="small attachment-download"
      data-testid="attachment-download"
      onClick={() => void download()}
    >
      {t('conv.download', { name })}
    </button>
  );
}

export function EntryItem({
  api,
  entry,
  me,
  directory,
  seen,
  language,
}: {
  api: Api;
  entry: Entry;
  me: Me | null;
  directory: Directory;
  seen: boolean;
  language: string;
}) {
  const { t } = useI18n();
  const time = <time dateTime={entry.at}>{formatTime(entry.at, language)}</time>;
  switch (entry.kind) {
    case 'system':
      return (
        <li className="entry entry-system" data-kind="system" data-testid="entry">
          <p className="text">{systemText(entry, directory, t)}</p>
          <span className="meta">{time}</span>
        </li>
      );
    case 'navigation':
      return (
        <li className="entry entry-navigation" data-kind="navigation" data-testid="entry">
          <p className="text">{t('conv.navigation', { url: entry.text })}</p>
          <span className="meta">{time}</span>
        </li>
      );
    case 'visitor':
      return (
        <li className="entry entry-visitor" data-kind="visitor" data-testid="entry">
          <span className="author">{t('conv.visitor')}</span>
          <p className="text">{entry.text}</p>
          <MediaAttachment api={api} entry={entry} />
          <span className="meta">{time}</span>
        </li>
      );
    case 'operator':
    case 'note': {
      // A product sent from an installed app shows as its card rather than its text fallback.
      const product = entry.kind === 'operator' ? productOf(entry.data) : null;
      const author =
        entry.operator_id !== null && entry.operator_id === me?.id
          ? t('conv.you')
          : (operatorName(directory, entry.operator_id) ?? t('conv.operator', { id: entry.operator_id ?? '?' }));
      return (
        <li className={`entry entry-${entry.kind}`} data-kind={entry.kind} data-testid="entry">
          {entry.kind === 'note' ? (
            <span className="note-label">
              <LockIcon /> {t('conv.noteLabel')} · {author}
            </span>
          ) : (
            <span className="author">{author}</span>
          )}
          {product !== null ? <ProductCardView product={product} /> : <p className="text">{entry.text}</p>}
          <MediaAttachment api={api} entry={entry} />
          <span className="meta">
            {time}
            {entry.delivery && (
              <span
                className={`delivery delivery-${entry.delivery.state}`}
                data-testid="delivery"
                title={
                  entry.delivery.error ? `${entry.delivery.error.code}: ${entry.delivery.error.message}` : undefined
                }
              >
                {' · '}
                {t(`delivery.${entry.delivery.state}`)}
              </span>
            )}
            {seen && (
              <span className="seen" data-testid="seen">
                {' · '}
                {t('conv.seen')}
              </span>
            )}
          </span>
        </li>
      );
    }
  }
}

const SYSTEM_NOTICES: Record<string, MessageKey> = {
  OPERATOR_CHAT_ASSIGNED: 'system.assigned',
  OPERATOR_CHAT_TRANSFERRED: 'system.transferred',
  OPERATOR_CHAT_CLOSE: 'system.operatorClosed',
  VISITOR_CHAT_CLOSE: 'system.visitorClosed',
};

/** Seed 003's system notices in words, naming the operator when the entry's data does. */
function systemText(entry: Entry, directory: Directory, t: Translate): string {
  const key = SYSTEM_NOTICES[entry.text];
  if (key === undefined) return entry.text;
  // Assignments name `operator_id`; transfers `to` (null when the conversation went back to the queue).
  const named = entry.data?.operator_id ?? entry.data?.to;
  const operatorId = typeof named === 'number' ? named : entry.operator_id;
  if (operatorId === null && (key === 'system.assigned' || key === 'system.transferred')) return entry.text;
  return t(key, { name: operatorName(directory, operatorId) ?? t('conv.operator', { id: operatorId ?? '?' }) });
}
