// A contact's form: names, email and phone (checked while typing, the server having the last word), and custom
// attributes on the contacts page. A refusal shows beside the field it names, which takes the focus.
import { type FormEvent, useEffect, useId, useRef, useState } from 'react';
import type { Api } from '../api';
import { formErrorOf } from '../form-error';
import { updateContact } from './contacts-api';
import { type Contact, type ContactDraft, changesOf, draftOf, fieldProblem, formFieldOf } from './logic';
import { useContactsText } from './strings';

type TextField = 'firstname' | 'lastname' | 'email' | 'phone';
const TEXT_FIELDS: readonly TextField[] = ['firstname', 'lastname', 'email', 'phone'];

export function ContactForm({
  api,
  contact,
  withAttributes,
  onSaved,
  onCancel,
}: {
  api: Api;
  contact: Contact;
  withAttributes: boolean;
  onSaved: (contact: Contact, changed: boolean) => void;
  onCancel: () => void;
}) {
  const text = useContactsText();
  const id = useId();
  const formRef = useRef<HTMLFormElement | null>(null);
  const [draft, setDraft] = useState<ContactDraft>(() => draftOf(contact));
  const [error, setError] = useState<{ message: string; field: string | null } | null>(null);
  const [saving, setSaving] = useState(false);

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('input')?.focus();
  }, []);
  useEffect(() => {
    if (error?.field) formRef.current?.querySelector<HTMLElement>(`[data-field="${error.field}"]`)?.focus();
  }, [error]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    for (const field of ['email', 'phone'] as const) {
      const problem = fieldProblem(field, draft[field]);
      if (problem !== null) {
        setError({ message: text(`problem.${problem}`), field });
        return;
      }
    }
    const body = changesOf(contact, draft);
    if (Object.keys(body).length === 0) {
      onSaved(contact, false);
      return;
    }
    setSaving(true);
    try {
      onSaved(await updateContact(api, contact.id, body), true);
    } catch (failure) {
      const { message, field } = formErrorOf(failure);
      setError({ message, field: formFieldOf(field) });
    } finally {
      setSaving(false);
    }
  };

  const errorId = `${id}-error`;
  const invalid = (field: string) =>
    error?.field === field ? { 'aria-invalid': true as const, 'aria-describedby': errorId } : {};
  const setAttribute = (index: number, part: 'key' | 'value', value: string) =>
    setDraft({
      ...draft,
      attributes: draft.attributes.map((row, at) => (at === index ? { ...row, [part]: value } : row)),
    });

  return (
    <form className="contact-form" ref={formRef} onSubmit={submit} data-testid="contact-form" noValidate>
      {TEXT_FIELDS.map((field) => (
        <label key={field} className="field">
          <span>{text(`field.${field}`)}</span>
          <input
            data-field={field}
            name={field}
            type={field === 'email' ? 'email' : field === 'phone' ? 'tel' : 'text'}
            autoComplete="off"
            value={draft[field]}
            onChange={(event) => setDraft({ ...draft, [field]: event.target.value })}
            {...(field === 'phone' && { placeholder: '+33612345678', title: text('field.phoneHint') })}
            {...invalid(field)}
          />
        </label>
      ))}
      {withAttributes && (
        <fieldset
          className="contact-attributes"
          data-field="custom_attributes"
          tabIndex={-1}
          {...invalid('custom_attributes')}
        >
          <legend>{text('field.attributes')}</legend>
          {draft.attributes.map((row, index) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows have no id; a row keeps its place while edited.
            <div className="attribute-row" key={index}>
              <input
                aria-label={text('field.attributeKey')}
                value={row.key}
                onChange={(event) => setAttribute(index, 'key', event.target.value)}
              />
              <input
                aria-label={text('field.attributeValue', { key: row.key || '…' })}
                value={row.value}
                onChange={(event) => setAttribute(index, 'value', event.target.value)}
              />
              <button
                type="button"
                className="small"
                aria-label={text('field.removeAttribute', { key: row.key || '…' })}
                onClick={() => setDraft({ ...draft, attributes: draft.attributes.filter((_, at) => at !== index) })}
              >
                ×
              </button>
            </div>
          ))}
          <button
            type="button"
            className="small"
            onClick={() => setDraft({ ...draft, attributes: [...draft.attributes, { key: '', value: '' }] })}
          >
            {text('field.addAttribute')}
          </button>
        </fieldset>
      )}
      {error && (
        <p className="error" role="alert" id={errorId}>
          {error.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="primary" disabled={saving}>
          {text('form.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {text('form.cancel')}
        </button>
      </div>
    </form>
  );
}
