// The contacts page (/admin/contacts, /admin/contacts/{id}): search contacts by name, email or phone, page through
// them, and open one (its identities, details, conversations, merge). Loaded on demand.
import { type FormEvent, useCallback, useEffect, useState } from 'react';
import type { Api } from '../api';
import { formErrorOf } from '../form-error';
import { navigate } from '../router';
import { ErrorLine } from '../ui';
import { ContactDetail } from './ContactDetail';
import { PAGE_SIZE, readContact, searchContacts } from './contacts-api';
import { type Contact, contactName } from './logic';
import { CONTACTS_PATH, contactPath } from './routes';
import { useContactsText } from './strings';
import './contacts.css';

export function ContactsPage({ api, contactId }: { api: Api; contactId: number | null }) {
  const text = useContactsText();
  const [query, setQuery] = useState('');
  const [searched, setSearched] = useState('');
  const [page, setPage] = useState(1);
  const [result, setResult] = useState<{ contacts: Contact[]; count: number } | null>(null);
  const [open, setOpen] = useState<Contact | null>(null);
  const [error, setError] = useState<string | null>(null);

  const reload = useCallback(() => {
    searchContacts(api, searched, page)
      .then(setResult)
      .catch((failure: unknown) => setError(formErrorOf(failure).message));
  }, [api, searched, page]);
  useEffect(reload, [reload]);

  useEffect(() => {
    setOpen(null);
    if (contactId === null) return;
    let cancelled = false;
    readContact(api, contactId)
      .then((contact) => !cancelled && setOpen(contact))
      .catch((failure: unknown) => !cancelled && setError(formErrorOf(failure).message));
    return () => {
      cancelled = true;
    };
  }, [api, contactId]);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setPage(1);
    setSearched(query);
  };
  const pages = result === null ? 1 : Math.max(1, Math.ceil(result.count / PAGE_SIZE));
  const label = (contact: Contact) => contactName(contact) || text('anonymous');

  return (
    <main className="contacts-page padded" data-testid="contacts-page">
      <h1>{text('page.title')}</h1>
      <p className="muted">{text('page.intro')}</p>
      <form className="inline" onSubmit={submit}>
        <label>
          <span className="sr-only">{text('search.label')}</span>
          <input
            type="search"
            name="q"
            value={query}
            placeholder={text('search.placeholder')}
            aria-label={text('search.label')}
            onChange={(event) => setQuery(event.target.value)}
          />
        </label>
        <button type="submit">{text('search.submit')}</button>
      </form>
      <ErrorLine error={error} />
      <div className="contacts-layout">
        <section aria-label={text('list.label')} className="contacts-list">
          {result === null ? null : result.contacts.length === 0 ? (
            <p className="muted">{text('list.empty')}</p>
          ) : (
            <>
              <p className="muted small" aria-live="polite">
                {text('list.count', { count: result.count })}
              </p>
              <ul data-testid="contacts-list">
                {result.contacts.map((contact) => (
                  <li key={contact.id}>
                    <a
                      href={contactPath(contact.id)}
                      aria-current={contact.id === contactId ? 'true' : undefined}
                      onClick={(event) => {
                        event.preventDefault();
                        navigate(contactPath(contact.id));
                      }}
                    >
                      <strong>{label(contact)}</strong>
                      <span className="muted small">
                        {[contact.email, contact.phone].filter((part) => part).join(' · ')}
                      </span>
                    </a>
                  </li>
                ))}
              </ul>
              {pages > 1 && (
                <nav className="pager" aria-label={text('list.page', { page, pages })}>
                  <button type="button" disabled={page <= 1} onClick={() => setPage(page - 1)}>
                    {text('list.previous')}
                  </button>
                  <span className="small">{text('list.page', { page, pages })}</span>
                  <button type="button" disabled={page >= pages} onClick={() => setPage(page + 1)}>
                    {text('list.next')}
                  </button>
                </nav>
              )}
            </>
          )}
        </section>
        {open === null ? (
          <p className="muted contact-detail">{contactId === null ? text('detail.empty') : null}</p>
        ) : (
          <ContactDetail
            key={open.id}
            api={api}
            contact={open}
            onChange={(contact) => {
              setOpen(contact);
              reload();
            }}
          />
        )}
      </div>
      {contactId !== null && (
        <p>
          <a
            href={CONTACTS_PATH}
            className="small"
            onClick={(event) => {
              event.preventDefault();
              navigate(CONTACTS_PATH);
            }}
          >
            ← {text('page.title')}
          </a>
        </p>
      )}
    </main>
  );
}
