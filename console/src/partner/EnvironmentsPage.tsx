// The chat environments pages (a client admin's, in the operator console, /admin/environments…): the account's
// environments with their overall state and each carrier's, the provider's last error, a form to submit a new one on
// RCS, and per environment its RCS testers (invite, states, remove). Loaded on demand; everything is rendered as text.
import { type FormEvent, useCallback, useState } from 'react';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { formatTime } from '../ui';
import { ENVIRONMENT_REQUIRED, type EnvironmentDraft, environmentBody } from './logic';
import {
  addTester,
  createEnvironment,
  deleteTester,
  type Environment,
  getEnvironment,
  listEnvironments,
  listTesters,
} from './messaging';
import {
  Field,
  type FormFailure,
  FormFailureLine,
  formFailureOf,
  Notice,
  Pager,
  StateBadge,
  useLoaded,
  useReloadWhile,
} from './parts';
import type { EnvironmentsRoute } from './routes';
import { usePartnerText } from './strings';
import './partner.css';

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

export function EnvironmentsPage({ api, route }: { api: Api; route: EnvironmentsRoute }) {
  return (
    <main className="admin partner-body environments-page">
      <div className="admin-body">
        {route.view === 'list' ? <EnvironmentList api={api} /> : <EnvironmentDetail api={api} id={route.id} />}
      </div>
    </main>
  );
}

/** An environment some carrier has not decided on yet. */
const waitsOnCarriers = (environment: Environment) =>
  environment.state === 'pending_verification' || environment.carriers.some((carrier) => carrier.state === 'pending');

function CarrierStates({ environment }: { environment: Environment }) {
  const text = usePartnerText();
  return (
    <ul className="carriers" aria-label={text('env.carrierStates')}>
      {environment.carriers.map((carrier) => (
        <li key={carrier.carrier} data-testid={`carrier-${carrier.carrier}`}>
          <span className="carrier-name">{carrier.carrier}</span> <StateBadge state={carrier.state} />
          {carrier.reason !== null && <span className="muted"> {carrier.reason}</span>}
        </li>
      ))}
    </ul>
  );
}

function LastError({ environment }: { environment: Environment }) {
  const text = usePartnerText();
  const { language } = useI18n();
  const error = environment.last_error;
  if (error === null) return null;
  const message = [error.code, error.message, error.at === undefined ? '' : formatTime(error.at, language, true)]
    .filter((part) => part !== undefined && part !== '')
    .join(' · ');
  return (
    <p className="error" data-testid="last-error">
      {text('env.lastError', { message })}
    </p>
  );
}

function EnvironmentList({ api }: { api: Api }) {
  const text = usePartnerText();
  const { t } = useI18n();
  const [page, setPage] = useState(1);
  const load = useCallback(() => listEnvironments(api, { page, limit: 20 }), [api, page]);
  const { value, error, reload } = useLoaded(load);
  useReloadWhile(value?.items.some(waitsOnCarriers) ?? false, reload);
  return (
    <>
      <section aria-labelledby="environments-title">
        <h2 id="environments-title">{text('env.title')}</h2>
        <p className="muted">{text('env.intro')}</p>
        <button type="button" onClick={reload}>
          {t('common.refresh')}
        </button>
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {value?.items.length === 0 && <p className="muted">{text('partner.none')}</p>}
        <ul className="environments">
          {value?.items.map((environment) => (
            <li key={environment.id} className="card" data-testid={`environment-${environment.id}`}>
              <h3>
                <span className="swatch" style={{ background: environment.brand_color }} aria-hidden="true" />
                {environment.name} <StateBadge state={environment.state} testId="environment-state" />
              </h3>
              <p className="muted">{environment.description}</p>
              <CarrierStates environment={environment} />
              <LastError environment={environment} />
              <Link path={`/admin/environments/${environment.id}`}>{text('env.open', { name: environment.name })}</Link>
            </li>
          ))}
        </ul>
        <Pager pagination={value?.pagination} onPage={setPage} />
      </section>
      <EnvironmentForm api={api} onCreated={reload} />
    </>
  );
}

const EMPTY_ENVIRONMENT: EnvironmentDraft = {
  name: '',
  description: '',
  logo_url: '',
  banner_url: '',
  brand_color: '#0B78D0',
  phone: '',
  email: '',
  website: '',
  privacy_url: '',
  terms_url: '',
  carriers: '',
};

