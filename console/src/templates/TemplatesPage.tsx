// The message template pages (an admin's, /admin/campaigns/templates…, in the Campaigns area): the account's templates
// with their channels and WhatsApp review state, and an editor (body with {{variables}}, header text, footer, reply /
// link / call buttons, SMS text, WhatsApp submission) whose preview per channel follows the typing; a saved template
// is previewed by the server (debounced on the sample values). A 400 is shown beside the field it names, which takes
// the focus. Loaded on demand; everything is rendered as text.
import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useMemo, useRef, useState } from 'react';
import type { Api } from '../api';
import { formErrorOf } from '../form-error';
import { useI18n } from '../i18n';
import { Pager, useLoaded } from '../partner/parts';
import { navigate } from '../router';
import { formatTime } from '../ui';
import {
  type ButtonDraft,
  type ButtonType,
  CATEGORIES,
  type ChannelPreviews,
  channelsOf,
  contentOf,
  draftOf,
  EMPTY_DRAFT,
  formKeyOf,
  formKeysOf,
  previewDraft,
  type ServerPreview,
  statusOf,
  type Template,
  type TemplateDraft,
  templateBody,
  unchanged,
  variablesOf,
} from './logic';
import type { TemplatesRoute } from './routes';
import { statusWords, useTemplatesText } from './strings';
import {
  createTemplate,
  deleteTemplate,
  getTemplate,
  listTemplates,
  listWhatsappChannels,
  previewTemplate,
  updateTemplate,
} from './templates-api';
import '../partner/partner.css';
import './templates.css';

/** How long the typing of sample values pauses before the server renders them. */
const PREVIEW_DEBOUNCE_MS = 400;
const BUTTON_TYPES: readonly ButtonType[] = ['reply', 'url', 'dial'];

function Link({ path, children }: { path: string; children: string }) {
  return (
    <a
      href={path}
      onClick={(event) => {
        event.preventDefault();
        navigate(path);
      }}
    >
      {children}
    </a>
  );
}

export function TemplatesPage({ api, route }: { api: Api; route: TemplatesRoute }) {
  return (
    <main className="admin partner-body templates-page">
      <div className="admin-body">
        {route.view === 'list' && <TemplateList api={api} />}
        {route.view === 'new' && <TemplateEditor key="new" api={api} id={null} />}
        {route.view === 'template' && <TemplateEditor key={route.id} api={api} id={route.id} />}
      </div>
    </main>
  );
}

function StatusBadge({ status, testId = 'template-status' }: { status: string; testId?: string }) {
  const text = useTemplatesText();
  return (
    <span className={`badge messaging-state state-${status}`} data-status={status} data-testid={testId}>
      {statusWords(text, status)}
    </span>
  );
}

