// The administration for managers and admins: operators, groups, skills and websites (created, edited, deleted; the tag to copy), messaging channels, API keys and webhooks.
import { type FormEvent, type MouseEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Api } from '../api';
import { type MessageKey, type Translate, useI18n } from '../i18n';
import { navigate } from '../router';
import { CopyButton, ErrorLine, Modal, formatTime, messageOf } from '../ui';
import { useList } from './use-list';
import { ChannelsTab, errorField } from './Channels';
import { type NamedDraft, type NamedRecord, type OperatorDraft, type OperatorRecord, type WebsiteDraft, type WebsiteRecord, namedChanges, namedDraft, operatorChanges, operatorDraft, websiteChanges, websiteDraft } from './changes';
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
/** The row being edited, and the button that opened its editor: focus goes back to it when the editor closes. */
function useEditor<T>() {
  const [editing, setEditing] = useState<T | null>(null);
  const opener = useRef<HTMLElement | null>(null);
  const open = (row: T, event: MouseEvent<HTMLElement>) => {
    opener.current = event.currentTarget;
    setEditing(row);
  };
  const close = useCallback(() => {
    setEditing(null);
    const button = opener.current;
    opener.current = null;
    if (button?.isConnected) button.focus();
  }, []);
  return { editing, open, close };
}

/**
 * An edit form's error from the API, and the field it names: that field is marked (aria-invalid), described by the
 * message and focused (a list of boxes: its first box).
 */
function useFieldError(prefix: string) {
  const [error, setError] = useState<string | null>(null);
  const invalid = error === null ? null : errorField(error);
  useEffect(() => {
    if (invalid === null) return;
    const element = document.getElementById(`${prefix}-${invalid}`);
    (element instanceof HTMLFieldSetElement ? element.querySelector('input') : element)?.focus();
  }, [error, invalid, prefix]);
  /** Typing in the field an error names takes its mark and message away (its inputs are named after the API field). */
  const onFormChange = (event: FormEvent<HTMLFormElement>) => {
    const target = event.target;
    if (invalid !== null && (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) && target.name === invalid) setError(null);
  };
  /** The attributes of the input or fieldset of a field. */
  const fieldProps = (field: string) => ({
    id: `${prefix}-${field}`,
    'aria-invalid': invalid === field || undefined,
    'aria-describedby': invalid === field ? `${prefix}-error` : undefined,
  });
  return { error, setError, fieldProps, onFormChange };
}

/** The error (role=alert) or "nothing changed" line of an edit form, then Cancel and Save. */
function EditFooter({ prefix, error, notice, busy, onCancel }: { prefix: string; error: string | null; notice: string | null; busy: boolean; onCancel: () => void }) {
  const { t } = useI18n();
  return (
    <>
      {error !== null && (
        <p className="error" role="alert" id={`${prefix}-error`} data-testid="edit-error">
          {error}
        </p>
      )}
      {notice !== null && (
        <p className="muted" role="status">
          {notice}
        </p>
      )}
      <div className="actions">
        <button type="button" onClick={onCancel}>
          {t('common.cancel')}
        </button>
        <button type="submit" className="primary" disabled={busy}>
          {t('common.save')}
        </button>
      </div>
    </>
  );
}

