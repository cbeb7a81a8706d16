// "E-mail the transcript" in the conversation details: a small form prefilled with the visitor's e-mail address and the
// console's language, then each request's status (queued, sent, failed with the server's error), read again every few
// seconds while one is queued. When the server has no SMTP server the button is disabled with the reason next to it.
import { useCallback, useEffect, useId, useState } from 'react';
import { type Api, dataOf } from '../api';
import { formErrorOf } from '../form-error';
import { useI18n } from '../i18n';
import { formatTime } from '../ui';
import type { DetailsText } from './details-strings';
import { loadTranscriptRequests, mailTranscript, type TranscriptRequests } from './transcript-mail';
import './transcript.css';

/** How often the statuses are read again while a mail is queued. */
const POLL_MS = 2_000;

export function TranscriptMail({
  api,
  conversationId,
  visitorId,
  text,
}: {
  api: Api;
  conversationId: number;
  visitorId: number | null;
  text: DetailsText;
}) {
  const { language } = useI18n();
  const id = useId();
  const [state, setState] = useState<TranscriptRequests | null>(null);
  const [open, setOpen] = useState(false);
  const [email, setEmail] = useState('');
  const [locale, setLocale] = useState<'en' | 'fr'>(language === 'fr' ? 'fr' : 'en');
  const [error, setError] = useState<{ message: string; field: string | null } | null>(null);
  const [sending, setSending] = useState(false);

  const refresh = useCallback(
    () =>
      loadTranscriptRequests(api, conversationId).then(setState, (failure: unknown) => setError(formErrorOf(failure))),
    [api, conversationId],
  );
  useEffect(() => {
    setState(null);
    setOpen(false);
    void refresh();
  }, [refresh]);
  const queued = state?.requests.some((request) => request.status === 'queued') === true;
  useEffect(() => {
    if (!queued) return;
    const timer = setInterval(() => void refresh(), POLL_MS);
    return () => clearInterval(timer);
  }, [queued, refresh]);

  const openForm = async () => {
    setError(null);
    setOpen(true);
    if (visitorId === null) return;
    // The visitor's address, when known (an empty field otherwise: the operator types one).
    const visitor = await dataOf(api.GET('/api/2/visitor/{id}', { params: { path: { id: visitorId } } })).catch(
      () => null,
    );
    if (visitor !== null && typeof visitor.email === 'string') setEmail((typed) => typed || (visitor.email ?? ''));
  };

  const send = async () => {
    setError(null);
    setSending(true);
    try {
      const queuedRequest = await mailTranscript(api, conversationId, { email: email.trim(), locale });
      setOpen(false);
      // Shown queued at once; the statuses are then read again every few seconds until it is sent or failed.
      setState((shown) => shown && { ...shown, requests: [queuedRequest, ...shown.requests] });
    } catch (failure) {
      setError(formErrorOf(failure));
    } finally {
      setSending(false);
    }
  };

  if (state === null) return null;
  const emailError = error?.field === 'email' ? error.message : null;
  return (
    <div className="transcript-mail no-print" data-testid="transcript-mail">
      {!state.mail_configured ? (
        <p className="small">
          <button type="button" className="small" disabled aria-describedby={`${id}-why`}>
            {text('transcript.button')}
          </button>{' '}
          <span id={`${id}-why`} className="muted">
            {text('transcript.notConfigured')}
          </span>
        </p>
      ) : !open ? (
        <button type="button" className="small" onClick={() => void openForm()}>
          {text('transcript.button')}
        </button>
      ) : (
        <form
          aria-label={text('transcript.form')}
          onSubmit={(event) => {
            event.preventDefault();
            void send();
          }}
        >
          <label htmlFor={`${id}-email`}>{text('transcript.email')}</label>
          <input
            id={`${id}-email`}
            type="email"
            value={email}
            required
            autoComplete="off"
            aria-invalid={emailError !== null}
            aria-describedby={emailError !== null ? `${id}-email-error` : undefined}
            onChange={(event) => setEmail(event.target.value)}
          />
          {emailError !== null && (
            <p id={`${id}-email-error`} className="error small" role="alert">
              {emailError}
            </p>
          )}
          <label htmlFor={`${id}-locale`}>{text('transcript.language')}</label>
          <select
            id={`${id}-locale`}
            value={locale}
            onChange={(event) => setLocale(event.target.value === 'fr' ? 'fr' : 'en')}
          >
            <option value="en">English</option>
            <option value="fr">Français</option>
          </select>
          <div>
            <button type="submit" className="primary small" disabled={sending}>
              {text('transcript.send')}
            </button>
            <button type="button" className="small" onClick={() => setOpen(false)}>
              {text('transcript.cancel')}
            </button>
          </div>
        </form>
      )}
      {error !== null && error.field !== 'email' && (
        <p className="error small" role="alert">
          {error.message}
        </p>
      )}
      {state.requests.length > 0 && (
        <ul className="transcript-requests small" aria-live="polite" data-testid="transcript-requests">
          {state.requests.map((request) => (
            <li key={request.id} data-status={request.status}>
              {request.status === 'sent'
                ? text('transcript.sent', {
                    email: request.email,
                    time: formatTime(request.sent_at, language, true),
                  })
                : request.status === 'failed'
                  ? text('transcript.failed', { email: request.email, error: request.error ?? '' })
                  : request.error !== null
                    ? text('transcript.retrying', { email: request.email, error: request.error })
                    : text('transcript.queued', { email: request.email })}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
