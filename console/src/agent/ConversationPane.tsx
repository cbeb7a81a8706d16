// One conversation: its history, typing and read states, the composer (text, notes, files), and the actions that open
// the dialogs (ConversationDialogs.tsx); each entry is drawn by HistoryEntry.tsx.
import { type ChangeEvent, type FormEvent, type KeyboardEvent, useEffect, useRef, useState } from 'react';
import { type Api, failedField, unwrap } from '../api';
import { useCannedPicker } from '../canned/CannedPicker';
import { useI18n } from '../i18n';
import type { Me } from '../me';
import type { OperatorSocket } from '../socket';
import { ErrorLine, LockIcon, messageOf, SourceBadge } from '../ui';
import { useConversationApps, useInteractionWords } from './AppInteractions';
import { CloseDialog, ProblemDialog, TemplateDialog, TransferDialog } from './ConversationDialogs';
import type { Directory, LoadedConversation, ProblemReport } from './directory';
import { EntryItem } from './HistoryEntry';
import { appWith, closingFieldOf, interactionsApi } from './interactions';
import { ProductPopup } from './ProductPopup';
import type { AgentAction } from './state';

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
  const [dialog, setDialog] = useState<'transfer' | 'close' | 'template' | 'problem' | 'products' | null>(null);
  const w = useInteractionWords();
  // Installed apps of the conversation's website: the product list and the closing form come from them.
  const apps = useConversationApps(api, view.id);
  const productApp = appWith(apps, 'product_list');
  /** The closing note already written, so that a closing refused by the server does not write it twice. */
  const notedRef = useRef<string | null>(null);
  const [problem, setProblem] = useState<ProblemReport | null>(conversation.problem ?? null);
  const [error, setError] = useState<string | null>(null);
  const [uploading, setUploading] = useState<string | null>(null);
  const typingRef = useRef<{ on: boolean; timer: ReturnType<typeof setTimeout> | null }>({ on: false, timer: null });
  const historyRef = useRef<HTMLOListElement | null>(null);
  const composerRef = useRef<HTMLTextAreaElement | null>(null);
  const lastSeq = entries[entries.length - 1]?.seq ?? 0;
  // Typing `/shortcut` offers the canned responses (canned/CannedPicker.tsx).
  const canned = useCannedPicker({
    api,
    conversationId: view.id,
    websiteId: view.website_id,
    textareaRef: composerRef,
    onInsert: (inserted) => {
      setText(inserted);
      setTyping(inserted !== '');
    },
  });

  // Another conversation, or the same one read again through the API, shows its own report.
  useEffect(() => setProblem(conversation.problem ?? null), [conversation.problem]);

  // Keep the newest entry in sight.
  // biome-ignore lint/correctness/useExhaustiveDependencies: a new entry, pending message or typing line scrolls down.
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
  // biome-ignore lint/correctness/useExhaustiveDependencies: leaving a conversation (or the pane) ends its typing state.
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
    if (canned.onKeyDown(event)) return;
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
        {view.status !== 'waiting' && (
          <button type="button" onClick={() => setDialog('problem')}>
            {t('problem.open')}
          </button>
        )}
        {editable && (
          <>
            {productApp !== null && (
              <button type="button" onClick={() => setDialog('products')} data-testid="open-products">
                {w('products')}
              </button>
            )}
            <button type="button" onClick={() => setDialog('transfer')} aria-keyshortcuts="Alt+T">
              {t('conv.transfer')}
            </button>
            <button type="button" className="danger" onClick={() => setDialog('close')} aria-keyshortcuts="Alt+C">
              {t('conv.close')}
            </button>
          </>
        )}
      </header>
      {problem !== null && (
        <p className="problem-line" data-testid="problem" role="status">
          {t('problem.reported', { reason: problem.reason })}
        </p>
      )}
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
          {canned.popup}
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
                canned.track(event.target);
              }}
              onSelect={(event) => canned.track(event.currentTarget)}
              onKeyDown={onKeyDown}
              {...canned.inputProps}
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
      {dialog === 'problem' && (
        <ProblemDialog
          onCancel={() => setDialog(null)}
          onSubmit={async (reason) => {
            setError(null);
            try {
              const reported = await unwrap(
                api.POST('/api/2/conversation/{id}/problem', { params: { path: { id: view.id } }, body: { reason } }),
              );
              setProblem(reported.data.problem ?? null);
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
          api={api}
          conversationId={view.id}
          apps={apps}
          directory={directory}
          websiteId={view.website_id}
          onCancel={() => setDialog(null)}
          onSubmit={async (tags, summary, closing) => {
            setError(null);
            try {
              if (tags.length > 0)
                await unwrap(
                  api.PUT('/api/2/conversation/{id}', { params: { path: { id: view.id } }, body: { tag_list: tags } }),
                );
              if (summary !== '' && notedRef.current !== summary) {
                await socket.current?.request({
                  type: 'note',
                  conversation_id: view.id,
                  text: summary,
                  client_message_id: newMessageId(),
                });
                notedRef.current = summary;
              }
              // An app's closing form answered closes through its route (answers kept); otherwise the socket closes.
              if (closing !== null) await interactionsApi.close(api, view.id, closing.installationId, closing.answers);
              else await socket.current?.request({ type: 'close', conversation_id: view.id });
              setDialog(null);
              onClosed();
            } catch (failure) {
              // A refused answer is shown beside its field by the dialog; anything else here.
              if (closingFieldOf(failedField(failure)) !== null) throw failure;
              setError(messageOf(failure));
            }
          }}
        />
      )}
      {dialog === 'products' && productApp !== null && (
        <ProductPopup api={api} conversationId={view.id} app={productApp} onClose={() => setDialog(null)} />
      )}
    </section>
  );
}
