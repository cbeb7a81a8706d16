// The supervisor page (/admin/supervisor, admins and managers): every waiting and open conversation of their websites
// with its visitor, operator, running wait or duration, queue place and last message, and each operator's load and
// availability. Kept live by polling GET /api/2/supervision every 3 s while the page is seen (the operator socket
// carries only the supervisor's own conversations and per-website queue counts; an unchanged poll is answered from the
// server's read cache). From a row: take over, assign or transfer to an operator or a group; a refusal shows beside
// the row. Loaded on demand.
import { type FormEvent, useCallback, useEffect, useRef, useState } from 'react';
import { type Api, dataOf } from '../api';
import { formErrorOf } from '../form-error';
import { useI18n } from '../i18n';
import type { Me } from '../me';
import {
  applyFilter,
  type Candidate,
  candidatesFor,
  channelState,
  clockOffset,
  clockStart,
  formatDuration,
  LIVE_CHANNELS,
  liveChannelOf,
  pollDelayMs,
  type SupervisedConversation,
  type SupervisedOperator,
  type SupervisedStatus,
  type Supervision,
  type SupervisionFilter,
  secondsSince,
} from './logic';
import { channelKey, type Refusal, refusalOf, refusalText, type SupervisorText, useSupervisorText } from './strings';
import { loadSupervision, type TransferTarget, transferConversation } from './supervisor-api';
import './supervisor.css';

interface Named {
  id: number;
  name: string;
}

