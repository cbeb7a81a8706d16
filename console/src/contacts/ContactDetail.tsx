// One contact on the contacts page: identities by channel, the editable details and custom attributes, their
// conversations (each opens in the agent view), and merging another contact into this one.
import { useState } from 'react';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { formatTime } from '../ui';
import { ContactForm } from './ContactForm';
import { type Contact, contactName, identitiesByType } from './logic';
import { MergeSection } from './MergeSection';
import { type ContactsKey, useContactsText } from './strings';

const IDENTITY_LABELS: Record<string, ContactsKey> = {
  web: 'identity.web',
  whatsapp: 'identity.whatsapp',
  sms: 'identity.sms',
  rcs: 'identity.rcs',
  chat: 'identity.chat',
  email: 'identity.email',
  phone: 'identity.phone',
};

export function ContactDetail({
  api,
  contact,
  onChange,
}: {
  api: Api;
  contact: Contact;
  onChange: (contact: Contact) => void;
}) {
  const text = useContactsText();
  const { language } = useI18n();
  const [editing, setEditing] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const name = contactName(contact) || text('anonymous');
  const conversations = contact.conversation_id ?? [];
  return (
    <article className="contact-detail card" aria-labelledby="contact-detail-title" data-testid="contact-detail">
      <h2 id="contact-detail-title">{name}</h2>
      {contact.created_at && (
        <p className="muted small">
          {text('detail.created', { date: formatTime(contact.created_at, language, true) })}
        </p>
      )}
      <p role="status" className="muted small">
        {notice}
      </p>
      {editing ? (
        <ContactForm
          api={api}
          contact={contact}
          withAttributes
          onSaved={(saved, changed) => {
            setEditing(false);
            setNotice(changed ? text('form.saved') : text('form.nothing'));
            onChange(saved);
          }}
          onCancel={() => setEditing(false)}
        />
      ) : (
        <>
          <dl className="facts" data-testid="contact-facts">
            <div className="fact-row">
              <dt>{text('field.email')}</dt>
              <dd>{contact.email || '—'}</dd>
            </div>
            <div className="fact-row">
              <dt>{text('field.phone')}</dt>
              <dd>{contact.phone || '—'}</dd>
            </div>
            {Object.entries(contact.custom_attributes ?? {}).map(([key, value]) => (
              <div key={key} className="fact-row">
                <dt className="mono">{key}</dt>
                <dd>{value}</dd>
              </div>
            ))}
          </dl>
          <button type="button" onClick={() => setEditing(true)}>
            {text('form.edit')}
          </button>
        </>
      )}
      <h3>{text('detail.identities')}</h3>
      <dl className="facts identities" data-testid="contact-identities">
        {identitiesByType(contact.identities ?? []).map(([type, values]) => (
          <div key={type} className="fact-row">
            <dt>{IDENTITY_LABELS[type] ? text(IDENTITY_LABELS[type]) : type}</dt>
            {values.map((value) => (
              <dd key={value} className="mono" data-testid={`identity-${type}`}>
                {value}
              </dd>
            ))}
          </div>
        ))}
      </dl>
      <h3>{text('detail.conversations')}</h3>
      {conversations.length === 0 ? (
        <p className="muted small">{text('detail.noConversation')}</p>
      ) : (
        <ul className="contact-conversations" data-testid="contact-conversations">
          {conversations.map((id) => (
            <li key={id}>
              <a
                href={`/admin/conversations/${id}`}
                aria-label={text('detail.openConversation', { id })}
                onClick={(event) => {
                  event.preventDefault();
                  navigate(`/admin/conversations/${id}`);
                }}
              >
                #{id}
              </a>
            </li>
          ))}
        </ul>
      )}
      <MergeSection
        api={api}
        into={contact}
        onMerged={(merged, fromName) => {
          setNotice(text('merge.done', { from: fromName }));
          onChange(merged);
        }}
      />
    </article>
  );
}
