// The Campaigns pages (an admin's, /admin/campaigns…): the account's broadcasts with their state and progress, a form
// creating one from a chat environment, a message with {{variables}} and a CSV of recipients (previewed with the file's
// first row, with its SMS segment count), and per campaign its counters, pause / resume / cancel, the per-recipient
// report and the refused lines, both downloadable as CSV. Loaded on demand; everything is rendered as text.
import { type FormEvent, useCallback, useEffect, useId, useMemo, useState } from 'react';
import type { Api } from '../api';
import { type FormError, formErrorOf, formMessage } from '../form-error';
import { useI18n } from '../i18n';
import { listEnvironments } from '../partner/messaging';
import { Field, Pager, useLoaded, useReloadWhile } from '../partner/parts';
import { navigate } from '../router';
import { TemplatesLink } from '../templates/TemplatesLink';
import { formatTime } from '../ui';
import {
  actBroadcast,
  type Broadcast,
  createBroadcast,
  downloadCsv,
  getBroadcast,
  listBroadcasts,
  listProblems,
  listRecipients,
  uploadRecipients,
} from './broadcasts';
import {
  actionsOf,
  type CampaignDraft,
  campaignBody,
  firstRowOf,
  MOVING_STATES,
  PROGRESS_PARTS,
  type Progress,
  preview,
  progressShares,
  smsSegments,
} from './logic';
import type { CampaignsRoute } from './routes';
import { type CampaignsText, stateWords, useCampaignsText } from './strings';
import '../partner/partner.css';
import './campaigns.css';

/** How often a moving campaign's counters are read again. */
const RELOAD_MS = 2_000;

function Link({ path, children }: { path: string; children: string }) {
  return (
    <a
      href={path}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {children}
    </a>
  );
}

export function CampaignsPage({ api, route }: { api: Api; route: CampaignsRoute }) {
  return (
    <main className="admin partner-body campaigns-page">
      <div className="admin-body">
        {route.view === 'list' && <CampaignList api={api} />}
        {route.view === 'new' && <CampaignForm api={api} />}
        {route.view === 'campaign' && <CampaignDetail api={api} id={route.id} />}
      </div>
    </main>
  );
}

function Badge({ state }: { state: string }) {
  const text = useCampaignsText();
  return (
    <span className={`badge messaging-state state-${state}`} data-state={state} data-testid="campaign-state">
      {stateWords(text, state)}
    </span>
  );
}

const NO_PROGRESS: Progress = {
  total: 0,
  invalid: 0,
  queued: 0,
  sent: 0,
  delivered: 0,
  read: 0,
  failed: 0,
  opted_out: 0,
  expired: 0,
  cancelled: 0,
};

/** The progress bar: read, delivered, sent, failed and queued as proportions of the recipients. */
function ProgressBar({ progress, text }: { progress: Progress; text: CampaignsText }) {
  const shares = progressShares(progress);
  const label = text('campaigns.progressLabel', {
    delivered: progress.delivered + progress.read,
    read: progress.read,
    failed: progress.failed + progress.opted_out + progress.expired,
    queued: progress.queued,
    total: progress.total - progress.invalid,
  });
  return (
    <div className="campaign-progress" role="img" aria-label={label} title={label} data-testid="campaign-progress">
      {PROGRESS_PARTS.map((part) =>
        shares[part] > 0 ? (
          <span key={part} className={`part part-${part}`} style={{ width: `${shares[part]}%` }} />
        ) : null,
      )}
    </div>
  );
}

