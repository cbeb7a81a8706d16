// The forms that connect a channel and change one: what was typed is sent, the server's defaults are shown where a
// field is left empty, and the field an error concerns is marked and focused.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { type Api, dataOf, formBody, unwrap } from '../api';
import { type FormError, formErrorOf, formMessage } from '../form-error';
import { useI18n } from '../i18n';
import { CredentialInputs, typeLabel } from './ChannelInputs';
import {
  type ChannelDefaults,
  type ChannelRow,
  createBody,
  isProvider,
  PROVIDER_TYPES,
  type ProviderType,
  RCS_AUTHS,
  type RcsAuth,
  updateBody,
  type WebsiteRow,
} from './channel-forms';

export function CreateForm({
  api,
  websites,
  defaultsOf,
  onCreated,
}: {
  api: Api;
  websites: WebsiteRow[] | null;
  /** The server's base URL and send rate for a type, shown where the fields are left empty. */
  defaultsOf: (type: ProviderType) => ChannelDefaults | undefined;
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
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const chosenWebsite = websiteId ?? websites?.[0]?.id ?? null;
  const invalid = error?.field ?? null;
  const defaults = defaultsOf(type);
  // The field the API names takes the focus, so a keyboard user lands on what to fix.
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new error (`error`) focuses its field again, even the same field.
  useEffect(() => {
    if (invalid !== null) document.getElementById(`${prefix}-${invalid.replace(/^credentials\./, '')}`)?.focus();
  }, [error, invalid, prefix]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setBusy(true);
    try {
      const channel = await dataOf(
        api.POST('/api/2/channel', {
          body: formBody(createBody({ type, websiteId: chosenWebsite, name, baseUrl, sendRate, credentials, rcsAuth })),
        }),
      );
      // Secrets leave the page once sent; the type and website stay for the next number.
      setCredentials({});
      setName('');
      setBaseUrl('');
      setSendRate('');
      onCreated({ id: channel.id, type, webhookUrl: channel.webhook_url ?? '' });
    } catch (failure) {
      setError(formErrorOf(failure));
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
            placeholder={defaults?.baseUrl}
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
            placeholder={defaults === undefined ? undefined : String(defaults.sendRate)}
            onChange={(event) => setSendRate(event.target.value)}
            aria-describedby={`${prefix}-send_rate-hint`}
            {...invalidProps('send_rate')}
          />
          <small id={`${prefix}-send_rate-hint`} className="muted">
            {t('channels.sendRateHint', { rate: defaults?.sendRate ?? '…' })}
          </small>
        </div>
      </div>
      {error !== null && (
        <p className="error" role="alert" id={`${prefix}-error`} data-testid="channel-form-error">
          {error.message}
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

export function EditForm({
  api,
  channel,
  type,
  defaults,
  onSaved,
  onCancel,
}: {
  api: Api;
  channel: ChannelRow;
  type: ProviderType;
  defaults: ChannelDefaults | undefined;
  onSaved: () => void;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  const prefix = useId();
  const [name, setName] = useState('');
  const [baseUrl, setBaseUrl] = useState('');
  const [sendRate, setSendRate] = useState('');
  const [credentials, setCredentials] = useState<Record<string, string>>({});
  const [error, setError] = useState<FormError | null>(null);
  const invalid = error?.field ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new error (`error`) focuses its field again, even the same field.
  useEffect(() => {
    if (invalid !== null) document.getElementById(`${prefix}-${invalid.replace(/^credentials\./, '')}`)?.focus();
  }, [error, invalid, prefix]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const body = updateBody(type, { name, baseUrl, sendRate, credentials });
    if (body === null) {
      setError(formMessage(t('channels.nothingToSave')));
      return;
    }
    setError(null);
    try {
      await unwrap(api.PUT('/api/2/channel/{id}', { params: { path: { id: channel.id } }, body: formBody(body) }));
      setCredentials({});
      onSaved();
    } catch (failure) {
      setError(formErrorOf(failure));
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
            // biome-ignore lint/a11y/noAutofocus: the panel opens on the Edit button the operator pressed; the focus follows into it.
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
            placeholder={String(channel.send_rate ?? defaults?.sendRate ?? '')}
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
          {error.message}
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
