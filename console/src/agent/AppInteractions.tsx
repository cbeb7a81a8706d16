// Installed apps in the conversation view (issue 21): which apps the conversation's website has, the visitor's profile
// in an app, a sent product's card in the history, and the app's closing form inside the close dialog.
import { useCallback, useEffect, useState } from 'react';
import type { Api } from '../api';
import { useI18n } from '../i18n';
import { ErrorLine, messageOf } from '../ui';
import {
  appWith,
  type ClosingAnswers,
  type ClosingField,
  type ConversationApp,
  httpUrl,
  interactionsApi,
  interactionWords,
  type Product,
  type ProfileField,
  priceDisplay,
  visibleClosingFields,
} from './interactions';

/** The apps installed for the conversation's website; none while loading or when the call fails (closing stays as is). */
export function useConversationApps(api: Api, conversationId: number): ConversationApp[] | null {
  const [apps, setApps] = useState<ConversationApp[] | null>(null);
  useEffect(() => {
    let live = true;
    setApps(null);
    interactionsApi
      .apps(api, conversationId)
      .then((found) => live && setApps(found))
      .catch(() => live && setApps([]));
    return () => {
      live = false;
    };
  }, [api, conversationId]);
  return apps;
}

/** The words of the interactions in the console's language. */
export function useInteractionWords() {
  const { language } = useI18n();
  return interactionWords(language);
}

/** Price with a struck catalogue price beside a promotion. */
export function PriceLine({ product }: { product: Product }) {
  const { price, was } = priceDisplay(product);
  return (
    <span className="product-price" data-testid="product-price">
      <strong>{price}</strong>
      {was !== null && (
        <>
          {' '}
          <s className="muted">{was}</s>
        </>
      )}
    </span>
  );
}

export function Availability({ product }: { product: Product }) {
  const w = useInteractionWords();
  if (product.available === null) return null;
  return (
    <span className={product.available ? 'small product-available' : 'small error product-unavailable'}>
      {product.available ? w('available') : w('unavailable')}
    </span>
  );
}

export function ProductThumb({ product, size }: { product: Product; size: number }) {
  const src = httpUrl(product.imageUrl);
  if (src === null) return null;
  return (
    <img
      src={src}
      alt=""
      width={size}
      height={size}
      loading="lazy"
      referrerPolicy="no-referrer"
      style={{ objectFit: 'contain', flex: 'none' }}
    />
  );
}

/** A product sent in the conversation (an entry's `data.product`), as a small card. */
export function ProductCardView({ product }: { product: Product }) {
  const w = useInteractionWords();
  const link = httpUrl(product.productUrl);
  return (
    <div
      className="product-card"
      data-testid="product-card"
      style={{ display: 'flex', gap: 8, alignItems: 'flex-start', margin: '4px 0' }}
    >
      <ProductThumb product={product} size={56} />
      <div>
        <strong>{product.title}</strong>
        <div>
          <PriceLine product={product} /> <Availability product={product} />
        </div>
        {link !== null && (
          <a href={link} target="_blank" rel="noopener noreferrer" className="small">
            {w('viewProduct')}
          </a>
        )}
      </div>
    </div>
  );
}

