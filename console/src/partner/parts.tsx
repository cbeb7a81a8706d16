// Pieces the partner and chat environment pages share: loading with reload, a labelled input that shows the error of
// its field, a state badge, a state history table, a pager and the decision buttons (a reason asked where required).
import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useI18n } from '../i18n';
import { formatTime } from '../ui';
import { failedFieldOf, failureLine, inputOfField, pagingOf } from './logic';
import type { HistoryEntry, Pagination } from './messaging';
import { type PartnerText, stateText, usePartnerText } from './strings';

/** What `load` answers, reloaded when its inputs change or on `reload()`; its failure as a line. */
export function useLoaded<T>(load: () => Promise<T>): {
  value: T | null;
  error: string | null;
  reload: () => void;
} {
  const text = usePartnerText();
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: reloads when `load` (its inputs) or `tick` change; `text` follows the language only.
  useEffect(() => {
    let cancelled = false;
    void tick;
    load()
      .then((loaded) => {
        if (cancelled) return;
        setValue(loaded);
        setError(null);
      })
      .catch((failure: unknown) => {
        if (!cancelled) setError(formFailureOf(failure, text).message);
      });
    return () => {
      cancelled = true;
    };
  }, [load, tick]);
  const reload = useCallback(() => setTick((value) => value + 1), []);
  return { value, error, reload };
}

/** Calls `reload` every `everyMs` while `active` (something waits on a carrier or a device), so its state shows up. */
export function useReloadWhile(active: boolean, reload: () => void, everyMs = 5_000): void {
  useEffect(() => {
    if (!active) return;
    const timer = setInterval(reload, everyMs);
    return () => clearInterval(timer);
  }, [active, reload, everyMs]);
}

/** A failed form: the input the server's field names (or null), and the line to show. */
export interface FormFailure {
  input: string | null;
  message: string;
}

/** The FormFailure of anything a call threw: a refused transition in words, else the server's message and field. */
export function formFailureOf(failure: unknown, text: PartnerText): FormFailure {
  return {
    input: inputOfField(failedFieldOf(failure)),
    message: failureLine(failure, (state) => text('partner.refused', { state: stateText(text, state) })),
  };
}

/** A labelled input; when the form's failure names it, the error is shown beside it and the input marked invalid. */
export function Field({
  name,
  label,
  value,
  onChange,
  failure,
  type = 'text',
  required = false,
}: {
  name: string;
  label: string;
  value: string;
  onChange: (value: string) => void;
  failure: FormFailure | null;
  type?: string;
  required?: boolean;
}) {
  const text = usePartnerText();
  const errorId = useId();
  const wrong = failure !== null && failure.input === name;
  const input = useRef<HTMLInputElement>(null);
  // The field the server named takes the focus, so a keyboard or screen reader user lands on what to correct.
  useEffect(() => {
    if (failure !== null && failure.input === name) input.current?.focus();
  }, [failure, name]);
  return (
    <label className={wrong ? 'field invalid' : 'field'}>
      {label}
      <input
        ref={input}
        name={name}
        type={type}
        required={required}
        value={value}
        aria-invalid={wrong ? 'true' : undefined}
        aria-describedby={wrong ? errorId : undefined}
        onChange={(event) => onChange(event.target.value)}
      />
      {wrong && (
        <span className="field-error" id={errorId} data-testid={`error-${name}`}>
          {text('partner.fieldError', { message: failure.message })}
        </span>
      )}
    </label>
  );
}

/** A form's failure that no input carries, as an alert line. */
export function FormFailureLine({ failure }: { failure: FormFailure | null }) {
  if (failure === null) return null;
  return (
    <p className="error" role="alert">
      {failure.message}
    </p>
  );
}

/** An announced success line. */
export function Notice({ children }: { children: ReactNode }) {
  if (children === null || children === undefined || children === '') return null;
  return (
    <p className="notice" role="status">
      {children}
    </p>
  );
}

export function StateBadge({ state, testId }: { state: string; testId?: string }) {
  const text = usePartnerText();
  return (
    <span className={`badge messaging-state state-${state}`} data-state={state} data-testid={testId}>
      {stateText(text, state)}
    </span>
  );
}

export function HistoryTable({ history }: { history: readonly HistoryEntry[] }) {
  const text = usePartnerText();
  const { language } = useI18n();
  return (
    <table className="table" aria-label={text('partner.history')} data-testid="history">
      <caption>{text('partner.history')}</caption>
      <thead>
        <tr>
          <th scope="col">{text('partner.history.at')}</th>
          <th scope="col">{text('partner.history.from')}</th>
          <th scope="col">{text('partner.history.to')}</th>
          <th scope="col">{text('partner.history.reason')}</th>
        </tr>
      </thead>
      <tbody>
        {history.map((entry) => (
          <tr key={`${entry.at}-${entry.state}-${entry.previous_state ?? ''}`}>
            <td>{formatTime(entry.at, language, true)}</td>
            <td>{entry.previous_state === null ? '—' : stateText(text, entry.previous_state)}</td>
            <td>{stateText(text, entry.state)}</td>
            <td>{entry.reason ?? ''}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Pager({ pagination, onPage }: { pagination: Pagination | undefined; onPage: (page: number) => void }) {
  const text = usePartnerText();
  const paging = pagingOf(pagination);
  const where = text('partner.page', { page: paging.page, pages: paging.pages, count: pagination?.count ?? 0 });
  return (
    <nav className="pager" aria-label={where}>
      <button type="button" disabled={!paging.previous} onClick={() => onPage(paging.page - 1)}>
        {text('partner.previous')}
      </button>
      <span>{where}</span>
      <button type="button" disabled={!paging.next} onClick={() => onPage(paging.page + 1)}>
        {text('partner.next')}
      </button>
    </nav>
  );
}

/**
 * The decisions offered on a resource: one button each; a decision that needs a reason asks for it first (the server
 * refuses it without one, naming the field).
 */
export function Decisions<D extends string>({
  name,
  decisions,
  needsReason,
  onDecide,
}: {
  name: string;
  decisions: readonly D[];
  needsReason: (decision: D) => boolean;
  onDecide: (decision: D, reason: string | undefined) => Promise<void>;
}) {
  const text = usePartnerText();
  const [asking, setAsking] = useState<D | null>(null);
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  if (decisions.length === 0) return null;
  const decide = async (decision: D, withReason: string | undefined) => {
    setBusy(true);
    try {
      await onDecide(decision, withReason);
      setAsking(null);
      setReason('');
    } finally {
      setBusy(false);
    }
  };
  const confirm = (event: FormEvent) => {
    event.preventDefault();
    if (asking !== null) void decide(asking, reason.trim());
  };
  return (
    <fieldset className="decisions" aria-label={text('partner.decisions', { name })}>
      {decisions.map((decision) => (
        <button
          key={decision}
          type="button"
          disabled={busy}
          className={decision === 'verify' || decision === 'reinstate' ? 'primary' : undefined}
          onClick={() => (needsReason(decision) ? setAsking(decision) : void decide(decision, undefined))}
        >
          {text(`partner.decision.${decision}` as Parameters<PartnerText>[0])}
        </button>
      ))}
      {asking !== null && (
        <form className="reason-form" onSubmit={confirm}>
          <label>
            {text('partner.reason.required')}
            <input name="reason" required value={reason} onChange={(event) => setReason(event.target.value)} />
          </label>
          <button type="submit" disabled={busy}>
            {text('partner.decision.confirm', {
              decision: text(`partner.decision.${asking}` as Parameters<PartnerText>[0]),
            })}
          </button>
        </form>
      )}
    </fieldset>
  );
}
