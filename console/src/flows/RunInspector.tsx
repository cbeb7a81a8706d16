// The run inspector: runs found by customer (user_key) or request, or from the failed requests; each run as a
// timeline of its steps (type, state, times, attempts, output, error), its messages and merchant calls, with Retry on
// a failed run (the API's retryRun: again from the failed step, same idempotency key).
import { type FormEvent, useEffect, useState } from 'react';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { navigate, useLocation } from '../router';
import { ErrorLine, messageOf } from '../ui';
import { failedRequests, type RequestSummary, type Run, retryRun, runsOfRequest, runsOfUser } from './commerce';
import { useFlowsText } from './strings';

/** Steps that call the merchant's endpoints (their output is the call's answer). */
const MERCHANT_STEPS = new Set(['get_object', 'update_object']);

export function RunInspector({ api }: { api: Api }) {
  const text = useFlowsText();
  const location = useLocation();
  const [userKey, setUserKey] = useState(location.search.get('user_key') ?? '');
  const [requestId, setRequestId] = useState(location.search.get('request_id') ?? '');
  const [runs, setRuns] = useState<Run[] | null>(null);
  const [failed, setFailed] = useState<RequestSummary[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [lastSearch, setLastSearch] = useState<{ userKey: string; requestId: string } | null>(null);

  const search = async (by: { userKey: string; requestId: string }) => {
    setError(null);
    setLastSearch(by);
    try {
      if (by.requestId.trim() !== '') setRuns(await runsOfRequest(api, Number(by.requestId.trim())));
      else if (by.userKey.trim() !== '') setRuns(await runsOfUser(api, by.userKey.trim()));
    } catch (failure) {
      setRuns(null);
      setError(messageOf(failure));
    }
  };
  // A link (or a reload) with ?user_key= or ?request_id= shows its runs at once.
  // biome-ignore lint/correctness/useExhaustiveDependencies: once, for the address the page opened with.
  useEffect(() => {
    if (userKey !== '' || requestId !== '') void search({ userKey, requestId });
  }, []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    setNotice(null);
    const query = new URLSearchParams();
    if (requestId.trim() !== '') query.set('request_id', requestId.trim());
    else if (userKey.trim() !== '') query.set('user_key', userKey.trim());
    navigate(`/admin/flows/runs?${query.toString()}`, { replace: true });
    void search({ userKey, requestId });
  };
  const retry = async (run: Run) => {
    setError(null);
    try {
      await retryRun(api, run.run_id);
      setNotice(text('runs.retried', { id: run.run_id }));
      if (lastSearch !== null) await search(lastSearch);
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  return (
    <section aria-labelledby="runs-title">
      <h2 id="runs-title">{text('flows.runs')}</h2>
      <form className="inline-form card" aria-label={text('runs.search')} onSubmit={submit}>
        <label>
          {text('runs.userKey')}
          <input name="user_key" value={userKey} onChange={(event) => setUserKey(event.target.value)} />
        </label>
        <label>
          {text('runs.requestId')}
          <input
            name="request_id"
            inputMode="numeric"
            value={requestId}
            onChange={(event) => setRequestId(event.target.value)}
          />
        </label>
        <button type="submit" className="primary">
          {text('runs.find')}
        </button>
        <button
          type="button"
          onClick={() =>
            void failedRequests(api)
              .then(setFailed)
              .catch((failure: unknown) => setError(messageOf(failure)))
          }
        >
          {text('runs.failed')}
        </button>
      </form>
      <ErrorLine error={error} />
      {notice !== null && <p role="status">{notice}</p>}
      {failed !== null && (
        <FailedRequests
          requests={failed}
          onOpen={(id) => {
            setRequestId(String(id));
            setUserKey('');
            navigate(`/admin/flows/runs?request_id=${id}`, { replace: true });
            void search({ userKey: '', requestId: String(id) });
          }}
        />
      )}
      {runs !== null && runs.length === 0 && <p className="muted">{text('runs.none')}</p>}
      {runs?.map((run) => (
        <RunTimeline key={run.run_id} run={run} onRetry={() => void retry(run)} />
      ))}
    </section>
  );
}

function FailedRequests({ requests, onOpen }: { requests: RequestSummary[]; onOpen: (requestId: number) => void }) {
  const text = useFlowsText();
  if (requests.length === 0) return <p className="muted">{text('runs.noFailed')}</p>;
  return (
    <ul className="failed-requests" aria-label={text('runs.failed')}>
      {requests.map((request) => (
        <li key={request.request_id}>
          <button type="button" onClick={() => onOpen(request.request_id)}>
            {text('runs.open')} {text('runs.request', { id: request.request_id })}
          </button>{' '}
          <span className="mono">{request.flow}</span> · {request.user_key} · {request.created_at}
        </li>
      ))}
    </ul>
  );
}

function RunTimeline({ run, onRetry }: { run: Run; onRetry: () => void }) {
  const text = useFlowsText();
  const { language } = useI18n();
  // Seconds matter in a timeline: the short style the rest of the console uses drops them.
  const clock = new Intl.DateTimeFormat(language, { dateStyle: 'short', timeStyle: 'medium' });
  const time = (value: string | null) => (value === null ? '—' : clock.format(new Date(value)));
  const titleId = `run-${run.run_id}-title`;
  return (
    <article className="card run" aria-labelledby={titleId} data-testid={`run-${run.run_id}`}>
      <h3 id={titleId}>
        {text('runs.run', { id: run.run_id, flow: run.flow, version: run.version })}{' '}
        <span className={`badge state-${run.state}`} data-testid="run-state">
          {run.state}
        </span>
      </h3>
      <p className="small">
        {text('runs.customer', { key: run.user_key })}
        {run.request_id !== null && ` · ${text('runs.request', { id: run.request_id })}`}
        {run.order_id !== null && ` · ${text('runs.order', { id: run.order_id })}`} · {text('runs.started')}{' '}
        {time(run.started_at)} · {text('runs.ended')} {time(run.ended_at)}
        {run.next_due_at !== null && run.ended_at === null && ` · ${text('runs.nextDue')} ${time(run.next_due_at)}`}
      </p>
      {run.error !== null && (
        <p className="error" data-testid="run-error">
          {run.error}
        </p>
      )}
      {run.state === 'failed' && (
        <div className="actions">
          <button type="button" className="primary" onClick={onRetry}>
            {text('runs.retry')}
          </button>
        </div>
      )}
      <h4>{text('runs.timeline', { id: run.run_id })}</h4>
      <ol className="timeline" data-testid="timeline">
        {run.steps.map((step) => (
          <li key={step.step} className={`timeline-step state-${step.state}`} data-testid={`step-${step.id}`}>
            <p>
              <strong>
                {step.step}. <span className="mono">{step.id}</span>
              </strong>{' '}
              <span className="mono">{step.type}</span>
              {MERCHANT_STEPS.has(step.type) && <span className="small"> ({text('runs.merchantCall')})</span>}{' '}
              <span className={`badge state-${step.state}`}>{step.state}</span>{' '}
              <span className="small">
                {time(step.started_at)} → {time(step.ended_at)}
                {step.duration_ms !== null && ` (${text('runs.duration', { ms: step.duration_ms })})`} ·{' '}
                {text('runs.attempts', { count: step.attempts })}
              </span>
            </p>
            {step.error !== null && <p className="error">{step.error}</p>}
            {step.output !== null && (
              <details>
                <summary>{text('runs.output')}</summary>
                <pre className="mono">{JSON.stringify(step.output, null, 2)}</pre>
              </details>
            )}
          </li>
        ))}
      </ol>
      {run.messages.length > 0 && (
        <>
          <h4>{text('runs.messages')}</h4>
          <ul className="run-messages">
            {run.messages.map((message) => (
              <li key={message.seq} className={message.direction}>
                <span className="small">
                  {time(message.at)} · {text(message.direction === 'inbound' ? 'runs.inbound' : 'runs.outbound')}
                  {message.delivery !== null && ` · ${message.delivery}`}
                </span>
                <p>{message.text}</p>
              </li>
            ))}
          </ul>
        </>
      )}
      <details>
        <summary>{text('runs.variables')}</summary>
        <pre className="mono">{JSON.stringify(run.variables, null, 2)}</pre>
      </details>
      {run.object !== null && (
        <details>
          <summary>{text('runs.object')}</summary>
          <pre className="mono">{JSON.stringify(run.object, null, 2)}</pre>
        </details>
      )}
    </article>
  );
}
