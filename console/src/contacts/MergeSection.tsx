// Merging another contact into the one shown: search for it, choose it, confirm in a dialog that says what happens.
import { type FormEvent, useState } from 'react';
import type { Api } from '../api';
import { formErrorOf } from '../form-error';
import { ErrorLine, Modal } from '../ui';
import { mergeContact, searchContacts } from './contacts-api';
import { type Contact, contactName } from './logic';
import { useContactsText } from './strings';

export function MergeSection({
  api,
  into,
  onMerged,
}: {
  api: Api;
  into: Contact;
  onMerged: (merged: Contact, fromName: string) => void;
}) {
  const text = useContactsText();
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<Contact[] | null>(null);
  const [chosen, setChosen] = useState<Contact | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const label = (contact: Contact) =>
    contactName(contact) || contact.email || contact.phone || `${text('anonymous')} #${contact.id}`;

  const search = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    try {
      const { contacts } = await searchContacts(api, query, 1);
      setFound(contacts.filter((contact) => contact.id !== into.id));
    } catch (failure) {
      setError(formErrorOf(failure).message);
    }
  };
  const merge = async () => {
    if (chosen === null) return;
    setBusy(true);
    try {
      const merged = await mergeContact(api, into.id, chosen.id);
      const fromName = label(chosen);
      setChosen(null);
      setFound(null);
      setQuery('');
      onMerged(merged, fromName);
    } catch (failure) {
      setError(formErrorOf(failure).message);
      setChosen(null);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="contact-merge" aria-labelledby="contact-merge-title">
      <h3 id="contact-merge-title">{text('merge.title')}</h3>
      <p className="muted small">{text('merge.intro')}</p>
      <form className="inline" onSubmit={search}>
        <label>
          <span className="sr-only">{text('merge.search')}</span>
          <input
            type="search"
            value={query}
            placeholder={text('search.placeholder')}
            aria-label={text('merge.search')}
            onChange={(event) => setQuery(event.target.value)}
          />
        </label>
        <button type="submit">{text('search.submit')}</button>
      </form>
      <ErrorLine error={error} />
      {found !== null &&
        (found.length === 0 ? (
          <p className="muted small">{text('merge.none')}</p>
        ) : (
          <ul className="merge-candidates" data-testid="merge-candidates">
            {found.map((contact) => (
              <li key={contact.id}>
                <button type="button" onClick={() => setChosen(contact)}>
                  {text('merge.choose', { name: label(contact) })}
                </button>{' '}
                <span className="muted small">
                  {(contact.identities ?? []).map((identity) => `${identity.type}: ${identity.value}`).join(' · ')}
                </span>
              </li>
            ))}
          </ul>
        ))}
      {chosen !== null && (
        <Modal title={text('merge.confirmTitle')} onCancel={() => setChosen(null)} testId="merge-confirm">
          <p>{text('merge.confirm', { from: label(chosen), into: label(into) })}</p>
          <div className="actions">
            <button type="button" onClick={() => setChosen(null)}>
              {text('form.cancel')}
            </button>
            <button type="button" className="primary" disabled={busy} onClick={merge}>
              {text('merge.do')}
            </button>
          </div>
        </Modal>
      )}
    </section>
  );
}
