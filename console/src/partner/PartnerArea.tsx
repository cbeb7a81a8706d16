// The partner area under /admin/partner…: a partner (or the platform administrator) signs in with its API key, kept
// in sessionStorage for the tab only and sent as X-API-Key; then its companies and accounts with their states and
// histories, and for the platform key the verification queue. Loaded on demand; everything is rendered as text.
import type { CauserieClient } from '@causerie/sdk/client';
import { type FormEvent, lazy, type ReactNode, Suspense, useCallback, useMemo, useState } from 'react';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { CopyButton, formatTime } from '../ui';
import {
  ACCOUNT_STATES,
  type AccountDraft,
  accountBody,
  accountDecisions,
  COMPANY_FIELDS,
  COMPANY_REQUIRED,
  COMPANY_STATES,
  companyBody,
  companyDecisions,
  type KeyScope,
  loadSignIn,
  type PartnerSignIn,
  reasonRequired,
  storeSignIn,
} from './logic';
import {
  type Account,
  type Company,
  createAccount,
  createCompany,
  decideAccount,
  decideCompany,
  getAccount,
  getCompany,
  type Listed,
  listAccounts,
  listCompanies,
  partnerClient,
  resendActivation,
  scopeOfKey,
} from './messaging';
import {
  Decisions,
  Field,
  type FormFailure,
  FormFailureLine,
  formFailureOf,
  HistoryTable,
  Notice,
  Pager,
  StateBadge,
  useLoaded,
} from './parts';
import type { PartnerRoute } from './routes';
import { stateText, usePartnerText } from './strings';
import './partner.css';

// The developer platform's pages (platform key only) come in their own chunk, when first opened.
const DevelopersPage = lazy(async () => ({ default: (await import('./platform-pages')).DevelopersPage }));
const AppReviewPage = lazy(async () => ({ default: (await import('./platform-pages')).AppReviewPage }));

function Link({ path, children, active }: { path: string; children: string; active?: boolean }) {
  return (
    <a
      href={path}
      className={active === undefined ? undefined : active ? 'tab active' : 'tab'}
      aria-current={active ? 'page' : undefined}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {children}
    </a>
  );
}

export function PartnerArea({ route }: { route: PartnerRoute }) {
  const text = usePartnerText();
  const { language, setLanguage } = useI18n();
  const [signIn, setSignIn] = useState<PartnerSignIn | null>(() => loadSignIn(sessionStorage));
  const signOut = useCallback(() => {
    storeSignIn(sessionStorage, null);
    setSignIn(null);
  }, []);
  const client = useMemo(() => (signIn === null ? null : partnerClient(signIn.key, signOut)), [signIn, signOut]);
  return (
    <div className="app partner-area">
      <header className="topbar">
        <strong className="brand">{text('partner.title')}</strong>
        {signIn !== null && (
          <nav aria-label={text('partner.nav')}>
            <Link path="/admin/partner/companies" active={route.view === 'companies' || route.view === 'company'}>
              {text('partner.companies')}
            </Link>
            <Link path="/admin/partner/accounts" active={route.view === 'accounts' || route.view === 'account'}>
              {text('partner.accounts')}
            </Link>
            {signIn.scope === 'platform' && (
              <Link path="/admin/partner/verification" active={route.view === 'verification'}>
                {text('partner.verification')}
              </Link>
            )}
            {signIn.scope === 'platform' && (
              <Link path="/admin/partner/developers" active={route.view === 'developers'}>
                {text('partner.developers')}
              </Link>
            )}
            {signIn.scope === 'platform' && (
              <Link path="/admin/partner/apps" active={route.view === 'apps'}>
                {text('partner.appReview')}
              </Link>
            )}
          </nav>
        )}
        <span className="spacer" />
        <select
          value={language}
          onChange={(event) => setLanguage(event.target.value === 'fr' ? 'fr' : 'en')}
          aria-label={language === 'fr' ? 'Langue' : 'Language'}
        >
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
        {signIn !== null && (
          <>
            <span className="me" data-testid="partner-scope">
              {text(signIn.scope === 'platform' ? 'partner.scope.platform' : 'partner.scope.partner')}
            </span>
            <button type="button" onClick={signOut}>
              {text('partner.signOut')}
            </button>
          </>
        )}
      </header>
      {signIn === null || client === null ? (
        <SignIn
          onSignIn={(next) => {
            storeSignIn(sessionStorage, next);
            setSignIn(next);
          }}
        />
      ) : (
        <main className="admin-body partner-body">
          {route.view === 'companies' && <CompaniesPage client={client} scope={signIn.scope} />}
          {route.view === 'company' && <CompanyPage client={client} scope={signIn.scope} id={route.id} />}
          {route.view === 'accounts' && <AccountsPage client={client} scope={signIn.scope} />}
          {route.view === 'account' && <AccountPage client={client} scope={signIn.scope} id={route.id} />}
          {route.view === 'verification' &&
            (signIn.scope === 'platform' ? (
              <VerificationQueue client={client} />
            ) : (
              <p role="alert">{text('partner.queue.platformOnly')}</p>
            ))}
          {(route.view === 'developers' || route.view === 'apps') &&
            (signIn.scope === 'platform' ? (
              <Suspense fallback={null}>
                {route.view === 'developers' ? (
                  <DevelopersPage client={client} />
                ) : (
                  <AppReviewPage client={client} appId={route.id} />
                )}
              </Suspense>
            ) : (
              <p role="alert">{text('partner.queue.platformOnly')}</p>
            ))}
        </main>
      )}
    </div>
  );
}

