// Messaging channels (docs/CHANNELS.md): connect WhatsApp, SMS and RCS numbers, show the webhook URL to give the provider, replace credentials, enable, disable, delete, and RCS testers and capability checks.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import { type Api, query } from '../api';
import { type MessageKey, useI18n } from '../i18n';
import { ErrorLine, messageOf, UnavailableSection } from '../ui';
import { useList } from './use-list';

/** The channel types the console connects (web chat channels need no setup and are only listed). */
export type ProviderType = 'whatsapp' | 'sms' | 'rcs';
export const PROVIDER_TYPES: readonly ProviderType[] = ['whatsapp', 'sms', 'rcs'];
/** RCS takes exactly one of these: a service account's JSON key (tokens minted and renewed) or an access token. */
export type RcsAuth = 'service_account' | 'access_token';

export type CredentialName =
  | 'phone_number_id'
  | 'access_token'
  | 'app_secret'
  | 'verify_token'
  | 'api_version'
  | 'account_sid'
  | 'auth_token'
  | 'from'
  | 'messaging_service_sid'
  | 'agent_id'
  | 'client_token'
  | 'service_account';

interface CredentialSpec {
  name: CredentialName;
  /** Shown as dots (tokens, secrets). */
  secret?: boolean;
  /** Not needed on creation (or one of an alternative). */
  optional?: boolean;
  /** A pasted JSON key file. */
  multiline?: boolean;
  placeholder?: string;
}

/**
 * The credentials of each type, as the server's adapters take them (server/src/channels/{whatsapp,sms,rcs}.ts). The
 * WhatsApp verify token is typed in plain text: the business enters the same text in Meta's dashboard.
 */
export const CREDENTIALS: Record<ProviderType, readonly CredentialSpec[]> = {
  whatsapp: [
    { name: 'phone_number_id', placeholder: '106540352242922' },
    { name: 'access_token', secret: true },
    { name: 'app_secret', secret: true },
    { name: 'verify_token' },
    { name: 'api_version', optional: true, placeholder: 'v21.0' },
  ],
  sms: [
    { name: 'account_sid', placeholder: 'AC…' },
    { name: 'auth_token', secret: true },
    { name: 'from', optional: true, placeholder: '+33612345678' },
    { name: 'messaging_service_sid', optional: true, placeholder: 'MG…' },
  ],
  rcs: [
    { name: 'agent_id' },
    { name: 'client_token', secret: true },
    { name: 'service_account', optional: true, multiline: true, placeholder: '{ "type": "service_account", … }' },
    { name: 'access_token', secret: true, optional: true },
  ],
};

/** The providers' own APIs (the server's defaults when no base URL is given) and send rates. */
const DEFAULT_BASE_URL: Record<ProviderType, string> = {
  whatsapp: 'https://graph.facebook.com',
  sms: 'https://api.twilio.com',
  rcs: 'https://rcsbusinessmessaging.googleapis.com',
};
const DEFAULT_RATE: Record<ProviderType, number> = { whatsapp: 80, sms: 1, rcs: 50 };
const RCS_AUTHS: readonly RcsAuth[] = ['service_account', 'access_token'];

const isProvider = (type: string): type is ProviderType => (PROVIDER_TYPES as readonly string[]).includes(type);

/**
 * The `credentials` object to send: the type's fields that were typed, trimmed (a token never ends with a space, a
 * paste often does). With `rcsAuth`, only that one of RCS's alternatives goes.
 */
export function credentialsBody(
  type: ProviderType,
  values: Readonly<Record<string, string>>,
  rcsAuth?: RcsAuth,
): Record<string, string> {
  const body: Record<string, string> = {};
  for (const spec of CREDENTIALS[type]) {
    if (
      type === 'rcs' &&
      rcsAuth !== undefined &&
      (RCS_AUTHS as readonly string[]).includes(spec.name) &&
      spec.name !== rcsAuth
    )
      continue;
    const value = (values[spec.name] ?? '').trim();
    if (value !== '') body[spec.name] = value;
  }
  return body;
}

/** A whole number when the text is one; otherwise the text, so that the API names the field and says what it expects. */
function rateValue(text: string): number | string {
  const number = Number(text);
  return Number.isFinite(number) ? number : text;
}