/** The visitor's profile in the app (URL fields as links, TEXT as text); its errors shown in place, with a retry. */
export function AppProfile({ api, conversationId, app }: { api: Api; conversationId: number; app: ConversationApp }) {
  const w = useInteractionWords();
  const [fields, setFields] = useState<ProfileField[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  // biome-ignore lint/correctness/useExhaustiveDependencies: a retry (attempt) loads the profile again.
  useEffect(() => {
    let live = true;
    setFields(null);
    setError(null);
    interactionsApi
      .visitorProfile(api, conversationId, app.installation_id)
      .then((found) => live && setFields(found))
      .catch((failure: unknown) => live && setError(messageOf(failure)));
    return () => {
      live = false;
    };
  }, [api, conversationId, app.installation_id, attempt]);
  return (
    <section className="app-profile" data-testid="app-profile" aria-label={w('profile', { app: app.name })}>
      <h3>{w('profile', { app: app.name })}</h3>
      {error !== null ? (
        <>
          <ErrorLine error={error} />
          <button type="button" className="small" onClick={() => setAttempt((count) => count + 1)}>
            {w('retry')}
          </button>
        </>
      ) : fields === null ? (
        <LoadingLine />
      ) : (
        <dl className="facts">
          {fields.map((field) => {
            const link = field.fieldType === 'URL' ? httpUrl(field.value) : null;
            return (
              <div key={field.id} style={{ display: 'contents' }}>
                <dt>{field.label}</dt>
                <dd>
                  {link !== null ? (
                    <a href={link} target="_blank" rel="noopener noreferrer">
                      {field.value}
                    </a>
                  ) : (
                    field.value
                  )}
                </dd>
              </div>
            );
          })}
        </dl>
      )}
    </section>
  );
}

/** The profiles of the apps offering one, for the visitor panel. */
export function AppProfiles({ api, conversationId }: { api: Api; conversationId: number }) {
  const apps = useConversationApps(api, conversationId);
  const withProfile = (apps ?? []).filter((app) => app.interactions.includes('visitor_profile'));
  return (
    <>
      {withProfile.map((app) => (
        <AppProfile key={app.installation_id} api={api} conversationId={conversationId} app={app} />
      ))}
    </>
  );
}

function LoadingLine() {
  const { t } = useI18n();
  return <p className="muted small">{t('common.loading')}</p>;
}

/** The closing form of an app, loaded when the close dialog opens; `onForm` gets it (or null when it cannot load). */
export function useClosingForm(api: Api, conversationId: number, apps: ConversationApp[] | null) {
  const app = appWith(apps, 'conversation_closing');
  const [form, setForm] = useState<ClosingField[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [attempt, setAttempt] = useState(0);
  const installationId = app?.installation_id ?? null;
  // biome-ignore lint/correctness/useExhaustiveDependencies: a retry (attempt) loads the form again.
  useEffect(() => {
    if (installationId === null) return;
    let live = true;
    setForm(null);
    setError(null);
    interactionsApi
      .closingForm(api, conversationId, installationId)
      .then((found) => live && setForm(found))
      .catch((failure: unknown) => live && setError(messageOf(failure)));
    return () => {
      live = false;
    };
  }, [api, conversationId, installationId, attempt]);
  const retry = useCallback(() => setAttempt((count) => count + 1), []);
  return { app, form, error, retry };
}

/** The fields of an app's closing form: children appear under their checked checkbox; required ones are marked. */
export function ClosingFormFields({
  app,
  form,
  error,
  retry,
  answers,
  onChange,
  fieldErrors,
}: {
  app: ConversationApp;
  form: ClosingField[] | null;
  error: string | null;
  retry: () => void;
  answers: ClosingAnswers;
  onChange: (answers: ClosingAnswers) => void;
  fieldErrors: Record<string, string>;
}) {
  const w = useInteractionWords();
  return (
    <fieldset className="closing-form" data-testid="closing-form">
      <legend>{w('closingForm', { app: app.name })}</legend>
      {error !== null ? (
        <>
          <ErrorLine error={error} />
          <button type="button" className="small" onClick={retry}>
            {w('retry')}
          </button>
        </>
      ) : form === null ? (
        <LoadingLine />
      ) : (
        visibleClosingFields(form, answers).map((field) => {
          const indent = field.idParent !== null ? { marginLeft: 20 } : undefined;
          const problem = fieldErrors[field.id];
          const mark = field.isRequired ? (
            <span className="required" title={w('required')}>
              {' '}
              *
            </span>
          ) : null;
          const errorId = `closing-error-${field.id}`;
          return (
            <div key={field.id} style={indent} data-testid={`closing-field-${field.id}`}>
              {field.fieldType === 'CHECKBOX' ? (
                <label className="toggle">
                  <input
                    type="checkbox"
                    checked={answers[field.id] === true}
                    aria-invalid={problem !== undefined}
                    aria-describedby={problem !== undefined ? errorId : undefined}
                    onChange={(event) => onChange({ ...answers, [field.id]: event.target.checked })}
                  />
                  {field.label}
                  {mark}
                </label>
              ) : (
                <label>
                  <span>
                    {field.label}
                    {mark}
                  </span>
                  <input
                    type="text"
                    maxLength={2000}
                    value={typeof answers[field.id] === 'string' ? (answers[field.id] as string) : ''}
                    aria-required={field.isRequired}
                    aria-invalid={problem !== undefined}
                    aria-describedby={problem !== undefined ? errorId : undefined}
                    onChange={(event) => onChange({ ...answers, [field.id]: event.target.value })}
                  />
                </label>
              )}
              {problem !== undefined && (
                <p className="error small" id={errorId} role="alert">
                  {problem}
                </p>
              )}
            </div>
          );
        })
      )}
    </fieldset>
  );
}
