// The operators' administration: create one with its roles, websites, group and skills (a new operator on no website
// receives no chat, so every website is ticked by default), the list with an SSO link to issue, edit and delete; an
// available operator on no website is named in a warning above the list.
import { type FormEvent, useId, useState } from 'react';
import { type Api, dataOf, unwrap } from '../api';
import { useI18n } from '../i18n';
import { CopyButton, ErrorLine } from '../ui';
import type { WebsiteRecord } from './changes';
import {
  IdBoxes,
  type Named,
  OperatorEditor,
  type OperatorRow,
  ROLES,
  RowActions,
  roleLabel,
  SavedLine,
  useEditor,
} from './editors';
import { loadGroups, loadOperators, loadSkills, loadWebsites } from './loaders';
import { useOperatorsText } from './strings';
import { useList } from './use-list';
import './operators.css';

const plainField = (id: string) => ({ id, 'aria-invalid': undefined, 'aria-describedby': undefined });

export function OperatorsTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const text = useOperatorsText();
  const prefix = useId();
  const { rows, error, reload, act } = useList<OperatorRow>(api, loadOperators);
  const websites = useList<WebsiteRecord>(api, loadWebsites);
  const groups = useList<Named>(api, loadGroups);
  const skills = useList<Named>(api, loadSkills);
  const editor = useEditor<OperatorRow>();
  const [saved, setSaved] = useState<string | null>(null);
  const [name, setName] = useState('');
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [roles, setRoles] = useState<(typeof ROLES)[number][]>(['operator']);
  // null until the manager ticks a box: every website of the client, so that a new operator receives chats.
  const [websiteChoice, setWebsiteChoice] = useState<number[] | null>(null);
  const [groupId, setGroupId] = useState<number | null>(null);
  const [skillIds, setSkillIds] = useState<number[]>([]);
  // An SSO key is shown once (the server keeps only its hash): a new link is issued on demand and shown here.
  const [ssoLink, setSsoLink] = useState<{ name: string; url: string } | null>(null);

  const allWebsiteIds = (websites.rows ?? []).map((website) => website.id);
  const websiteIds = websiteChoice ?? allWebsiteIds;
  const create = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const body = {
      name,
      email,
      roles,
      website_list: websiteIds,
      skill_list: skillIds,
      ...(groupId !== null && { group_id: groupId }),
      ...(password !== '' && { password }),
    };
    if (await act(() => dataOf(api.POST('/api/2/operator', { body })))) {
      setName('');
      setEmail('');
      setPassword('');
      setWebsiteChoice(null);
      setGroupId(null);
      setSkillIds([]);
    }
  };
  const groupName = (id: number | null | undefined) => groups.rows?.find((group) => group.id === id)?.name ?? '';
  const onNoWebsite = (operator: OperatorRow) => (operator.website_list ?? []).length === 0;
  const availableWithoutWebsite = (rows ?? []).filter((operator) => operator.connected && onNoWebsite(operator));

  return (
    <section aria-labelledby="operators-title">
      <h2 id="operators-title">{t('admin.operators')}</h2>
      <ErrorLine error={error ?? websites.error ?? groups.error ?? skills.error} />
      <SavedLine text={saved} />
      <form
        className="inline-form card operator-create"
        aria-label={text('operators.create')}
        data-testid="operator-create"
        onSubmit={(event) => void create(event)}
      >
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
          <input
            name="password"
            type="password"
            minLength={8}
            autoComplete="new-password"
            value={password}
            onChange={(event) => setPassword(event.target.value)}
          />
        </label>
        <label>
          {t('admin.group')}
          <select
            name="group_id"
            value={groupId ?? ''}
            onChange={(event) => setGroupId(event.target.value === '' ? null : Number(event.target.value))}
          >
            <option value="">{t('admin.noGroup')}</option>
            {(groups.rows ?? []).map((group) => (
              <option key={group.id} value={group.id}>
                {group.name}
              </option>
            ))}
          </select>
        </label>
        <fieldset className="wide-row">
          <legend>{t('admin.roles')}</legend>
          {ROLES.map((role) => (
            <label key={role} className="toggle">
              <input
                type="checkbox"
                name="roles"
                value={role}
                checked={roles.includes(role)}
                onChange={(event) =>
                  setRoles((current) => (event.target.checked ? [...current, role] : current.filter((r) => r !== role)))
                }
              />
              {roleLabel(t, role)}
            </label>
          ))}
        </fieldset>
        <IdBoxes
          name="website_list"
          legend={t('admin.websites')}
          options={(websites.rows ?? []).map((website) => ({ id: website.id, label: website.label || website.url }))}
          value={websiteIds}
          onChange={setWebsiteChoice}
          props={plainField(`${prefix}-website_list`)}
          hint={text('operators.websitesHint')}
          warning={websites.rows !== null && websiteIds.length === 0 ? text('operators.noWebsiteForm') : undefined}
        />
        <IdBoxes
          name="skill_list"
          legend={t('admin.skills')}
          options={(skills.rows ?? []).map((skill) => ({ id: skill.id, label: skill.name }))}
          value={skillIds}
          onChange={setSkillIds}
          props={plainField(`${prefix}-skill_list`)}
        />
        <button type="submit" className="primary" disabled={roles.length === 0}>
          {t('common.create')}
        </button>
      </form>
      {availableWithoutWebsite.length > 0 && (
        <p className="warning-line" role="status" data-testid="available-without-website">
          {text('operators.availableWithoutWebsite', {
            names: availableWithoutWebsite.map((operator) => operator.name).join(', '),
          })}
        </p>
      )}
      {ssoLink !== null && (
        <div className="card secret" role="status" data-testid="new-sso-link">
          <p>{t('admin.ssoShownOnce', { name: ssoLink.name })}</p>
          <div className="code-row">
            <code className="mono">{ssoLink.url}</code>
            <CopyButton text={ssoLink.url} label={`SSO ${ssoLink.name}`} />
          </div>
        </div>
      )}
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
                  {operator.pseudo && operator.pseudo !== operator.name && (
                    <span className="muted small"> ({operator.pseudo})</span>
                  )}
                  {onNoWebsite(operator) && (
                    <span className="badge-warning" title={text('operators.noWebsiteTitle')} data-testid="no-website">
                      {text('operators.noWebsite')}
                    </span>
                  )}
                </td>
                <td className="email">{operator.email}</td>
                <td data-testid="roles">{operator.roles.map((role) => roleLabel(t, role)).join(', ')}</td>
                <td>{groupName(operator.group_id)}</td>
                <td data-testid="slots">{operator.chat_max_number}</td>
                <td>{operator.connected ? '●' : '○'}</td>
                <td>
                  <button
                    type="button"
                    className="small"
                    aria-label={`${t('admin.newSsoLink')} ${operator.name}`}
                    onClick={() =>
                      void act(async () => {
                        const issued = await dataOf(
                          api.POST('/api/2/operator/{id}/sso_key', { params: { path: { id: operator.id } } }),
                        );
                        const url = `${window.location.origin}/admin/login?key=${encodeURIComponent(issued.sso_key)}`;
                        setSsoLink({ name: operator.name, url });
                      })
                    }
                  >
                    {t('admin.newSsoLink')}
                  </button>
                </td>
                <td>
                  <RowActions
                    name={operator.name}
                    onEdit={(event) => {
                      setSaved(null);
                      editor.open(operator, event);
                    }}
                    onDelete={() =>
                      void act(() =>
                        unwrap(api.DELETE('/api/2/operator/{id}', { params: { path: { id: operator.id } } })),
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
