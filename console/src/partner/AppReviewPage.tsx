// The platform admin's app review (partner area, platform key): the apps under review (name, developer, version,
// submitted at) and the published apps; opening one shows its submitted version's definition read-only, with Approve
// and Refuse (a refusal needs a reason; the server's 400 naming it is shown beside the field). After a decision the
// page goes back to the queue, reloaded, with what was decided. Everything rendered as text.
import type { CauserieClient } from '@causerie/sdk/client';
import { type ReactNode, useCallback, useState } from 'react';
import { useI18n } from '../i18n';
import { navigate } from '../router';
import { formatTime } from '../ui';
import {
  type AppVersion,
  developerLabel,
  getApp,
  interactionLines,
  listAppsWithStatus,
  listDevelopers,
  listVersions,
  queueRows,
  type ReviewDecision,
  reviewApp,
  versionUnderReview,
} from './apps-review';
import { Field, type FormFailure, FormFailureLine, formFailureOf, Notice, useLoaded } from './parts';
import { type ReviewText, useReviewText, wordsOf } from './review-strings';
import { usePartnerText } from './strings';

const QUEUE_PATH = '/admin/partner/apps';

function PageLink({ path, children, label }: { path: string; children: ReactNode; label?: string }) {
  return (
    <a
      href={path}
      aria-label={label}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {children}
    </a>
  );
}

export function AppReviewPage({ client, appId }: { client: CauserieClient; appId: number | null }) {
  const [notice, setNotice] = useState<string | null>(null);
  return appId === null ? (
    <ReviewQueue client={client} notice={notice} />
  ) : (
    <AppUnderReview
      key={appId}
      client={client}
      appId={appId}
      onDecided={(line) => {
        setNotice(line);
        navigate(QUEUE_PATH);
      }}
    />
  );
}