function CampaignList({ api }: { api: Api }) {
  const text = useCampaignsText();
  const { t, language } = useI18n();
  const [page, setPage] = useState(1);
  const load = useCallback(() => listBroadcasts(api, page), [api, page]);
  const { value, error, reload } = useLoaded(load);
  useReloadWhile(value?.items.some((item) => MOVING_STATES.includes(item.state)) ?? false, reload, RELOAD_MS);
  return (
    <section aria-labelledby="campaigns-title">
      <h2 id="campaigns-title">{text('campaigns.title')}</h2>
      <p className="muted">{text('campaigns.intro')}</p>
      <p className="actions">
        <button type="button" onClick={() => navigate('/admin/campaigns/new')}>
          {text('campaigns.new')}
        </button>{' '}
        <button type="button" onClick={reload}>
          {t('common.refresh')}
        </button>{' '}
        <TemplatesLink />
      </p>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {value?.items.length === 0 && <p className="muted">{text('campaigns.none')}</p>}
      {value !== null && value.items.length > 0 && (
        <table className="campaigns">
          <thead>
            <tr>
              <th>{text('campaigns.name')}</th>
              <th>{text('campaigns.state')}</th>
              <th>{text('campaigns.channel')}</th>
              <th>{text('campaigns.progress')}</th>
              <th>{text('campaigns.created')}</th>
            </tr>
          </thead>
          <tbody>
            {value.items.map((broadcast) => (
              <tr key={broadcast.id} data-testid={`campaign-${broadcast.id}`}>
                <td>
                  <Link path={`/admin/campaigns/${broadcast.id}`}>{broadcast.name}</Link>
                </td>
                <td>
                  <Badge state={broadcast.state} />
                </td>
                <td>{broadcast.channel}</td>
                <td>
                  <ProgressBar
                    progress={broadcast.progress ?? { ...NO_PROGRESS, total: broadcast.total }}
                    text={text}
                  />
                </td>
                <td>{formatTime(broadcast.created_at, language, true)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pagination={value?.pagination} onPage={setPage} />
    </section>
  );
}

const EMPTY_DRAFT: CampaignDraft = {
  agent_id: '',
  name: '',
  channel: 'sms',
  text: '',
  send_at: '',
  rate_per_second: '',
  default_country: 'FR',
};

/** The error line of a field the API named, else nothing. */
function FieldError({ failure, field, id }: { failure: FormError | null; field: string; id: string }) {
  if (failure === null || failure.field !== field) return null;
  return (
    <span className="field-error" id={id} data-testid={`error-${field}`} role="alert">
      {failure.message}
    </span>
  );
}

function CampaignForm({ api }: { api: Api }) {
  const text = useCampaignsText();
  const [draft, setDraft] = useState(EMPTY_DRAFT);
  const [file, setFile] = useState<File | null>(null);
  const [head, setHead] = useState('');
  const [failure, setFailure] = useState<FormError | null>(null);
  const [busy, setBusy] = useState<'creating' | 'uploading' | null>(null);
  // A campaign created whose file was refused: submitting again only sends the file (no second campaign).
  const [pending, setPending] = useState<Broadcast | null>(null);
  const loadEnvironments = useCallback(() => listEnvironments(api, { limit: 100 }), [api]);
  const environments = useLoaded(loadEnvironments);
  const active = environments.value?.items.filter((environment) => environment.state === 'active') ?? [];
  const selected = active.find((environment) => String(environment.id) === draft.agent_id);
  const ids = { agent: useId(), channel: useId(), text: useId(), file: useId() };
  const set = (name: keyof CampaignDraft) => (value: string) => setDraft((current) => ({ ...current, [name]: value }));

  // Only the file's beginning is read: the header and the first row are all the preview needs.
  useEffect(() => {
    if (file === null) {
      setHead('');
      return;
    }
    let cancelled = false;
    void file
      .slice(0, 64 * 1024)
      .text()
      .then((value) => {
        if (!cancelled) setHead(value);
      });
    return () => {
      cancelled = true;
    };
  }, [file]);
  const { columns, row } = useMemo(() => firstRowOf(head), [head]);
  const rendered = preview(draft.text, row);
  const segments = smsSegments(rendered);

  const fieldFailure = (field: string) => (failure !== null && failure.field === field ? failure : null);
  const asField = (field: string) => {
    const named = fieldFailure(field);
    return named === null ? null : { input: field, message: named.message };
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (file === null) {
      setFailure({ message: text('campaigns.fileMissing'), field: 'file' });
      return;
    }
    setFailure(null);
    let created: Broadcast | null = pending;
    try {
      if (created === null) {
        setBusy('creating');
        created = await createBroadcast(api, campaignBody(draft));
        setPending(created);
      }
      setBusy('uploading');
      await uploadRecipients(api, created.id, file);
      navigate(`/admin/campaigns/${created.id}`);
    } catch (thrown) {
      const error = formErrorOf(thrown);
      const status = (thrown as { status?: unknown }).status;
      if (status === 413)
        setFailure({ message: text('campaigns.tooLarge', { message: error.message }), field: 'file' });
      else if (created !== null) setFailure({ ...error, field: error.field ?? 'file' });
      else setFailure(error.field === 'content' ? { ...error, field: 'text' } : error);
    } finally {
      setBusy(null);
    }
  }

  return (
    <section aria-labelledby="campaign-form-title">
      <p>
        <Link path="/admin/campaigns">{text('campaigns.back')}</Link>
      </p>
      <h2 id="campaign-form-title">{text('campaigns.new')}</h2>
      {environments.error !== null && (
        <p className="error" role="alert">
          {environments.error}
        </p>
      )}
      {environments.value !== null && active.length === 0 && (
        <p className="muted">{text('campaigns.environment.none')}</p>
      )}
      <form className="partner-form" onSubmit={(event) => void submit(event)} noValidate>
        <label className={fieldFailure('agent_id') ? 'field invalid' : 'field'}>
          {text('campaigns.environment')}
          <select
            name="agent_id"
            required
            value={draft.agent_id}
            aria-describedby={ids.agent}
            onChange={(event) => set('agent_id')(event.target.value)}
          >
            <option value="">{text('campaigns.environment.choose')}</option>
            {active.map((environment) => (
              <option key={environment.id} value={environment.id}>
                {environment.name}
              </option>
            ))}
          </select>
          <FieldError failure={failure} field="agent_id" id={ids.agent} />
        </label>
        <Field
          name="name"
          label={text('campaigns.name')}
          value={draft.name}
          onChange={set('name')}
          failure={asField('name')}
          required
        />
        <label className={fieldFailure('channel') ? 'field invalid' : 'field'}>
          {text('campaigns.channel')}
          <select name="channel" value={draft.channel} onChange={(event) => set('channel')(event.target.value)}>
            {['auto', ...(selected?.channels ?? ['sms', 'whatsapp', 'rcs'])].map((channel) => (
              <option key={channel} value={channel}>
                {channel}
              </option>
            ))}
          </select>
          <FieldError failure={failure} field="channel" id={ids.channel} />
        </label>
        <label className={fieldFailure('text') ? 'field invalid wide' : 'field wide'}>
          {text('campaigns.text')}
          <textarea
            name="text"
            rows={4}
            required
            value={draft.text}
            aria-describedby={ids.text}
            onChange={(event) => set('text')(event.target.value)}
          />
          <FieldError failure={failure} field="text" id={ids.text} />
        </label>
        <div className="campaign-preview wide" aria-live="polite">
          <strong>{text('campaigns.preview')}</strong>
          <p className="bubble" data-testid="campaign-preview">
            {rendered === '' ? text('campaigns.preview.empty') : rendered}
          </p>
          {rendered !== '' && (
            <p className="muted" data-testid="campaign-segments">
              {text('campaigns.segments', { ...segments })}
            </p>
          )}
          {columns.length > 0 && <p className="muted">{text('campaigns.columns', { columns: columns.join(', ') })}</p>}
        </div>
        <Field
          name="send_at"
          type="datetime-local"
          label={text('campaigns.sendAt')}
          value={draft.send_at}
          onChange={set('send_at')}
          failure={asField('send_at')}
        />
        <Field
          name="rate_per_second"
          type="number"
          label={text('campaigns.rate')}
          value={draft.rate_per_second}
          onChange={set('rate_per_second')}
          failure={asField('rate_per_second')}
        />
        <Field
          name="default_country"
          label={text('campaigns.country')}
          value={draft.default_country}
          onChange={set('default_country')}
          failure={asField('default_country')}
        />
        <label className={fieldFailure('file') ? 'field invalid' : 'field'}>
          {text('campaigns.file')}
          <input
            name="file"
            type="file"
            accept=".csv,text/csv"
            aria-describedby={ids.file}
            onChange={(event) => setFile(event.target.files?.[0] ?? null)}
          />
          <FieldError failure={failure} field="file" id={ids.file} />
        </label>
        {failure !== null &&
          !['agent_id', 'name', 'channel', 'text', 'send_at', 'rate_per_second', 'default_country', 'file'].includes(
            failure.field ?? '',
          ) && (
            <p className="error" role="alert">
              {failure.message}
            </p>
          )}
        <button type="submit" disabled={busy !== null}>
          {busy === 'creating'
            ? text('campaigns.creating')
            : busy === 'uploading'
              ? text('campaigns.uploading')
              : text('campaigns.create')}
        </button>
      </form>
    </section>
  );
}

const COUNTERS = [
  'total',
  'invalid',
  'queued',
  'sent',
  'delivered',
  'read',
  'failed',
  'opted_out',
  'expired',
  'cancelled',
] as const;

function CampaignDetail({ api, id }: { api: Api; id: number }) {
  const text = useCampaignsText();
  const { t, language } = useI18n();
  const load = useCallback(() => getBroadcast(api, id), [api, id]);
  const { value: broadcast, error, reload } = useLoaded(load);
  const moving = broadcast !== null && MOVING_STATES.includes(broadcast.state);
  useReloadWhile(moving, reload, RELOAD_MS);
  const [actionError, setActionError] = useState<string | null>(null);
  const [recipientPage, setRecipientPage] = useState(1);
  const [problemPage, setProblemPage] = useState(1);
  // The tables follow the counters: reloaded with the campaign while it moves.
  const stamp = broadcast === null ? '' : `${broadcast.state}:${JSON.stringify(broadcast.progress)}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: `stamp` reloads the report when the counters move.
  const loadRecipients = useCallback(() => listRecipients(api, id, recipientPage), [api, id, recipientPage, stamp]);
  // biome-ignore lint/correctness/useExhaustiveDependencies: `stamp` reloads the problems when the import moves.
  const loadProblems = useCallback(() => listProblems(api, id, problemPage), [api, id, problemPage, stamp]);
  const recipients = useLoaded(loadRecipients);
  const problems = useLoaded(loadProblems);

  async function act(action: 'pause' | 'resume' | 'cancel') {
    if (action === 'cancel' && !window.confirm(text('campaigns.cancel.confirm'))) return;
    setActionError(null);
    try {
      await actBroadcast(api, id, action);
    } catch (thrown) {
      setActionError(formErrorOf(thrown).message);
    }
    reload();
  }
  async function download(report: 'recipients' | 'problems') {
    try {
      await downloadCsv(api, id, report);
    } catch (thrown) {
      setActionError(formMessage(formErrorOf(thrown).message).message);
    }
  }

  if (broadcast === null)
    return error === null ? (
      <p className="padded">{t('common.loading')}</p>
    ) : (
      <p className="error" role="alert">
        {error}
      </p>
    );
  const progress = broadcast.progress ?? { ...NO_PROGRESS, total: broadcast.total, invalid: broadcast.invalid };
  return (
    <>
      <section aria-labelledby="campaign-title">
        <p>
          <Link path="/admin/campaigns">{text('campaigns.back')}</Link>
        </p>
        <h2 id="campaign-title">
          {broadcast.name} <Badge state={broadcast.state} />
        </h2>
        <p className="muted">
          {broadcast.channel} · {formatTime(broadcast.created_at, language, true)}
          {broadcast.send_at !== null &&
            ` · ${text('campaigns.scheduledFor', { at: formatTime(broadcast.send_at, language, true) })}`}
        </p>
        {broadcast.content?.text !== undefined && <p className="bubble">{broadcast.content.text}</p>}
        <ProgressBar progress={progress} text={text} />
        <dl className="campaign-counters" aria-label={text('campaigns.counters')}>
          {COUNTERS.map((counter) => (
            <div key={counter} data-testid={`counter-${counter}`}>
              <dt>{text(`counter.${counter}`)}</dt>
              <dd>{progress[counter].toLocaleString(language)}</dd>
            </div>
          ))}
        </dl>
        <p className="actions">
          {actionsOf(broadcast.state).map((action) => (
            <button
              key={action}
              type="button"
              className={action === 'cancel' ? 'danger' : ''}
              onClick={() => void act(action)}
            >
              {text(`campaigns.${action}`)}
            </button>
          ))}
        </p>
        {actionError !== null && (
          <p className="error" role="alert">
            {actionError}
          </p>
        )}
      </section>
      <section aria-labelledby="campaign-recipients">
        <h3 id="campaign-recipients">{text('campaigns.recipients')}</h3>
        <button type="button" onClick={() => void download('recipients')}>
          {text('campaigns.download.recipients')}
        </button>
        {recipients.error !== null && <p className="error">{recipients.error}</p>}
        <table className="campaign-report">
          <thead>
            <tr>
              <th>{text('campaigns.to')}</th>
              <th>{text('campaigns.channel')}</th>
              <th>{text('campaigns.state')}</th>
              <th>{text('campaigns.error')}</th>
              <th>{text('campaigns.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {recipients.value?.items.map((line) => (
              <tr key={line.id} data-testid="recipient-row">
                <td>{line.to}</td>
                <td>{line.channel ?? ''}</td>
                <td>{stateWords(text, line.state)}</td>
                <td>{typeof line.error === 'string' ? line.error : (line.error?.message ?? '')}</td>
                <td>{formatTime(line.updated_at, language, true)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager pagination={recipients.value?.pagination} onPage={setRecipientPage} />
      </section>
      <section aria-labelledby="campaign-problems">
        <h3 id="campaign-problems">{text('campaigns.problems')}</h3>
        {problems.value?.items.length === 0 ? (
          <p className="muted">{text('campaigns.problems.none')}</p>
        ) : (
          <>
            <button type="button" onClick={() => void download('problems')}>
              {text('campaigns.download.problems')}
            </button>
            <table className="campaign-report">
              <thead>
                <tr>
                  <th>{text('campaigns.line')}</th>
                  <th>{text('campaigns.field')}</th>
                  <th>{text('campaigns.reason')}</th>
                </tr>
              </thead>
              <tbody>
                {problems.value?.items.map((problem) => (
                  <tr key={`${problem.line}-${problem.field}`} data-testid="problem-row">
                    <td>{problem.line}</td>
                    <td>{problem.field}</td>
                    <td>{problem.reason}</td>
                  </tr>
                ))}
              </tbody>
            </table>
            <Pager pagination={problems.value?.pagination} onPage={setProblemPage} />
          </>
        )}
        {problems.error !== null && <p className="error">{problems.error}</p>}
      </section>
    </>
  );
}
