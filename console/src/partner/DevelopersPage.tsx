// The platform admin's developers (partner area, platform key): invite one (the invitation link shown once, with a
// copy button), the developers with their state, and a new link for one still invited. Everything rendered as text.
import type { CauserieClient } from '@causerie/sdk/client';
import { type FormEvent, useCallback, useState } from 'react';
import { useI18n } from '../i18n';
import { CopyButton, formatTime } from '../ui';
import {
  type InvitedDeveloper,
  invitationBody,
  inviteDeveloper,
  listDevelopers,
  reinviteDeveloper,
} from './apps-review';
import { Field, type FormFailure, FormFailureLine, formFailureOf, useLoaded } from './parts';
import { useReviewText, wordsOf } from './review-strings';
import { usePartnerText } from './strings';

/** An invitation's link, shown once: the server never shows it again (a new link replaces it). */
function InvitationLink({ invited }: { invited: InvitedDeveloper }) {
  const text = useReviewText();
  const { language } = useI18n();
  if (invited.invitation === undefined) return null;
  return (
    <section className="card invitation" aria-labelledby="invitation-link" data-testid="invitation">
      <h3 id="invitation-link">{text('dev.link', { email: invited.email })}</h3>
      <p role="alert">{text('dev.linkOnce', { expires: formatTime(invited.invitation.expires_at, language, true) })}</p>
      <p>
        <code data-testid="invitation-link">{invited.invitation.link}</code>{' '}
        <CopyButton text={invited.invitation.link} label={text('dev.copy')} />
      </p>
    </section>
  );
}

export function DevelopersPage({ client }: { client: CauserieClient }) {
  const text = useReviewText();
  const partnerText = usePartnerText();
  const { language } = useI18n();
  const load = useCallback(() => listDevelopers(client), [client]);
  const { value, error, reload } = useLoaded(load);
  const [typed, setTyped] = useState({ email: '', name: '', company: '' });
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [invited, setInvited] = useState<InvitedDeveloper | null>(null);
  const [busy, setBusy] = useState(false);

  const invite = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    setBusy(true);
    try {
      setInvited(await inviteDeveloper(client, invitationBody(typed)));
      setTyped({ email: '', name: '', company: '' });
      reload();
    } catch (thrown) {
      setFailure(formFailureOf(thrown, partnerText));
    } finally {
      setBusy(false);
    }
  };
  const reinvite = async (id: number) => {
    setFailure(null);
    try {
      setInvited(await reinviteDeveloper(client, id));
      reload();
    } catch (thrown) {
      setFailure(formFailureOf(thrown, partnerText));
    }
  };
  const field = (name: 'email' | 'name' | 'company', label: string, required: boolean) => (
    <Field
      name={name}
      label={label}
      value={typed[name]}
      type={name === 'email' ? 'email' : 'text'}
      required={required}
      failure={failure}
      onChange={(next) => setTyped((current) => ({ ...current, [name]: next }))}
    />
  );

  return (
    <>
      <h2>{text('dev.title')}</h2>
      <section aria-labelledby="dev-invite">
        <h3 id="dev-invite">{text('dev.invite')}</h3>
        <form className="partner-form" onSubmit={(event) => void invite(event)} data-testid="invite-developer">
          {field('email', text('dev.email'), true)}
          {field('name', text('dev.name'), true)}
          {field('company', text('dev.company'), false)}
          {failure !== null && failure.input === null && <FormFailureLine failure={failure} />}
          <button type="submit" disabled={busy}>
            {text('dev.submit')}
          </button>
        </form>
      </section>
      {invited !== null && <InvitationLink invited={invited} />}
      <section aria-labelledby="dev-list">
        <h3 id="dev-list">{text('dev.list')}</h3>
        {error !== null && (
          <p className="error" role="alert">
            {error}
          </p>
        )}
        {value?.length === 0 && <p className="muted">{text('review.none')}</p>}
        {value !== null && value.length > 0 && (
          <table className="table" data-testid="developers">
            <thead>
              <tr>
                <th scope="col">{text('dev.name')}</th>
                <th scope="col">{text('dev.email')}</th>
                <th scope="col">{text('dev.company')}</th>
                <th scope="col">{text('dev.state')}</th>
                <th scope="col">{text('dev.createdAt')}</th>
                <th scope="col">{text('dev.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {value.map((developer) => (
                <tr key={developer.id} data-testid={`developer-${developer.id}`}>
                  <td>{developer.name}</td>
                  <td>{developer.email}</td>
                  <td>{developer.company ?? ''}</td>
                  <td>
                    <span className={`badge state-${developer.state}`} data-testid={`developer-state-${developer.id}`}>
                      {wordsOf(text, 'dev.state', developer.state)}
                    </span>
                  </td>
                  <td>{formatTime(developer.created_at, language, true)}</td>
                  <td>
                    {developer.state === 'invited' && (
                      <button
                        type="button"
                        onClick={() => void reinvite(developer.id)}
                        aria-label={text('dev.reinviteFor', { name: developer.name })}
                      >
                        {text('dev.reinvite')}
                      </button>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
