// The dialogs of a conversation: transfer (to an operator, a group or a skill), close (tags, a summary note, and an
// installed app's closing form when the website has one), an approved WhatsApp template, and a problem report.
import { useState } from 'react';
import { type Api, failedField } from '../api';
import { useI18n } from '../i18n';
import type { Me } from '../me';
import { Modal, messageOf } from '../ui';
import { ClosingFormFields, useClosingForm, useInteractionWords } from './AppInteractions';
import type { Directory } from './directory';
import {
  type ClosingAnswers,
  type ConversationApp,
  closingAnswersToSend,
  closingFieldOf,
  missingRequired,
} from './interactions';

/** The closing form answered, when an installed app asks for one: closing then goes through that app's route. */
export interface ClosingWithApp {
  installationId: number;
  answers: ClosingAnswers;
}

export type TransferTarget = { operator_id: number } | { group_id: number } | { skill_id: number };

export function TransferDialog({
  directory,
  me,
  onCancel,
  onSubmit,
}: {
  directory: Directory;
  me: Me | null;
  onCancel: () => void;
  onSubmit: (target: TransferTarget) => Promise<void>;
}) {
  const { t } = useI18n();
  const [kind, setKind] = useState<'operator' | 'group' | 'skill'>('operator');
  const [target, setTarget] = useState('');
  const [busy, setBusy] = useState(false);
  const options =
    kind === 'operator'
      ? directory.operators
          .filter((operator) => operator.id !== me?.id)
          .map((operator) => ({ id: operator.id, name: operator.pseudo || operator.name }))
      : kind === 'group'
        ? directory.groups
        : directory.skills;
  return (
    <Modal title={t('transfer.title')} onCancel={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          const id = Number(target);
          if (!Number.isInteger(id) || id <= 0) return;
          setBusy(true);
          void onSubmit(
            kind === 'operator' ? { operator_id: id } : kind === 'group' ? { group_id: id } : { skill_id: id },
          ).finally(() => setBusy(false));
        }}
      >
        <fieldset>
          {(['operator', 'group', 'skill'] as const).map((name) => (
            <label key={name} className="toggle">
              <input
                type="radio"
                name="transfer-kind"
                value={name}
                checked={kind === name}
                onChange={() => {
                  setKind(name);
                  setTarget('');
                }}
              />
              {t(`transfer.${name}`)}
            </label>
          ))}
        </fieldset>
        <select
          name="transfer-target"
          value={target}
          onChange={(event) => setTarget(event.target.value)}
          required
          aria-label={t(`transfer.${kind}`)}
        >
          <option value="">—</option>
          {options.map((option) => (
            <option key={option.id} value={option.id}>
              {option.name}
            </option>
          ))}
        </select>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy || target === ''}>
            {t('transfer.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

export function CloseDialog({
  api,
  conversationId,
  apps,
  directory,
  websiteId,
  onCancel,
  onSubmit,
}: {
  api: Api;
  conversationId: number;
  /** The apps of the conversation's website (null while loading). */
  apps: ConversationApp[] | null;
  directory: Directory;
  websiteId: number;
  onCancel: () => void;
  /** Throws a failure naming a closing field (`closing[answers][id]`) for the dialog to show beside it. */
  onSubmit: (tags: number[], summary: string, closing: ClosingWithApp | null) => Promise<void>;
}) {
  const { t } = useI18n();
  const w = useInteractionWords();
  const [tags, setTags] = useState<number[]>([]);
  const [summary, setSummary] = useState('');
  const [busy, setBusy] = useState(false);
  const closing = useClosingForm(api, conversationId, apps);
  const [answers, setAnswers] = useState<ClosingAnswers>({});
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  // A form that cannot load (a broken connector) leaves the usual closing: the conversation is never held by an app.
  const withForm = closing.app !== null && closing.form !== null;
  const waitingForm = closing.app !== null && closing.form === null && closing.error === null;
  const submit = async () => {
    let answered: ClosingWithApp | null = null;
    if (withForm && closing.app !== null && closing.form !== null) {
      const missing = missingRequired(closing.form, answers);
      if (missing.length > 0) {
        setFieldErrors(Object.fromEntries(missing.map((id) => [id, w('requiredMissing')])));
        return;
      }
      answered = {
        installationId: closing.app.installation_id,
        answers: closingAnswersToSend(closing.form, answers),
      };
    }
    setFieldErrors({});
    setBusy(true);
    try {
      await onSubmit(tags, summary.trim(), answered);
    } catch (failure) {
      const field = closingFieldOf(failedField(failure));
      if (field !== null) setFieldErrors({ [field]: messageOf(failure) });
    } finally {
      setBusy(false);
    }
  };
  // Tags offered on this website (a tag without websites is offered everywhere), archived ones aside.
  const offered = directory.tags.filter(
    (tag) =>
      tag.archived !== true && (!tag.website_id || tag.website_id.length === 0 || tag.website_id.includes(websiteId)),
  );
  return (
    <Modal title={t('close.title')} onCancel={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void submit();
        }}
      >
        {closing.app !== null && (
          <ClosingFormFields
            app={closing.app}
            form={closing.form}
            error={closing.error}
            retry={closing.retry}
            answers={answers}
            onChange={(changed) => {
              setAnswers(changed);
              setFieldErrors({});
            }}
            fieldErrors={fieldErrors}
          />
        )}
        {offered.length > 0 && (
          <fieldset>
            <legend>{t('close.tags')}</legend>
            {offered.map((tag) => (
              <label key={tag.id} className="toggle">
                <input
                  type="checkbox"
                  checked={tags.includes(tag.id)}
                  onChange={(event) =>
                    setTags((current) =>
                      event.target.checked ? [...current, tag.id] : current.filter((id) => id !== tag.id),
                    )
                  }
                />
                {tag.name}
              </label>
            ))}
          </fieldset>
        )}
        <label>
          {t('close.summary')}
          <textarea
            name="summary"
            rows={3}
            maxLength={20000}
            value={summary}
            onChange={(event) => setSummary(event.target.value)}
          />
        </label>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="danger" disabled={busy || waitingForm}>
            {t('close.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** A problem the operator reports on the conversation, with its reason (counted by the operator statistics). */
export function ProblemDialog({
  onCancel,
  onSubmit,
}: {
  onCancel: () => void;
  onSubmit: (reason: string) => Promise<void>;
}) {
  const { t } = useI18n();
  const [reason, setReason] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal title={t('problem.title')} onCancel={onCancel} testId="problem-dialog">
      <form
        onSubmit={(event) => {
          event.preventDefault();
          if (reason.trim() === '') return;
          setBusy(true);
          void onSubmit(reason.trim()).finally(() => setBusy(false));
        }}
      >
        <p className="muted small">{t('problem.hint')}</p>
        <label>
          {t('problem.reason')}
          <textarea
            name="problem-reason"
            rows={3}
            required
            maxLength={2000}
            value={reason}
            onChange={(event) => setReason(event.target.value)}
          />
        </label>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="danger" disabled={busy || reason.trim() === ''}>
            {t('problem.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}

/** An approved WhatsApp template: the only message WhatsApp delivers outside the 24-hour window. */
export function TemplateDialog({
  language,
  onCancel,
  onSubmit,
}: {
  language: string;
  onCancel: () => void;
  onSubmit: (template: { name: string; language: string; parameters: string[] }) => Promise<void>;
}) {
  const { t } = useI18n();
  const [name, setName] = useState('');
  const [code, setCode] = useState(language.startsWith('fr') ? 'fr' : 'en_US');
  const [parameters, setParameters] = useState('');
  const [busy, setBusy] = useState(false);
  return (
    <Modal title={t('template.title')} onCancel={onCancel}>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          setBusy(true);
          const values = parameters
            .split('\n')
            .map((line) => line.trim())
            .filter((line) => line !== '');
          void onSubmit({ name: name.trim(), language: code.trim(), parameters: values }).finally(() => setBusy(false));
        }}
      >
        <p className="muted small">{t('template.hint')}</p>
        <label>
          {t('template.name')}
          <input
            name="template-name"
            required
            pattern="[a-z0-9_]+"
            maxLength={512}
            value={name}
            onChange={(event) => setName(event.target.value)}
          />
        </label>
        <label>
          {t('template.language')}
          <input
            name="template-language"
            required
            pattern="[a-z]{2,3}(_[A-Z]{2})?"
            value={code}
            onChange={(event) => setCode(event.target.value)}
          />
        </label>
        <label>
          {t('template.parameters')}
          <textarea
            name="template-parameters"
            rows={3}
            value={parameters}
            onChange={(event) => setParameters(event.target.value)}
          />
        </label>
        <div className="actions">
          <button type="button" onClick={onCancel}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="primary" disabled={busy}>
            {t('template.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
