// The account's own settings an admin or manager changes: the time zone in which the reports read days and hours.
import { type FormEvent, useEffect, useId, useState } from 'react';
import { type Api, dataOf, unwrap } from '../api';
import { useI18n } from '../i18n';
import { ErrorLine, messageOf } from '../ui';
import { SavedLine } from './editors';
import { timeZoneOptions } from './locale-options';

export function AccountSettings({ api }: { api: Api }) {
  const { t } = useI18n();
  const prefix = useId();
  const clientId = api.session.clientId;
  const [stored, setStored] = useState<string | null>(null);
  const [zone, setZone] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    dataOf(api.GET('/api/2/client/{id}', { params: { path: { id: clientId } } }))
      .then((client) => {
        setStored(client.timezone ?? 'UTC');
        setZone(client.timezone ?? 'UTC');
      })
      .catch((failure: unknown) => setError(messageOf(failure)));
  }, [api, clientId]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    setBusy(true);
    unwrap(api.PUT('/api/2/client/{id}', { params: { path: { id: clientId } }, body: { timezone: zone.trim() } }))
      .then((answer) => {
        const timezone = answer.data.timezone ?? zone.trim();
        setStored(timezone);
        setZone(timezone);
        setSaved(t('admin.timezoneSaved', { zone: timezone }));
      })
      .catch((failure: unknown) => setError(messageOf(failure)))
      .finally(() => setBusy(false));
  };

  return (
    <form className="inline-form card" onSubmit={submit} data-testid="account-settings">
      <label htmlFor={`${prefix}-timezone`}>
        {t('admin.timezone')}
        <input
          id={`${prefix}-timezone`}
          name="timezone"
          list={`${prefix}-zones`}
          required
          maxLength={64}
          autoComplete="off"
          disabled={stored === null}
          value={zone}
          onChange={(event) => setZone(event.target.value)}
        />
      </label>
      <datalist id={`${prefix}-zones`}>
        {timeZoneOptions().map((name) => (
          <option key={name} value={name} />
        ))}
      </datalist>
      <button type="submit" className="primary" disabled={busy || stored === null || zone.trim() === stored}>
        {t('common.save')}
      </button>
      <p className="muted small">{t('admin.timezoneHint')}</p>
      <ErrorLine error={error} />
      <SavedLine text={saved} />
    </form>
  );
}
