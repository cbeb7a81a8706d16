// The contact in the conversation's side panel: name, email and phone (the name a visitor gave, or their WhatsApp
// profile name, when known), which the operator edits in place; a link opens the contact on the contacts page.
import { lazy, Suspense, useState } from 'react';
import type { Api } from '../api';
import { navigate } from '../router';
import { useCardText } from './card-strings';
import { type Contact, contactName } from './logic';
import { contactPath } from './routes';
import './contacts.css';

/** The form, with its checks and words, loads when the operator first edits a contact. */
const ContactForm = lazy(() => import('./ContactForm').then((module) => ({ default: module.ContactForm })));

export function ContactCard({
  api,
  contact,
  onChange,
}: {
  api: Api;
  contact: Contact;
  onChange: (contact: Contact) => void;
}) {
  const text = useCardText();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const name = contactName(contact);
  if (editing)
    return (
      <section className="contact-card" aria-label={text('form.edit')}>
        <Suspense fallback={<p className="muted small">{text('loading')}</p>}>
          <ContactForm
            api={api}
            contact={contact}
            withAttributes={false}
            onSaved={(saved, changed) => {
              setEditing(false);
              setNotice(changed ? text('form.saved') : text('form.nothing'));
              onChange(saved);
            }}
            onCancel={() => setEditing(false)}
          />
        </Suspense>
      </section>
    );
  return (
    <section className="contact-card" data-testid="contact-card">
      <dl className="facts">
        <dt>{text('field.name')}</dt>
        <dd data-testid="contact-name">{name || text('anonymous')}</dd>
        {contact.email && (
          <>
            <dt>{text('field.email')}</dt>
            <dd data-testid="contact-email">{contact.email}</dd>
          </>
        )}
        {contact.phone && (
          <>
            <dt>{text('field.phone')}</dt>
            <dd data-testid="visitor-phone">{contact.phone}</dd>
          </>
        )}
      </dl>
      <div className="actions">
        <button type="button" className="small" onClick={() => setEditing(true)}>
          {text('form.edit')}
        </button>
        <a
          className="small"
          href={contactPath(contact.id)}
          onClick={(event) => {
            event.preventDefault();
            navigate(contactPath(contact.id));
          }}
        >
          {text('card.open')}
        </a>
      </div>
      <p className="muted small" role="status">
        {notice}
      </p>
    </section>
  );
}