/** Sends a PUT with the changed fields; says so when there are none. */
function useSave(setError: (error: string | null) => void) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const save = async (body: Record<string, unknown> | null, send: (body: Record<string, unknown>) => Promise<unknown>, onSaved: () => void) => {
    setError(null);
    setNotice(null);
    if (body === null) {
      setNotice(t('admin.nothingToSave'));
      return;
    }
    setBusy(true);
    try {
      await send(body);
      onSaved();
    } catch (failure) {
      setError(messageOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return { busy, notice, save };
}

/** A line of ticked boxes for ids (websites, skills, operators). */
function IdBoxes({ name, legend, options, value, onChange, props, hint }: { name: string; legend: string; options: readonly { id: number; label: string }[]; value: readonly number[]; onChange: (next: number[]) => void; props: ReturnType<ReturnType<typeof useFieldError>['fieldProps']>; hint?: string }) {
  const { t } = useI18n();
  return (
    <fieldset className="wide-row" {...props}>
      <legend>{legend}</legend>
      {hint !== undefined && <p className="muted small wide-row">{hint}</p>}
      {options.length === 0 && <span className="muted small">{t('common.none')}</span>}
      {options.map((option) => (
        <label key={option.id} className="toggle">
          <input type="checkbox" name={name} value={option.id} checked={value.includes(option.id)} onChange={(event) => onChange(event.target.checked ? [...value, option.id] : value.filter((id) => id !== option.id))} />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

/** A saved change, said where a screen reader hears it. */
function SavedLine({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <p className="ok-line" role="status" data-testid="saved">
      {text}
    </p>
  );
}

type OperatorRow = OperatorRecord & { connected?: boolean; sso_key?: string };

interface Named {
  id: number;
  name: string;
}

function OperatorsTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const { rows, error, reload, act } = useList<OperatorRow>(api, '/operator?full=1&limit=100');
  const websites = useList<WebsiteRecord>(api, '/website?full=1&limit=100');
  const groups = useList<Named>(api, '/group?full=1&limit=100');
  const skills = useList<Named>(api, '/skill?full=1&limit=100');
  const editor = useEditor<OperatorRow>();
  const [saved, setSaved] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<string[]>(['operator']);

  const create = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const body = { name, email, roles, ...(password !== '' && { password }) };
    if (await act(() => api.post('/operator', body))) {
      setName('');
      setEmail('');
      setPassword('');
    }
  };
  const groupName = (id: number | null | undefined) => groups.rows?.find((group) => group.id === id)?.name ?? '';

  return (
    <section aria-labelledby="operators-title">
      <h2 id="operators-title">{t('admin.operators')}</h2>
      <ErrorLine error={error ?? websites.error ?? groups.error ?? skills.error} />
      <SavedLine text={saved} />
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
      <div className="table-scroll">
        <table className="table" data-testid="operators">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('admin.name')}</th>
              <th>{t('admin.email')}</th>
              <th>{t('admin.roles')}</th>
              <th>{t('admin.group')}</th>
              <th>{t('admin.slots')}</th>
              <th>{t('admin.connected')}</th>
              <th>SSO</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((operator) => (
              <tr key={operator.id} data-testid={`operator-${operator.id}`}>
                <td>{operator.id}</td>
                <td>
                  {operator.name}
                  {operator.pseudo && operator.pseudo !== operator.name && <span className="muted small"> ({operator.pseudo})</span>}
                </td>
                <td className="email">{operator.email}</td>
                <td data-testid="roles">{operator.roles.map((role) => roleLabel(t, role)).join(', ')}</td>
                <td>{groupName(operator.group_id)}</td>
                <td data-testid="slots">{operator.chat_max_number}</td>
                <td>{operator.connected ? '●' : '○'}</td>
                <td>{operator.sso_key && <CopyButton text={`${window.location.origin}/admin/login?key=${encodeURIComponent(operator.sso_key)}`} label={`SSO ${operator.name}`} />}</td>
                <td>
                  <RowActions
                    name={operator.name}
                    onEdit={(event) => {
                      setSaved(null);
                      editor.open(operator, event);
                    }}
                    onDelete={() => void act(() => api.delete(`/operator/${operator.id}`))}
                  />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {editor.editing !== null && (
        <OperatorEditor
          api={api}
          operator={editor.editing}
          websites={websites.rows ?? []}
          groups={groups.rows ?? []}
          skills={skills.rows ?? []}
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

const roleLabel = (t: Translate, role: string) => ((ROLES as readonly string[]).includes(role) ? t(`admin.role.${role}` as MessageKey) : role);

function OperatorEditor({ api, operator, websites, groups, skills, onCancel, onSaved }: { api: Api; operator: OperatorRow; websites: readonly WebsiteRecord[]; groups: readonly Named[]; skills: readonly Named[]; onCancel: () => void; onSaved: (name: string) => void }) {
  const { t } = useI18n();
  const prefix = useId();
  const [draft, setDraft] = useState<OperatorDraft>(() => operatorDraft(operator));
  const { error, setError, fieldProps, onFormChange } = useFieldError(prefix);
  const { busy, notice, save } = useSave(setError);
  const set = <K extends keyof OperatorDraft>(field: K, value: OperatorDraft[K]) => setDraft((current) => ({ ...current, [field]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(operatorChanges(operator, draft), (body) => api.put(`/operator/${operator.id}`, body), () => onSaved(draft.name.trim() || operator.name));
  };
  const text = (field: 'name' | 'first_name' | 'pseudo' | 'email', label: string, extra: { type?: string; autoComplete?: string; maxLength?: number } = {}) => (
    <div className="field">
      <label htmlFor={`${prefix}-${field}`}>{label}</label>
      <input name={field} value={draft[field]} onChange={(event) => set(field, event.target.value)} maxLength={255} autoComplete="off" {...extra} {...fieldProps(field)} />
    </div>
  );
  return (
    <Modal title={t('admin.editOperator', { name: operator.name })} onCancel={onCancel} testId="operator-editor" className="edit-dialog wide">
      <form onSubmit={submit} onChange={onFormChange} noValidate>
        <div className="edit-grid">
          {text('name', t('admin.name'))}
          {text('email', t('admin.email'), { type: 'email', maxLength: 254 })}
          {text('first_name', t('admin.firstName'))}
          {text('pseudo', t('admin.pseudo'))}
          <div className="field">
            <label htmlFor={`${prefix}-chat_max_number`}>{t('admin.chatSlots')}</label>
            <input name="chat_max_number" type="number" min={1} max={50} step={1} inputMode="numeric" value={draft.chat_max_number} onChange={(event) => set('chat_max_number', event.target.value)} {...fieldProps('chat_max_number')} />
          </div>
          <div className="field">
            <label htmlFor={`${prefix}-group_id`}>{t('admin.group')}</label>
            <select name="group_id" value={draft.group_id ?? ''} onChange={(event) => set('group_id', event.target.value === '' ? null : Number(event.target.value))} {...fieldProps('group_id')}>
              <option value="">{t('admin.noGroup')}</option>
              {groups.map((group) => (
                <option key={group.id} value={group.id}>
                  {group.name}
                </option>
              ))}
            </select>
          </div>
          <fieldset className="wide-row" {...fieldProps('roles')}>
            <legend>{t('admin.roles')}</legend>
            {ROLES.map((role) => (
              <label key={role} className="toggle">
                <input type="checkbox" name="roles" value={role} checked={draft.roles.includes(role)} onChange={(event) => set('roles', event.target.checked ? [...draft.roles, role] : draft.roles.filter((r) => r !== role))} />
                {roleLabel(t, role)}
              </label>
            ))}
          </fieldset>
          <IdBoxes name="website_list" legend={t('admin.websites')} options={websites.map((website) => ({ id: website.id, label: website.label || website.url }))} value={draft.website_list} onChange={(next) => set('website_list', next)} props={fieldProps('website_list')} />
          <IdBoxes name="skill_list" legend={t('admin.skills')} options={skills.map((skill) => ({ id: skill.id, label: skill.name }))} value={draft.skill_list} onChange={(next) => set('skill_list', next)} props={fieldProps('skill_list')} />
          <div className="field wide-row">
            <label htmlFor={`${prefix}-password`}>{t('admin.newPassword')}</label>
            <input name="password" type="password" autoComplete="new-password" value={draft.password} onChange={(event) => set('password', event.target.value)} {...fieldProps('password')} aria-describedby={error !== null && errorField(error) === 'password' ? `${prefix}-error ${prefix}-password-hint` : `${prefix}-password-hint`} />
            <small id={`${prefix}-password-hint`} className="muted">
              {t('admin.newPasswordHint')}
            </small>
          </div>
        </div>
        <EditFooter prefix={prefix} error={error} notice={notice} busy={busy} onCancel={onCancel} />
      </form>
    </Modal>
  );
}

/** Groups and skills: a name (and a parent, members, a skill's order): create, edit, delete. */
function NamedTab({ api, resource }: { api: Api; resource: 'group' | 'skill' }) {
  const { t } = useI18n();
  const { rows, error, reload, act } = useList<NamedRecord>(api, `/${resource}?full=1&limit=100`);
  const operators = useList<Named>(api, '/operator?full=1&limit=100');
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
                    onDelete={() => void act(() => api.delete(`/${resource}/${row.id}`))}
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

function NamedEditor({ api, resource, row, others, operators, onCancel, onSaved }: { api: Api; resource: 'group' | 'skill'; row: NamedRecord; others: readonly NamedRecord[]; operators: readonly Named[]; onCancel: () => void; onSaved: (name: string) => void }) {
  const { t } = useI18n();
  const prefix = useId();
  const [draft, setDraft] = useState<NamedDraft>(() => namedDraft(row));
  const { error, setError, fieldProps, onFormChange } = useFieldError(prefix);
  const { busy, notice, save } = useSave(setError);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(namedChanges(resource, row, draft), (body) => api.put(`/${resource}/${row.id}`, body), () => onSaved(draft.name.trim() || row.name));
  };
  return (
    <Modal title={t(resource === 'group' ? 'admin.editGroup' : 'admin.editSkill', { name: row.name })} onCancel={onCancel} testId={`${resource}-editor`} className="edit-dialog">
      <form onSubmit={submit} onChange={onFormChange} noValidate>
        <div className="edit-grid">
          <div className="field">
            <label htmlFor={`${prefix}-name`}>{t('admin.name')}</label>
            <input name="name" maxLength={255} autoComplete="off" value={draft.name} onChange={(event) => setDraft({ ...draft, name: event.target.value })} {...fieldProps('name')} />
          </div>
          <div className="field">
            <label htmlFor={`${prefix}-parent_id`}>{t('admin.parent')}</label>
            <select name="parent_id" value={draft.parent_id ?? ''} onChange={(event) => setDraft({ ...draft, parent_id: event.target.value === '' ? null : Number(event.target.value) })} {...fieldProps('parent_id')}>
              <option value="">{t('admin.noParent')}</option>
              {others.map((other) => (
                <option key={other.id} value={other.id}>
                  {other.name}
                </option>
              ))}
            </select>
          </div>
          {resource === 'skill' && (
            <div className="field">
              <label htmlFor={`${prefix}-order`}>{t('admin.order')}</label>
              <input name="order" type="number" step={1} inputMode="numeric" value={draft.order} onChange={(event) => setDraft({ ...draft, order: event.target.value })} {...fieldProps('order')} />
            </div>
          )}
          <IdBoxes
            name="operator_list"
            legend={t('admin.members')}
            options={operators.map((operator) => ({ id: operator.id, label: operator.name }))}
            value={draft.operator_list}
            onChange={(next) => setDraft({ ...draft, operator_list: next })}
            props={fieldProps('operator_list')}
            {...(resource === 'group' && { hint: t('admin.groupMembersHint') })}
          />
        </div>
        <EditFooter prefix={prefix} error={error} notice={notice} busy={busy} onCancel={onCancel} />
      </form>
    </Modal>
  );
}

/** The tag a website inserts (seed 003: "you just have to insert a tag"). The console is served by the server, so its origin is PUBLIC_URL. */
export function embedTag(origin: string, websiteId: number): string {
  return `<script src="${origin}/widget.js" data-website="${websiteId}" async></script>`;
}

const ROUTING_STRATEGIES = ['least_loaded', 'round_robin'] as const;

function WebsitesTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const { rows, error, reload, act } = useList<WebsiteRecord>(api, '/website?full=1&limit=100');
  const editor = useEditor<WebsiteRecord>();
  const [saved, setSaved] = useState<string | null>(null);
  const [url, setUrl] = useState('');
  const [label, setLabel] = useState('');
  return (
    <section aria-labelledby="websites-title">
      <h2 id="websites-title">{t('admin.websites')}</h2>
      <ErrorLine error={error} />
      <SavedLine text={saved} />
      <form
        className="inline-form card"
        onSubmit={(event) => {
          event.preventDefault();
          setSaved(null);
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

function WebsiteEditor({ api, website, onCancel, onSaved }: { api: Api; website: WebsiteRecord; onCancel: () => void; onSaved: (name: string) => void }) {
  const { t } = useI18n();
  const prefix = useId();
  const [draft, setDraft] = useState<WebsiteDraft>(() => websiteDraft(website));
  const { error, setError, fieldProps, onFormChange } = useFieldError(prefix);
  const { busy, notice, save } = useSave(setError);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(websiteChanges(website, draft), (body) => api.put(`/website/${website.id}`, body), () => onSaved(draft.label.trim() || draft.url.trim()));
  };
  return (
    <Modal title={t('admin.editWebsite', { name: `#${website.id} ${website.label || website.url}` })} onCancel={onCancel} testId="website-editor" className="edit-dialog">
      <form onSubmit={submit} onChange={onFormChange} noValidate>
        <div className="edit-grid">
          <div className="field wide-row">
            <label htmlFor={`${prefix}-url`}>{t('admin.url')}</label>
            <input name="url" type="url" inputMode="url" autoComplete="off" maxLength={2048} value={draft.url} onChange={(event) => setDraft({ ...draft, url: event.target.value })} {...fieldProps('url')} />
          </div>
          <div className="field wide-row">
            <label htmlFor={`${prefix}-label`}>{t('admin.label')}</label>
            <input name="label" maxLength={255} autoComplete="off" value={draft.label} onChange={(event) => setDraft({ ...draft, label: event.target.value })} {...fieldProps('label')} />
          </div>
          {draft.routing_strategy !== '' && (
            <div className="field wide-row">
              <label htmlFor={`${prefix}-routing_strategy`}>{t('admin.routing')}</label>
              <select name="routing_strategy" value={draft.routing_strategy} onChange={(event) => setDraft({ ...draft, routing_strategy: event.target.value })} {...fieldProps('routing_strategy')}>
                {ROUTING_STRATEGIES.map((strategy) => (
                  <option key={strategy} value={strategy}>
                    {t(`admin.routing.${strategy}`)}
                  </option>
                ))}
              </select>
            </div>
          )}
        </div>
        <EditFooter prefix={prefix} error={error} notice={notice} busy={busy} onCancel={onCancel} />
      </form>
    </Modal>
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
  const { rows, error, act } = useList<KeyRow>(api, '/key?full=1&limit=100');
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

/** The Edit button of a listed item, named after it for screen readers. */
function EditButton({ name, onEdit }: { name: string; onEdit: (event: React.MouseEvent<HTMLButtonElement>) => void }) {
  const { t } = useI18n();
  return (
    <button type="button" className="small" aria-label={t('admin.editLabel', { name })} onClick={onEdit}>
      {t('admin.edit')}
    </button>
  );
}

/** Edit and Delete (after a confirmation) for a table row. */
function RowActions({ name, onEdit, onDelete }: { name: string; onEdit: (event: React.MouseEvent<HTMLButtonElement>) => void; onDelete: () => void }) {
  const { t } = useI18n();
  return (
    <div className="row-actions">
      <EditButton name={name} onEdit={onEdit} />
      <button type="button" className="danger small" aria-label={t('admin.deleteLabel', { name })} onClick={() => window.confirm(t('admin.confirmDelete', { name })) && onDelete()}>
        {t('common.delete')}
      </button>
    </div>
  );
}