export interface ChannelDraft {
  type: ProviderType;
  websiteId: number | null;
  name: string;
  baseUrl: string;
  sendRate: string;
  credentials: Readonly<Record<string, string>>;
  rcsAuth: RcsAuth;
}

/** The body of POST /channel: empty optional fields are left out so that the server's defaults apply. */
export function createBody(draft: ChannelDraft): Record<string, unknown> {
  return {
    type: draft.type,
    ...(draft.websiteId !== null && { website_id: draft.websiteId }),
    ...(draft.name.trim() !== '' && { name: draft.name.trim() }),
    ...(draft.baseUrl.trim() !== '' && { base_url: draft.baseUrl.trim() }),
    ...(draft.sendRate.trim() !== '' && { send_rate: rateValue(draft.sendRate.trim()) }),
    credentials: credentialsBody(draft.type, draft.credentials, draft.rcsAuth),
  };
}

/** The body of PUT /channel/{id}: only what was typed (credentials are merged field by field by the server); null when nothing was. */
export function updateBody(
  type: ProviderType,
  draft: Pick<ChannelDraft, 'name' | 'baseUrl' | 'sendRate' | 'credentials'>,
): Record<string, unknown> | null {
  const credentials = credentialsBody(type, draft.credentials);
  const body = {
    ...(draft.name.trim() !== '' && { name: draft.name.trim() }),
    ...(draft.baseUrl.trim() !== '' && { base_url: draft.baseUrl.trim() }),
    ...(draft.sendRate.trim() !== '' && { send_rate: rateValue(draft.sendRate.trim()) }),
    ...(Object.keys(credentials).length > 0 && { credentials }),
  };
  return Object.keys(body).length === 0 ? null : body;
}

/**
 * The form field an API error names ("Value of field 'credentials[app_secret]' is not valid…", "Field 'website_id' is
 * missing."): `credentials.app_secret`, `website_id`… (`credentials[service_account][private_key]` is the key's field).
 */
export function errorField(message: string): string | null {
  const match = /^(?:Value of field|Field) '([^']+)'/.exec(message);
  if (match?.[1] === undefined) return null;
  const [head, ...rest] = match[1].split(/[[\]]+/).filter((part) => part !== '');
  if (head === undefined) return null;
  return head === 'credentials' && rest[0] !== undefined ? `credentials.${rest[0]}` : head;
}

interface ChannelRow {
  id: number;
  type: string;
  name?: string;
  website_id?: number;
  base_url?: string;
  send_rate?: number;
  enabled?: boolean;
  credentials_set?: string[];
  webhook_url?: string | null;
}

interface WebsiteRow {
  id: number;
  url: string;
  label?: string | null;
}

const typeLabel = (t: ReturnType<typeof useI18n>['t'], type: string) =>
  isProvider(type) || type === 'chat' ? t(`channels.type.${type}` as MessageKey) : type;
const credentialLabel = (t: ReturnType<typeof useI18n>['t'], name: string) =>
  Object.values(CREDENTIALS).some((specs) => specs.some((spec) => spec.name === name))
    ? t(`channels.cred.${name}` as MessageKey)
    : name;

