// Webhook subscriptions (contracts.md): create, enable/disable, rotate the secret, the delivery log and replays.
import { useCallback, useState } from 'react';
import { type Api, dataOf, unwrap, withFields } from '../api';
import { useI18n } from '../i18n';
import { CopyButton, ErrorLine, formatTime, messageOf, UnavailableSection } from '../ui';
import { useList } from './use-list';

interface WebhookRow {
  id: number;
  name: string;
  url: string;
  events: string[];
  enabled: boolean;
  disabled_reason?: string | null;
  compat?: string;
  format?: string;
}

interface DeliveryRow {
  id: number;
  event_type: string;
  attempt: number;
  status: string;
  http_status: number | null;
  latency_ms: number | null;
  error: string | null;
  created_at: string;
}

const loadWebhooks = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/webhook', { params: { query: { full: '1', limit: 100 } } })), [
    'name',
    'url',
    'events',
    'enabled',
  ]);

const DEFAULT_EVENTS = 'conversation.started, conversation.closed, message.created';

export function WebhooksTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const { rows, error, act, missing } = useList<WebhookRow>(api, loadWebhooks);
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  const [events, setEvents] = useState(DEFAULT_EVENTS);
  const [secret, setSecret] = useState<string | null>(null);
  const [open, setOpen] = useState<number | null>(null);

  if (missing)
    return (
      <UnavailableSection
        title={t('admin.webhooks')}
        message={t('webhooks.unavailable')}
        testId="webhooks-unavailable"
      />
    );
  return (
    <section aria-labelledby="webhooks-title">
      <h2 id="webhooks-title">{t('admin.webhooks')}</h2>
      <ErrorLine error={error} />
      <form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          const list = events
            .split(',')
            .map((name) => name.trim())
            .filter((name) => name !== '');
          void act(async () => {
            const created = await dataOf(api.POST('/api/2/webhook', { body: { name, url, events: list } }));
            setSecret(created.secret ?? null);
            setName('');
            setUrl('');
          });
        }}
      >
        <label>
          {t('admin.name')}
          <input name="name" required value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          {t('admin.url')}
          <input
            name="url"
            type="url"
            required
            placeholder="https://example.com/hooks/causerie"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
          />
        </label>
        <label className="wide">
          {t('webhooks.events')}
          <input name="events" required value={events} onChange={(event) => setEvents(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t('common.create')}
        </button>
      </form>
      {secret !== null && (
        <div className="card secret" role="status">
          <p>{t('webhooks.secret')}</p>
          <div className="code-row">
            <code className="mono">{secret}</code>
            <CopyButton text={secret} />
          </div>
        </div>
      )}
      <ul className="cards">
        {(rows ?? []).map((webhook) => (
          <li key={webhook.id} className={open === webhook.id ? 'card expanded' : 'card'}>
            <h3>
              #{webhook.id} {webhook.name}
            </h3>
            <p className="mono small">{webhook.url}</p>
            <p className="small">{webhook.events.join(', ')}</p>
            <label className="toggle">
              <input
                type="checkbox"
                checked={webhook.enabled}
                onChange={(event) =>
                  void act(() =>
                    unwrap(
                      api.PUT('/api/2/webhook/{id}', {
                        params: { path: { id: webhook.id } },
                        body: { enabled: event.target.checked },
                      }),
                    ),
                  )
                }
              />
              {webhook.enabled
                ? t('webhooks.enabled')
                : webhook.disabled_reason
                  ? t('webhooks.disabled', { reason: webhook.disabled_reason })
                  : t('webhooks.off')}
            </label>
            <div className="actions">
              <button
                type="button"
                onClick={() =>
                  void act(async () => {
                    const rotated = await dataOf(
                      api.POST('/api/2/webhook/{id}/rotate', { params: { path: { id: webhook.id } }, body: {} }),
                    );
                    setSecret(rotated.secret ?? null);
                  })
                }
              >
                {t('webhooks.rotate')}
              </button>
              <button
                type="button"
                onClick={() => setOpen(open === webhook.id ? null : webhook.id)}
                aria-expanded={open === webhook.id}
              >
                {t('webhooks.deliveries')}
              </button>
              <button
                type="button"
                className="danger"
                onClick={() =>
                  window.confirm(t('admin.confirmDelete', { name: webhook.name })) &&
                  void act(() => unwrap(api.DELETE('/api/2/webhook/{id}', { params: { path: { id: webhook.id } } })))
                }
              >
                {t('common.delete')}
              </button>
            </div>
            {open === webhook.id && <Deliveries api={api} webhookId={webhook.id} />}
          </li>
        ))}
      </ul>
    </section>
  );
}

function Deliveries({ api, webhookId }: { api: Api; webhookId: number }) {
  const { t, language } = useI18n();
  const loadDeliveries = useCallback(
    async (api: Api) =>
      withFields(
        await dataOf(
          api.GET('/api/2/webhook/{id}/delivery', {
            params: { path: { id: webhookId }, query: { full: '1', limit: 50 } },
          }),
        ),
        ['event_type', 'attempt', 'status', 'http_status', 'latency_ms', 'error', 'created_at'],
      ),
    [webhookId],
  );
  const { rows, error, setError, reload } = useList<DeliveryRow>(api, loadDeliveries);
  const [from, setFrom] = useState('');
  const [to, setTo] = useState('');
  const [notice, setNotice] = useState<string | null>(null);
  const run = async (action: () => Promise<unknown>) => {
    setError(null);
    try {
      await action();
      reload();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };
  return (
    <div className="deliveries">
      <ErrorLine error={error} />
      <form
        className="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          void run(async () => {
            const answer = await dataOf(
              api.POST('/api/2/webhook/{id}/replay', { params: { path: { id: webhookId } }, body: { from, to } }),
            );
            setNotice(t('webhooks.queued', { count: answer.queued }));
          });
        }}
      >
        <span>{t('webhooks.replayRange')}</span>
        <label>
          {t('webhooks.from')}
          <input type="date" required value={from} onChange={(event) => setFrom(event.target.value)} />
        </label>
        <label>
          {t('webhooks.to')}
          <input type="date" required value={to} onChange={(event) => setTo(event.target.value)} />
        </label>
        <button type="submit">{t('webhooks.replay')}</button>
      </form>
      {notice !== null && <p role="status">{notice}</p>}
      <table className="table small">
        <thead>
          <tr>
            <th>{t('admin.created')}</th>
            <th>{t('webhooks.event')}</th>
            <th>{t('webhooks.attempt')}</th>
            <th>{t('webhooks.status')}</th>
            <th>{t('webhooks.http')}</th>
            <th>{t('webhooks.latency')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((delivery) => (
            <tr key={delivery.id}>
              <td>{formatTime(delivery.created_at, language, true)}</td>
              <td>{delivery.event_type}</td>
              <td>{delivery.attempt}</td>
              <td className={`delivery-status-${delivery.status}`} title={delivery.error ?? undefined}>
                {delivery.status}
              </td>
              <td>{delivery.http_status ?? ''}</td>
              <td>{delivery.latency_ms === null ? '' : `${delivery.latency_ms} ms`}</td>
              <td>
                <button
                  type="button"
                  className="small"
                  onClick={() =>
                    void run(() =>
                      unwrap(
                        api.POST('/api/2/webhook/{id}/delivery/{deliveryId}/replay', {
                          params: { path: { id: webhookId, deliveryId: delivery.id } },
                        }),
                      ),
                    )
                  }
                >
                  {t('webhooks.replay')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
