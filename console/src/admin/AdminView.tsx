// The administration for managers and admins: operators (Operators.tsx), groups, skills and websites (created, edited —
// the dialogs are in editors.tsx — deleted; the tag to copy), messaging channels, API keys and webhooks.
import { useState } from 'react';
import { type Api, dataOf, unwrap } from '../api';
import { useI18n } from '../i18n';
import { CopyButton, ErrorLine, formatTime } from '../ui';
import { AccountSettings } from './AccountSettings';
import { type AdminTab, AdminTabs } from './AdminTabs';
import { ChannelsTab } from './Channels';
import type { NamedRecord, WebsiteRecord } from './changes';
import { EditButton, type Named, NamedEditor, RowActions, SavedLine, useEditor, WebsiteEditor } from './editors';
import { loadGroups, loadKeys, loadOperators, loadSkills, loadWebsites } from './loaders';
import { OperatorsTab } from './Operators';
import { TargetingTab } from './TargetingRules';
import { useList } from './use-list';
import { WebhooksTab } from './Webhooks';

export function AdminView({ api, tab, isAdmin }: { api: Api; tab: AdminTab; isAdmin: boolean }) {
  return (
    <div className="admin">
      <AdminTabs current={tab} isAdmin={isAdmin} />
      <main className="admin-body">
        {tab === 'operators' && <OperatorsTab api={api} />}
        {tab === 'groups' && <NamedTab api={api} resource="group" />}
        {tab === 'skills' && <NamedTab api={api} resource="skill" />}
        {tab === 'websites' && <WebsitesTab api={api} />}
        {tab === 'keys' && <KeysTab api={api} />}
        {tab === 'webhooks' && <WebhooksTab api={api} />}
        {tab === 'channels' && <ChannelsTab api={api} />}
        {tab === 'targeting' && <TargetingTab api={api} />}
      </main>
    </div>
  );
}

/** Groups and skills: a name (and a parent, members, a skill's order): create, edit, delete. */
function NamedTab({ api, resource }: { api: Api; resource: 'group' | 'skill' }) {
  const { t } = useI18n();
  const { rows, error, reload, act } = useList<NamedRecord>(api, resource === 'group' ? loadGroups : loadSkills);
  const operators = useList<Named>(api, loadOperators);
  const editor = useEditor<NamedRecord>();
  const [saved, setSaved] = useState<string | null>(null);
  const [name, setName] = useState('');
  const title = resource === 'group' ? t('admin.groups') : t('admin.skills');
  const nameOf = (id: number | null | undefined) => rows?.find((row) => row.id === id)?.name ?? '';
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      <ErrorLine error={error ?? operators.error} />
      <SavedLine text={saved} />
      <form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(null);
          void act(() =>
            resource === 'group'
              ? unwrap(api.POST('/api/2/group', { body: { name } }))
              : unwrap(api.POST('/api/2/skill', { body: { name } })),
          ).then((done) => done && setName(''));
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
      <div className="table-scroll">
        <table className="table" data-testid={`${resource}s`}>
          <thead>
            <tr>
              <th>#</th>
              <th>{t('admin.name')}</th>
              <th>{t('admin.members')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((row) => (
              <tr key={row.id} data-testid={`${resource}-${row.id}`}>
                <td>{row.id}</td>
                <td data-testid="name">
                  {row.name}
                  {row.parent_id != null && <span className="muted small"> ← {nameOf(row.parent_id)}</span>}
                </td>
                <td>{row.operator_list?.length}</td>
                <td>
                  <RowActions
                    name={row.name}
                    onEdit={(event) => {
                      setSaved(null);
                      editor.open(row, event);
                    }}
                    onDelete={() =>
                      void act(() =>
                        resource === 'group'
                          ? unwrap(api.DELETE('/api/2/group/{id}', { params: { path: { id: row.id } } }))
                          : unwrap(api.DELETE('/api/2/skill/{id}', { params: { path: { id: row.id } } })),
                      )
                    }
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editor.editing !== null && (
        <NamedEditor
          api={api}
          resource={resource}
          row={editor.editing}
          others={(rows ?? []).filter((row) => row.id !== editor.editing?.id)}
          operators={operators.rows ?? []}
          onCancel={editor.close}
          onSaved={(savedName) => {
            setSaved(t('admin.saved', { name: savedName }));
            reload();
            editor.close();
          }}
        />
      )}
    </section>
  );
}

/** The tag a website inserts (seed 003: "you just have to insert a tag"). The console is served by the server, so its origin is PUBLIC_URL. */
export function embedTag(origin: string, websiteId: number): string {
  return `<script src="${origin}/widget.js" data-website="${websiteId}" async></script>`;
}

function WebsitesTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const { rows, error, reload, act } = useList<WebsiteRecord>(api, loadWebsites);
  const editor = useEditor<WebsiteRecord>();
  const [saved, setSaved] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [label, setLabel] = useState('');
  return (
    <section aria-labelledby="websites-title">
      <h2 id="websites-title">{t('admin.websites')}</h2>
      <AccountSettings api={api} />
      <ErrorLine error={error} />
      <SavedLine text={saved} />
      <form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(null);
          void act(() => unwrap(api.POST('/api/2/website', { body: { url, ...(label !== '' && { label }) } }))).then(
            (done) => {
              if (done) {
                setUrl('');
                setLabel('');
              }
            },
          );
        }}
      >
        <label>
          {t('admin.url')}
          <input
            name="url"
            type="url"
            required
            placeholder="https://shop.example"
            value={url}
            onChange={(event) => setUrl(event.target.value)}
          />
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
          const title = `#${website.id} ${website.label || website.url}`;
          return (
            <li key={website.id} className="card website-card" data-testid={`website-${website.id}`}>
              <div className="card-head">
                <h3 data-testid="website-title">{title}</h3>
                <EditButton
                  name={title}
                  onEdit={(event) => {
                    setSaved(null);
                    editor.open(website, event);
                  }}
                />
              </div>
              <p className="muted url" data-testid="website-url">
                {website.url}
              </p>
              <p>{t('admin.embedOn', { url: website.url })}</p>
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
      {editor.editing !== null && (
        <WebsiteEditor
          api={api}
          website={editor.editing}
          onCancel={editor.close}
          onSaved={(savedName) => {
            setSaved(t('admin.saved', { name: savedName }));
            reload();
            editor.close();
          }}
        />
      )}
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
  const { rows, error, act } = useList<KeyRow>(api, loadKeys);
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
            const created = await dataOf(
              api.POST('/api/2/client/{id}/key', { params: { path: { id: api.session.clientId } }, body: { name } }),
            );
            setSecret(created.key ?? null);
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
                  <button
                    type="button"
                    className="danger small"
                    onClick={() =>
                      window.confirm(t('admin.confirmRevoke')) &&
                      void act(() => unwrap(api.DELETE('/api/2/key/{id}', { params: { path: { id: key.id } } })))
                    }
                  >
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
