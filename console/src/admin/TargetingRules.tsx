// Targeting rules (docs/TARGETING.md): which pages of a website show the chat button or an invitation — listed,
// created, edited, enabled or disabled, deleted. React escapes every text shown (names, messages, condition values).
import { type FormEvent, useState } from 'react';
import { type Api, dataOf, formBody, unwrap, withFields } from '../api';
import { type MessageKey, useI18n } from '../i18n';
import { ErrorLine, UnavailableSection } from '../ui';
import { type Named, RowActions, SavedLine } from './editors';
import {
  bodyOf,
  CONDITION_TYPES,
  type ConditionFields,
  type ConditionType,
  emptyRule,
  fieldsOf,
  newCondition,
  OPERATORS,
  type RuleFields,
  type RuleRecord,
  withType,
} from './targeting-form';
import { useList } from './use-list';

const FULL = { full: '1', limit: 100 } as const;
const loadRules = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/targeting_rule', { params: { query: FULL } })), [
    'name',
    'website_id',
    'status',
  ]) as unknown as RuleRecord[];
const loadWebsites = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/website', { params: { query: FULL } })), ['url']);
const loadGroups = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/group', { params: { query: FULL } })), ['name']);
const loadSkills = async (api: Api) =>
  withFields(await dataOf(api.GET('/api/2/skill', { params: { query: FULL } })), ['name']);

const DEVICES = ['desktop', 'mobile', 'tablet'];

