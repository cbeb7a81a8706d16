// One conversation: its history (messages, private notes, system notices, navigation), typing and read states, the composer, transfer and close.
import { type ChangeEvent, type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { type Api, unwrap } from '../api';
import { type MessageKey, type Translate, useI18n } from '../i18n';
import type { Me } from '../me';
import type { ConversationView, Entry, OperatorSocket } from '../socket';
import { ErrorLine, formatTime, LockIcon, Modal, messageOf, SourceBadge } from '../ui';
import type { AgentAction, PendingEntry } from './state';

export interface LoadedConversation {
  view: ConversationView;
  entries: Entry[];
  pending: PendingEntry[];
  visitorTyping: boolean;
}

/** Who and what the console can name: operators, groups, skills, tags and websites of the client. */
export interface Directory {
  operators: {
    id: number;
    name: string;
    pseudo?: string | null;
    first_name?: string | null;
    connected?: boolean;
    roles?: string[];
    email?: string;
  }[];
  groups: { id: number; name: string }[];
  skills: { id: number; name: string }[];
  tags: { id: number; name: string; website_id?: number[] }[];
  websites: { id: number; url: string; label?: string | null }[];
}

interface Props {
  api: Api;
  conversation: LoadedConversation;
  editable: boolean;
  me: Me | null;
  directory: Directory;
  socket: React.RefObject<OperatorSocket | null>;
  dispatch: React.Dispatch<AgentAction>;
  onToggleVisitor: () => void;
  onClosed: () => void;
  onFailure: (failure: unknown) => void;
  language: string;
}

const TYPING_IDLE_MS = 3000;

/** Conversations whose customers can receive files (web chat takes text only). */
const FILE_SOURCES = new Set(['whatsapp', 'sms', 'rcs']);

function newMessageId(): string {
  return typeof crypto.randomUUID === 'function'
    ? crypto.randomUUID()
    : `m-${Date.now()}-${Math.random().toString(36).slice(2)}`;
}

/** An operator's display name: pseudonym, else first name, else name. */
export function operatorName(directory: Directory, id: number | null): string | null {
  if (id === null) return null;
  const operator = directory.operators.find((candidate) => candidate.id === id);
  return operator ? operator.pseudo || operator.first_name || operator.name : null;
}

export function ConversationPane({
  api,
  conversation,
  editable,
  me,
  directory,
  socket,
  dispatch,
  onToggleVisitor,
  onClosed,
  language,
}: Props) {
  const { t } = useI18n();
  const { view, entries, pending, visitorTyping } = conversation;
  const [mode, setMode] = useState<'reply' | 'note'>('reply');
  const [text, setText] = useState('');
  const [dialog, setDialog] = useState<'transfer' | 'close' | 'template' | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const typingRef = useRef<{ on: boolean; timer: ReturnType<typeof setTimeout> | null }>({ on: false, timer: null });
  const historyRef = useRef<HTMLOListElement | null>(null);
  const composerRef = useRef<HTMLTextAreaElement | null>(null);
  const lastSeq = entries[entries.length - 1]?.seq ?? 0;

  // Keep the newest entry in sight.
  useEffect(() => {
    const list = historyRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [entries.length, pending.length, visitorTyping]);

  // Read state: what is on screen (tab visible) is read; the visitor sees it.
  useEffect(() => {
    if (!editable || lastSeq === 0 || (view.operator_read_seq ?? 0) >= lastSeq) return;
    const markRead = () => {
      if (document.visibilityState !== 'visible') return;
      socket.current?.send({ type: 'read', conversation_id: view.id, seq: lastSeq });
      dispatch({
        type: 'frame',
        frame: { type: 'read', conversation_id: view.id, by: 'operator', seq: lastSeq },
        selected: view.id,
      });
    };
    markRead();
    document.addEventListener('visibilitychange', markRead);
    return () => document.removeEventListener('visibilitychange', markRead);
  }, [editable, lastSeq, view.id, view.operator_read_seq, socket, dispatch]);

  // Shortcuts: Alt+N switches reply/note, Alt+T transfers, Alt+C closes.
  useEffect(() => {
    if (!editable) return;
    const onKey = (event: globalThis.KeyboardEvent) => {
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      const key = event.code;
      if (key === 'KeyN') setMode((current) => (current === 'reply' ? 'note' : 'reply'));
      else if (key === 'KeyT') setDialog('transfer');
      else if (key === 'KeyC') setDialog('close');
      else return;
      event.preventDefault();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [editable]);

  const setTyping = (on: boolean) => {
    const typing = typingRef.current;
    if (typing.timer !== null) clearTimeout(typing.timer);
    typing.timer = on ? setTimeout(() => setTyping(false), TYPING_IDLE_MS) : null;
    if (typing.on === on) return;
    typing.on = on;
    // Notes are private: typing one is not shown to the visitor.
    if (mode === 'reply' || !on) socket.current?.send({ type: 'typing', conversation_id: view.id, on });
  };
  useEffect(() => () => setTyping(false), [view.id]);

  const send = async (event?: FormEvent) => {
    event?.preventDefault();
    const body = text.trim();
    if (body === '' || !editable) return;
    const clientMessageId = newMessageId();
    setText('');
    setTyping(false);
    dispatch({
      type: 'pending',
      conversationId: view.id,
      entry: { client_message_id: clientMessageId, kind: mode === 'reply' ? 'operator' : 'note', text: body },
    });
    try {
      await socket.current?.request({
        type: mode,
        conversation_id: view.id,
        text: body,
        client_message_id: clientMessageId,
      });
    } catch (failure) {
      dispatch({ type: 'pendingFailed', conversationId: view.id, clientMessageId, message: messageOf(failure) });
    }
    composerRef.current?.focus();
  };

  // A file goes with the typed text as its caption; the entry and its delivery state come back over the socket.
  const sendFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const input = event.target;
    const file = input.files?.[0];
    input.value = '';
    if (file === undefined || !editable) return;
    const caption = text.trim();
    setError(null);
    setUploading(file.name);
    try {
      await unwrap(
        api.POST('/api/2/conversation/{id}/media', {
          params: {
            path: { id: view.id },
            query: { filename: file.name.slice(0, 255), ...(caption !== '' && { caption: caption.slice(0, 1024) }) },
          },
          // The file is the raw body, typed by its content type; the OpenAPI document does not describe that body.
          body: file as never,
          bodySerializer: () => file,
          headers: { 'content-type': file.type || 'application/octet-stream' },
        }),
      );
      if (caption !== '') setText('');
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setUploading(null);
    }
    composerRef.current?.focus();
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>) => {
    if (event.key === 'Enter' && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  };

  const lastSeenOperatorSeq = (() => {
    const readUpTo = view.visitor_read_seq ?? 0;
    let seen = 0;
    for (const entry of entries) if (entry.kind === 'operator' && entry.seq <= readUpTo) seen = entry.seq;
    return seen;
  })();

  return (
    <section className="conversation" aria-labelledby={`conversation-title-${view.id}`} data-testid="conversation">
      <header className="conversation-header">
        <h2 id={`conversation-title-${view.id}`}>{t('conv.title', { id: view.id })}</h2>
        <SourceBadge source={view.source} channel={view.channel} />
        <span className={`badge status-${view.status}`} data-testid="status">
          {view.status}
        </span>
        <span className="spacer" />
        <button type="button" className="visitor-toggle" onClick={onToggleVisitor}>
          {t('visitor.title')}
        </button>
        {editable && (
          <>
            <button type="button" onClick={() => setDialog('transfer')} aria-keyshortcuts="Alt+T">
              {t('conv.transfer')}
            </button>
            <button type="button" className="danger" onClick={() => setDialog('close')} aria-keyshortcuts="Alt+C">
              {t('conv.close')}
            </button>
          </>
        )}
      </header>
      <ol className="history" ref={historyRef} aria-live="polite" aria-relevant="additions" data-testid="history">
        {entries.map((entry) => (
          <EntryItem
            key={entry.seq}
            api={api}
            entry={entry}
            me={me}
            directory={directory}
            seen={entry.seq === lastSeenOperatorSeq}
            language={language}
          />
        ))}
        {pending.map((entry) => (
          <li
            key={entry.client_message_id}
            className={`entry entry-${entry.kind} pending`}
            data-kind={entry.kind}
            data-testid="entry"
          >
            {entry.kind === 'note' && (
              <span className="note-label">
                <LockIcon /> {t('conv.noteLabel')}
              </span>
            )}
            <p className="text">{entry.text}</p>
            <span className="meta">
              {entry.failed !== undefined ? <span className="error">{entry.failed}</span> : t('conv.sending')}
            </span>
          </li>
        ))}
      </ol>
      {visitorTyping && (
        <p className="typing" data-testid="typing" role="status">
          {t('conv.typing')}
        </p>
      )}
      <ErrorLine error={error} />
      {editable ? (
        <form className={`composer composer-${mode}`} onSubmit={(event) => void send(event)}>
          <div className="composer-modes" role="radiogroup" aria-label={t('conv.reply')}>
            <label className={mode === 'reply' ? 'mode active' : 'mode'}>
              <input
                type="radio"
                name="mode"
                value="reply"
                checked={mode === 'reply'}
                onChange={() => setMode('reply')}
              />
              {t('conv.reply')}
            </label>
            <label className={mode === 'note' ? 'mode active' : 'mode'}>
              <input type="radio" name="mode" value="note" checked={mode === 'note'} onChange={() => setMode('note')} />
              <LockIcon /> {t('conv.note')}
            </label>
            {mode === 'note' && <span className="muted small">{t('conv.noteHint')}</span>}
          </div>
          <div className="composer-row">
            <textarea
              ref={composerRef}
              name="message"
              rows={2}
              maxLength={20000}
              value={text}
              placeholder={mode === 'reply' ? t('conv.placeholder') : t('conv.notePlaceholder')}
              aria-label={mode === 'reply' ? t('conv.reply') : t('conv.note')}
              onChange={(event) => {
                setText(event.target.value);
                setTyping(event.target.value !== '');
              }}
              onKeyDown={onKeyDown}
            />
            {mode === 'reply' && view.source === 'whatsapp' && (
              <button type="button" onClick={() => setDialog('template')} title={t('template.hint')}>
                {t('template.open')}
              </button>
            )}
            {mode === 'reply' && FILE_SOURCES.has(view.source ?? '') && (
              <label className="button attach" title={t('conv.attachHint')}>
                <input
                  type="file"
                  className="visually-hidden"
                  data-testid="attach"
                  disabled={uploading !== null}
                  onChange={(event) => void sendFile(event)}
                />
                {t('conv.attach')}
              </label>
            )}
            <button type="submit" className="primary">
              {t('conv.send')}
            </button>
          </div>
          {uploading !== null && (
            <p className="muted small" role="status" data-testid="uploading">
              {t('conv.uploading', { name: uploading })}
            </p>
          )}
        </form>
      ) : (
        <p className="muted padded" data-testid="read-only">
          {view.status === 'closed' ? t('conv.closed') : t('conv.readOnly')}
        </p>
      )}
      {dialog === 'transfer' && (
        <TransferDialog
          directory={directory}
          me={me}
          onCancel={() => setDialog(null)}
          onSubmit={async (target) => {
            setError(null);
            try {
              await socket.current?.request({ type: 'transfer', conversation_id: view.id, ...target });
              setDialog(null);
            } catch (failure) {
              setError(messageOf(failure));
            }
          }}
        />
      )}
      {dialog === 'template' && (
        <TemplateDialog
          language={language}
          onCancel={() => setDialog(null)}
          onSubmit={async (template) => {
            setError(null);
            try {
              await unwrap(
                api.POST('/api/2/conversation/{id}/template', { params: { path: { id: view.id } }, body: template }),
              );
              setDialog(null);
            } catch (failure) {
              setError(messageOf(failure));
            }
          }}
        />
      )}
      {dialog === 'close' && (
        <CloseDialog
          directory={directory}
          websiteId={view.website_id}
          onCancel={() => setDialog(null)}
          onSubmit={async (tags, summary) => {
            setError(null);
            try {
              if (tags.length > 0)
                await unwrap(
                  api.PUT('/api/2/conversation/{id}', { params: { path: { id: view.id } }, body: { tag_list: tags } }),
                );
              if (summary !== '')
                await socket.current?.request({
                  type: 'note',
                  conversation_id: view.id,
                  text: summary,
                  client_message_id: newMessageId(),
                });
              await socket.current?.request({ type: 'close', conversation_id: view.id });
              setDialog(null);
              onClosed();
            } catch (failure) {
              setError(messageOf(failure));
            }
          }}
        />
      )}
    </section>
  );
}

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

function EntryItem({
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
          <p className="text">{entry.text}</p>
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

type TransferTarget = { operator_id: number } | { group_id: number } | { skill_id: number };

function TransferDialog({
  directory,
  me,
  onCancel,
  onSubmit,
}: {
  directory: Directory;
  me: Me | null;
  onCancel: () => void;
  onSubmit: (target: TransferTarget) => Promise<void>;
}) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'operator' | 'group' | 'skill'>('operator');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const options =
    kind === 'operator'
      ? directory.operators
          .filter((operator) => operator.id !== me?.id)
          .map((operator) => ({ id: operator.id, name: operator.pseudo || operator.name }))
      : kind === 'group'
        ? directory.groups
        : directory.skills;
  return (
    <Modal title={t('transfer.title')} onCancel={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const id = Number(target);
          if (!Number.isInteger(id) || id <= 0) return;
          setBusy(true);
          void onSubmit(
            kind === 'operator' ? { operator_id: id } : kind === 'group' ? { group_id: id } : { skill_id: id },
          ).finally(() => setBusy(false));
        }}
      >
        <fieldset>
          {(['operator', 'group', 'skill'] as const).map((name) => (
            <label key={name} className="toggle">
              <input
                type="radio"
                name="transfer-kind"
                value={name}
                checked={kind === name}
                onChange={() => {
                  setKind(name);
                  setTarget('');
                }}
              />
              {t(`transfer.${name}`)}
            </label>
          ))}
        </fieldset>
        <select
          name="transfer-target"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          required
          aria-label={t(`transfer.${kind}`)}
        >
          <option value="">—</option>
          {options.map((option) => (
            <option key={option.id} value={option.id}>
              {option.name}
            </option>
          ))}
        </select>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || target === ''}>
            {t('transfer.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

function CloseDialog({
  directory,
  websiteId,
  onCancel,
  onSubmit,
}: {
  directory: Directory;
  websiteId: number;
  onCancel: () => void;
  onSubmit: (tags: number[], summary: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const [tags, setTags] = useState<number[]>([]);
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState(false);
  // Tags offered on this website (a tag without websites is offered everywhere).
  const offered = directory.tags.filter(
    (tag) => !tag.website_id || tag.website_id.length === 0 || tag.website_id.includes(websiteId),
  );
  return (
    <Modal title={t('close.title')} onCancel={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          void onSubmit(tags, summary.trim()).finally(() => setBusy(false));
        }}
      >
        {offered.length > 0 && (
          <fieldset>
            <legend>{t('close.tags')}</legend>
            {offered.map((tag) => (
              <label key={tag.id} className="toggle">
                <input
                  type="checkbox"
                  checked={tags.includes(tag.id)}
                  onChange={(event) =>
                    setTags((current) =>
                      event.target.checked ? [...current, tag.id] : current.filter((id) => id !== tag.id),
                    )
                  }
                />
                {tag.name}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          {t('close.summary')}
          <textarea
            name="summary"
            rows={3}
            maxLength={20000}
            value={summary}
            onChange={(event) => setSummary(event.target.value)}
          />
        </label>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="danger" disabled={busy}>
            {t('close.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** An approved WhatsApp template: the only message WhatsApp delivers outside the 24-hour window. */
function TemplateDialog({
  language,
  onCancel,
  onSubmit,
}: {
  language: string;
  onCancel: () => void;
  onSubmit: (template: { name: string; language: string; parameters: string[] }) => Promise<void>;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [code, setCode] = useState(language.startsWith('fr') ? 'fr' : 'en_US');
  const [parameters, setParameters] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal title={t('template.title')} onCancel={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          const values = parameters
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== '');
          void onSubmit({ name: name.trim(), language: code.trim(), parameters: values }).finally(() => setBusy(false));
        }}
      >
        <p className="muted small">{t('template.hint')}</p>
        <label>
          {t('template.name')}
          <input
            name="template-name"
            required
            pattern="[a-z0-9_]+"
            maxLength={512}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label>
          {t('template.language')}
          <input
            name="template-language"
            required
            pattern="[a-z]{2,3}(_[A-Z]{2})?"
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        </label>
        <label>
          {t('template.parameters')}
          <textarea
            name="template-parameters"
            rows={3}
            value={parameters}
            onChange={(event) => setParameters(event.target.value)}
          />
        </label>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {t('template.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