function SignIn({ onSignIn }: { onSignIn: (signIn: PartnerSignIn) => void }) {
  const text = usePartnerText();
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const trimmed = key.trim();
      onSignIn({ key: trimmed, scope: await scopeOfKey(trimmed) });
    } catch (failure) {
      setError(text('partner.signIn.refused', { message: formFailureOf(failure, text).message }));
      setBusy(false);
    }
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={(event) => void submit(event)} aria-labelledby="partner-sign-in">
        <h1 id="partner-sign-in">{text('partner.signIn.title')}</h1>
        <p className="muted">{text('partner.signIn.intro')}</p>
        <label>
          {text('partner.signIn.key')}
          <input
            name="api-key"
            type="password"
            autoComplete="off"
            required
            value={key}
            onChange={(event) => setKey(event.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {text('partner.signIn.submit')}
        </button>
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
      </form>
    </main>
  );
}

function StateFilter({
  states,
  value,
  onChange,
}: {
  states: readonly string[];
  value: string;
  onChange: (state: string) => void;
}) {
  const text = usePartnerText();
  return (
    <label className="inline">
      {text('partner.filter')}
      <select value={value} onChange={(event) => onChange(event.target.value)}>
        <option value="">{text('partner.allStates')}</option>
        {states.map((state) => (
          <option key={state} value={state}>
            {stateText(text, state)}
          </option>
        ))}
      </select>
    </label>
  );
}

const companyName = (company: Company) => company.trade_name ?? company.legal_name;

/**
 * A resource's list: a state filter, the page of rows (or "none"), the pager, and under it what `after` adds (the
 * create form, given the list's reload). Companies and accounts are both shown through it.
 */
