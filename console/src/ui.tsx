// Small shared pieces of the console: copy button, error line, date formatting, labels of channels.
import { type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from './i18n';

/** Copies text to the clipboard, with a fallback for pages without the async clipboard (plain http). */
export function CopyButton({ text, label }: { text: string; label?: string }) {
  const { t } = useI18n();
  const [copied, setCopied] = useState(false);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(text);
    } catch {
      const area = document.createElement('textarea');
      area.value = text;
      document.body.append(area);
      area.select();
      document.execCommand('copy');
      area.remove();
    }
    setCopied(true);
    setTimeout(() => setCopied(false), 1500);
  };
  return (
    <button type="button" onClick={() => void copy()} aria-label={label ?? t('common.copy')}>
      {copied ? t('common.copied') : t('common.copy')}
    </button>
  );
}

/** An error as a line a screen reader announces. */
/** An admin section this server does not offer (its API answered 404). */
export function UnavailableSection({ title, message, testId }: { title: string; message: string; testId: string }) {
  return (
    <section>
      <h2>{title}</h2>
      <p className="muted" data-testid={testId}>
        {message}
      </p>
    </section>
  );
}

export function ErrorLine({ error }: { error: string | null }) {
  const { t } = useI18n();
  if (error === null) return null;
  return (
    <p className="error" role="alert">
      {t('common.error', { message: error })}
    </p>
  );
}

/** A message from anything thrown. */
export function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** `YYYY-MM-DD HH:MM:SS` (UTC, the API's format) or ISO, shown in the operator's time zone and language. */
export function formatTime(value: string | null | undefined, language: string, withDate = false): string {
  if (!value) return '';
  const iso = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(value) ? `${value.replace(' ', 'T')}Z` : value;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return value;
  return new Intl.DateTimeFormat(
    language,
    withDate ? { dateStyle: 'short', timeStyle: 'short' } : { timeStyle: 'short' },
  ).format(date);
}

/** Where a conversation comes from, as shown on its badge: chat, whatsapp, sms, rcs, call… */
export function sourceLabel(source: string | undefined, channel: string | undefined): string {
  if (source === undefined || source === 'web' || source === 'api') return channel ?? 'chat';
  return source;
}

/** The channel badge of a conversation. */
export function SourceBadge({ source, channel }: { source?: string | undefined; channel?: string | undefined }) {
  const label = sourceLabel(source, channel);
  return (
    <span className={`badge source-${label}`} data-testid="source">
      {label}
    </span>
  );
}

/** A small padlock drawn inline (emoji fonts are not everywhere), marking private notes. */
export function LockIcon() {
  return (
    <svg className="icon" width="11" height="11" viewBox="0 0 16 16" aria-hidden="true" focusable="false">
      <path fill="currentColor" d="M4 7V5a4 4 0 1 1 8 0v2h1v8H3V7h1zm2 0h4V5a2 2 0 1 0-4 0v2z" />
    </svg>
  );
}

const FOCUSABLE =
  'a[href], button:not([disabled]), input:not([disabled]), select:not([disabled]), textarea:not([disabled]), [tabindex]:not([tabindex="-1"])';

/**
 * A modal dialog: its first field takes the focus, Escape cancels, and Tab stays inside it while it is open. `onCancel`
 * is read through a ref, so a parent's re-render (a new inline callback) does not pull the focus back to the first field.
 */
export function Modal({
  title,
  onCancel,
  testId,
  className,
  children,
}: {
  title: string;
  onCancel: () => void;
  testId?: string;
  className?: string;
  children: ReactNode;
}) {
  const ref = useRef<HTMLDivElement | null>(null);
  const titleId = useId();
  const closeRef = useRef(onCancel);
  useEffect(() => {
    closeRef.current = onCancel;
  }, [onCancel]);
  useEffect(() => {
    ref.current?.querySelector<HTMLElement>('input, select, textarea, button')?.focus();
    const onKey = (event: KeyboardEvent) => {
      if (event.key === 'Escape') {
        event.preventDefault();
        closeRef.current();
        return;
      }
      if (event.key !== 'Tab' || ref.current === null) return;
      const focusable = [...ref.current.querySelectorAll<HTMLElement>(FOCUSABLE)];
      const first = focusable[0];
      const last = focusable[focusable.length - 1];
      if (first === undefined || last === undefined) return;
      const inside = ref.current.contains(document.activeElement);
      if (!inside || (event.shiftKey && document.activeElement === first)) {
        event.preventDefault();
        (event.shiftKey ? last : first).focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  return (
    <div className="modal-backdrop">
      <div
        className={`modal card${className !== undefined ? ` ${className}` : ''}`}
        role="dialog"
        aria-modal="true"
        aria-labelledby={titleId}
        ref={ref}
        data-testid={testId}
      >
        <h3 id={titleId}>{title}</h3>
        {children}
      </div>
    </div>
  );
}
