// The administration's editing dialogs (operators, groups and skills, websites) and the pieces they share: which row is
// edited and where the focus returns, the API's field error on its input, Save with only the changed fields.
import { type FormEvent, type MouseEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import { type Api, formBody, unwrap } from '../api';
import { type FormError, formErrorOf } from '../form-error';
import { type MessageKey, type Translate, useI18n } from '../i18n';
import { Modal } from '../ui';
import {
  type NamedDraft,
  type NamedRecord,
  namedChanges,
  namedDraft,
  type OperatorDraft,
  type OperatorRecord,
  operatorChanges,
  operatorDraft,
  type WebsiteDraft,
  type WebsiteRecord,
  websiteChanges,
  websiteDraft,
} from './changes';
import { currencyOptions } from './locale-options';
import { useOperatorsText } from './strings';

export const ROLES = ['operator', 'expert', 'manager', 'admin'] as const;

/** The row being edited, and the button that opened its editor: focus goes back to it when the editor closes. */
export function useEditor<T>() {
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
  const [error, setError] = useState<FormError | null>(null);
  const invalid = error?.field ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: each new error (`error`) focuses its field again, even the same field.
  useEffect(() => {
    if (invalid === null) return;
    const element = document.getElementById(`${prefix}-${invalid}`);
    (element instanceof HTMLFieldSetElement ? element.querySelector('input') : element)?.focus();
  }, [error, invalid, prefix]);
  /** Typing in the field an error names takes its mark and message away (its inputs are named after the API field). */
  const onFormChange = (event: FormEvent<HTMLFormElement>) => {
    const target = event.target;
    if (
      invalid !== null &&
      (target instanceof HTMLInputElement || target instanceof HTMLSelectElement) &&
      target.name === invalid
    )
      setError(null);
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
function EditFooter({
  prefix,
  error,
  notice,
  busy,
  onCancel,
}: {
  prefix: string;
  error: FormError | null;
  notice: string | null;
  busy: boolean;
  onCancel: () => void;
}) {
  const { t } = useI18n();
  return (
    <>
      {error !== null && (
        <p className="error" role="alert" id={`${prefix}-error`} data-testid="edit-error">
          {error.message}
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
function useSave(setError: (error: FormError | null) => void) {
  const { t } = useI18n();
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const save = async (
    body: Record<string, unknown> | null,
    send: (body: Record<string, unknown>) => Promise<unknown>,
    onSaved: () => void,
  ) => {
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
      setError(formErrorOf(failure));
    } finally {
      setBusy(false);
    }
  };
  return { busy, notice, save };
}

/** A line of ticked boxes for ids (websites, skills, operators), with a hint and a warning about the choice. */
export function IdBoxes({
  name,
  legend,
  options,
  value,
  onChange,
  props,
  hint,
  warning,
}: {
  name: string;
  legend: string;
  options: readonly { id: number; label: string }[];
  value: readonly number[];
  onChange: (next: number[]) => void;
  props: ReturnType<ReturnType<typeof useFieldError>['fieldProps']>;
  hint?: string;
  warning?: string;
}) {
  const { t } = useI18n();
  return (
    <fieldset className="wide-row" {...props}>
      <legend>{legend}</legend>
      {hint !== undefined && <p className="muted small wide-row">{hint}</p>}
      {warning !== undefined && (
        <p className="warning-line small wide-row" data-testid="no-website-warning">
          {warning}
        </p>
      )}
      {options.length === 0 && <span className="muted small">{t('common.none')}</span>}
      {options.map((option) => (
        <label key={option.id} className="toggle">
          <input
            type="checkbox"
            name={name}
            value={option.id}
            checked={value.includes(option.id)}
            onChange={(event) =>
              onChange(event.target.checked ? [...value, option.id] : value.filter((id) => id !== option.id))
            }
          />
          {option.label}
        </label>
      ))}
    </fieldset>
  );
}

/** A saved change, said where a screen reader hears it. */
export function SavedLine({ text }: { text: string | null }) {
  if (text === null) return null;
  return (
    <p className="ok-line" role="status" data-testid="saved">
      {text}
    </p>
  );
}

export type OperatorRow = OperatorRecord & { connected?: boolean };

export interface Named {
  id: number;
  name: string;
}

export const roleLabel = (t: Translate, role: string) =>
  (ROLES as readonly string[]).includes(role) ? t(`admin.role.${role}` as MessageKey) : role;

export function OperatorEditor({
  api,
  operator,
  websites,
  groups,
  skills,
  onCancel,
  onSaved,
}: {
  api: Api;
  operator: OperatorRow;
  websites: readonly WebsiteRecord[];
  groups: readonly Named[];
  skills: readonly Named[];
  onCancel: () => void;
  onSaved: (name: string) => void;
}) {
  const { t } = useI18n();
  const operatorsText = useOperatorsText();
  const prefix = useId();
  const [draft, setDraft] = useState<OperatorDraft>(() => operatorDraft(operator));
  const { error, setError, fieldProps, onFormChange } = useFieldError(prefix);
  const { busy, notice, save } = useSave(setError);
  const set = <K extends keyof OperatorDraft>(field: K, value: OperatorDraft[K]) =>
    setDraft((current) => ({ ...current, [field]: value }));
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(
      operatorChanges(operator, draft),
      (body) =>
        unwrap(api.PUT('/api/2/operator/{id}', { params: { path: { id: operator.id } }, body: formBody(body) })),
      () => onSaved(draft.name.trim() || operator.name),
    );
  };
  const text = (
    field: 'name' | 'first_name' | 'pseudo' | 'email',
    label: string,
    extra: { type?: string; autoComplete?: string; maxLength?: number } = {},
  ) => (
    <div className="field">
      <label htmlFor={`${prefix}-${field}`}>{label}</label>
      <input
        name={field}
        value={draft[field]}
        onChange={(event) => set(field, event.target.value)}
        maxLength={255}
        autoComplete="off"
        {...extra}
        {...fieldProps(field)}
      />
    </div>
  );
  return (
    <Modal
      title={t('admin.editOperator', { name: operator.name })}
      onCancel={onCancel}
      testId="operator-editor"
      className="edit-dialog wide"
    >
      <form onSubmit={submit} onChange={onFormChange} noValidate>
        <div className="edit-grid">
          {text('name', t('admin.name'))}
          {text('email', t('admin.email'), { type: 'email', maxLength: 254 })}
          {text('first_name', t('admin.firstName'))}
          {text('pseudo', t('admin.pseudo'))}
          <div className="field">
            <label htmlFor={`${prefix}-chat_max_number`}>{t('admin.chatSlots')}</label>
            <input
              name="chat_max_number"
              type="number"
              min={1}
              max={50}
              step={1}
              inputMode="numeric"
              value={draft.chat_max_number}
              onChange={(event) => set('chat_max_number', event.target.value)}
              {...fieldProps('chat_max_number')}
            />
          </div>
          <div className="field">
            <label htmlFor={`${prefix}-group_id`}>{t('admin.group')}</label>
            <select
              name="group_id"
              value={draft.group_id ?? ''}
              onChange={(event) => set('group_id', event.target.value === '' ? null : Number(event.target.value))}
              {...fieldProps('group_id')}
            >
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
                <input
                  type="checkbox"
                  name="roles"
                  value={role}
                  checked={draft.roles.includes(role)}
                  onChange={(event) =>
                    set('roles', event.target.checked ? [...draft.roles, role] : draft.roles.filter((r) => r !== role))
                  }
                />
                {roleLabel(t, role)}
              </label>
            ))}
          </fieldset>
          <IdBoxes
            name="website_list"
            legend={t('admin.websites')}
            options={websites.map((website) => ({ id: website.id, label: website.label || website.url }))}
            value={draft.website_list}
            onChange={(next) => set('website_list', next)}
            props={fieldProps('website_list')}
            warning={draft.website_list.length === 0 ? operatorsText('operators.noWebsiteForm') : undefined}
          />
          <IdBoxes
            name="skill_list"
            legend={t('admin.skills')}
            options={skills.map((skill) => ({ id: skill.id, label: skill.name }))}
            value={draft.skill_list}
            onChange={(next) => set('skill_list', next)}
            props={fieldProps('skill_list')}
          />
          <div className="field wide-row">
            <label htmlFor={`${prefix}-password`}>{t('admin.newPassword')}</label>
            <input
              name="password"
              type="password"
              autoComplete="new-password"
              value={draft.password}
              onChange={(event) => set('password', event.target.value)}
              {...fieldProps('password')}
              aria-describedby={
                error?.field === 'password' ? `${prefix}-error ${prefix}-password-hint` : `${prefix}-password-hint`
              }
            />
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

export function NamedEditor({
  api,
  resource,
  row,
  others,
  operators,
  onCancel,
  onSaved,
}: {
  api: Api;
  resource: 'group' | 'skill';
  row: NamedRecord;
  others: readonly NamedRecord[];
  operators: readonly Named[];
  onCancel: () => void;
  onSaved: (name: string) => void;
}) {
  const { t } = useI18n();
  const prefix = useId();
  const [draft, setDraft] = useState<NamedDraft>(() => namedDraft(row));
  const { error, setError, fieldProps, onFormChange } = useFieldError(prefix);
  const { busy, notice, save } = useSave(setError);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(
      namedChanges(resource, row, draft),
      (body) =>
        resource === 'group'
          ? unwrap(api.PUT('/api/2/group/{id}', { params: { path: { id: row.id } }, body: formBody(body) }))
          : unwrap(api.PUT('/api/2/skill/{id}', { params: { path: { id: row.id } }, body: formBody(body) })),
      () => onSaved(draft.name.trim() || row.name),
    );
  };
  return (
    <Modal
      title={t(resource === 'group' ? 'admin.editGroup' : 'admin.editSkill', { name: row.name })}
      onCancel={onCancel}
      testId={`${resource}-editor`}
      className="edit-dialog"
    >
      <form onSubmit={submit} onChange={onFormChange} noValidate>
        <div className="edit-grid">
          <div className="field">
            <label htmlFor={`${prefix}-name`}>{t('admin.name')}</label>
            <input
              name="name"
              maxLength={255}
              autoComplete="off"
              value={draft.name}
              onChange={(event) => setDraft({ ...draft, name: event.target.value })}
              {...fieldProps('name')}
            />
          </div>
          <div className="field">
            <label htmlFor={`${prefix}-parent_id`}>{t('admin.parent')}</label>
            <select
              name="parent_id"
              value={draft.parent_id ?? ''}
              onChange={(event) =>
                setDraft({ ...draft, parent_id: event.target.value === '' ? null : Number(event.target.value) })
              }
              {...fieldProps('parent_id')}
            >
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
              <input
                name="order"
                type="number"
                step={1}
                inputMode="numeric"
                value={draft.order}
                onChange={(event) => setDraft({ ...draft, order: event.target.value })}
                {...fieldProps('order')}
              />
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

const ROUTING_STRATEGIES = ['least_loaded', 'round_robin'] as const;

export function WebsiteEditor({
  api,
  website,
  onCancel,
  onSaved,
}: {
  api: Api;
  website: WebsiteRecord;
  onCancel: () => void;
  onSaved: (name: string) => void;
}) {
  const { t, language } = useI18n();
  const prefix = useId();
  const [draft, setDraft] = useState<WebsiteDraft>(() => websiteDraft(website));
  const { error, setError, fieldProps, onFormChange } = useFieldError(prefix);
  const { busy, notice, save } = useSave(setError);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    void save(
      websiteChanges(website, draft),
      (body) => unwrap(api.PUT('/api/2/website/{id}', { params: { path: { id: website.id } }, body: formBody(body) })),
      () => onSaved(draft.label.trim() || draft.url.trim()),
    );
  };
  return (
    <Modal
      title={t('admin.editWebsite', { name: `#${website.id} ${website.label || website.url}` })}
      onCancel={onCancel}
      testId="website-editor"
      className="edit-dialog"
    >
      <form onSubmit={submit} onChange={onFormChange} noValidate>
        <div className="edit-grid">
          <div className="field wide-row">
            <label htmlFor={`${prefix}-url`}>{t('admin.url')}</label>
            <input
              name="url"
              type="url"
              inputMode="url"
              autoComplete="off"
              maxLength={2048}
              value={draft.url}
              onChange={(event) => setDraft({ ...draft, url: event.target.value })}
              {...fieldProps('url')}
            />
          </div>
          <div className="field wide-row">
            <label htmlFor={`${prefix}-label`}>{t('admin.label')}</label>
            <input
              name="label"
              maxLength={255}
              autoComplete="off"
              value={draft.label}
              onChange={(event) => setDraft({ ...draft, label: event.target.value })}
              {...fieldProps('label')}
            />
          </div>
          {draft.currency !== '' && (
            <div className="field wide-row">
              <label htmlFor={`${prefix}-currency`}>{t('admin.currency')}</label>
              <select
                name="currency"
                value={draft.currency}
                onChange={(event) => setDraft({ ...draft, currency: event.target.value })}
                {...fieldProps('currency')}
              >
                {currencyOptions(draft.currency, language).map(([code, name]) => (
                  <option key={code} value={code}>
                    {name === code ? code : `${code} — ${name}`}
                  </option>
                ))}
              </select>
            </div>
          )}
          {draft.routing_strategy !== '' && (
            <div className="field wide-row">
              <label htmlFor={`${prefix}-routing_strategy`}>{t('admin.routing')}</label>
              <select
                name="routing_strategy"
                value={draft.routing_strategy}
                onChange={(event) => setDraft({ ...draft, routing_strategy: event.target.value })}
                {...fieldProps('routing_strategy')}
              >
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

/** The Edit button of a listed item, named after it for screen readers. */
export function EditButton({
  name,
  onEdit,
}: {
  name: string;
  onEdit: (event: React.MouseEvent<HTMLButtonElement>) => void;
}) {
  const { t } = useI18n();
  return (
    <button type="button" className="small" aria-label={t('admin.editLabel', { name })} onClick={onEdit}>
      {t('admin.edit')}
    </button>
  );
}

/** Edit and Delete (after a confirmation) for a table row. */
export function RowActions({
  name,
  onEdit,
  onDelete,
}: {
  name: string;
  onEdit: (event: React.MouseEvent<HTMLButtonElement>) => void;
  onDelete: () => void;
}) {
  const { t } = useI18n();
  return (
    <div className="row-actions">
      <EditButton name={name} onEdit={onEdit} />
      <button
        type="button"
        className="danger small"
        aria-label={t('admin.deleteLabel', { name })}
        onClick={() => window.confirm(t('admin.confirmDelete', { name })) && onDelete()}
      >
        {t('common.delete')}
      </button>
    </div>
  );
}
