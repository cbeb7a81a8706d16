// The Apps area (an admin's, /admin/apps): the marketplace as cards (logo, developer, price, interactions, installed
// or not), the installed apps with Uninstall (after a confirmation), and the install wizard (/admin/apps/:id/install):
// the authentication fields, then the settings fields, each step checked by the app's connector before the next (its
// refusal shown at the top and beside each field it names, the first of them focused), then the websites, and
// Install. Loaded on demand; everything is rendered as text.
import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { type Api, CauserieError } from '../api';
import { useI18n } from '../i18n';
import { navigate, useLocation } from '../router';
import { formatTime, Modal, messageOf } from '../ui';
import {
  install,
  listInstallations,
  listMarketplace,
  listWebsites,
  uninstall,
  verifyStep,
  type Website,
} from './apps-api';
import {
  type AppField,
  emptyValues,
  type FieldStepName,
  firstRefusedField,
  type Installation,
  inputKindOf,
  type MarketplaceApp,
  priceOf,
  type Refusal,
  refusalHeadline,
  refusalOf,
  type StepValues,
  safeImageUrl,
  stepBody,
  toggleWebsite,
  wizardSteps,
} from './logic';
import type { AppsRoute } from './routes';
import { type AppsText, interactionWords, useAppsText } from './strings';
import './apps.css';

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

export function AppsPage({ api, route }: { api: Api; route: AppsRoute }) {
  return (
    <main className="admin apps-page">
      <div className="admin-body">
        {route.view === 'list' ? (
          <AppsList api={api} />
        ) : (
          <InstallWizard key={route.appId} api={api} appId={route.appId} />
        )}
      </div>
    </main>
  );
}

/** What `load` answers (again on `reload()`), or its failure. */
function useLoaded<T>(load: () => Promise<T>): { value: T | null; error: string | null; reload: () => void } {
  const [value, setValue] = useState<T | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [tick, setTick] = useState(0);
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
        if (!cancelled) setError(messageOf(failure));
      });
    return () => {
      cancelled = true;
    };
  }, [load, tick]);
  const reload = useCallback(() => setTick((count) => count + 1), []);
  return { value, error, reload };
}

function PriceLine({ price }: { price: number }) {
  const text = useAppsText();
  const { language } = useI18n();
  const amount = priceOf(price, language);
  return (
    <p className="app-price" data-testid="app-price">
      {amount === null ? text('apps.free') : text('apps.price', { price: amount })}
    </p>
  );
}

function AppCard({ app, text }: { app: MarketplaceApp; text: AppsText }) {
  const titleId = useId();
  const logo = safeImageUrl(app.logo_url);
  return (
    <li className="card app-card" aria-labelledby={titleId} data-testid="app-card">
      <div className="app-card-head">
        {logo !== null ? (
          <img className="app-logo" src={logo} alt="" width={48} height={48} loading="lazy" />
        ) : (
          <span className="app-logo app-logo-letter" aria-hidden="true">
            {app.name.slice(0, 1).toUpperCase()}
          </span>
        )}
        <div>
          <h3 id={titleId}>{app.name}</h3>
          <p className="muted">
            {text('apps.by', { developer: app.developer })} · {text('apps.version', { version: app.version })}
          </p>
        </div>
      </div>
      <PriceLine price={app.price} />
      {app.description !== '' && <p className="app-description">{app.description}</p>}
      {app.interactions.length > 0 && (
        <ul className="app-interactions" aria-label="Interactions">
          {app.interactions.map((interaction) => (
            <li key={interaction} className="badge">
              {interactionWords(text, interaction)}
            </li>
          ))}
        </ul>
      )}
      <div className="app-card-foot">
        {app.installation_id !== null ? (
          <span className="badge app-installed" data-testid="app-installed">
            {text('apps.installed')}
          </span>
        ) : (
          <Link path={`/admin/apps/${app.id}/install`} className="button primary">
            <span aria-hidden="true">{text('apps.install')}</span>
            <span className="sr-only">{text('apps.installName', { name: app.name })}</span>
          </Link>
        )}
      </div>
    </li>
  );
}