export function SupervisorPage({ api, me }: { api: Api; me: Me }) {
  const text = useSupervisorText();
  const { language } = useI18n();
  const [filter, setFilter] = useState<SupervisionFilter>({ websiteId: null, status: null });
  const [view, setView] = useState<{ data: Supervision; offset: number; at: number } | null>(null);
  const [now, setNow] = useState(() => Date.now());
  const [websites, setWebsites] = useState<Named[]>([]);
  const [groups, setGroups] = useState<Named[]>([]);
  const [refreshError, setRefreshError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [rowErrors, setRowErrors] = useState<Record<number, Refusal>>({});
  const [picking, setPicking] = useState<number | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const pollTimer = useRef<number | undefined>(undefined);
  const filterRef = useRef(filter);
  filterRef.current = filter;
  // A request still out when the page is left must not schedule the next poll.
  const mounted = useRef(true);

  const refresh = useCallback(async () => {
    window.clearTimeout(pollTimer.current);
    const asked = filterRef.current;
    try {
      const data = await loadSupervision(api, asked);
      if (!mounted.current) return;
      const at = Date.now();
      // An answer to a filter changed meanwhile is dropped: the newer one follows.
      if (filterRef.current === asked) {
        setView({ data, offset: clockOffset(data.server_time, at), at });
        setRefreshError(null);
      }
    } catch (failure) {
      setRefreshError(formErrorOf(failure).message);
    } finally {
      window.clearTimeout(pollTimer.current);
      if (mounted.current)
        pollTimer.current = window.setTimeout(
          () => void refresh(),
          pollDelayMs(document.visibilityState === 'visible'),
        );
    }
  }, [api]);

  // biome-ignore lint/correctness/useExhaustiveDependencies: a changed filter is read again at once.
  useEffect(() => {
    void refresh();
    return () => window.clearTimeout(pollTimer.current);
  }, [refresh, filter]);

  useEffect(() => {
    mounted.current = true;
    return () => {
      mounted.current = false;
      window.clearTimeout(pollTimer.current);
    };
  }, []);

  useEffect(() => {
    const seen = () => {
      if (document.visibilityState === 'visible') void refresh();
    };
    document.addEventListener('visibilitychange', seen);
    const ticking = window.setInterval(() => setNow(Date.now()), 1000);
    return () => {
      document.removeEventListener('visibilitychange', seen);
      window.clearInterval(ticking);
    };
  }, [refresh]);

  useEffect(() => {
    dataOf(api.GET('/api/2/website', { params: { query: { full: '1', limit: 100 } } }))
      .then((rows) => setWebsites(rows.map((row) => ({ id: row.id, name: row.label || row.url || `#${row.id}` }))))
      .catch(() => undefined);
    dataOf(api.GET('/api/2/group', { params: { query: { full: '1', limit: 100 } } }))
      .then((rows) => setGroups(rows.map((row) => ({ id: row.id, name: row.name ?? `#${row.id}` }))))
      .catch(() => undefined);
  }, [api]);

  /** The target's name, for the refusal's sentence. */
  const targetName = (target: TransferTarget): { name: string; group: boolean } => {
    if ('group_id' in target) {
      const group = groups.find((row) => row.id === target.group_id);
      return { name: group?.name ?? `#${target.group_id}`, group: true };
    }
    if (target.operator_id === me.id) return { name: me.name, group: false };
    const operator = view?.data.operators.find((row) => row.id === target.operator_id);
    return { name: operator?.name ?? `#${target.operator_id}`, group: false };
  };

  const give = async (conversation: SupervisedConversation, target: TransferTarget) => {
    setBusy(conversation.id);
    setNotice(null);
    setRowErrors(({ [conversation.id]: _dropped, ...others }) => others);
    try {
      const done = await transferConversation(api, conversation.id, target);
      setPicking(null);
      const name =
        done.operator_id === me.id
          ? me.name
          : (view?.data.operators.find((operator) => operator.id === done.operator_id)?.name ?? `#${done.operator_id}`);
      setNotice(
        done.operator_id === null
          ? text('requeued', { id: conversation.id, position: done.queue_position ?? 1 })
          : text('assigned', { id: conversation.id, name }),
      );
      await refresh();
    } catch (failure) {
      setRowErrors((errors) => ({ ...errors, [conversation.id]: refusalOf(failure, targetName(target)) }));
    } finally {
      setBusy(null);
    }
  };

  const conversations = view === null ? [] : applyFilter(view.data.conversations, filter);
  const operators = view?.data.operators ?? [];
  const updated =
    view === null
      ? null
      : new Date(view.at).toLocaleTimeString(language === 'fr' ? 'fr-FR' : 'en-GB', { hour12: false });

  return (
    <main className="padded supervisor-page" aria-labelledby="supervisor-title">
      <h1 id="supervisor-title">{text('title')}</h1>
      <p className="muted">{text('intro')}</p>
      <div className="supervisor-filters">
        <label>
          {text('website')}
          <select
            value={filter.websiteId ?? ''}
            onChange={(event) =>
              setFilter((current) => ({
                ...current,
                websiteId: event.target.value === '' ? null : Number(event.target.value),
              }))
            }
          >
            <option value="">{text('allWebsites')}</option>
            {websites.map((website) => (
              <option key={website.id} value={website.id}>
                {website.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          {text('status')}
          <select
            value={filter.status ?? ''}
            onChange={(event) =>
              setFilter((current) => ({
                ...current,
                status: event.target.value === '' ? null : (event.target.value as SupervisedStatus),
              }))
            }
          >
            <option value="">{text('allStatuses')}</option>
            <option value="waiting">{text('status.waiting')}</option>
            <option value="open">{text('status.open')}</option>
          </select>
        </label>
        {updated !== null && (
          <span className="muted" data-testid="supervisor-updated">
            {text('updated', { time: updated })}
          </span>
        )}
      </div>
      {refreshError !== null && (
        <p className="error" role="alert">
          {text('refreshFailed', { message: refreshError })}
        </p>
      )}
      <p role="status" className="notice" data-testid="supervisor-notice">
        {notice ?? ''}
      </p>

      <section aria-labelledby="supervised-title">
        <h2 id="supervised-title">{text('conversations')}</h2>
        {view === null ? (
          <p>{text('loading')}</p>
        ) : conversations.length === 0 ? (
          <p data-testid="supervisor-empty">{text('none')}</p>
        ) : (
          <div className="table-scroll">
            <table className="table supervisor-table" data-testid="supervised-conversations">
              <caption className="sr-only">{text('conversationsCaption', { count: conversations.length })}</caption>
              <thead>
                <tr>
                  <th scope="col">{text('column.visitor')}</th>
                  <th scope="col">{text('column.website')}</th>
                  <th scope="col">{text('column.channel')}</th>
                  <th scope="col">{text('column.operator')}</th>
                  <th scope="col">{text('column.time')}</th>
                  <th scope="col">{text('column.queue')}</th>
                  <th scope="col">{text('column.lastMessage')}</th>
                  <th scope="col">{text('column.actions')}</th>
                </tr>
              </thead>
              <tbody>
                {conversations.map((conversation) => (
                  <ConversationRow
                    key={conversation.id}
                    conversation={conversation}
                    operators={operators}
                    groups={groups}
                    me={me}
                    seconds={secondsSince(clockStart(conversation), now, view.offset)}
                    error={refusalText(text, conversation.id, rowErrors[conversation.id])}
                    picking={picking === conversation.id}
                    busy={busy === conversation.id}
                    onPick={(open) => setPicking(open ? conversation.id : null)}
                    onGive={(target) => void give(conversation, target)}
                    text={text}
                  />
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>

      <section aria-labelledby="supervised-operators-title">
        <h2 id="supervised-operators-title">{text('operators')}</h2>
        {view !== null && operators.length === 0 ? (
          <p>{text('noOperators')}</p>
        ) : (
          <OperatorTable operators={operators} text={text} />
        )}
      </section>
    </main>
  );
}

function ConversationRow({
  conversation,
  operators,
  groups,
  me,
  seconds,
  error,
  picking,
  busy,
  onPick,
  onGive,
  text,
}: {
  conversation: SupervisedConversation;
  operators: readonly SupervisedOperator[];
  groups: readonly Named[];
  me: Me;
  seconds: number;
  error: string | null;
  picking: boolean;
  busy: boolean;
  onPick: (open: boolean) => void;
  onGive: (target: TransferTarget) => void;
  text: SupervisorText;
}) {
  const waiting = conversation.status === 'waiting' && conversation.operator_id === null;
  const routed = liveChannelOf(conversation.channel) !== null;
  const pickerId = `supervised-picker-${conversation.id}`;
  const errorId = `supervised-error-${conversation.id}`;
  const toggle = useRef<HTMLButtonElement>(null);
  const channel = channelKey(conversation.channel);
  const close = () => {
    onPick(false);
    toggle.current?.focus();
  };
  return (
    <tr data-testid={`supervised-${conversation.id}`} data-status={conversation.status} aria-busy={busy}>
      <th scope="row">
        {conversation.visitor.name ?? text('anonymous', { id: conversation.visitor.id })}
        {conversation.visitor.email !== null && <span className="muted small">{conversation.visitor.email}</span>}
      </th>
      <td>{conversation.website}</td>
      <td>{channel === null ? conversation.channel : text(channel)}</td>
      <td data-testid="supervised-operator">
        {conversation.operator_name ?? <span className="badge waiting">{text('waitingOperator')}</span>}
      </td>
      <td className="supervisor-clock" data-testid="supervised-clock">
        {text(waiting ? 'waitingFor' : 'openFor', { duration: formatDuration(seconds) })}
      </td>
      <td data-testid="supervised-queue">
        {conversation.queue_position === null ? (
          '—'
        ) : (
          <span>
            <span aria-hidden="true">{text('queuePosition', { position: conversation.queue_position })}</span>
            <span className="sr-only">{text('queuePositionLabel', { position: conversation.queue_position })}</span>
            {conversation.estimated_wait_seconds !== null && conversation.estimated_wait_seconds > 0 && (
              <span className="muted small">
                {text('estimate', { minutes: Math.max(1, Math.round(conversation.estimated_wait_seconds / 60)) })}
              </span>
            )}
          </span>
        )}
      </td>
      <td className="supervisor-preview">
        {conversation.last_message === null ? (
          <span className="muted">{text('noMessage')}</span>
        ) : (
          <>
            <span className="muted">
              {text(conversation.last_message.from === 'visitor' ? 'fromVisitor' : 'fromOperator')}
            </span>{' '}
            {conversation.last_message.text}
          </>
        )}
      </td>
      <td className="supervisor-actions">
        {routed && (
          <div className="row-actions">
            {conversation.operator_id !== me.id && (
              <button
                type="button"
                disabled={busy}
                aria-label={text('takeOverLabel', { id: conversation.id })}
                aria-describedby={error === null ? undefined : errorId}
                onClick={() => onGive({ operator_id: me.id })}
              >
                {text('takeOver')}
              </button>
            )}
            <button
              type="button"
              ref={toggle}
              disabled={busy}
              aria-expanded={picking}
              aria-controls={pickerId}
              aria-label={text(waiting ? 'assignLabel' : 'transferLabel', { id: conversation.id })}
              onClick={() => onPick(!picking)}
            >
              {text(waiting ? 'assign' : 'transfer')}
            </button>
          </div>
        )}
        {picking && (
          <Picker
            id={pickerId}
            conversation={conversation}
            candidates={candidatesFor(conversation, operators)}
            groups={groups}
            waiting={waiting}
            busy={busy}
            onGive={onGive}
            onClose={close}
            text={text}
          />
        )}
        {error !== null && (
          <p className="error small" role="alert" id={errorId} data-testid="supervised-error">
            {error}
          </p>
        )}
      </td>
    </tr>
  );
}

function candidateLabel(candidate: Candidate, channel: 'chat' | 'call' | 'video', text: SupervisorText): string {
  const live = candidate.operator[channel];
  const state = text(`state.${candidate.state}`);
  if (!candidate.eligible) return text('notEligible', { name: candidate.operator.name, state });
  return text('candidate', {
    name: candidate.operator.name,
    state,
    load: text('load', { taken: live.slot_number, max: live.slot_max_number }),
  });
}

function Picker({
  id,
  conversation,
  candidates,
  groups,
  waiting,
  busy,
  onGive,
  onClose,
  text,
}: {
  id: string;
  conversation: SupervisedConversation;
  candidates: Candidate[];
  groups: readonly Named[];
  waiting: boolean;
  busy: boolean;
  onGive: (target: TransferTarget) => void;
  onClose: () => void;
  text: SupervisorText;
}) {
  const channel = liveChannelOf(conversation.channel) ?? 'chat';
  const first = candidates.find((candidate) => candidate.eligible);
  const [choice, setChoice] = useState(first === undefined ? '' : `operator:${first.operator.id}`);
  const select = useRef<HTMLSelectElement>(null);
  useEffect(() => {
    select.current?.focus();
  }, []);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    const [kind, value] = choice.split(':');
    const target = Number(value);
    if (!Number.isInteger(target) || target <= 0) return;
    onGive(kind === 'group' ? { group_id: target } : { operator_id: target });
  };
  return (
    <form
      id={id}
      className="supervisor-picker"
      onSubmit={submit}
      onKeyDown={(event) => {
        if (event.key === 'Escape') {
          event.preventDefault();
          onClose();
        }
      }}
    >
      <label>
        {text('assignTo', { id: conversation.id })}
        <select ref={select} value={choice} onChange={(event) => setChoice(event.target.value)}>
          <optgroup label={text('operatorsGroup')}>
            {candidates.map((candidate) => (
              <option
                key={candidate.operator.id}
                value={`operator:${candidate.operator.id}`}
                disabled={!candidate.eligible}
              >
                {candidateLabel(candidate, channel, text)}
              </option>
            ))}
          </optgroup>
          {groups.length > 0 && (
            <optgroup label={text('groupsGroup')}>
              {groups.map((group) => (
                <option key={group.id} value={`group:${group.id}`}>
                  {text('groupOption', { name: group.name })}
                </option>
              ))}
            </optgroup>
          )}
        </select>
      </label>
      {candidates.length === 0 && <p className="muted small">{text('noCandidate')}</p>}
      <div className="row-actions">
        <button type="submit" className="primary" disabled={busy || choice === ''}>
          {text(waiting ? 'confirmAssign' : 'confirmTransfer')}
        </button>
        <button type="button" onClick={onClose}>
          {text('cancel')}
        </button>
      </div>
    </form>
  );
}

function OperatorTable({ operators, text }: { operators: readonly SupervisedOperator[]; text: SupervisorText }) {
  return (
    <div className="table-scroll">
      <table className="table supervisor-table" data-testid="supervised-operators">
        <caption className="sr-only">{text('operatorsCaption', { count: operators.length })}</caption>
        <thead>
          <tr>
            <th scope="col">{text('column.name')}</th>
            <th scope="col">{text('column.connection')}</th>
            {LIVE_CHANNELS.map((channel) => (
              <th scope="col" key={channel}>
                {text(`column.${channel}`)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {operators.map((operator) => (
            <tr key={operator.id} data-testid={`supervised-operator-${operator.id}`}>
              <th scope="row">{operator.name}</th>
              <td>
                <span className={operator.connected ? 'badge online' : 'badge'}>
                  {text(operator.connected ? 'connected' : 'disconnected')}
                </span>
              </td>
              {LIVE_CHANNELS.map((channel) => {
                const live = operator[channel];
                if (!live.enabled)
                  return (
                    <td key={channel} className="muted">
                      {text('channelDisabled')}
                    </td>
                  );
                const load = { taken: live.slot_number, max: live.slot_max_number };
                return (
                  <td key={channel} data-testid={`supervised-load-${channel}`}>
                    <span className={`supervisor-state ${channelState(operator, channel)}`}>
                      {text(`state.${channelState(operator, channel)}`)}
                    </span>{' '}
                    <span aria-hidden="true">{text('load', load)}</span>
                    <span className="sr-only">{text('loadLabel', load)}</span>
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
