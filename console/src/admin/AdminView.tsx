// The administration for managers and admins: operators, groups, skills, websites (with the tag to copy), messaging channels, API keys and webhooks.
import { type FormEvent, useState } from 'react';
import type { Api } from '../api';
import { type MessageKey, useI18n } from '../i18n';
import { navigate } from '../router';
import { CopyButton, ErrorLine, formatTime, messageOf } from '../ui';
import { useList } from './use-list';
import { ChannelsTab } from './Channels';
import { WebhooksTab } from './Webhooks';

export const ADMIN_TABS = ['operators', 'groups', 'skills', 'websites', 'channels', 'keys', 'webhooks'] as const;
export type AdminTab = (typeof ADMIN_TABS)[number];

const ROLES = ['operator', 'expert', 'manager', 'admin'] as const;

export function AdminView({ api, tab }: { api: Api; tab: AdminTab }) {
  const { t } = useI18n();
  return (
    <div className="admin">
      <nav className="admin-tabs" aria-label={t('nav.admin')}>
        {ADMIN_TABS.map((name) => (
          <a
            key={name}
            href={`/admin/${name}`}
            className={tab === name ? 'tab active' : 'tab'}
            aria-current={tab === name ? 'page' : undefined}
            onClick={(event) => {
              event.preventDefault();
              navigate(`/admin/${name}`);
            }}
          >
            {t(`admin.${name}` as MessageKey)}
          </a>
        ))}
      </nav>
      <main className="admin-body">
        {tab === 'operators' && <OperatorsTab api={api} />}
        {tab === 'groups' && <NamedTab api={api} resource="group" />}
        {tab === 'skills' && <NamedTab api={api} resource="skill" />}
        {tab === 'websites' && <WebsitesTab api={api} />}
        {tab === 'keys' && <KeysTab api={api} />}
        {tab === 'webhooks' && <WebhooksTab api={api} />}
        {tab === 'channels' && <ChannelsTab api={api} />}
      </main>
    </div>
  );
}

/** Runs an action, reporting its error and reloading after. */
function useAction(setError: (error: string | null) => void, reload: () => void) {
  return async (action: () => Promise<unknown>): Promise<boolean> => {
    setError(null);
    try {
      await action();
      reload();
      return true;
    } catch (failure) {
      setError(messageOf(failure));
      return false;
    }
  };
}

interface OperatorRow {
  id: number;
  name: string;
  email: string;
  roles: string[];
  connected?: boolean;
  sso_key?: string;
}

function OperatorsTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const { rows, error, setError, reload } = useList<OperatorRow>(api, '/operator?full=1&limit=100');
  const act = useAction(setError, reload);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(['operator']);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    const body = { name, email, roles, ...(password !== '' && { password }) };
    if (await act(() => api.post('/operator', body))) {
      setName('');
      setEmail('');
      setPassword('');
    }
  };

  return (
    <section aria-labelledby="operators-title">
      <h2 id="operators-title">{t('admin.operators')}</h2>
      <ErrorLine error={error} />
      <form className="inline-form card" onSubmit={(event) => void create(event)}>
        <label>
          {t('admin.name')}
          <input name="name" required value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <label>
          {t('admin.email')}
          <input name="email" type="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        </label>
        <label>
          {t('admin.password')}
          <input name="password" type="password" minLength={8} autoComplete="new-password" value={password} onChange={(event) => setPassword(event.target.value)} />
        </label>
        <fieldset>
          <legend>{t('admin.roles')}</legend>
          {ROLES.map((role) => (
            <label key={role} className="toggle">
              <input type="checkbox" checked={roles.includes(role)} onChange={(event) => setRoles((current) => (event.target.checked ? [...current, role] : current.filter((r) => r !== role)))} />
              {role}
            </label>
          ))}
        </fieldset>
        <button type="submit" className="primary" disabled={roles.length === 0}>
          {t('common.create')}
        </button>
      </form>
      <table className="table" data-testid="operators">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('admin.name')}</th>
            <th>{t('admin.email')}</th>
            <th>{t('admin.roles')}</th>
            <th>{t('admin.connected')}</th>
            <th>SSO</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((operator) => (
            <tr key={operator.id}>
              <td>{operator.id}</td>
              <td>{operator.name}</td>
              <td>{operator.email}</td>
              <td>{operator.roles.join(', ')}</td>
              <td>{operator.connected ? '●' : '○'}</td>
              <td>{operator.sso_key && <CopyButton text={`${window.location.origin}/admin/login?key=${encodeURIComponent(operator.sso_key)}`} label={`SSO ${operator.name}`} />}</td>
              <td>
                <button type="button" className="danger small" onClick={() => window.confirm(t('admin.confirmDelete', { name: operator.name })) && void act(() => api.delete(`/operator/${operator.id}`))}>
                  {t('common.delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** Groups and skills: a name, create and delete. */
function NamedTab({ api, resource }: { api: Api; resource: 'group' | 'skill' }) {
  const { t } = useI18n();
  const { rows, error, setError, reload } = useList<{ id: number; name: string; operator_list?: number[] }>(api, `/${resource}?full=1&limit=100`);
  const act = useAction(setError, reload);
  const [name, setName] = useState('');
  const title = resource === 'group' ? t('admin.groups') : t('admin.skills');
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <ErrorLine error={error} />
      <form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => api.post(`/${resource}`, { name })).then((done) => done && setName(''));
        }}
      >
        <label>
          {t('admin.name')}
          <input name="name" required value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t('common.create')}
        </button>
      </form>
      <table className="table" data-testid={`${resource}s`}>
        <tbody>
          {(rows ?? []).map((row) => (
            <tr key={row.id}>
              <td>{row.id}</td>
              <td>{row.name}</td>
              <td>{row.operator_list ? `${row.operator_list.length} ${t('admin.operators').toLowerCase()}` : ''}</td>
              <td>
                <button type="button" className="danger small" onClick={() => window.confirm(t('admin.confirmDelete', { name: row.name })) && void act(() => api.delete(`/${resource}/${row.id}`))}>
                  {t('common.delete')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}

/** The tag a website inserts (seed 003: "you just have to insert a tag"). The console is served by the server, so its origin is PUBLIC_URL. */
export function embedTag(origin: string, websiteId: number): string {
  return `<script src="${origin}/widget.js" data-website="${websiteId}" async></script>`;
}

function WebsitesTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const { rows, error, setError, reload } = useList<{ id: number; url: string; label?: string | null }>(api, '/website?full=1&limit=100');
  const act = useAction(setError, reload);
  const [url, setUrl] = useState('');
  const [label, setLabel] = useState('');
  return (
    <section aria-labelledby="websites-title">
      <h2 id="websites-title">{t('admin.websites')}</h2>
      <ErrorLine error={error} />
      <form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          void act(() => api.post('/website', { url, ...(label !== '' && { label }) })).then((done) => {
            if (done) {
              setUrl('');
              setLabel('');
            }
          });
        }}
      >
        <label>
          {t('admin.url')}
          <input name="url" type="url" required placeholder="https://shop.example" value={url} onChange={(event) => setUrl(event.target.value)} />
        </label>
        <label>
          {t('admin.label')}
          <input name="label" value={label} onChange={(event) => setLabel(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t('common.create')}
        </button>
      </form>
      <ul className="cards" data-testid="websites">
        {(rows ?? []).map((website) => {
          const tag = embedTag(window.location.origin, website.id);
          return (
            <li key={website.id} className="card">
              <h3>
                #{website.id} {website.label || website.url}
              </h3>
              <p className="muted">{website.url}</p>
              <p>{t('admin.embed')}</p>
              <div className="code-row">
                <code className="mono" data-testid={`embed-${website.id}`}>
                  {tag}
                </code>
                <CopyButton text={tag} />
              </div>
            </li>
          );
        })}
      </ul>
    </section>
  );
}

interface KeyRow {
  id: number;
  name?: string;
  scope?: string;
  created_at?: string;
  last_used_at?: string | null;
  revoked_at?: string | null;
}

function KeysTab({ api }: { api: Api }) {
  const { t, language } = useI18n();
  const { rows, error, setError, reload } = useList<KeyRow>(api, '/key?full=1&limit=100');
  const act = useAction(setError, reload);
  const [name, setName] = useState('');
  const [secret, setSecret] = useState<string | null>(null);
  return (
    <section aria-labelledby="keys-title">
      <h2 id="keys-title">{t('admin.keys')}</h2>
      <ErrorLine error={error} />
      <form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          void act(async () => {
            const created = await api.post<{ key?: string }>(`/client/${api.session.clientId}/key`, { name });
            setSecret(created?.key ?? null);
            setName('');
          });
        }}
      >
        <label>
          {t('admin.name')}
          <input name="name" required maxLength={255} value={name} onChange={(event) => setName(event.target.value)} />
        </label>
        <button type="submit" className="primary">
          {t('common.create')}
        </button>
      </form>
      {secret !== null && (
        <div className="card secret" role="status" data-testid="new-key">
          <p>{t('admin.keyShownOnce')}</p>
          <div className="code-row">
            <code className="mono">{secret}</code>
            <CopyButton text={secret} />
          </div>
        </div>
      )}
      <table className="table" data-testid="keys">
        <thead>
          <tr>
            <th>#</th>
            <th>{t('admin.name')}</th>
            <th>{t('admin.created')}</th>
            <th>{t('admin.lastUsed')}</th>
            <th />
          </tr>
        </thead>
        <tbody>
          {(rows ?? []).map((key) => (
            <tr key={key.id} className={key.revoked_at ? 'muted' : undefined}>
              <td>{key.id}</td>
              <td>{key.name}</td>
              <td>{formatTime(key.created_at, language, true)}</td>
              <td>{formatTime(key.last_used_at, language, true)}</td>
              <td>
                {key.revoked_at ? (
                  t('admin.revoked')
                ) : (
                  <button type="button" className="danger small" onClick={() => window.confirm(t('admin.confirmRevoke')) && void act(() => api.delete(`/key/${key.id}`))}>
                    {t('admin.revoke')}
                  </button>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
