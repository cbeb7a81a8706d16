// The inputs the channel forms share: a provider's credential fields, a text to copy (webhook URLs), and the labels
// of channel types and credentials in the operator's language.
import { useRef, useState } from 'react';
import { type MessageKey, useI18n } from '../i18n';
import {
  CREDENTIALS,
  type CredentialName,
  isProvider,
  type ProviderType,
  RCS_AUTHS,
  type RcsAuth,
} from './channel-forms';

export const typeLabel = (t: ReturnType<typeof useI18n>['t'], type: string) =>
  isProvider(type) || type === 'chat' ? t(`channels.type.${type}` as MessageKey) : type;
export const credentialLabel = (t: ReturnType<typeof useI18n>['t'], name: string) =>
  Object.values(CREDENTIALS).some((specs) => specs.some((spec) => spec.name === name))
    ? t(`channels.cred.${name}` as MessageKey)
    : name;

/** A text to copy, shown whole: when the clipboard is refused (plain http, permissions) the text is selected for Ctrl+C instead. */
export function CopyField({ value, label, testId }: { value: string; label: string; testId: string }) {
  const { t } = useI18n();
  const [state, setState] = useState<'idle' | 'copied' | 'manual'>('idle');
  const text = useRef<HTMLElement>(null);
  const copy = async () => {
    try {
      if (navigator.clipboard === undefined) throw new Error('no clipboard');
      await navigator.clipboard.writeText(value);
      setState('copied');
      setTimeout(() => setState((current) => (current === 'copied' ? 'idle' : current)), 1500);
    } catch {
      if (text.current !== null) window.getSelection()?.selectAllChildren(text.current);
      setState('manual');
    }
  };
  return (
    <div className="copy-field">
      <div className="code-row">
        <code ref={text} className="mono" data-testid={testId}>
          {value}
        </code>
        <button type="button" onClick={() => void copy()} aria-label={`${t('common.copy')} ${label}`}>
          {state === 'copied' ? t('common.copied') : t('common.copy')}
        </button>
      </div>
      {state === 'manual' && (
        <p className="small" role="status">
          {t('channels.copyManually')}
        </p>
      )}
    </div>
  );
}

/** One input per credential of a type; `stored` marks those the channel has already (edit: leave empty to keep). */
export function CredentialInputs({
  type,
  values,
  onChange,
  idPrefix,
  invalid,
  stored,
  rcsAuth,
}: {
  type: ProviderType;
  values: Readonly<Record<string, string>>;
  onChange: (name: CredentialName, value: string) => void;
  idPrefix: string;
  invalid: string | null;
  stored?: readonly string[];
  rcsAuth?: RcsAuth;
}) {
  const { t } = useI18n();
  const creating = stored === undefined;
  const loadFile = async (file: File | undefined) => {
    if (file !== undefined) onChange('service_account', await file.text());
  };
  return (
    <>
      {CREDENTIALS[type].map((spec) => {
        if (
          type === 'rcs' &&
          rcsAuth !== undefined &&
          (RCS_AUTHS as readonly string[]).includes(spec.name) &&
          spec.name !== rcsAuth
        )
          return null;
        const id = `${idPrefix}-${spec.name}`;
        const hint = stored?.includes(spec.name)
          ? t('channels.keep')
          : t(`channels.hint.${type}.${spec.name}` as MessageKey);
        const common = {
          id,
          name: spec.name,
          value: values[spec.name] ?? '',
          autoComplete: 'off',
          spellCheck: false,
          required: creating && spec.optional !== true,
          'aria-describedby': `${id}-hint`,
          'aria-invalid':
            invalid === `credentials.${spec.name}` || (invalid === 'credentials' && spec.optional === true)
              ? true
              : undefined,
        } as const;
        return (
          <div key={spec.name} className={spec.multiline ? 'field wide' : 'field'}>
            <label htmlFor={id}>{t(`channels.cred.${spec.name}`)}</label>
            {spec.multiline ? (
              <textarea
                {...common}
                rows={5}
                placeholder={spec.placeholder}
                onChange={(event) => onChange(spec.name, event.target.value)}
              />
            ) : (
              <input
                {...common}
                type={spec.secret ? 'password' : 'text'}
                placeholder={stored?.includes(spec.name) ? '••••••••' : spec.placeholder}
                onChange={(event) => onChange(spec.name, event.target.value)}
              />
            )}
            <small id={`${id}-hint`} className="muted">
              {hint}
            </small>
            {spec.multiline && (
              <label className="file-pick small">
                {t('channels.serviceAccountFile')}
                <input
                  type="file"
                  accept="application/json,.json"
                  onChange={(event) => void loadFile(event.target.files?.[0])}
                />
              </label>
            )}
          </div>
        );
      })}
    </>
  );
}