function EnvironmentForm({ api, onCreated }: { api: Api; onCreated: () => void }) {
  const text = usePartnerText();
  const [draft, setDraft] = useState(EMPTY_ENVIRONMENT);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setDone(null);
    try {
      const created = await createEnvironment(api, environmentBody(draft));
      setDone(text('env.created', { name: created.name, state: text('state.pending_verification') }));
      setDraft(EMPTY_ENVIRONMENT);
      onCreated();
    } catch (thrown) {
      setFailure(formFailureOf(thrown, text));
    }
  };
  const names = Object.keys(EMPTY_ENVIRONMENT) as (keyof EnvironmentDraft)[];
  return (
    <section aria-labelledby="environment-new">
      <h2 id="environment-new">{text('env.new')}</h2>
      <form
        className="card partner-form"
        aria-labelledby="environment-new"
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        {names.map((name) => (
          <Field
            key={name}
            name={name}
            label={text(`env.${name}`)}
            value={draft[name]}
            required={(ENVIRONMENT_REQUIRED as readonly string[]).includes(name) || name === 'carriers'}
            type={name === 'email' ? 'email' : name === 'phone' ? 'tel' : 'text'}
            failure={failure}
            onChange={(value) => setDraft((before) => ({ ...before, [name]: value }))}
          />
        ))}
        <button type="submit" className="primary">
          {text('env.create')}
        </button>
        {failure !== null && failure.input === null && <FormFailureLine failure={failure} />}
        <Notice>{done}</Notice>
      </form>
    </section>
  );
}

function EnvironmentDetail({ api, id }: { api: Api; id: number }) {
  const text = usePartnerText();
  const { language, t } = useI18n();
  const loadEnvironment = useCallback(() => getEnvironment(api, id), [api, id]);
  const { value: environment, error, reload } = useLoaded(loadEnvironment);
  const loadTesters = useCallback(() => listTesters(api, id), [api, id]);
  const { value: testers, error: testersError, reload: reloadTesters } = useLoaded(loadTesters);
  useReloadWhile(environment !== null && waitsOnCarriers(environment), reload);
  useReloadWhile(testers?.items.some((tester) => tester.state === 'invite_pending') ?? false, reloadTesters);
  const [phone, setPhone] = useState('');
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const act = async (action: () => Promise<string>) => {
    setFailure(null);
    setDone(null);
    try {
      setDone(await action());
    } catch (thrown) {
      setFailure(formFailureOf(thrown, text));
    }
    reload();
    reloadTesters();
  };
  const invite = (event: FormEvent) => {
    event.preventDefault();
    void act(async () => {
      const tester = await addTester(api, id, phone.trim());
      setPhone('');
      return text('env.tester.added', { phone: tester.phone });
    });
  };
  return (
    <section aria-labelledby="environment-title">
      <Link path="/admin/environments">{text('env.back')}</Link>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {environment !== null && (
        <>
          <h2 id="environment-title">
            {text('env.detail', { name: environment.name })}{' '}
            <StateBadge state={environment.state} testId="environment-state" />
          </h2>
          <button
            type="button"
            onClick={() => {
              reload();
              reloadTesters();
            }}
          >
            {t('common.refresh')}
          </button>
          <CarrierStates environment={environment} />
          <LastError environment={environment} />
          <h3 id="testers-title">{text('env.testers')}</h3>
          {environment.state !== 'active' && <p className="muted">{text('env.tester.notActive')}</p>}
          <form className="inline-form card" aria-labelledby="testers-title" onSubmit={invite} noValidate>
            <Field
              name="phone"
              type="tel"
              label={text('env.tester.phone')}
              value={phone}
              onChange={setPhone}
              failure={failure}
              required
            />
            <button type="submit" className="primary">
              {text('env.tester.add')}
            </button>
          </form>
          {failure !== null && failure.input !== 'phone' && <FormFailureLine failure={failure} />}
          <Notice>{done}</Notice>
          {testersError !== null && (
            <p className="error" role="alert">
              {testersError}
            </p>
          )}
          {testers?.items.length === 0 && <p className="muted">{text('partner.none')}</p>}
          <ul className="testers" aria-labelledby="testers-title">
            {testers?.items.map((tester) => (
              <li key={tester.id} data-testid={`tester-${tester.phone}`}>
                <span>{tester.phone}</span> <StateBadge state={tester.state} testId="tester-state" />{' '}
                <span className="muted">{formatTime(tester.created_at, language, true)}</span>
                {tester.reason !== null && <span className="muted"> {tester.reason}</span>}
                {tester.last_error !== null && (
                  <span className="error"> {text('env.lastError', { message: tester.last_error.message ?? '' })}</span>
                )}{' '}
                <button
                  type="button"
                  onClick={() =>
                    void act(async () => {
                      await deleteTester(api, tester.id);
                      return text('env.tester.deleted', { phone: tester.phone });
                    })
                  }
                >
                  {text('env.tester.delete', { phone: tester.phone })}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