export function ChannelsTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const {
    rows,
    error,
    reload,
    act: listAct,
    missing,
  } = useList<ChannelRow>(api, `/channel${query({ full: 1, limit: 100 })}`);
  const websites = useList<WebsiteRow>(api, `/website${query({ full: 1, limit: 100 })}`);
  const [created, setCreated] = useState<{ id: number; type: ProviderType; webhookUrl: string } | null>(null);
  const [open, setOpen] = useState<{ id: number; panel: 'edit' | 'rcs' } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const createdNotice = useRef<HTMLDivElement>(null);
  // The webhook URL is what the business needs next: bring it into view.
  useEffect(() => {
    if (created !== null) createdNotice.current?.scrollIntoView({ block: 'nearest' });
  }, [created]);

  const act = (action: () => Promise<unknown>) => {
    setNotice(null);
    return listAct(action);
  };

  if (missing)
    return (
      <UnavailableSection
        title={t('admin.channels')}
        message={t('channels.unavailable')}
        testId="channels-unavailable"
      />
    );
  const websiteName = (id: number | undefined) => {
    const website = websites.rows?.find((row) => row.id === id);
    return website === undefined
      ? id === undefined
        ? ''
        : `#${id}`
      : `#${website.id} ${website.label || website.url}`;
  };
  return (
    <section aria-labelledby="channels-title" className="channels">
      <h2 id="channels-title">{t('admin.channels')}</h2>
      <p className="muted">{t('channels.intro')}</p>
      <CreateForm
        api={api}
        websites={websites.rows}
        onCreated={(channel) => {
          setCreated(channel);
          setNotice(null);
          reload();
        }}
      />
      {created !== null && (
        <div className="card secret channel-created" role="status" data-testid="channel-created" ref={createdNotice}>
          <p>
            <strong>{t('channels.created', { id: created.id })}</strong>
          </p>
          <CopyField
            value={created.webhookUrl}
            label={t('channels.webhookUrlOf', { id: created.id })}
            testId="created-webhook-url"
          />
          <p>{t(`channels.next.${created.type}`)}</p>
          <button type="button" className="small" onClick={() => setCreated(null)}>
            {t('channels.dismiss')}
          </button>
        </div>
      )}
      <ErrorLine error={error ?? websites.error} />
      {notice !== null && (
        <p role="status" className="ok-line">
          {notice}
        </p>
      )}
      {rows !== null && rows.length === 0 && <p className="muted">{t('channels.none')}</p>}
      <ul className="cards channel-cards" data-testid="channels">
        {(rows ?? []).map((channel) => {
          const provider = isProvider(channel.type) ? channel.type : null;
          const panel = open?.id === channel.id ? open.panel : null;
          const toggle = (name: 'edit' | 'rcs') => {
            setNotice(null);
            setOpen(panel === name ? null : { id: channel.id, panel: name });
          };
          const title = `#${channel.id} ${channel.name ?? ''}`.trim();
          return (
            <li
              key={channel.id}
              className={`card channel${panel !== null ? ' expanded' : ''}${channel.enabled === false ? ' off' : ''}`}
              data-testid={`channel-${channel.id}`}
              aria-labelledby={`channel-${channel.id}-title`}
            >
              <h3 id={`channel-${channel.id}-title`}>
                <span className={`badge source-${channel.type}`}>{typeLabel(t, channel.type)}</span> {title}{' '}
                <span
                  className={channel.enabled === false ? 'badge state-off' : 'badge state-on'}
                  data-testid="channel-state"
                >
                  {channel.enabled === false ? t('channels.disabled') : t('channels.enabled')}
                </span>
              </h3>
              <dl className="facts channel-facts">
                <dt>{t('channels.website')}</dt>
                <dd>{websiteName(channel.website_id)}</dd>
                {provider !== null && (
                  <>
                    <dt>{t('channels.baseUrlShort')}</dt>
                    <dd className="mono">{channel.base_url}</dd>
                    <dt>{t('channels.sendRateShort')}</dt>
                    <dd>{t('channels.rate', { rate: channel.send_rate ?? '' })}</dd>
                    <dt>{t('channels.credentialsSet')}</dt>
                    <dd data-testid="credentials-set">
                      {(channel.credentials_set ?? []).length === 0
                        ? t('channels.noCredentials')
                        : (channel.credentials_set ?? []).map((name) => credentialLabel(t, name)).join(', ')}
                    </dd>
                  </>
                )}
              </dl>
              {typeof channel.webhook_url === 'string' && (
                <div className="channel-webhook">
                  <span className="small muted">{t('channels.webhookUrl')}</span>
                  <CopyField
                    value={channel.webhook_url}
                    label={t('channels.webhookUrlOf', { id: channel.id })}
                    testId="webhook-url"
                  />
                </div>
              )}
              <div className="actions">
                <button
                  type="button"
                  onClick={() =>
                    void act(() => api.put(`/channel/${channel.id}`, { enabled: channel.enabled === false }))
                  }
                  aria-label={`${channel.enabled === false ? t('channels.enable') : t('channels.disable')} ${title}`}
                >
                  {channel.enabled === false ? t('channels.enable') : t('channels.disable')}
                </button>
                {provider !== null && (
                  <button
                    type="button"
                    onClick={() => toggle('edit')}
                    aria-expanded={panel === 'edit'}
                    aria-controls={`channel-${channel.id}-panel`}
                  >
                    {t('channels.edit')}
                  </button>
                )}
                {provider === 'rcs' && (
                  <button
                    type="button"
                    onClick={() => toggle('rcs')}
                    aria-expanded={panel === 'rcs'}
                    aria-controls={`channel-${channel.id}-panel`}
                  >
                    {t('channels.rcsTools')}
                  </button>
                )}
                <button
                  type="button"
                  className="danger"
                  onClick={() =>
                    window.confirm(
                      t('channels.confirmDelete', { id: channel.id, name: channel.name ?? channel.type }),
                    ) && void act(() => api.delete(`/channel/${channel.id}`))
                  }
                  aria-label={`${t('common.delete')} ${title}`}
                >
                  {t('common.delete')}
                </button>
              </div>
              {panel !== null && provider !== null && (
                <div id={`channel-${channel.id}-panel`} className="channel-panel">
                  {panel === 'edit' ? (
                    <EditForm
                      api={api}
                      channel={channel}
                      type={provider}
                      onSaved={() => {
                        setOpen(null);
                        setNotice(t('channels.saved', { id: channel.id }));
                        reload();
                      }}
                      onCancel={() => setOpen(null)}
                    />
                  ) : (
                    <RcsTools api={api} channelId={channel.id} />
                  )}
                </div>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}

/** A text to copy, shown whole: when the clipboard is refused (plain http, permissions) the text is selected for Ctrl+C instead. */
function CopyField({ value, label, testId }: { value: string; label: string; testId: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const text = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      if (navigator.clipboard === undefined) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setState('copied');
      setTimeout(() => setState((current) => (current === 'copied' ? 'idle' : current)), 1500);
    } catch {
      if (text.current !== null) window.getSelection()?.selectAllChildren(text.current);
      setState('manual');
    }
  };
  return (
    <div className="copy-field">
      <div className="code-row">
        <code ref={text} className="mono" data-testid={testId}>
          {value}
        </code>
        <button type="button" onClick={() => void copy()} aria-label={`${t('common.copy')} ${label}`}>
          {state === 'copied' ? t('common.copied') : t('common.copy')}
        </button>
      </div>
      {state === 'manual' && (
        <p className="small" role="status">
          {t('channels.copyManually')}
        </p>
      )}
    </div>
  );
}

/** One input per credential of a type; `stored` marks those the channel has already (edit: leave empty to keep). */
function CredentialInputs({
  type,
  values,
  onChange,
  idPrefix,
  invalid,
  stored,
  rcsAuth,
}: {
  type: ProviderType;
  values: Readonly<Record<string, string>>;
  onChange: (name: CredentialName, value: string) => void;
  idPrefix: string;
  invalid: string | null;
  stored?: readonly string[];
  rcsAuth?: RcsAuth;
}) {
  const { t } = useI18n();
  const creating = stored === undefined;
  const loadFile = async (file: File | undefined) => {
    if (file !== undefined) onChange('service_account', await file.text());
  };
  return (
    <>
      {CREDENTIALS[type].map((spec) => {
        if (
          type === 'rcs' &&
          rcsAuth !== undefined &&
          (RCS_AUTHS as readonly string[]).includes(spec.name) &&
          spec.name !== rcsAuth
        )
          return null;
        const id = `${idPrefix}-${spec.name}`;
        const hint = stored?.includes(spec.name)
          ? t('channels.keep')
          : t(`channels.hint.${type}.${spec.name}` as MessageKey);
        const common = {
          id,
          name: spec.name,
          value: values[spec.name] ?? '',
          autoComplete: 'off',
          spellCheck: false,
          required: creating && spec.optional !== true,
          'aria-describedby': `${id}-hint`,
          'aria-invalid':
            invalid === `credentials.${spec.name}` || (invalid === 'credentials' && spec.optional === true)
              ? true
              : undefined,
        } as const;
        return (
          <div key={spec.name} className={spec.multiline ? 'field wide' : 'field'}>
            <label htmlFor={id}>{t(`channels.cred.${spec.name}`)}</label>
            {spec.multiline ? (
              <textarea
                {...common}
                rows={5}
                placeholder={spec.placeholder}
                onChange={(event) => onChange(spec.name, event.target.value)}
              />
            ) : (
              <input
                {...common}
                type={spec.secret ? 'password' : 'text'}
                placeholder={stored?.includes(spec.name) ? '••••••••' : spec.placeholder}
                onChange={(event) => onChange(spec.name, event.target.value)}
              />
            )}
            <small id={`${id}-hint`} className="muted">
              {hint}
            </small>
            {spec.multiline && (
              <label className="file-pick small">
                {t('channels.serviceAccountFile')}
                <input
                  type="file"
                  accept="application/json,.json"
                  onChange={(event) => void loadFile(event.target.files?.[0])}
                />
              </label>
            )}
          </div>
        );
      })}
    </>
  );
}

function CreateForm({
  api,
  websites,
  onCreated,
}: {
  api: Api;
  websites: WebsiteRow[] | null;
  onCreated: (channel: { id: number; type: ProviderType; webhookUrl: string }) => void;
}) {
  const { t } = useI18n();
  const prefix = useId();
  const [type, setType] = useState<ProviderType>('whatsapp');
  const [websiteId, setWebsiteId] = useState<number | null>(null);
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [sendRate, setSendRate] = useState('');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [rcsAuth, setRcsAuth] = useState<RcsAuth>('service_account');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const chosenWebsite = websiteId ?? websites?.[0]?.id ?? null;
  const invalid = error === null ? null : errorField(error);
  // The field the API names takes the focus, so a keyboard user lands on what to fix.
  useEffect(() => {
    if (invalid !== null) document.getElementById(`${prefix}-${invalid.replace(/^credentials\./, '')}`)?.focus();
  }, [error, invalid, prefix]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const channel = await api.post<ChannelRow>(
        '/channel',
        createBody({ type, websiteId: chosenWebsite, name, baseUrl, sendRate, credentials, rcsAuth }),
      );
      // Secrets leave the page once sent; the type and website stay for the next number.
      setCredentials({});
      setName('');
      setBaseUrl('');
      setSendRate('');
      if (channel !== undefined) onCreated({ id: channel.id, type, webhookUrl: channel.webhook_url ?? '' });
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };

  const invalidProps = (field: string) =>
    invalid === field ? { 'aria-invalid': true, 'aria-describedby': `${prefix}-error` } : {};
  return (
    <form className="card channel-form" onSubmit={(event) => void submit(event)} aria-labelledby={`${prefix}-title`}>
      <h3 id={`${prefix}-title`}>{t('channels.new')}</h3>
      {websites !== null && websites.length === 0 && <p className="error">{t('channels.noWebsite')}</p>}
      <div className="channel-grid">
        <div className="field">
          <label htmlFor={`${prefix}-type`}>{t('channels.type')}</label>
          <select
            id={`${prefix}-type`}
            name="type"
            value={type}
            onChange={(event) => {
              const next = event.target.value;
              if (isProvider(next)) setType(next);
              // Credentials, API and rate belong to one provider: a new type starts from its defaults.
              setCredentials({});
              setBaseUrl('');
              setSendRate('');
              setError(null);
            }}
          >
            {PROVIDER_TYPES.map((option) => (
              <option key={option} value={option}>
                {typeLabel(t, option)}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-website_id`}>{t('channels.website')}</label>
          <select
            id={`${prefix}-website_id`}
            name="website_id"
            required
            value={chosenWebsite ?? ''}
            onChange={(event) => setWebsiteId(Number(event.target.value))}
            {...invalidProps('website_id')}
          >
            {(websites ?? []).map((website) => (
              <option key={website.id} value={website.id}>
                #{website.id} {website.label || website.url}
              </option>
            ))}
          </select>
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-name`}>{t('channels.name')}</label>
          <input
            id={`${prefix}-name`}
            name="name"
            maxLength={255}
            value={name}
            placeholder={typeLabel(t, type)}
            onChange={(event) => setName(event.target.value)}
            {...invalidProps('name')}
          />
        </div>
      </div>
      <fieldset className="channel-grid credentials">
        <legend>{t('channels.credentials', { type: typeLabel(t, type) })}</legend>
        <p className="muted small wide-row">{t(`channels.help.${type}`)}</p>
        {type === 'rcs' && (
          <div className="field wide-row" role="radiogroup" aria-label={t('channels.rcsAuth')}>
            <span className="small">{t('channels.rcsAuth')}</span>
            <div className="radio-row">
              {RCS_AUTHS.map((option) => (
                <label key={option} className="toggle">
                  <input
                    type="radio"
                    name="rcs-auth"
                    value={option}
                    checked={rcsAuth === option}
                    onChange={() => setRcsAuth(option)}
                  />
                  {t(`channels.cred.${option}`)}
                </label>
              ))}
            </div>
          </div>
        )}
        <CredentialInputs
          type={type}
          values={credentials}
          onChange={(field, value) => setCredentials((current) => ({ ...current, [field]: value }))}
          idPrefix={prefix}
          invalid={invalid}
          rcsAuth={type === 'rcs' ? rcsAuth : undefined}
        />
      </fieldset>
      <div className="channel-row">
        <div className="field grow">
          <label htmlFor={`${prefix}-base_url`}>{t('channels.baseUrl')}</label>
          <input
            id={`${prefix}-base_url`}
            name="base_url"
            type="text"
            inputMode="url"
            autoComplete="off"
            value={baseUrl}
            placeholder={DEFAULT_BASE_URL[type]}
            onChange={(event) => setBaseUrl(event.target.value)}
            aria-describedby={`${prefix}-base_url-hint`}
            {...invalidProps('base_url')}
          />
          <small id={`${prefix}-base_url-hint`} className="muted">
            {t('channels.baseUrlHint')}
          </small>
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-send_rate`}>{t('channels.sendRate')}</label>
          <input
            id={`${prefix}-send_rate`}
            name="send_rate"
            type="number"
            step={1}
            inputMode="numeric"
            value={sendRate}
            placeholder={String(DEFAULT_RATE[type])}
            onChange={(event) => setSendRate(event.target.value)}
            aria-describedby={`${prefix}-send_rate-hint`}
            {...invalidProps('send_rate')}
          />
          <small id={`${prefix}-send_rate-hint`} className="muted">
            {t('channels.sendRateHint', { rate: DEFAULT_RATE[type] })}
          </small>
        </div>
      </div>
      {error !== null && (
        <p className="error" role="alert" id={`${prefix}-error`} data-testid="channel-form-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={busy || chosenWebsite === null}>
          {t('channels.connect')}
        </button>
      </div>
    </form>
  );
}

function EditForm({
  api,
  channel,
  type,
  onSaved,
  onCancel,
}: {
  api: Api;
  channel: ChannelRow;
  type: ProviderType;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const prefix = useId();
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [sendRate, setSendRate] = useState('');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const invalid = error === null ? null : errorField(error);
  useEffect(() => {
    if (invalid !== null) document.getElementById(`${prefix}-${invalid.replace(/^credentials\./, '')}`)?.focus();
  }, [error, invalid, prefix]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = updateBody(type, { name, baseUrl, sendRate, credentials });
    if (body === null) {
      setError(t('channels.nothingToSave'));
      return;
    }
    setError(null);
    try {
      await api.put(`/channel/${channel.id}`, body);
      setCredentials({});
      onSaved();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return (
    <form
      className="channel-form"
      onSubmit={(event) => void submit(event)}
      onKeyDown={(event) => event.key === 'Escape' && onCancel()}
      aria-labelledby={`${prefix}-title`}
    >
      <h4 id={`${prefix}-title`}>{t('channels.editTitle', { id: channel.id })}</h4>
      <div className="channel-row">
        <div className="field">
          <label htmlFor={`${prefix}-name`}>{t('channels.name')}</label>
          <input
            id={`${prefix}-name`}
            name="name"
            maxLength={255}
            autoFocus
            value={name}
            placeholder={channel.name}
            onChange={(event) => setName(event.target.value)}
            aria-invalid={invalid === 'name' || undefined}
          />
        </div>
        <div className="field">
          <label htmlFor={`${prefix}-send_rate`}>{t('channels.sendRate')}</label>
          <input
            id={`${prefix}-send_rate`}
            name="send_rate"
            type="number"
            step={1}
            value={sendRate}
            placeholder={String(channel.send_rate ?? DEFAULT_RATE[type])}
            onChange={(event) => setSendRate(event.target.value)}
            aria-invalid={invalid === 'send_rate' || undefined}
          />
        </div>
        <div className="field grow">
          <label htmlFor={`${prefix}-base_url`}>{t('channels.baseUrl')}</label>
          <input
            id={`${prefix}-base_url`}
            name="base_url"
            type="text"
            inputMode="url"
            autoComplete="off"
            value={baseUrl}
            placeholder={channel.base_url}
            onChange={(event) => setBaseUrl(event.target.value)}
            aria-invalid={invalid === 'base_url' || undefined}
          />
        </div>
      </div>
      <fieldset className="channel-grid credentials">
        <legend>{t('channels.replaceCredentials')}</legend>
        <p className="muted small wide-row">{t(type === 'rcs' ? 'channels.replaceHintRcs' : 'channels.replaceHint')}</p>
        <CredentialInputs
          type={type}
          values={credentials}
          onChange={(field, value) => setCredentials((current) => ({ ...current, [field]: value }))}
          idPrefix={prefix}
          invalid={invalid}
          stored={channel.credentials_set ?? []}
        />
      </fieldset>
      {error !== null && (
        <p className="error" role="alert" data-testid="channel-edit-error">
          {error}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary">
          {t('common.save')}
        </button>
      </div>
    </form>
  );
}

/** Seed 000's "Enregistrer un testeur" and the capability check of an RCS agent. */
function RcsTools({ api, channelId }: { api: Api; channelId: number }) {
  const { t } = useI18n();
  const prefix = useId();
  const [tester, setTester] = useState('');
  const [number, setNumber] = useState('');
  const [testerAnswer, setTesterAnswer] = useState<{ text: string; failed: boolean } | null>(null);
  const [checkAnswer, setCheckAnswer] = useState<{ text: string; failed: boolean } | null>(null);

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setTesterAnswer(null);
    try {
      const answer = await api.post<{ phone_number: string; invite_status: string }>(`/channel/${channelId}/tester`, {
        phone_number: tester.trim(),
      });
      setTesterAnswer({
        text: t('channels.invited', { phone: answer?.phone_number ?? tester, status: answer?.invite_status ?? '' }),
        failed: false,
      });
    } catch (failure) {
      setTesterAnswer({ text: messageOf(failure), failed: true });
    }
  };
  const check = async (event: FormEvent) => {
    event.preventDefault();
    setCheckAnswer(null);
    try {
      const answer = await api.get<{ phone_number: string; reachable: boolean; features: string[] }>(
        `/channel/${channelId}/capability${query({ phone_number: number.trim() })}`,
      );
      setCheckAnswer({
        text: answer.reachable
          ? t('channels.reachable', { phone: answer.phone_number, features: answer.features.join(', ') || '—' })
          : t('channels.unreachable', { phone: answer.phone_number }),
        failed: false,
      });
    } catch (failure) {
      setCheckAnswer({ text: messageOf(failure), failed: true });
    }
  };
  const result = (answer: { text: string; failed: boolean } | null, testId: string) =>
    answer !== null && (
      <p
        className={answer.failed ? 'error small' : 'ok-line small'}
        role={answer.failed ? 'alert' : 'status'}
        data-testid={testId}
      >
        {answer.text}
      </p>
    );
  return (
    <div className="rcs-tools">
      <form onSubmit={(event) => void invite(event)} aria-labelledby={`${prefix}-tester`}>
        <h4 id={`${prefix}-tester`}>{t('channels.tester')}</h4>
        <p className="muted small">{t('channels.testerHint')}</p>
        <div className="inline-form">
          <label>
            {t('channels.phone')}
            <input
              name="tester"
              type="tel"
              required
              autoFocus
              autoComplete="off"
              placeholder="+33612345678"
              value={tester}
              onChange={(event) => setTester(event.target.value)}
            />
          </label>
          <button type="submit">{t('channels.invite')}</button>
        </div>
        {result(testerAnswer, 'tester-answer')}
      </form>
      <form onSubmit={(event) => void check(event)} aria-labelledby={`${prefix}-check`}>
        <h4 id={`${prefix}-check`}>{t('channels.check')}</h4>
        <p className="muted small">{t('channels.checkHint')}</p>
        <div className="inline-form">
          <label>
            {t('channels.phone')}
            <input
              name="capability"
              type="tel"
              required
              autoComplete="off"
              placeholder="+33612345678"
              value={number}
              onChange={(event) => setNumber(event.target.value)}
            />
          </label>
          <button type="submit">{t('channels.checkSubmit')}</button>
        </div>
        {result(checkAnswer, 'capability-answer')}
      </form>
    </div>
  );
}