function AppsList({ api }: { api: Api }) {
  const text = useAppsText();
  const { language } = useI18n();
  const location = useLocation();
  const load = useCallback(() => Promise.all([listMarketplace(api), listInstallations(api), listWebsites(api)]), [api]);
  const { value, error, reload } = useLoaded(load);
  const [removing, setRemoving] = useState<Installation | null>(null);
  const [busy, setBusy] = useState(false);
  const [removeError, setRemoveError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  // The Uninstall button that opened the confirmation gets the focus back when it is cancelled.
  const opener = useRef<HTMLElement | null>(null);
  const cancelUninstall = () => {
    setRemoving(null);
    opener.current?.focus();
  };
  const [marketplace, installations, websites] = value ?? [null, null, null];

  const installedId = Number(location.search.get('installed'));
  const justInstalled = installations?.find((item) => item.id === installedId);
  const shownNotice =
    notice ?? (justInstalled !== undefined ? text('apps.justInstalled', { name: justInstalled.app_name }) : null);

  const confirmUninstall = async () => {
    if (removing === null) return;
    setBusy(true);
    setRemoveError(null);
    try {
      await uninstall(api, removing.id);
      setNotice(text('apps.justUninstalled', { name: removing.app_name }));
      setRemoving(null);
      if (location.search.has('installed')) navigate('/admin/apps', { replace: true });
      reload();
    } catch (failure) {
      setRemoveError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  const websiteName = (id: number) => websites?.find((website) => website.id === id)?.label ?? `#${id}`;

  return (
    <>
      <h2>{text('apps.title')}</h2>
      <p className="muted">{text('apps.intro')}</p>
      {shownNotice !== null && (
        <p className="notice" role="status" data-testid="apps-notice">
          {shownNotice}
        </p>
      )}
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <section aria-labelledby="apps-installed-title">
        <h3 id="apps-installed-title">{text('apps.installedList')}</h3>
        {installations === null ? null : installations.length === 0 ? (
          <p className="muted">{text('apps.noneInstalled')}</p>
        ) : (
          <table className="table" data-testid="installed-apps">
            <thead>
              <tr>
                <th scope="col">{text('apps.app')}</th>
                <th scope="col">{text('apps.websites')}</th>
                <th scope="col">{text('apps.installedOn')}</th>
                <th scope="col">
                  <span className="sr-only">{text('apps.uninstall')}</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {installations.map((item) => (
                <tr key={item.id}>
                  <td>
                    {item.app_name} <span className="muted">{text('apps.version', { version: item.version })}</span>
                  </td>
                  <td>{item.website_id.map(websiteName).join(', ')}</td>
                  <td>{formatTime(item.created_at, language, true)}</td>
                  <td>
                    <button
                      type="button"
                      className="danger"
                      aria-label={text('apps.uninstallName', { name: item.app_name })}
                      onClick={(event) => {
                        opener.current = event.currentTarget;
                        setRemoveError(null);
                        setRemoving(item);
                      }}
                    >
                      {text('apps.uninstall')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="apps-marketplace-title">
        <h3 id="apps-marketplace-title">{text('apps.marketplace')}</h3>
        {marketplace === null ? null : marketplace.length === 0 ? (
          <p className="muted">{text('apps.none')}</p>
        ) : (
          <ul className="app-cards">
            {marketplace.map((app) => (
              <AppCard key={app.id} app={app} text={text} />
            ))}
          </ul>
        )}
      </section>
      {removing !== null && (
        <Modal title={text('apps.uninstallName', { name: removing.app_name })} onCancel={cancelUninstall}>
          <p>{text('apps.uninstallConfirm', { name: removing.app_name })}</p>
          {removeError !== null && (
            <p className="error" role="alert">
              {removeError}
            </p>
          )}
          <div className="actions">
            <button type="button" onClick={cancelUninstall} disabled={busy}>
              {text('apps.cancel')}
            </button>
            <button
              type="button"
              className="danger"
              onClick={() => void confirmUninstall()}
              disabled={busy}
              aria-busy={busy}
            >
              {busy ? text('apps.uninstalling') : text('apps.uninstall')}
            </button>
          </div>
        </Modal>
      )}
    </>
  );
}

function FieldInput({
  field,
  value,
  error,
  inputId,
  onChange,
}: {
  field: AppField;
  value: string | boolean;
  error: string | undefined;
  inputId: string;
  onChange: (value: string | boolean) => void;
}) {
  const kind = inputKindOf(field.type);
  const errorId = `${inputId}-error`;
  const common = {
    id: inputId,
    name: field.id,
    'aria-invalid': error !== undefined ? true : undefined,
    'aria-describedby': error !== undefined ? errorId : undefined,
  };
  return (
    <div className={`field${error !== undefined ? ' invalid' : ''}`} data-field={field.id}>
      {kind.type === 'checkbox' ? (
        <label className="inline" htmlFor={inputId}>
          <input
            {...common}
            type="checkbox"
            checked={value === true}
            onChange={(event) => onChange(event.target.checked)}
          />
          {field.label}
        </label>
      ) : (
        <>
          <label htmlFor={inputId}>{field.label}</label>
          <input
            {...common}
            type={kind.type}
            inputMode={kind.inputMode}
            autoComplete={kind.autoComplete}
            spellCheck={false}
            value={typeof value === 'string' ? value : ''}
            onChange={(event) => onChange(event.target.value)}
          />
        </>
      )}
      {error !== undefined && (
        <span id={errorId} className="field-error">
          {error}
        </span>
      )}
    </div>
  );
}

function InstallWizard({ api, appId }: { api: Api; appId: number }) {
  const text = useAppsText();
  const load = useCallback(() => Promise.all([listMarketplace(api), listWebsites(api)]), [api]);
  const { value, error: loadError } = useLoaded(load);
  const app = value?.[0].find((item) => item.id === appId) ?? null;
  const websites = value?.[1] ?? null;
  if (loadError !== null)
    return (
      <p className="error" role="alert">
        {loadError}
      </p>
    );
  if (value === null || websites === null) return <p className="muted">…</p>;
  return (
    <>
      <Link path="/admin/apps">{text('apps.back')}</Link>
      {app === null ? (
        <p role="alert">{text('apps.unknown')}</p>
      ) : app.installation_id !== null ? (
        <>
          <h2>{text('apps.installName', { name: app.name })}</h2>
          <p role="status">{text('apps.already')}</p>
        </>
      ) : (
        <WizardForm api={api} app={app} websites={websites} />
      )}
    </>
  );
}

function WizardForm({ api, app, websites }: { api: Api; app: MarketplaceApp; websites: Website[] }) {
  const text = useAppsText();
  const baseId = useId();
  const steps = wizardSteps(app);
  const [index, setIndex] = useState(0);
  const [values, setValues] = useState<Record<FieldStepName, StepValues>>(() => ({
    authentication: emptyValues(app.authentication.fields),
    settings: emptyValues(app.settings.fields),
  }));
  const [chosen, setChosen] = useState<number[]>(() => websites.map((website) => website.id));
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement | null>(null);
  const step = steps[index] ?? 'websites';
  const fields = step === 'websites' ? [] : app[step].fields;
  const inputId = (id: string) => `${baseId}-${step}-${id}`;

  // A new step: its first input takes the focus (a keyboard user goes on typing); a refusal: its first field.
  // biome-ignore lint/correctness/useExhaustiveDependencies: runs when the step or the refusal changes, reading the form as rendered then.
  useEffect(() => {
    const refused = firstRefusedField(fields, refusal);
    const target =
      refused !== null
        ? document.getElementById(inputId(refused))
        : formRef.current?.querySelector<HTMLElement>('input, button[type="submit"]');
    target?.focus();
  }, [index, refusal]);

  const failed = (caught: unknown) => {
    const refused = caught instanceof CauserieError && caught.status === 422 ? refusalOf(caught.body) : null;
    if (refused !== null) {
      const at = refused.step === null ? -1 : steps.indexOf(refused.step);
      if (at >= 0) setIndex(at);
      setRefusal(refused);
      setFailure(null);
    } else {
      setRefusal(null);
      setFailure(messageOf(caught));
    }
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    setFailure(null);
    if (step === 'websites' && chosen.length === 0) {
      setFailure(text('apps.noWebsite'));
      return;
    }
    setBusy(true);
    try {
      if (step === 'websites') {
        const installed = await install(api, {
          app_id: app.id,
          website_id: chosen,
          authentication: stepBody(app.authentication.fields, values.authentication),
          settings: stepBody(app.settings.fields, values.settings),
        });
        navigate(`/admin/apps?installed=${installed.id}`);
        return;
      }
      await verifyStep(api, app.id, step, stepBody(fields, values[step]));
      setRefusal(null);
      setIndex((current) => current + 1);
    } catch (caught) {
      failed(caught);
    } finally {
      setBusy(false);
    }
  };

  const stepTitle = text(`apps.step.${step}`);
  const headline = refusal !== null ? refusalHeadline(refusal, text('apps.refused')) : failure;
  return (
    <form ref={formRef} className="card app-wizard" onSubmit={submit} aria-labelledby={`${baseId}-title`} noValidate>
      <h2 id={`${baseId}-title`}>{text('apps.installName', { name: app.name })}</h2>
      <ol className="app-steps">
        {steps.map((name, at) => (
          <li key={name} aria-current={at === index ? 'step' : undefined} className={at === index ? 'current' : ''}>
            {text(`apps.step.${name}`)}
          </li>
        ))}
      </ol>
      <fieldset>
        <legend>
          {stepTitle} <span className="muted">{text('apps.stepOf', { current: index + 1, total: steps.length })}</span>
        </legend>
        {headline !== null && (
          <p className="error" role="alert" data-testid="wizard-error">
            {headline}
          </p>
        )}
        {step === 'websites' ? (
          <>
            <p className="muted">{text('apps.websitesIntro')}</p>
            {websites.map((website) => (
              <label key={website.id} className="inline">
                <input
                  type="checkbox"
                  name="website"
                  checked={chosen.includes(website.id)}
                  onChange={(event) => setChosen((current) => toggleWebsite(current, website.id, event.target.checked))}
                />
                {website.label}
              </label>
            ))}
          </>
        ) : (
          fields.map((field) => (
            <FieldInput
              key={field.id}
              field={field}
              inputId={inputId(field.id)}
              value={values[step][field.id] ?? ''}
              error={refusal?.step === step || refusal?.step === null ? refusal.fields[field.id] : undefined}
              onChange={(typed) =>
                setValues((current) => ({ ...current, [step]: { ...current[step], [field.id]: typed } }))
              }
            />
          ))
        )}
      </fieldset>
      <div className="actions">
        {index > 0 && (
          <button
            type="button"
            disabled={busy}
            onClick={() => {
              setRefusal(null);
              setFailure(null);
              setIndex(index - 1);
            }}
          >
            {text('apps.previous')}
          </button>
        )}
        <button type="submit" className="primary" disabled={busy} aria-busy={busy}>
          {step === 'websites'
            ? busy
              ? text('apps.installing')
              : text('apps.install')
            : busy
              ? text('apps.checking')
              : text('apps.next')}
        </button>
      </div>
    </form>
  );
}
