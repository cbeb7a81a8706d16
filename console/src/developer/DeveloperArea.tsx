// The developer area under /admin/developer…: an invited developer chooses a password (the token in the invitation
// link's hash), logs in with their own session (kept in sessionStorage for the tab, sent as a bearer token; no
// operator session), lists their apps and edits one: profile, authentication and settings fields, interactions,
// webhooks, the signing secret, submission for review and the versions. Loaded on demand; everything is shown as text.
import type { CauserieClient } from '@causerie/sdk/client';
import { type FormEvent, type ReactNode, useCallback, useEffect, useMemo, useState } from 'react';
import { failedField } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { CopyButton, formatTime, messageOf } from '../ui';
import {
  type App,
  type AppVersion,
  type AppWebhook,
  activate,
  addWebhook,
  createApp,
  developerClient,
  getApp,
  listApps,
  listVersions,
  listWebhooks,
  login,
  logout,
  removeWebhook,
  submit,
  updateApp,
} from './developer-api';
import {
  addField,
  changeField,
  type DeveloperSession,
  type DraftForm,
  draftOf,
  emptyDraft,
  eventsOf,
  FIELD_TYPES,
  type FieldRow,
  type FieldType,
  INTERACTIONS,
  inputKeys,
  inputOfError,
  LINKS,
  loadSession,
  messageBesideInput,
  moveField,
  nextVersion,
  passwordProblem,
  removeField,
  requestBody,
  STEPS,
  type StepName,
  storeSession,
  tokenOfHash,
  webhookInputOf,
} from './logic';
import type { DeveloperRoute } from './routes';
import { type DeveloperText, statusWords, useDeveloperText } from './strings';
import './developer.css';

function Link({ path, children, className }: { path: string; children: ReactNode; className?: string }) {
  return (
    <a
      href={path}
      className={className}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {children}
    </a>
  );
}

export function DeveloperArea({ route }: { route: DeveloperRoute }) {
  const text = useDeveloperText();
  const { language, setLanguage } = useI18n();
  const [session, setSession] = useState<DeveloperSession | null>(() => loadSession(sessionStorage));
  const forget = useCallback(() => {
    storeSession(sessionStorage, null);
    setSession(null);
  }, []);
  const client = useMemo(() => (session === null ? null : developerClient(session.token, forget)), [session, forget]);
  const signOut = () => {
    if (session !== null) void logout(session.token);
    forget();
    navigate('/admin/developer/login');
  };
  const signedIn = (next: DeveloperSession) => {
    storeSession(sessionStorage, next);
    setSession(next);
    navigate('/admin/developer', { replace: true });
  };
  let body: ReactNode;
  if (route.view === 'activate') body = <ActivatePage />;
  else if (route.view === 'login' || client === null) body = <LoginPage onSession={signedIn} />;
  else if (route.view === 'apps') body = <AppsPage client={client} />;
  else
    body = (
      <Editor
        key={route.view === 'app' ? route.id : 'new'}
        client={client}
        id={route.view === 'app' ? route.id : null}
      />
    );
  return (
    <div className="app developer-area">
      <header className="topbar">
        <strong className="brand">{text('dev.title')}</strong>
        <span className="spacer" />
        <select
          value={language}
          onChange={(event) => setLanguage(event.target.value === 'fr' ? 'fr' : 'en')}
          aria-label={language === 'fr' ? 'Langue' : 'Language'}
        >
          <option value="en">English</option>
          <option value="fr">Français</option>
        </select>
        {session !== null && (
          <button type="button" onClick={signOut}>
            {text('dev.logout')}
          </button>
        )}
      </header>
      {body}
    </div>
  );
}

function Alert({ message }: { message: string | null }) {
  if (message === null) return null;
  return (
    <p className="error" role="alert">
      {message}
    </p>
  );
}

