// The channels tab (docs/CHANNELS.md): the connected WhatsApp, SMS and RCS numbers with the webhook URL to give the
// provider; enable, disable, delete; the forms (ChannelForms.tsx) and the RCS tools (RcsTools.tsx) open from here.
import { useEffect, useRef, useState } from 'react';
import { type Api, unwrap } from '../api';
import { useI18n } from '../i18n';
import { ErrorLine, UnavailableSection } from '../ui';
import { CreateForm, EditForm } from './ChannelForms';
import { CopyField, credentialLabel, typeLabel } from './ChannelInputs';
import {
  defaultsOf,
  isProvider,
  loadChannels,
  loadChannelTypes,
  loadWebsites,
  type ProviderType,
} from './channel-forms';
import { RcsTools } from './RcsTools';
import { useList } from './use-list';

export function ChannelsTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const { rows, error, reload, act: listAct, missing } = useList(api, loadChannels);
  const websites = useList(api, loadWebsites);
  const channelTypes = useList(api, loadChannelTypes);
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
        defaultsOf={(type) => defaultsOf(channelTypes.rows, type)}
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
      <ErrorLine error={error ?? websites.error ?? channelTypes.error} />
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
                    void act(() =>
                      unwrap(
                        api.PUT('/api/2/channel/{id}', {
                          params: { path: { id: channel.id } },
                          body: { enabled: channel.enabled === false },
                        }),
                      ),
                    )
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
                    ) &&
                    void act(() => unwrap(api.DELETE('/api/2/channel/{id}', { params: { path: { id: channel.id } } })))
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
                      defaults={defaultsOf(channelTypes.rows, provider)}
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