export function TargetingTab({ api }: { api: Api }) {
  const { t } = useI18n();
  const { rows, error, act, missing } = useList<RuleRecord>(api, loadRules);
  const websites = useList<{ id: number; url: string }>(api, loadWebsites);
  const groups = useList<Named>(api, loadGroups);
  const skills = useList<Named>(api, loadSkills);
  const [editing, setEditing] = useState<number | null>(null);
  const [fields, setFields] = useState<RuleFields | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  if (missing)
    return (
      <UnavailableSection
        title={t('admin.targeting')}
        message={t('targeting.unavailable')}
        testId="targeting-unavailable"
      />
    );
  const typed = fields ?? emptyRule(websites.rows?.[0]?.id);
  // Typing may start before the websites are loaded: the select then shows the first, and the rule goes there.
  const firstWebsite = websites.rows?.[0];
  const form =
    typed.website_id === '' && firstWebsite !== undefined ? { ...typed, website_id: String(firstWebsite.id) } : typed;
  const change = (patch: Partial<RuleFields>) => setFields({ ...form, ...patch });
  const setCondition = (index: number, condition: ConditionFields) =>
    change({ conditions: form.conditions.map((item, at) => (at === index ? condition : item)) });
  const websiteUrl = (id: number) => websites.rows?.find((website) => website.id === id)?.url ?? `#${id}`;
  const reset = () => {
    setEditing(null);
    setFields(null);
  };

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setSaved(null);
    const done =
      editing === null
        ? await act(() => unwrap(api.POST('/api/2/targeting_rule', { body: formBody(bodyOf(form, false)) })))
        : await act(() =>
            unwrap(
              api.PUT('/api/2/targeting_rule/{id}', {
                params: { path: { id: editing } },
                body: formBody(bodyOf(form, true)),
              }),
            ),
          );
    if (done) {
      setSaved(t('targeting.saved', { name: form.name }));
      reset();
    }
  };

  return (
    <section aria-labelledby="targeting-title">
      <h2 id="targeting-title">{t('admin.targeting')}</h2>
      <p className="muted">{t('targeting.intro')}</p>
      <ErrorLine error={error ?? websites.error ?? groups.error ?? skills.error} />
      <SavedLine text={saved} />
      <form className="card targeting-form" onSubmit={(event) => void submit(event)} data-testid="targeting-form">
        <h3>{editing === null ? t('targeting.new') : t('targeting.editing', { name: form.name })}</h3>
        <div className="inline-form">
          <label>
            {t('admin.name')}
            <input name="name" required value={form.name} onChange={(event) => change({ name: event.target.value })} />
          </label>
          <label>
            {t('targeting.website')}
            <select
              name="website_id"
              value={form.website_id}
              disabled={editing !== null}
              onChange={(event) => change({ website_id: event.target.value })}
            >
              {(websites.rows ?? []).map((website) => (
                <option key={website.id} value={String(website.id)}>
                  {website.url}
                </option>
              ))}
            </select>
          </label>
          <label>
            {t('targeting.channel')}
            <select
              name="channel"
              value={form.channel}
              onChange={(event) => change({ channel: event.target.value as RuleFields['channel'] })}
            >
              <option value="chat">{t('channel.chat')}</option>
              <option value="call">{t('channel.call')}</option>
              <option value="video">{t('channel.video')}</option>
            </select>
          </label>
          <label>
            {t('targeting.priority')}
            <input
              name="priority"
              type="number"
              min={1}
              max={1000}
              value={form.priority}
              onChange={(event) => change({ priority: event.target.value })}
            />
          </label>
          <label>
            {t('targeting.status')}
            <select
              name="status"
              value={form.status}
              onChange={(event) => change({ status: event.target.value as RuleFields['status'] })}
            >
              <option value="active">{t('targeting.active')}</option>
              <option value="inactive">{t('targeting.inactive')}</option>
            </select>
          </label>
        </div>
        <fieldset>
          <legend>{t('targeting.conditions')}</legend>
          <label>
            {t('targeting.match')}
            <select
              name="match"
              value={form.match}
              onChange={(event) => change({ match: event.target.value as RuleFields['match'] })}
            >
              <option value="all">{t('targeting.matchAll')}</option>
              <option value="any">{t('targeting.matchAny')}</option>
            </select>
          </label>
          {form.conditions.length === 0 && <p className="muted small">{t('targeting.noCondition')}</p>}
          {form.conditions.map((condition, index) => (
            <ConditionRow
              // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no id; a row is its place in the list.
              key={index}
              index={index}
              condition={condition}
              onChange={(next) => setCondition(index, next)}
              onRemove={() => change({ conditions: form.conditions.filter((_, at) => at !== index) })}
            />
          ))}
          <button
            type="button"
            className="small"
            onClick={() => change({ conditions: [...form.conditions, newCondition()] })}
          >
            {t('targeting.addCondition')}
          </button>
        </fieldset>
        <div className="inline-form">
          <label>
            {t('targeting.action')}
            <select
              name="action"
              value={form.action}
              onChange={(event) => change({ action: event.target.value as RuleFields['action'] })}
            >
              <option value="button">{t('targeting.button')}</option>
              <option value="invitation">{t('targeting.invitation')}</option>
            </select>
          </label>
          {form.action === 'invitation' && (
            <>
              <label>
                {t('targeting.message')}
                <input
                  name="invitation_message"
                  required
                  maxLength={500}
                  value={form.invitation_message}
                  onChange={(event) => change({ invitation_message: event.target.value })}
                />
              </label>
              <label>
                {t('targeting.delay')}
                <input
                  name="invitation_delay_seconds"
                  type="number"
                  min={0}
                  max={3600}
                  value={form.invitation_delay_seconds}
                  onChange={(event) => change({ invitation_delay_seconds: event.target.value })}
                />
              </label>
            </>
          )}
          <label>
            {t('targeting.target')}
            <select name="target" value={form.target} onChange={(event) => change({ target: event.target.value })}>
              <option value="">{t('targeting.anyone')}</option>
              {(groups.rows ?? []).map((group) => (
                <option key={`g${group.id}`} value={`group:${group.id}`}>
                  {t('targeting.group', { name: group.name })}
                </option>
              ))}
              {(skills.rows ?? []).map((skill) => (
                <option key={`s${skill.id}`} value={`skill:${skill.id}`}>
                  {t('targeting.skill', { name: skill.name })}
                </option>
              ))}
            </select>
          </label>
          <label className="toggle">
            <input
              type="checkbox"
              name="only_when_available"
              checked={form.only_when_available}
              onChange={(event) => change({ only_when_available: event.target.checked })}
            />
            {t('targeting.onlyAvailable')}
          </label>
        </div>
        <div className="row-actions">
          <button type="submit" className="primary">
            {editing === null ? t('common.create') : t('common.save')}
          </button>
          {editing !== null && (
            <button type="button" onClick={reset}>
              {t('common.cancel')}
            </button>
          )}
        </div>
      </form>
      <div className="table-scroll">
        <table className="table" data-testid="targeting-rules">
          <thead>
            <tr>
              <th>#</th>
              <th>{t('admin.name')}</th>
              <th>{t('targeting.website')}</th>
              <th>{t('targeting.channel')}</th>
              <th>{t('targeting.priority')}</th>
              <th>{t('targeting.action')}</th>
              <th>{t('targeting.status')}</th>
              <th />
            </tr>
          </thead>
          <tbody>
            {(rows ?? []).map((rule) => (
              <tr key={rule.id} data-testid={`targeting-rule-${rule.id}`}>
                <td>{rule.id}</td>
                <td data-testid="name">{rule.name}</td>
                <td>{websiteUrl(rule.website_id)}</td>
                <td>{t(`channel.${rule.channel}` as MessageKey)}</td>
                <td>{rule.priority}</td>
                <td>
                  {rule.action === 'invitation' ? t('targeting.invitation') : t('targeting.button')}
                  {rule.invitation_message !== null && (
                    <span className="muted small"> — {rule.invitation_message}</span>
                  )}
                </td>
                <td>{rule.status === 'active' ? t('targeting.active') : t('targeting.inactive')}</td>
                <td>
                  <div className="row-actions">
                    <button
                      type="button"
                      className="small"
                      onClick={() =>
                        void act(() =>
                          unwrap(
                            api.PUT('/api/2/targeting_rule/{id}', {
                              params: { path: { id: rule.id } },
                              body: { status: rule.status === 'active' ? 'inactive' : 'active' },
                            }),
                          ),
                        )
                      }
                    >
                      {rule.status === 'active' ? t('targeting.disable') : t('targeting.enable')}
                    </button>
                    <RowActions
                      name={rule.name}
                      onEdit={() => {
                        setSaved(null);
                        setEditing(rule.id);
                        setFields(fieldsOf(rule));
                      }}
                      onDelete={() =>
                        void act(() =>
                          unwrap(api.DELETE('/api/2/targeting_rule/{id}', { params: { path: { id: rule.id } } })),
                        ).then((done) => done && editing === rule.id && reset())
                      }
                    />
                  </div>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        {rows !== null && rows.length === 0 && <p className="muted">{t('common.none')}</p>}
      </div>
    </section>
  );
}

function ConditionRow({
  index,
  condition,
  onChange,
  onRemove,
}: {
  index: number;
  condition: ConditionFields;
  onChange: (condition: ConditionFields) => void;
  onRemove: () => void;
}) {
  const { t } = useI18n();
  const label = t('targeting.conditionLabel', { index: index + 1 });
  return (
    <fieldset className="inline-form condition" aria-label={label}>
      <select
        aria-label={t('targeting.type')}
        value={condition.type}
        onChange={(event) => onChange(withType(condition, event.target.value as ConditionType))}
      >
        {CONDITION_TYPES.map((type) => (
          <option key={type} value={type}>
            {t(`targeting.type.${type}` as MessageKey)}
          </option>
        ))}
      </select>
      <select
        aria-label={t('targeting.operator')}
        value={condition.operator}
        onChange={(event) => onChange({ ...condition, operator: event.target.value })}
      >
        {OPERATORS[condition.type].map((operator) => (
          <option key={operator} value={operator}>
            {t(`targeting.op.${operator}` as MessageKey)}
          </option>
        ))}
      </select>
      {condition.type === 'returning_visitor' ? (
        <select
          aria-label={t('targeting.value')}
          value={condition.value}
          onChange={(event) => onChange({ ...condition, value: event.target.value })}
        >
          <option value="true">{t('targeting.yes')}</option>
          <option value="false">{t('targeting.no')}</option>
        </select>
      ) : condition.type === 'device' ? (
        <select
          aria-label={t('targeting.value')}
          value={condition.value}
          onChange={(event) => onChange({ ...condition, value: event.target.value })}
        >
          <option value="" />
          {DEVICES.map((device) => (
            <option key={device} value={device}>
              {t(`targeting.device.${device}` as MessageKey)}
            </option>
          ))}
        </select>
      ) : (
        <input
          aria-label={t('targeting.value')}
          value={condition.value}
          required
          onChange={(event) => onChange({ ...condition, value: event.target.value })}
        />
      )}
      <button
        type="button"
        className="small"
        aria-label={t('targeting.removeCondition', { index: index + 1 })}
        onClick={onRemove}
      >
        ×
      </button>
    </fieldset>
  );
}