function ActivatePage() {
  const text = useDeveloperText();
  const [token] = useState(() => tokenOfHash(window.location.hash));
  const [password, setPassword] = useState('');
  const [again, setAgain] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useEffect(() => {
    // The token must not stay in the address bar or the history.
    if (window.location.hash !== '') history.replaceState(null, '', window.location.pathname);
  }, []);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    if (token === null) return;
    const problem = passwordProblem(password, again);
    if (problem !== null) {
      setError(text(problem === 'short' ? 'dev.activate.short' : 'dev.activate.different'));
      return;
    }
    setBusy(true);
    setError(null);
    try {
      await activate(token, password);
      navigate('/admin/developer/login?activated=1', { replace: true });
    } catch (failure) {
      setBusy(false);
      setError(messageOf(failure));
    }
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={(event) => void send(event)} aria-labelledby="dev-activate">
        <h1 id="dev-activate">{text('dev.activate.title')}</h1>
        {token === null ? (
          <p role="alert">{text('dev.activate.noToken')}</p>
        ) : (
          <>
            <p className="muted">{text('dev.activate.intro')}</p>
            <label>
              {text('dev.activate.password')}
              <input
                type="password"
                autoComplete="new-password"
                required
                value={password}
                onChange={(event) => setPassword(event.target.value)}
              />
            </label>
            <label>
              {text('dev.activate.again')}
              <input
                type="password"
                autoComplete="new-password"
                required
                value={again}
                onChange={(event) => setAgain(event.target.value)}
              />
            </label>
            <button type="submit" className="primary" disabled={busy}>
              {text('dev.activate.submit')}
            </button>
          </>
        )}
        <Alert message={error} />
      </form>
    </main>
  );
}

function LoginPage({ onSession }: { onSession: (session: DeveloperSession) => void }) {
  const text = useDeveloperText();
  const activated = new URLSearchParams(window.location.search).has('activated');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      onSession(await login(email.trim(), password));
    } catch (failure) {
      setBusy(false);
      setError(messageOf(failure));
    }
  };
  return (
    <main className="login">
      <form className="card login-card" onSubmit={(event) => void send(event)} aria-labelledby="dev-login">
        <h1 id="dev-login">{text('dev.login.title')}</h1>
        {activated && <p role="status">{text('dev.activate.done')}</p>}
        <label>
          {text('dev.login.email')}
          <input
            type="email"
            autoComplete="username"
            required
            value={email}
            onChange={(event) => setEmail(event.target.value)}
          />
        </label>
        <label>
          {text('dev.login.password')}
          <input
            type="password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <button type="submit" className="primary" disabled={busy}>
          {text('dev.login.submit')}
        </button>
        <Alert message={error} />
      </form>
    </main>
  );
}

function StatusBadge({ status }: { status: string }) {
  const text = useDeveloperText();
  return (
    <span className={`badge dev-status dev-status-${status}`} data-testid="app-status">
      {statusWords(text, status)}
    </span>
  );
}