function StateFilteredList<T extends { id: number }>({
  heading,
  headingId,
  states,
  list,
  testId,
  columns,
  row,
  after,
}: {
  heading: string;
  headingId: string;
  states: readonly string[];
  list: (query: { state?: string; page: number; limit: number }) => Promise<Listed<T>>;
  testId: string;
  columns: readonly string[];
  /** The row's cells, and its `data-testid`. */
  row: (item: T) => { testId: string; cells: ReactNode };
  after: (reload: () => void) => ReactNode;
}) {
  const text = usePartnerText();
  const [state, setState] = useState('');
  const [page, setPage] = useState(1);
  const load = useCallback(
    () => list({ state: state === '' ? undefined : state, page, limit: 20 }),
    [list, state, page],
  );
  const { value, error, reload } = useLoaded(load);
  return (
    <>
      <section aria-labelledby={headingId}>
        <h2 id={headingId}>{heading}</h2>
        <StateFilter
          states={states}
          value={state}
          onChange={(next) => {
            setState(next);
            setPage(1);
          }}
        />
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {value !== null &&
          (value.items.length === 0 ? (
            <p className="muted">{text('partner.none')}</p>
          ) : (
            <table className="table" data-testid={testId}>
              <thead>
                <tr>
                  {columns.map((column) => (
                    <th key={column} scope="col">
                      {column}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {value.items.map((item) => {
                  const { testId: rowTestId, cells } = row(item);
                  return (
                    <tr key={item.id} data-testid={rowTestId}>
                      {cells}
                    </tr>
                  );
                })}
              </tbody>
            </table>
          ))}
        <Pager pagination={value?.pagination} onPage={setPage} />
      </section>
      {after(reload)}
    </>
  );
}

function CompaniesPage({ client, scope }: { client: CauserieClient; scope: KeyScope }) {
  const text = usePartnerText();
  const { language } = useI18n();
  const list = useCallback(
    (query: { state?: string; page: number; limit: number }) => listCompanies(client, query),
    [client],
  );
  return (
    <StateFilteredList
      heading={text('partner.companies')}
      headingId="companies-title"
      states={COMPANY_STATES}
      list={list}
      testId="companies"
      columns={[
        '#',
        text('partner.company.name'),
        text('partner.company.identifier'),
        text('partner.state'),
        text('partner.history.at'),
      ]}
      row={(company: Company) => ({
        testId: `company-${company.id}`,
        cells: (
          <>
            <td>{company.id}</td>
            <td>
              <Link path={`/admin/partner/companies/${company.id}`}>{companyName(company)}</Link>
            </td>
            <td>{company.legal_identifier}</td>
            <td>
              <StateBadge state={company.state} />
            </td>
            <td>{formatTime(company.created_at, language, true)}</td>
          </>
        ),
      })}
      after={(reload) => scope === 'partner' && <CompanyForm client={client} onCreated={reload} />}
    />
  );
}

const emptyCompany = (): Record<(typeof COMPANY_FIELDS)[number], string> => ({
  legal_name: '',
  trade_name: '',
  legal_identifier: '',
  address: '',
  country: 'FR',
  website: '',
  email: '',
  phone: '',
  sector: '',
  logo_url: '',
});

function CompanyForm({ client, onCreated }: { client: CauserieClient; onCreated: () => void }) {
  const text = usePartnerText();
  const [typed, setTyped] = useState(emptyCompany);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setDone(null);
    try {
      const company = await createCompany(client, companyBody(typed));
      setDone(text('partner.company.created', { name: companyName(company), state: stateText(text, company.state) }));
      setTyped(emptyCompany());
      onCreated();
    } catch (thrown) {
      setFailure(formFailureOf(thrown, text));
    }
  };
  return (
    <section aria-labelledby="company-new">
      <h2 id="company-new">{text('partner.company.new')}</h2>
      <form
        className="card partner-form"
        aria-labelledby="company-new"
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        {COMPANY_FIELDS.map((name) => (
          <Field
            key={name}
            name={name}
            label={text(`partner.company.${name}`)}
            value={typed[name]}
            required={(COMPANY_REQUIRED as readonly string[]).includes(name)}
            type={name === 'email' ? 'email' : name === 'phone' ? 'tel' : 'text'}
            failure={failure}
            onChange={(value) => setTyped((before) => ({ ...before, [name]: value }))}
          />
        ))}
        <button type="submit" className="primary">
          {text('partner.company.create')}
        </button>
        {failure !== null && failure.input === null && <FormFailureLine failure={failure} />}
        <Notice>{done}</Notice>
      </form>
    </section>
  );
}

function CompanyPage({ client, scope, id }: { client: CauserieClient; scope: KeyScope; id: number }) {
  const text = usePartnerText();
  const load = useCallback(() => getCompany(client, id), [client, id]);
  const { value: company, error, reload } = useLoaded(load);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  return (
    <section aria-labelledby="company-title">
      <Link path="/admin/partner/companies">{text('partner.back.companies')}</Link>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {company !== null && (
        <>
          <h2 id="company-title">{text('partner.company.title', { name: companyName(company) })}</h2>
          <p>
            {text('partner.state')}: <StateBadge state={company.state} testId="company-state" />
            {company.reason !== null && ` — ${company.reason}`}
          </p>
          <dl className="facts">
            {COMPANY_FIELDS.map((name) => (
              <div key={name}>
                <dt>{text(`partner.company.${name}`)}</dt>
                <dd>{company[name] ?? '—'}</dd>
              </div>
            ))}
          </dl>
          <Decisions
            name={companyName(company)}
            decisions={companyDecisions(company.state, scope)}
            needsReason={(decision) => reasonRequired('company', decision)}
            onDecide={async (decision, reason) => {
              setFailure(null);
              setDone(null);
              try {
                const decided = await decideCompany(client, company.id, decision, reason);
                setDone(text('partner.decided', { state: stateText(text, decided.state) }));
              } catch (thrown) {
                setFailure(formFailureOf(thrown, text));
              }
              reload();
            }}
          />
          <FormFailureLine failure={failure} />
          <Notice>{done}</Notice>
          <HistoryTable history={company.history ?? []} />
        </>
      )}
    </section>
  );
}

function AccountsPage({ client, scope }: { client: CauserieClient; scope: KeyScope }) {
  const text = usePartnerText();
  const { language } = useI18n();
  const list = useCallback(
    (query: { state?: string; page: number; limit: number }) => listAccounts(client, query),
    [client],
  );
  return (
    <StateFilteredList
      heading={text('partner.accounts')}
      headingId="accounts-title"
      states={ACCOUNT_STATES}
      list={list}
      testId="accounts"
      columns={[
        '#',
        text('partner.account.owner'),
        text('partner.account.company'),
        text('partner.state'),
        text('partner.history.at'),
      ]}
      row={(account: Account) => ({
        testId: `account-${account.id}`,
        cells: (
          <>
            <td>
              <Link path={`/admin/partner/accounts/${account.id}`}>
                {text('partner.account.title', { id: account.id })}
              </Link>
            </td>
            <td>
              {account.owner.name} &lt;{account.owner.email}&gt;
            </td>
            <td>
              <Link path={`/admin/partner/companies/${account.company_id}`}>{String(account.company_id)}</Link>
            </td>
            <td>
              <StateBadge state={account.state} />
            </td>
            <td>{formatTime(account.created_at, language, true)}</td>
          </>
        ),
      })}
      after={(reload) => scope === 'partner' && <AccountForm client={client} onCreated={reload} />}
    />
  );
}

const emptyAccount = (companyId = ''): AccountDraft => ({
  company_id: companyId,
  name: '',
  owner_name: '',
  owner_email: '',
  owner_phone: '',
  owner_locale: '',
  owner_timezone: '',
  activation_required: true,
});

function AccountForm({ client, onCreated }: { client: CauserieClient; onCreated: () => void }) {
  const text = usePartnerText();
  const loadVerified = useCallback(() => listCompanies(client, { state: 'verified', limit: 100 }), [client]);
  const { value: verified } = useLoaded(loadVerified);
  const [draft, setDraft] = useState<AccountDraft>(() => emptyAccount());
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [created, setCreated] = useState<Account | null>(null);
  const companyId = draft.company_id !== '' ? draft.company_id : String(verified?.items[0]?.id ?? '');
  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setCreated(null);
    try {
      const account = await createAccount(client, accountBody({ ...draft, company_id: companyId }));
      setCreated(account);
      setDraft(emptyAccount(companyId));
      onCreated();
    } catch (thrown) {
      setFailure(formFailureOf(thrown, text));
    }
  };
  const set = (name: keyof AccountDraft) => (value: string) => setDraft((before) => ({ ...before, [name]: value }));
  if (verified !== null && verified.items.length === 0)
    return (
      <section aria-labelledby="account-new">
        <h2 id="account-new">{text('partner.account.new')}</h2>
        <p className="muted">{text('partner.account.noCompany')}</p>
      </section>
    );
  return (
    <section aria-labelledby="account-new">
      <h2 id="account-new">{text('partner.account.new')}</h2>
      <form
        className="card partner-form"
        aria-labelledby="account-new"
        onSubmit={(event) => void submit(event)}
        noValidate
      >
        <label className={failure?.input === 'company_id' ? 'field invalid' : 'field'}>
          {text('partner.account.company')}
          <select
            name="company_id"
            value={companyId}
            aria-invalid={failure?.input === 'company_id' ? 'true' : undefined}
            onChange={(event) => set('company_id')(event.target.value)}
          >
            {(verified?.items ?? []).map((company) => (
              <option key={company.id} value={company.id}>
                {companyName(company)} ({company.legal_identifier})
              </option>
            ))}
          </select>
          {failure?.input === 'company_id' && <span className="field-error">{failure.message}</span>}
        </label>
        <Field
          name="name"
          label={text('partner.account.name')}
          value={draft.name}
          onChange={set('name')}
          failure={failure}
        />
        <Field
          name="owner_name"
          label={text('partner.account.owner_name')}
          value={draft.owner_name}
          onChange={set('owner_name')}
          failure={failure}
          required
        />
        <Field
          name="owner_email"
          type="email"
          label={text('partner.account.owner_email')}
          value={draft.owner_email}
          onChange={set('owner_email')}
          failure={failure}
          required
        />
        <Field
          name="owner_phone"
          type="tel"
          label={text('partner.account.owner_phone')}
          value={draft.owner_phone}
          onChange={set('owner_phone')}
          failure={failure}
        />
        <Field
          name="owner_locale"
          label={text('partner.account.owner_locale')}
          value={draft.owner_locale}
          onChange={set('owner_locale')}
          failure={failure}
        />
        <Field
          name="owner_timezone"
          label={text('partner.account.owner_timezone')}
          value={draft.owner_timezone}
          onChange={set('owner_timezone')}
          failure={failure}
        />
        <label className="check">
          <input
            type="checkbox"
            checked={draft.activation_required}
            onChange={(event) => setDraft((before) => ({ ...before, activation_required: event.target.checked }))}
          />
          {text('partner.account.activation_required')}
        </label>
        <button type="submit" className="primary">
          {text('partner.account.create')}
        </button>
        {failure !== null && failure.input === null && <FormFailureLine failure={failure} />}
        {created !== null && (
          <div role="status" className="notice">
            <p>{text('partner.account.created', { id: created.id, state: stateText(text, created.state) })}</p>
            {typeof created.api_key === 'string' && (
              <p>
                {text('partner.account.apiKey')} <code data-testid="account-api-key">{created.api_key}</code>{' '}
                <CopyButton text={created.api_key} />
              </p>
            )}
          </div>
        )}
      </form>
    </section>
  );
}

function AccountPage({ client, scope, id }: { client: CauserieClient; scope: KeyScope; id: number }) {
  const text = usePartnerText();
  const { language } = useI18n();
  const load = useCallback(() => getAccount(client, id), [client, id]);
  const { value: account, error, reload } = useLoaded(load);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const [link, setLink] = useState<string | null>(null);
  const resend = async () => {
    setFailure(null);
    setDone(null);
    try {
      const renewed = await resendActivation(client, id);
      setDone(text('partner.account.resent'));
      setLink(renewed.activation_link ?? null);
    } catch (thrown) {
      setFailure(formFailureOf(thrown, text));
    }
    reload();
  };
  return (
    <section aria-labelledby="account-title">
      <Link path="/admin/partner/accounts">{text('partner.back.accounts')}</Link>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {account !== null && (
        <>
          <h2 id="account-title">{text('partner.account.title', { id: account.id })}</h2>
          <p>
            {text('partner.state')}: <StateBadge state={account.state} testId="account-state" />
            {account.reason !== null && ` — ${account.reason}`}
          </p>
          <dl className="facts">
            <div>
              <dt>{text('partner.account.owner')}</dt>
              <dd>
                {account.owner.name} &lt;{account.owner.email}&gt; {account.owner.phone ?? ''}
              </dd>
            </div>
            <div>
              <dt>{text('partner.account.company')}</dt>
              <dd>
                <Link path={`/admin/partner/companies/${account.company_id}`}>{String(account.company_id)}</Link>
              </dd>
            </div>
            {account.state === 'pending_activation' && account.activation_expires_at !== null && (
              <div>
                <dt>{text('partner.account.resend')}</dt>
                <dd>
                  {text('partner.account.activationExpires', {
                    at: formatTime(account.activation_expires_at, language, true),
                  })}
                </dd>
              </div>
            )}
          </dl>
          <Decisions
            name={text('partner.account.title', { id: account.id })}
            decisions={accountDecisions(account.state, scope)}
            needsReason={(decision) => reasonRequired('account', decision)}
            onDecide={async (decision, reason) => {
              setFailure(null);
              setDone(null);
              try {
                const decided = await decideAccount(client, account.id, decision, reason);
                setDone(text('partner.decided', { state: stateText(text, decided.state) }));
              } catch (thrown) {
                setFailure(formFailureOf(thrown, text));
              }
              reload();
            }}
          />
          {scope === 'partner' && account.state === 'pending_activation' && (
            <button type="button" onClick={() => void resend()}>
              {text('partner.account.resend')}
            </button>
          )}
          <FormFailureLine failure={failure} />
          <Notice>{done}</Notice>
          {link !== null && (
            <p>
              {text('partner.account.link')} <code>{link}</code> <CopyButton text={link} />
            </p>
          )}
          <HistoryTable history={account.history ?? []} />
        </>
      )}
    </section>
  );
}

/** The platform administrator's queue: companies and accounts waiting, and the verified or suspended companies. */
function VerificationQueue({ client }: { client: CauserieClient }) {
  const text = usePartnerText();
  const loadQueue = useCallback(async () => {
    const [companies, accounts, verified, suspended] = await Promise.all([
      listCompanies(client, { state: 'pending_verification', limit: 100 }),
      listAccounts(client, { state: 'pending_verification', limit: 100 }),
      listCompanies(client, { state: 'verified', limit: 100 }),
      listCompanies(client, { state: 'suspended', limit: 100 }),
    ]);
    return { companies: companies.items, accounts: accounts.items, decided: [...suspended.items, ...verified.items] };
  }, [client]);
  const { value, error, reload } = useLoaded(loadQueue);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [done, setDone] = useState<string | null>(null);
  const run = async (action: () => Promise<{ state: string }>) => {
    setFailure(null);
    setDone(null);
    try {
      const decided = await action();
      setDone(text('partner.decided', { state: stateText(text, decided.state) }));
    } catch (thrown) {
      setFailure(formFailureOf(thrown, text));
    }
    reload();
  };
  const companyRow = (company: Company) => (
    <li key={company.id} className="card queue-item" data-testid={`queue-company-${company.id}`}>
      <Link path={`/admin/partner/companies/${company.id}`}>{companyName(company)}</Link>{' '}
      <span className="muted">
        {company.legal_name} · {company.legal_identifier} · {company.country}
      </span>{' '}
      <StateBadge state={company.state} />
      <Decisions
        name={companyName(company)}
        decisions={companyDecisions(company.state, 'platform')}
        needsReason={(decision) => reasonRequired('company', decision)}
        onDecide={(decision, reason) => run(() => decideCompany(client, company.id, decision, reason))}
      />
    </li>
  );
  return (
    <>
      <h2>{text('partner.verification')}</h2>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <FormFailureLine failure={failure} />
      <Notice>{done}</Notice>
      <section aria-labelledby="queue-companies">
        <h3 id="queue-companies">{text('partner.queue.companies')}</h3>
        {value?.companies.length === 0 && <p className="muted">{text('partner.none')}</p>}
        <ul className="queue">{value?.companies.map(companyRow)}</ul>
      </section>
      <section aria-labelledby="queue-accounts">
        <h3 id="queue-accounts">{text('partner.queue.accounts')}</h3>
        {value?.accounts.length === 0 && <p className="muted">{text('partner.none')}</p>}
        <ul className="queue">
          {value?.accounts.map((account) => (
            <li key={account.id} className="card queue-item" data-testid={`queue-account-${account.id}`}>
              <Link path={`/admin/partner/accounts/${account.id}`}>
                {text('partner.account.title', { id: account.id })}
              </Link>{' '}
              <span className="muted">
                {account.owner.name} &lt;{account.owner.email}&gt;
              </span>{' '}
              <StateBadge state={account.state} />
              <Decisions
                name={text('partner.account.title', { id: account.id })}
                decisions={accountDecisions(account.state, 'platform').filter((decision) => decision !== 'close')}
                needsReason={(decision) => reasonRequired('account', decision)}
                onDecide={(decision, reason) => run(() => decideAccount(client, account.id, decision, reason))}
              />
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="queue-verified">
        <h3 id="queue-verified">{text('partner.queue.verified')}</h3>
        {value?.decided.length === 0 && <p className="muted">{text('partner.none')}</p>}
        <ul className="queue">{value?.decided.map(companyRow)}</ul>
      </section>
    </>
  );
}