function TemplateList({ api }: { api: Api }) {
  const text = useTemplatesText();
  const { t, language } = useI18n();
  const [page, setPage] = useState(1);
  const load = useCallback(() => listTemplates(api, page), [api, page]);
  const { value, error, reload } = useLoaded(load);
  return (
    <section aria-labelledby="templates-title">
      <p>
        <Link path="/admin/campaigns">{text('templates.campaigns')}</Link>
      </p>
      <h2 id="templates-title">{text('templates.title')}</h2>
      <p className="muted">{text('templates.intro')}</p>
      <p className="actions">
        <button type="button" onClick={() => navigate('/admin/campaigns/templates/new')}>
          {text('templates.new')}
        </button>{' '}
        <button type="button" onClick={reload}>
          {t('common.refresh')}
        </button>
      </p>
      {error !== null && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {value?.items.length === 0 && <p className="muted">{text('templates.none')}</p>}
      {value !== null && value.items.length > 0 && (
        <table className="templates">
          <thead>
            <tr>
              <th>{text('templates.nameColumn')}</th>
              <th>{text('templates.languageColumn')}</th>
              <th>{text('templates.category')}</th>
              <th>{text('templates.channels')}</th>
              <th>{text('templates.review')}</th>
              <th>{text('templates.updated')}</th>
            </tr>
          </thead>
          <tbody>
            {value.items.map((template) => (
              <tr key={template.id} data-testid={`template-${template.name}`}>
                <td>
                  <Link path={`/admin/campaigns/templates/${template.id}`}>{template.name}</Link>
                </td>
                <td>{template.language}</td>
                <td>{template.category}</td>
                <td>{channelsOf(template).join(', ')}</td>
                <td>
                  <StatusBadge status={statusOf(template)} />
                </td>
                <td>{formatTime(template.updated_at, language, true)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager pagination={value?.pagination} onPage={setPage} />
    </section>
  );
}

/** A failed save or preview: the form key of the field the server named (null: none), and its message. */
interface Failure {
  key: string | null;
  message: string;
}

/** A labelled control marked with its form key; the failure naming that key is shown beside it. */
function Labelled({
  formKey,
  label,
  failure,
  wide = false,
  children,
}: {
  formKey: string;
  label: string;
  failure: Failure | null;
  wide?: boolean;
  children: (props: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ReactNode;
}) {
  const controlId = useId();
  const errorId = useId();
  const wrong = failure !== null && failure.key === formKey;
  return (
    <label className={`field${wrong ? ' invalid' : ''}${wide ? ' wide' : ''}`} data-field={formKey} htmlFor={controlId}>
      {label}
      {children(wrong ? { id: controlId, 'aria-invalid': 'true', 'aria-describedby': errorId } : { id: controlId })}
      {wrong && (
        <span className="field-error" id={errorId} data-testid={`error-${formKey}`}>
          {failure.message}
        </span>
      )}
    </label>
  );
}

function TemplateEditor({ api, id }: { api: Api; id: number | null }) {
  const text = useTemplatesText();
  const { t } = useI18n();
  const [saved, setSaved] = useState<Template | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [draft, setDraft] = useState<TemplateDraft>(EMPTY_DRAFT);
  const [failure, setFailure] = useState<Failure | null>(null);
  const [busy, setBusy] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const form = useRef<HTMLFormElement>(null);
  const loadChannels = useCallback(() => listWhatsappChannels(api), [api]);
  const channels = useLoaded(loadChannels);

  useEffect(() => {
    if (id === null) return;
    let cancelled = false;
    getTemplate(api, id)
      .then((template) => {
        if (cancelled) return;
        setSaved(template);
        setDraft(draftOf(template));
      })
      .catch((thrown: unknown) => {
        if (!cancelled) setLoadError(formErrorOf(thrown).message);
      });
    return () => {
      cancelled = true;
    };
  }, [api, id]);

  // The input the server named takes the focus (a group's first control), so the user lands on what to correct.
  useEffect(() => {
    if (failure?.key == null) return;
    const holder = form.current?.querySelector(`[data-field="${CSS.escape(failure.key)}"]`);
    const control = holder?.matches('input, select, textarea')
      ? holder
      : holder?.querySelector('input, select, textarea, button');
    if (control instanceof HTMLElement) control.focus();
  }, [failure]);

  const set = <K extends keyof TemplateDraft>(name: K, value: TemplateDraft[K]) => {
    setNotice(null);
    setDraft((current) => ({ ...current, [name]: value }));
  };
  const setButton = (index: number, change: Partial<ButtonDraft>) =>
    set(
      'buttons',
      draft.buttons.map((button, at) => (at === index ? { ...button, ...change } : button)),
    );
  const keys = formKeysOf(draft);
  const failed = (thrown: unknown): Failure => {
    const error = formErrorOf(thrown);
    const field = (thrown as { field?: unknown }).field;
    return { key: formKeyOf(typeof field === 'string' ? field : error.field, keys), message: error.message };
  };

  async function submit(event: FormEvent) {
    event.preventDefault();
    setFailure(null);
    setNotice(null);
    setBusy(true);
    try {
      if (saved === null) {
        const created = await createTemplate(api, templateBody(draft));
        navigate(`/admin/campaigns/templates/${created.id}`, { replace: true });
      } else {
        const updated = await updateTemplate(api, saved.id, templateBody(draft));
        setSaved(updated);
        setDraft(draftOf(updated));
        setNotice(text('templates.saved'));
      }
    } catch (thrown) {
      setFailure(failed(thrown));
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (saved === null || !window.confirm(text('templates.delete.confirm', { name: saved.name }))) return;
    try {
      await deleteTemplate(api, saved.id);
      navigate('/admin/campaigns/templates');
    } catch (thrown) {
      setFailure(failed(thrown));
    }
  }

  if (id !== null && saved === null)
    return loadError === null ? (
      <p className="padded">{t('common.loading')}</p>
    ) : (
      <p className="error" role="alert">
        {loadError}
      </p>
    );
  const whatsappChannels = channels.value ?? [];
  return (
    <section aria-labelledby="template-form-title">
      <p>
        <Link path="/admin/campaigns/templates">{text('templates.back')}</Link>
      </p>
      <h2 id="template-form-title">
        {saved === null ? text('templates.new') : saved.name}{' '}
        {saved !== null && <StatusBadge status={statusOf(saved)} />}
      </h2>
      {saved?.whatsapp?.reason && (
        <p className="muted" data-testid="template-reason">
          {text('templates.reason', { reason: saved.whatsapp.reason })}
        </p>
      )}
      <div className="template-editor">
        <form ref={form} className="partner-form" onSubmit={(event) => void submit(event)} noValidate>
          <Labelled formKey="name" label={text('templates.name')} failure={failure}>
            {(aria) => (
              <input
                name="name"
                required
                value={draft.name}
                onChange={(event) => set('name', event.target.value)}
                {...aria}
              />
            )}
          </Labelled>
          <Labelled formKey="language" label={text('templates.language')} failure={failure}>
            {(aria) => (
              <input
                name="language"
                required
                value={draft.language}
                onChange={(event) => set('language', event.target.value)}
                {...aria}
              />
            )}
          </Labelled>
          <Labelled formKey="category" label={text('templates.category')} failure={failure}>
            {(aria) => (
              <select
                name="category"
                value={draft.category}
                onChange={(event) => set('category', event.target.value)}
                {...aria}
              >
                {CATEGORIES.map((category) => (
                  <option key={category} value={category}>
                    {category}
                  </option>
                ))}
              </select>
            )}
          </Labelled>
          <Labelled formKey="content.header.text" label={text('templates.header')} failure={failure} wide>
            {(aria) => (
              <input
                name="header"
                value={draft.headerText}
                onChange={(event) => set('headerText', event.target.value)}
                {...aria}
              />
            )}
          </Labelled>
          <Labelled formKey="content.body" label={text('templates.body')} failure={failure} wide>
            {(aria) => (
              <textarea
                name="body"
                rows={4}
                required
                value={draft.body}
                onChange={(event) => set('body', event.target.value)}
                {...aria}
              />
            )}
          </Labelled>
          <Labelled formKey="content.footer" label={text('templates.footer')} failure={failure} wide>
            {(aria) => (
              <input
                name="footer"
                value={draft.footer}
                onChange={(event) => set('footer', event.target.value)}
                {...aria}
              />
            )}
          </Labelled>
          <fieldset className="wide template-buttons" data-field="content.buttons">
            <legend>{text('templates.buttons')}</legend>
            {failure?.key === 'content.buttons' && (
              <p className="field-error" data-testid="error-content.buttons">
                {failure.message}
              </p>
            )}
            {draft.buttons.map((button, index) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: a button row is its position (the API names it so).
              <div className="template-button" key={index} data-field={`content.buttons.${index}`}>
                <Labelled
                  formKey={`content.buttons.${index}.text`}
                  label={text('templates.button.text')}
                  failure={failure}
                >
                  {(aria) => (
                    <input
                      name={`button-${index}-text`}
                      value={button.text}
                      onChange={(event) => setButton(index, { text: event.target.value })}
                      {...aria}
                    />
                  )}
                </Labelled>
                <label className="field">
                  {text('templates.button.type')}
                  <select
                    name={`button-${index}-type`}
                    value={button.type}
                    onChange={(event) => setButton(index, { type: event.target.value as ButtonType })}
                  >
                    {BUTTON_TYPES.map((type) => (
                      <option key={type} value={type}>
                        {text(`button.${type}`)}
                      </option>
                    ))}
                  </select>
                </label>
                {button.type !== 'reply' && (
                  <Labelled
                    formKey={`content.buttons.${index}.${button.type === 'url' ? 'url' : 'phone'}`}
                    label={text(button.type === 'url' ? 'templates.button.url' : 'templates.button.phone')}
                    failure={failure}
                  >
                    {(aria) => (
                      <input
                        name={`button-${index}-value`}
                        type={button.type === 'url' ? 'url' : 'tel'}
                        value={button.value}
                        onChange={(event) => setButton(index, { value: event.target.value })}
                        {...aria}
                      />
                    )}
                  </Labelled>
                )}
                <button
                  type="button"
                  onClick={() =>
                    set(
                      'buttons',
                      draft.buttons.filter((_, at) => at !== index),
                    )
                  }
                >
                  {text('templates.button.remove')}
                </button>
                {failure?.key === `content.buttons.${index}` && (
                  <span className="field-error" data-testid={`error-content.buttons.${index}`}>
                    {failure.message}
                  </span>
                )}
              </div>
            ))}
            <button
              type="button"
              onClick={() => set('buttons', [...draft.buttons, { type: 'reply', text: '', value: '' }])}
            >
              {text('templates.button.add')}
            </button>
          </fieldset>
          <Labelled formKey="content.sms_text" label={text('templates.smsText')} failure={failure} wide>
            {(aria) => (
              <textarea
                name="sms_text"
                rows={2}
                value={draft.smsText}
                onChange={(event) => set('smsText', event.target.value)}
                {...aria}
              />
            )}
          </Labelled>
          <Labelled formKey="whatsapp.channel_id" label={text('templates.whatsapp')} failure={failure}>
            {(aria) => (
              <select
                name="whatsapp_channel"
                value={draft.whatsappChannelId}
                onChange={(event) => set('whatsappChannelId', event.target.value)}
                {...aria}
              >
                <option value="">{text('templates.whatsapp.none')}</option>
                {whatsappChannels.map((channel) => (
                  <option key={channel.id} value={channel.id}>
                    {channel.name}
                  </option>
                ))}
              </select>
            )}
          </Labelled>
          {draft.whatsappChannelId !== '' && (
            <Labelled formKey="whatsapp.waba_id" label={text('templates.waba')} failure={failure}>
              {(aria) => (
                <input
                  name="waba_id"
                  inputMode="numeric"
                  value={draft.wabaId}
                  onChange={(event) => set('wabaId', event.target.value)}
                  {...aria}
                />
              )}
            </Labelled>
          )}
          {(draft.kept.card !== undefined || draft.kept.carousel !== undefined || draft.kept.mediaHeader) && (
            <p className="muted wide">{text('templates.kept')}</p>
          )}
          {failure !== null && failure.key === null && (
            <p className="error wide" role="alert">
              {failure.message}
            </p>
          )}
          {notice !== null && (
            <p className="wide" role="status">
              {notice}
            </p>
          )}
          <p className="actions wide">
            <button type="submit" disabled={busy}>
              {busy ? text('templates.saving') : saved === null ? text('templates.create') : text('templates.save')}
            </button>{' '}
            {saved !== null && (
              <button type="button" className="danger" onClick={() => void remove()}>
                {text('templates.delete')}
              </button>
            )}
          </p>
        </form>
        <PreviewPanel api={api} draft={draft} saved={saved} />
      </div>
    </section>
  );
}

/**
 * The message per channel: the draft as it is typed, or — when the template is saved as the form shows it and every
 * sample value is filled — the server's own rendering (`POST …/{id}/preview`, debounced on the values).
 */
function PreviewPanel({ api, draft, saved }: { api: Api; draft: TemplateDraft; saved: Template | null }) {
  const text = useTemplatesText();
  const content = useMemo(() => contentOf(draft), [draft]);
  const variables = useMemo(() => variablesOf(content), [content]);
  const [values, setValues] = useState<Record<string, string>>({});
  const [server, setServer] = useState<ServerPreview | null>(null);
  const [failure, setFailure] = useState<Failure | null>(null);
  const local = previewDraft(content, values, draft.whatsappChannelId !== '');
  const asSaved = unchanged(draft, saved);
  const filled = variables.every((name) => (values[name] ?? '') !== '');
  const ask = saved !== null && asSaved && filled;
  const wanted = useMemo(
    () => Object.fromEntries(variables.map((name) => [name, values[name] ?? ''])),
    [variables, values],
  );

  useEffect(() => {
    if (!ask || saved === null) {
      setServer(null);
      return;
    }
    let cancelled = false;
    const timer = setTimeout(() => {
      previewTemplate(api, saved.id, wanted)
        .then((answer) => {
          if (cancelled) return;
          setServer(answer);
          setFailure(null);
        })
        .catch((thrown: unknown) => {
          if (cancelled) return;
          const error = formErrorOf(thrown);
          const field = (thrown as { field?: unknown }).field;
          const key =
            typeof field === 'string' ? field.replace(/^variables[.[]/, 'variables.').replace(/]$/, '') : null;
          setServer(null);
          setFailure({ key, message: error.message });
        });
    }, PREVIEW_DEBOUNCE_MS);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
  }, [api, ask, saved, wanted]);

  const shown: ChannelPreviews =
    server === null
      ? local
      : {
          whatsapp:
            server.whatsapp === undefined || local.whatsapp === null
              ? null
              : { ...local.whatsapp, body: server.whatsapp.text },
          rcs: server.rcs?.text ?? local.rcs,
          sms:
            server.sms === undefined
              ? local.sms
              : {
                  text: server.sms.text,
                  encoding: server.sms.encoding,
                  units: server.sms.characters,
                  segments: server.sms.segments,
                },
        };
  const source = server !== null ? 'server' : 'draft';
  return (
    <aside className="template-preview" aria-labelledby="template-preview-title">
      <h3 id="template-preview-title">{text('templates.preview')}</h3>
      <fieldset className="template-values">
        <legend>{text('templates.values')}</legend>
        {variables.length === 0 && <p className="muted">{text('templates.values.none')}</p>}
        {variables.map((name) => (
          <Labelled key={name} formKey={`variables.${name}`} label={name} failure={failure}>
            {(aria) => (
              <input
                name={`value-${name}`}
                value={values[name] ?? ''}
                onChange={(event) => setValues((current) => ({ ...current, [name]: event.target.value }))}
                {...aria}
              />
            )}
          </Labelled>
        ))}
      </fieldset>
      {failure !== null && !failure.key?.startsWith('variables.') && (
        <p className="error" role="alert">
          {failure.message}
        </p>
      )}
      <p className="muted" data-testid="preview-source" data-source={source} aria-live="polite">
        {server !== null
          ? text('templates.preview.server')
          : saved !== null && asSaved && !filled
            ? text('templates.preview.waiting')
            : text('templates.preview.draft')}
      </p>
      {draft.body.trim() === '' ? (
        <p className="muted">{text('templates.preview.empty')}</p>
      ) : (
        <div aria-live="polite">
          {shown.whatsapp !== null && (
            <section className="channel-preview" data-testid="preview-whatsapp">
              <h4>
                {text('channel.whatsapp')}{' '}
                {saved?.whatsapp && <StatusBadge status={saved.whatsapp.status} testId="preview-whatsapp-status" />}
              </h4>
              <div className="bubble whatsapp">
                {shown.whatsapp.header !== null && <strong className="bubble-header">{shown.whatsapp.header}</strong>}
                <p data-testid="preview-whatsapp-body">{shown.whatsapp.body}</p>
                {shown.whatsapp.footer !== null && <small className="muted">{shown.whatsapp.footer}</small>}
              </div>
              {shown.whatsapp.buttons.length > 0 && (
                <p className="bubble-buttons">
                  {shown.whatsapp.buttons.map((label, index) => (
                    // biome-ignore lint/suspicious/noArrayIndexKey: labels may repeat; the position is the button.
                    <span key={index} className="chip">
                      {label}
                    </span>
                  ))}
                </p>
              )}
            </section>
          )}
          <section className="channel-preview" data-testid="preview-rcs">
            <h4>{text('channel.rcs')}</h4>
            <p className="bubble">{shown.rcs}</p>
          </section>
          <section className="channel-preview">
            <h4>{text('channel.sms')}</h4>
            <p className="bubble" data-testid="preview-sms">
              {shown.sms.text}
            </p>
            <p className="muted" data-testid="preview-segments">
              {text('templates.segments', {
                segments: shown.sms.segments,
                units: shown.sms.units,
                encoding: shown.sms.encoding,
              })}
            </p>
          </section>
        </div>
      )}
    </aside>
  );
}