function AppsPage({ client }: { client: CauserieClient }) {
  const text = useDeveloperText();
  const [apps, setApps] = useState<Awaited<ReturnType<typeof listApps>> | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
    let cancelled = false;
    listApps(client)
      .then((rows) => !cancelled && setApps(rows))
      .catch((failure: unknown) => !cancelled && setError(messageOf(failure)));
    return () => {
      cancelled = true;
    };
  }, [client]);
  return (
    <main className="admin-body developer-body">
      <div className="dev-heading">
        <h1>{text('dev.apps.title')}</h1>
        <Link path="/admin/developer/apps/new" className="button primary">
          {text('dev.apps.new')}
        </Link>
      </div>
      <Alert message={error} />
      {apps === null ? (
        error === null && <p>{text('dev.loading')}</p>
      ) : apps.length === 0 ? (
        <p className="muted">{text('dev.apps.none')}</p>
      ) : (
        <table aria-label={text('dev.apps.title')}>
          <thead>
            <tr>
              <th>{text('dev.apps.name')}</th>
              <th>{text('dev.apps.status')}</th>
              <th>{text('dev.apps.published')}</th>
            </tr>
          </thead>
          <tbody>
            {apps.map((app) => (
              <tr key={app.id}>
                <td>
                  <Link path={`/admin/developer/apps/${app.id}`}>{app.name ?? `#${app.id}`}</Link>
                  {app.review_reason != null && app.status === 'sandbox' && (
                    <p className="error">{text('dev.apps.refused', { reason: app.review_reason })}</p>
                  )}
                </td>
                <td>{app.status !== undefined && <StatusBadge status={app.status} />}</td>
                <td>{app.published_version?.version ?? text('dev.apps.noVersion')}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

/** An error the form shows: beside the input it names (`input`), or above the form when it names none. */
interface FormFailure {
  message: string;
  input: string | null;
}

const errorId = (input: string) => `dev-error-${input.replaceAll('.', '-')}`;

/** The props that mark an input (by its key) as the one the error names. */
function marked(failure: FormFailure | null, input: string) {
  const wrong = failure?.input === input;
  return {
    'data-input': input,
    'aria-invalid': wrong ? true : undefined,
    'aria-describedby': wrong ? errorId(input) : undefined,
  };
}

function FieldError({ failure, input }: { failure: FormFailure | null; input: string }) {
  if (failure === null || failure.input !== input) return null;
  return (
    <span className="error field-error" id={errorId(input)} role="alert">
      {messageBesideInput(failure.message)}
    </span>
  );
}

/** Takes the focus to the input an error names once it is shown. */
function useFocusOnError(failure: FormFailure | null) {
  useEffect(() => {
    if (failure?.input == null) return;
    const input = document.querySelector<HTMLElement>(`[data-input="${failure.input}"]`);
    input?.focus();
  }, [failure]);
}

function Editor({ client, id }: { client: CauserieClient; id: number | null }) {
  const text = useDeveloperText();
  const [app, setApp] = useState<App | null>(null);
  const [draft, setDraft] = useState<DraftForm>(emptyDraft);
  const [webhooks, setWebhooks] = useState<AppWebhook[]>([]);
  const [versions, setVersions] = useState<AppVersion[]>([]);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [tick, setTick] = useState(0);
  useFocusOnError(failure);

  useEffect(() => {
    if (id === null) return;
    let cancelled = false;
    void tick;
    Promise.all([getApp(client, id), listWebhooks(client, id), listVersions(client, id)])
      .then(([loaded, hooks, submitted]) => {
        if (cancelled) return;
        setApp(loaded);
        setDraft(draftOf(loaded));
        setWebhooks(hooks);
        setVersions(submitted);
      })
      .catch((failure: unknown) => !cancelled && setLoadError(messageOf(failure)));
    return () => {
      cancelled = true;
    };
  }, [client, id, tick]);

  if (loadError !== null)
    return (
      <main className="admin-body developer-body">
        <Alert message={loadError} />
      </main>
    );
  if (id !== null && app === null)
    return (
      <main className="admin-body developer-body">
        <p>{text('dev.loading')}</p>
      </main>
    );
  const readOnly = app?.status === 'under_review';
  const change = (next: Partial<DraftForm>) => setDraft((current) => ({ ...current, ...next }));

  const save = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      if (id === null) {
        const created = await createApp(client, requestBody(draft));
        navigate(`/admin/developer/apps/${created.id}`, { replace: true });
        return;
      }
      const saved = await updateApp(client, id, requestBody(draft));
      setApp(saved);
      setDraft(draftOf(saved));
      setNotice(text('dev.saved'));
    } catch (thrown) {
      setFailure({ message: messageOf(thrown), input: inputOfError(failedField(thrown), inputKeys(draft)) });
    } finally {
      setBusy(false);
    }
  };

  return (
    <main className="admin-body developer-body dev-editor">
      <p>
        <Link path="/admin/developer">{text('dev.editor.back')}</Link>
      </p>
      <div className="dev-heading">
        <h1>{id === null ? text('dev.editor.new') : (app?.name ?? '')}</h1>
        {app !== null && <StatusBadge status={app.status} />}
        {app?.published_version != null && (
          <span className="muted" data-testid="published-version">
            {app.published_version.version}
          </span>
        )}
      </div>
      {readOnly && (
        <p className="notice" role="status">
          {text('dev.readOnly')}
        </p>
      )}
      {app?.review_reason != null && app.status === 'sandbox' && (
        <p className="error">{text('dev.apps.refused', { reason: app.review_reason })}</p>
      )}
      <form onSubmit={(event) => void save(event)} aria-label={text('dev.editor.profile')} noValidate>
        <fieldset disabled={readOnly || busy} className="dev-fieldset">
          <ProfileSection draft={draft} change={change} failure={failure} />
          {STEPS.map((step) => (
            <StepSection
              key={step}
              step={step}
              draft={draft}
              failure={failure}
              onChange={(next) => change({ [step]: next })}
            />
          ))}
          <InteractionsSection draft={draft} change={change} failure={failure} />
          {failure !== null && failure.input === null && <Alert message={failure.message} />}
          <div className="dev-actions">
            <button type="submit" className="primary">
              {busy ? text('dev.saving') : id === null ? text('dev.create') : text('dev.save')}
            </button>
            {notice !== null && <span role="status">{notice}</span>}
          </div>
        </fieldset>
      </form>
      {app !== null && (
        <>
          {app.signing_secret !== undefined && (
            <section aria-labelledby="dev-secret">
              <h2 id="dev-secret">{text('dev.secret')}</h2>
              <p className="muted">{text('dev.secretIntro')}</p>
              <p className="dev-secret">
                <code data-testid="signing-secret">{app.signing_secret}</code>
                <CopyButton text={app.signing_secret} label={text('dev.copySecret')} />
              </p>
            </section>
          )}
          <WebhooksSection
            client={client}
            appId={app.id}
            webhooks={webhooks}
            readOnly={readOnly}
            onChanged={() => setTick((value) => value + 1)}
          />
          <SubmitSection
            client={client}
            appId={app.id}
            readOnly={readOnly}
            suggested={nextVersion(versions.map((version) => version.version))}
            onSubmitted={() => setTick((value) => value + 1)}
          />
          <VersionsSection versions={versions} />
        </>
      )}
    </main>
  );
}

function ProfileSection({
  draft,
  change,
  failure,
}: {
  draft: DraftForm;
  change: (next: Partial<DraftForm>) => void;
  failure: FormFailure | null;
}) {
  const text = useDeveloperText();
  const linkLabel = {
    website: text('dev.editor.link.website'),
    support: text('dev.editor.link.support'),
    documentation: text('dev.editor.link.documentation'),
    privacy: text('dev.editor.link.privacy'),
  };
  return (
    <section aria-labelledby="dev-profile">
      <h2 id="dev-profile">{text('dev.editor.profile')}</h2>
      <label>
        {text('dev.editor.name')}
        <input
          value={draft.name}
          onChange={(event) => change({ name: event.target.value })}
          {...marked(failure, 'name')}
        />
        <FieldError failure={failure} input="name" />
      </label>
      <label>
        {text('dev.editor.description')}
        <textarea
          rows={3}
          value={draft.description}
          onChange={(event) => change({ description: event.target.value })}
          {...marked(failure, 'description')}
        />
        <FieldError failure={failure} input="description" />
      </label>
      <label>
        {text('dev.editor.logo')}
        <input
          type="url"
          value={draft.logoUrl}
          onChange={(event) => change({ logoUrl: event.target.value })}
          {...marked(failure, 'logo_url')}
        />
        <FieldError failure={failure} input="logo_url" />
      </label>
      {LINKS.map((name) => (
        <label key={name}>
          {linkLabel[name]}
          <input
            type="url"
            value={draft.links[name]}
            onChange={(event) => change({ links: { ...draft.links, [name]: event.target.value } })}
            {...marked(failure, `links.${name}`)}
          />
          <FieldError failure={failure} input={`links.${name}`} />
        </label>
      ))}
      <label>
        {text('dev.editor.price')}
        <input
          inputMode="decimal"
          value={draft.price}
          onChange={(event) => change({ price: event.target.value })}
          {...marked(failure, 'price')}
        />
        <FieldError failure={failure} input="price" />
      </label>
      <fieldset className="dev-privacy">
        <legend>{text('dev.editor.privacy')}</legend>
        {(['public', 'private'] as const).map((privacy) => (
          <label key={privacy} className="inline">
            <input
              type="radio"
              name="privacy"
              value={privacy}
              checked={draft.privacy === privacy}
              onChange={() => change({ privacy })}
            />
            {text(privacy === 'public' ? 'dev.editor.public' : 'dev.editor.private')}
          </label>
        ))}
      </fieldset>
      {draft.privacy === 'private' && (
        <label>
          {text('dev.editor.clientIds')}
          <input
            value={draft.clientIds}
            onChange={(event) => change({ clientIds: event.target.value })}
            {...marked(failure, 'client_ids')}
          />
          <FieldError failure={failure} input="client_ids" />
        </label>
      )}
    </section>
  );
}

function StepSection({
  step,
  draft,
  failure,
  onChange,
}: {
  step: StepName;
  draft: DraftForm;
  failure: FormFailure | null;
  onChange: (next: DraftForm[StepName]) => void;
}) {
  const text = useDeveloperText();
  const form = draft[step];
  const other = draft[step === 'authentication' ? 'settings' : 'authentication'].fields;
  const setFields = (fields: FieldRow[]) => onChange({ ...form, fields });
  const title = text(step === 'authentication' ? 'dev.step.authentication' : 'dev.step.settings');
  return (
    <section aria-labelledby={`dev-step-${step}`} data-testid={`step-${step}`}>
      <h2 id={`dev-step-${step}`}>{title}</h2>
      {form.fields.length === 0 ? (
        <p className="muted">{text('dev.step.none')}</p>
      ) : (
        <ol className="dev-fields" aria-label={title}>
          {form.fields.map((field, index) => {
            const n = index + 1;
            const key = `${step}.fields.${index}`;
            return (
              // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place (their id is what is typed), so their place is their identity.
              <li key={index} className="dev-field">
                <input
                  aria-label={text('dev.field.id', { n })}
                  value={field.id}
                  onChange={(event) => setFields(changeField(form.fields, index, { id: event.target.value }))}
                  {...marked(failure, `${key}.id`)}
                />
                <input
                  aria-label={text('dev.field.label', { n })}
                  value={field.label}
                  onChange={(event) => setFields(changeField(form.fields, index, { label: event.target.value }))}
                  {...marked(failure, `${key}.label`)}
                />
                <select
                  aria-label={text('dev.field.type', { n })}
                  value={field.type}
                  onChange={(event) =>
                    setFields(changeField(form.fields, index, { type: event.target.value as FieldType }))
                  }
                  {...marked(failure, `${key}.type`)}
                >
                  {FIELD_TYPES.map((type) => (
                    <option key={type} value={type}>
                      {type}
                    </option>
                  ))}
                </select>
                <button
                  type="button"
                  aria-label={text('dev.field.up', { n })}
                  disabled={index === 0}
                  onClick={() => setFields(moveField(form.fields, index, -1))}
                >
                  ↑
                </button>
                <button
                  type="button"
                  aria-label={text('dev.field.down', { n })}
                  disabled={index === form.fields.length - 1}
                  onClick={() => setFields(moveField(form.fields, index, 1))}
                >
                  ↓
                </button>
                <button
                  type="button"
                  aria-label={text('dev.field.remove', { n })}
                  onClick={() => setFields(removeField(form.fields, index))}
                >
                  ✕
                </button>
                <FieldError failure={failure} input={`${key}.id`} />
                <FieldError failure={failure} input={`${key}.label`} />
                <FieldError failure={failure} input={`${key}.type`} />
              </li>
            );
          })}
        </ol>
      )}
      <button type="button" onClick={() => setFields(addField(form.fields, other))}>
        {text('dev.step.add')}
      </button>
      <label>
        {text('dev.step.verification')}
        <input
          type="url"
          value={form.verificationUrl}
          onChange={(event) => onChange({ ...form, verificationUrl: event.target.value })}
          {...marked(failure, `${step}.verification_url`)}
        />
        <FieldError failure={failure} input={`${step}.verification_url`} />
      </label>
    </section>
  );
}

function UrlInput({
  label,
  input,
  value,
  failure,
  onChange,
}: {
  label: string;
  input: string;
  value: string;
  failure: FormFailure | null;
  onChange: (value: string) => void;
}) {
  return (
    <label>
      {label}
      <input type="url" value={value} onChange={(event) => onChange(event.target.value)} {...marked(failure, input)} />
      <FieldError failure={failure} input={input} />
    </label>
  );
}

function InteractionsSection({
  draft,
  change,
  failure,
}: {
  draft: DraftForm;
  change: (next: Partial<DraftForm>) => void;
  failure: FormFailure | null;
}) {
  const text = useDeveloperText();
  const enabled = {
    product_list: draft.productList.enabled,
    visitor_profile: draft.visitorProfile.enabled,
    conversation_closing: draft.conversationClosing.enabled,
  };
  const toggle = (name: (typeof INTERACTIONS)[number], on: boolean) => {
    if (name === 'product_list') change({ productList: { ...draft.productList, enabled: on } });
    else if (name === 'visitor_profile') change({ visitorProfile: { ...draft.visitorProfile, enabled: on } });
    else change({ conversationClosing: { ...draft.conversationClosing, enabled: on } });
  };
  return (
    <section aria-labelledby="dev-interactions">
      <h2 id="dev-interactions">{text('dev.interactions')}</h2>
      {INTERACTIONS.map((name) => (
        <div key={name} className="dev-interaction">
          <label className="inline">
            <input type="checkbox" checked={enabled[name]} onChange={(event) => toggle(name, event.target.checked)} />
            {text(`dev.interaction.${name}`)}
          </label>
          {name === 'product_list' && enabled.product_list && (
            <>
              <UrlInput
                label={text('dev.interaction.catalogue')}
                input="interactions.product_list.catalogue_url"
                value={draft.productList.catalogueUrl}
                failure={failure}
                onChange={(catalogueUrl) => change({ productList: { ...draft.productList, catalogueUrl } })}
              />
              <UrlInput
                label={text('dev.interaction.categories')}
                input="interactions.product_list.categories_url"
                value={draft.productList.categoriesUrl}
                failure={failure}
                onChange={(categoriesUrl) => change({ productList: { ...draft.productList, categoriesUrl } })}
              />
            </>
          )}
          {name === 'visitor_profile' && enabled.visitor_profile && (
            <UrlInput
              label={text('dev.interaction.visitorUrl')}
              input="interactions.visitor_profile.url"
              value={draft.visitorProfile.url}
              failure={failure}
              onChange={(url) => change({ visitorProfile: { ...draft.visitorProfile, url } })}
            />
          )}
          {name === 'conversation_closing' && enabled.conversation_closing && (
            <UrlInput
              label={text('dev.interaction.closingUrl')}
              input="interactions.conversation_closing.url"
              value={draft.conversationClosing.url}
              failure={failure}
              onChange={(url) => change({ conversationClosing: { ...draft.conversationClosing, url } })}
            />
          )}
        </div>
      ))}
    </section>
  );
}

type ContentType = 'application/json' | 'application/x-www-form-urlencoded';

function WebhooksSection({
  client,
  appId,
  webhooks,
  readOnly,
  onChanged,
}: {
  client: CauserieClient;
  appId: number;
  webhooks: AppWebhook[];
  readOnly: boolean;
  onChanged: () => void;
}) {
  const text = useDeveloperText();
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [contentType, setContentType] = useState<ContentType>('application/json');
  const [events, setEvents] = useState('*');
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [busy, setBusy] = useState(false);
  useFocusOnError(failure);
  const add = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await addWebhook(client, appId, { name, url: url.trim(), content_type: contentType, events: eventsOf(events) });
      setName('');
      setUrl('');
      setEvents('*');
      onChanged();
    } catch (thrown) {
      const input = webhookInputOf(failedField(thrown));
      setFailure({ message: messageOf(thrown), input: input === null ? null : `webhook.${input}` });
    } finally {
      setBusy(false);
    }
  };
  const remove = async (webhook: AppWebhook) => {
    setFailure(null);
    try {
      await removeWebhook(client, appId, webhook.id);
      onChanged();
    } catch (thrown) {
      setFailure({ message: messageOf(thrown), input: null });
    }
  };
  return (
    <section aria-labelledby="dev-webhooks">
      <h2 id="dev-webhooks">{text('dev.webhooks')}</h2>
      {webhooks.length === 0 ? (
        <p className="muted">{text('dev.webhooks.none')}</p>
      ) : (
        <ul className="dev-webhooks" aria-label={text('dev.webhooks')}>
          {webhooks.map((webhook) => (
            <li key={webhook.id} className="card">
              <strong>{webhook.name || webhook.url}</strong> <code>{webhook.url}</code>
              <span className="muted"> {webhook.content_type}</span>
              <p>{webhook.events.join(', ')}</p>
              <p className="dev-secret">
                {text('dev.webhook.token')} <code data-testid="security-token">{webhook.security_token}</code>
                <CopyButton
                  text={webhook.security_token}
                  label={text('dev.webhook.copyToken', { name: webhook.name || webhook.url })}
                />
              </p>
              {!readOnly && (
                <button type="button" onClick={() => void remove(webhook)}>
                  {text('dev.webhook.remove', { name: webhook.name || webhook.url })}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {!readOnly && (
        <form onSubmit={(event) => void add(event)} aria-label={text('dev.webhook.add')} noValidate>
          <fieldset disabled={busy} className="dev-fieldset">
            <label>
              {text('dev.webhook.name')}
              <input
                value={name}
                onChange={(event) => setName(event.target.value)}
                {...marked(failure, 'webhook.name')}
              />
              <FieldError failure={failure} input="webhook.name" />
            </label>
            <label>
              {text('dev.webhook.url')}
              <input
                type="url"
                value={url}
                onChange={(event) => setUrl(event.target.value)}
                {...marked(failure, 'webhook.url')}
              />
              <FieldError failure={failure} input="webhook.url" />
            </label>
            <label>
              {text('dev.webhook.contentType')}
              <select
                value={contentType}
                onChange={(event) =>
                  setContentType(
                    event.target.value === 'application/x-www-form-urlencoded'
                      ? 'application/x-www-form-urlencoded'
                      : 'application/json',
                  )
                }
              >
                <option value="application/json">JSON</option>
                <option value="application/x-www-form-urlencoded">Form</option>
              </select>
            </label>
            <label>
              {text('dev.webhook.events')}
              <textarea
                rows={3}
                value={events}
                onChange={(event) => setEvents(event.target.value)}
                {...marked(failure, 'webhook.events')}
              />
              <FieldError failure={failure} input="webhook.events" />
            </label>
            <button type="submit">{text('dev.webhook.add')}</button>
          </fieldset>
        </form>
      )}
      {failure !== null && failure.input === null && <Alert message={failure.message} />}
    </section>
  );
}

function SubmitSection({
  client,
  appId,
  readOnly,
  suggested,
  onSubmitted,
}: {
  client: CauserieClient;
  appId: number;
  readOnly: boolean;
  suggested: string;
  onSubmitted: () => void;
}) {
  const text = useDeveloperText();
  const [version, setVersion] = useState(suggested);
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  useFocusOnError(failure);
  useEffect(() => setVersion(suggested), [suggested]);
  const send = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setFailure(null);
    setNotice(null);
    try {
      const submitted = await submit(client, appId, version.trim());
      setNotice(text('dev.submit.done', { version: submitted.version }));
      onSubmitted();
    } catch (thrown) {
      const field = failedField(thrown);
      setFailure({ message: messageOf(thrown), input: field?.startsWith('version') ? 'version' : null });
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-labelledby="dev-submit">
      <h2 id="dev-submit">{text('dev.submit')}</h2>
      {notice !== null && <p role="status">{notice}</p>}
      {!readOnly && (
        <form onSubmit={(event) => void send(event)} className="dev-submit" noValidate>
          <label>
            {text('dev.submit.version')}
            <input
              value={version}
              onChange={(event) => setVersion(event.target.value)}
              {...marked(failure, 'version')}
            />
            <FieldError failure={failure} input="version" />
          </label>
          <button type="submit" className="primary" disabled={busy}>
            {text('dev.submit.button')}
          </button>
        </form>
      )}
      {failure !== null && failure.input === null && <Alert message={failure.message} />}
    </section>
  );
}

function VersionsSection({ versions }: { versions: AppVersion[] }) {
  const text = useDeveloperText();
  const { language } = useI18n();
  return (
    <section aria-labelledby="dev-versions">
      <h2 id="dev-versions">{text('dev.versions')}</h2>
      {versions.length === 0 ? (
        <p className="muted">{text('dev.versions.none')}</p>
      ) : (
        <table aria-label={text('dev.versions')}>
          <thead>
            <tr>
              <th>{text('dev.versions.version')}</th>
              <th>{text('dev.versions.status')}</th>
              <th>{text('dev.versions.submitted')}</th>
              <th>{text('dev.versions.reason')}</th>
            </tr>
          </thead>
          <tbody>
            {versions.map((version) => (
              <tr key={version.id}>
                <td>{version.version}</td>
                <td>
                  <VersionStatus text={text} status={version.status} />
                </td>
                <td>{formatTime(version.submitted_at, language, true)}</td>
                <td>{version.review_reason ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}

function VersionStatus({ text, status }: { text: DeveloperText; status: string }) {
  return <span className={`badge dev-status dev-status-${status}`}>{statusWords(text, status)}</span>;
}