function ReviewQueue({ client, notice }: { client: CauserieClient; notice: string | null }) {
  const text = useReviewText();
  const { language } = useI18n();
  const load = useCallback(async () => {
    const [underReview, published, developers] = await Promise.all([
      listAppsWithStatus(client, 'under_review'),
      listAppsWithStatus(client, 'published'),
      listDevelopers(client),
    ]);
    const versions = await Promise.all(
      underReview.map(async (app) => [app.id, await listVersions(client, app.id)] as const),
    );
    return {
      queue: queueRows(underReview, developers, new Map(versions)),
      published: published.map((app) => ({
        id: app.id,
        name: app.name,
        developer: developerLabel(developers, app.developerId),
        version: app.publishedVersion ?? '',
      })),
    };
  }, [client]);
  const { value, error } = useLoaded(load);
  return (
    <>
      <h2>{text('review.title')}</h2>
      <Notice>{notice}</Notice>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <section aria-labelledby="review-queue">
        <h3 id="review-queue">{text('review.queue')}</h3>
        {value?.queue.length === 0 && <p className="muted">{text('review.none')}</p>}
        {value !== null && value.queue.length > 0 && (
          <table className="table" data-testid="review-queue">
            <thead>
              <tr>
                <th scope="col">{text('review.app')}</th>
                <th scope="col">{text('review.developer')}</th>
                <th scope="col">{text('review.version')}</th>
                <th scope="col">{text('review.submittedAt')}</th>
              </tr>
            </thead>
            <tbody>
              {value.queue.map((row) => (
                <tr key={row.id} data-testid={`review-app-${row.id}`}>
                  <td>
                    <PageLink path={`${QUEUE_PATH}/${row.id}`} label={text('review.open', { name: row.name })}>
                      {row.name}
                    </PageLink>
                  </td>
                  <td>{row.developer}</td>
                  <td>{row.version ?? ''}</td>
                  <td>{formatTime(row.submittedAt, language, true)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section aria-labelledby="review-published">
        <h3 id="review-published">{text('review.published')}</h3>
        {value?.published.length === 0 && <p className="muted">{text('review.none')}</p>}
        {value !== null && value.published.length > 0 && (
          <table className="table" data-testid="published-apps">
            <thead>
              <tr>
                <th scope="col">{text('review.app')}</th>
                <th scope="col">{text('review.developer')}</th>
                <th scope="col">{text('review.publishedVersion')}</th>
              </tr>
            </thead>
            <tbody>
              {value.published.map((row) => (
                <tr key={row.id} data-testid={`published-app-${row.id}`}>
                  <td>
                    <PageLink path={`${QUEUE_PATH}/${row.id}`}>{row.name}</PageLink>
                  </td>
                  <td>{row.developer}</td>
                  <td>{row.version}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}

function FieldsTable({
  title,
  step,
  text,
  testId,
}: {
  title: string;
  step: AppVersion['authentication'];
  text: ReviewText;
  testId: string;
}) {
  return (
    <section aria-label={title} data-testid={testId}>
      <h4>{title}</h4>
      {step.fields.length === 0 ? (
        <p className="muted">{text('review.noFields')}</p>
      ) : (
        <table className="table">
          <thead>
            <tr>
              <th scope="col">{text('review.fieldId')}</th>
              <th scope="col">{text('review.fieldLabel')}</th>
              <th scope="col">{text('review.fieldType')}</th>
            </tr>
          </thead>
          <tbody>
            {step.fields.map((field) => (
              <tr key={field.id}>
                <td>
                  <code>{field.id}</code>
                </td>
                <td>{field.label}</td>
                <td>{field.type}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <p>
        {step.verification_url
          ? text('review.verification', { url: step.verification_url })
          : text('review.noVerification')}
      </p>
    </section>
  );
}

/** A submitted version's definition, read-only, in the order a developer builds it. */
function Definition({ version, clientIds }: { version: AppVersion; clientIds: readonly number[] }) {
  const text = useReviewText();
  const { language } = useI18n();
  const price =
    version.price > 0
      ? text('review.priceValue', {
          price: new Intl.NumberFormat(language, { style: 'currency', currency: 'EUR' }).format(version.price),
        })
      : text('review.free');
  return (
    <div className="review-definition" data-testid="review-definition">
      <section aria-labelledby="review-profile">
        <h4 id="review-profile">{text('review.profile')}</h4>
        <dl className="facts">
          <dt>{text('review.description')}</dt>
          <dd>{version.description}</dd>
          <dt>{text('review.price')}</dt>
          <dd>{price}</dd>
          <dt>{text('review.privacy')}</dt>
          <dd>{text(version.privacy === 'private' ? 'review.privacy.private' : 'review.privacy.public')}</dd>
          {version.privacy === 'private' && (
            <>
              <dt>{text('review.clients')}</dt>
              <dd>{clientIds.map((id) => `#${id}`).join(', ')}</dd>
            </>
          )}
        </dl>
      </section>
      <FieldsTable
        title={text('review.authentication')}
        step={version.authentication}
        text={text}
        testId="review-authentication"
      />
      <FieldsTable title={text('review.settings')} step={version.settings} text={text} testId="review-settings" />
      <section aria-labelledby="review-interactions" data-testid="review-interactions">
        <h4 id="review-interactions">{text('review.interactions')}</h4>
        {interactionLines(version.interactions).length === 0 && <p className="muted">{text('review.none')}</p>}
        <ul>
          {interactionLines(version.interactions).map((line) => (
            <li key={line.name}>
              {text(`review.interaction.${line.name}`)}:{' '}
              {line.urls.map((url, index) => (
                <span key={url}>
                  {index > 0 && ', '}
                  <code>{url}</code>
                </span>
              ))}
            </li>
          ))}
        </ul>
      </section>
      <section aria-labelledby="review-webhooks" data-testid="review-webhooks">
        <h4 id="review-webhooks">{text('review.webhooks')}</h4>
        {version.webhooks.length === 0 && <p className="muted">{text('review.none')}</p>}
        <ul>
          {version.webhooks.map((webhook) => (
            <li key={`${webhook.name}-${webhook.url}`}>
              {webhook.name} · <code>{webhook.url}</code> · {webhook.content_type} ·{' '}
              {text('review.webhookEvents', { events: webhook.events.join(', ') })}
            </li>
          ))}
        </ul>
      </section>
    </div>
  );
}

function AppUnderReview({
  client,
  appId,
  onDecided,
}: {
  client: CauserieClient;
  appId: number;
  onDecided: (line: string) => void;
}) {
  const text = useReviewText();
  const partnerText = usePartnerText();
  const load = useCallback(async () => {
    const [app, versions] = await Promise.all([getApp(client, appId), listVersions(client, appId)]);
    return { app, version: versionUnderReview(versions) };
  }, [client, appId]);
  const { value, error } = useLoaded(load);
  const [reason, setReason] = useState('');
  const [failure, setFailure] = useState<FormFailure | null>(null);
  const [busy, setBusy] = useState(false);

  const decide = async (decision: ReviewDecision) => {
    if (value?.version === null || value === null) return;
    setFailure(null);
    setBusy(true);
    try {
      await reviewApp(client, appId, decision, reason.trim());
      const names = { name: value.version.name, version: value.version.version };
      onDecided(text(decision === 'approved' ? 'review.approved' : 'review.refused', names));
    } catch (thrown) {
      setFailure(formFailureOf(thrown, partnerText));
    } finally {
      setBusy(false);
    }
  };

  const version = value?.version ?? null;
  return (
    <>
      <p>
        <PageLink path={QUEUE_PATH}>{text('review.back')}</PageLink>
      </p>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {value !== null && version !== null && (
        <>
          <h2>{text('review.appTitle', { name: version.name, version: version.version })}</h2>
          <p data-testid="review-status">
            {text('review.status', { status: wordsOf(text, 'review.status', value.app.status ?? '') })}
          </p>
          <Definition version={version} clientIds={value.app.client_ids ?? []} />
          {value.app.status === 'under_review' ? (
            <section aria-labelledby="review-decision" className="card">
              <h3 id="review-decision">{text('review.decision')}</h3>
              <Field
                name="reason"
                label={text('review.reason')}
                value={reason}
                onChange={setReason}
                failure={failure}
              />
              {failure !== null && failure.input !== 'reason' && <FormFailureLine failure={failure} />}
              <p>
                <button type="button" className="primary" disabled={busy} onClick={() => void decide('approved')}>
                  {text('review.approve')}
                </button>{' '}
                <button type="button" disabled={busy} onClick={() => void decide('refused')}>
                  {text('review.refuse')}
                </button>
              </p>
            </section>
          ) : (
            <p className="muted">{text('review.notUnderReview')}</p>
          )}
        </>
      )}
    </>
  );
}
