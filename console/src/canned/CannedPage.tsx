// The canned responses page (/admin/canned-responses): every operator's own personal responses and the client's shared
// ones (admins and managers change those; others read them), searched and filtered by scope; a form creates or edits
// one, showing a refusal beside the field it names, which takes the focus. Loaded on demand.
import { type FormEvent, type ReactNode, useCallback, useEffect, useId, useRef, useState } from 'react';
import { type Api, dataOf } from '../api';
import { type FormError, formErrorOf } from '../form-error';
import type { Me } from '../me';
import {
  type CannedDraft,
  createCannedResponse,
  deleteCannedResponse,
  listCannedResponses,
  updateCannedResponse,
} from './canned-api';
import {
  CANNED_VARIABLES,
  type CannedResponse,
  type CannedScope,
  searchResponses,
  unknownVariable,
  validShortcut,
} from './logic';
import { usePageText } from './page-strings';
import './canned.css';
import './page.css';

interface Website {
  id: number;
  label: string;
}

const VARIABLE_LIST = CANNED_VARIABLES.map((name) => `{{${name}}}`).join(', ');

type Editing = { kind: 'new' } | { kind: 'edit'; response: CannedResponse } | null;

export function CannedPage({ api, me }: { api: Api; me: Me }) {
  const text = usePageText();
  const manages = me.roles.includes('admin') || me.roles.includes('manager');
  const [responses, setResponses] = useState<CannedResponse[] | null>(null);
  const [websites, setWebsites] = useState<Website[]>([]);
  const [search, setSearch] = useState('');
  const [scope, setScope] = useState<CannedScope | 'all'>('all');
  const [editing, setEditing] = useState<Editing>(null);
  const [confirming, setConfirming] = useState<number | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [failure, setFailure] = useState<string | null>(null);

  const reload = useCallback(() => {
    listCannedResponses(api)
      .then(setResponses)
      .catch((error: unknown) => setFailure(formErrorOf(error).message));
  }, [api]);
  useEffect(() => {
    reload();
    dataOf(api.GET('/api/2/website', { params: { query: { full: '1', limit: 100 } } }))
      .then((rows) => setWebsites(rows.map((row) => ({ id: row.id, label: row.label || row.url || `#${row.id}` }))))
      .catch(() => undefined);
  }, [api, reload]);

  const mayChange = (response: CannedResponse) => response.scope === 'personal' || manages;
  const shown = responses === null ? [] : searchResponses(responses, search, scope);
  const websiteName = (id: number | null) =>
    id === null ? text('canned.allWebsites') : (websites.find((site) => site.id === id)?.label ?? `#${id}`);

  const remove = async (response: CannedResponse) => {
    try {
      await deleteCannedResponse(api, response.id);
      setConfirming(null);
      setNotice(text('canned.deleted', { shortcut: response.shortcut }));
      reload();
    } catch (error) {
      setFailure(formErrorOf(error).message);
    }
  };

  return (
    <main className="padded canned-page" aria-labelledby="canned-title">
      <h1 id="canned-title">{text('canned.title')}</h1>
      <p className="muted">{text('canned.intro', { variables: VARIABLE_LIST })}</p>
      {notice !== null && (
        <p role="status" className="notice" data-testid="canned-notice">
          {notice}
        </p>
      )}
      {failure !== null && (
        <p role="alert" className="error">
          {failure}
        </p>
      )}
      {editing === null ? (
        <div className="canned-toolbar">
          <label>
            {text('canned.search')}
            <input type="search" value={search} onChange={(event) => setSearch(event.target.value)} />
          </label>
          <label>
            {text('canned.scopeFilter')}
            <select value={scope} onChange={(event) => setScope(event.target.value as CannedScope | 'all')}>
              <option value="all">{text('canned.scope.all')}</option>
              <option value="shared">{text('canned.scope.shared')}</option>
              <option value="personal">{text('canned.scope.personal')}</option>
            </select>
          </label>
          <button
            type="button"
            className="primary"
            onClick={() => {
              setNotice(null);
              setEditing({ kind: 'new' });
            }}
          >
            {text('canned.new')}
          </button>
        </div>
      ) : (
        <CannedForm
          api={api}
          manages={manages}
          websites={websites}
          editing={editing}
          onCancel={() => setEditing(null)}
          onSaved={(saved) => {
            setEditing(null);
            setNotice(text('canned.saved', { shortcut: saved.shortcut }));
            reload();
          }}
        />
      )}
      {responses === null ? null : responses.length === 0 ? (
        <p>{text('canned.none')}</p>
      ) : shown.length === 0 ? (
        <p>{text('canned.noMatch')}</p>
      ) : (
        <table className="canned-table" data-testid="canned-list">
          <thead>
            <tr>
              <th scope="col">{text('canned.shortcutColumn')}</th>
              <th scope="col">{text('canned.titleField')}</th>
              <th scope="col">{text('canned.scope')}</th>
              <th scope="col">{text('canned.website')}</th>
              <th scope="col">
                <span className="sr-only">{text('canned.edit')}</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {shown.map((response) => (
              <tr key={response.id} data-testid={`canned-${response.shortcut}`}>
                <td className="canned-shortcut">/{response.shortcut}</td>
                <td>
                  {response.title}
                  <span className="canned-preview muted small">{response.body}</span>
                </td>
                <td>{text(response.scope === 'shared' ? 'canned.kind.shared' : 'canned.kind.personal')}</td>
                <td>{websiteName(response.website_id)}</td>
                <td className="canned-actions">
                  {!mayChange(response) ? (
                    <span className="muted small">{text('canned.readOnly')}</span>
                  ) : confirming === response.id ? (
                    <>
                      <span role="alert">{text('canned.confirmDelete', { shortcut: response.shortcut })}</span>{' '}
                      <button type="button" className="danger" onClick={() => void remove(response)}>
                        {text('canned.delete')}
                      </button>{' '}
                      <button type="button" onClick={() => setConfirming(null)}>
                        {text('canned.cancel')}
                      </button>
                    </>
                  ) : (
                    <>
                      <button
                        type="button"
                        aria-label={`${text('canned.edit')} /${response.shortcut}`}
                        onClick={() => {
                          setNotice(null);
                          setEditing({ kind: 'edit', response });
                        }}
                      >
                        {text('canned.edit')}
                      </button>{' '}
                      <button
                        type="button"
                        aria-label={`${text('canned.delete')} /${response.shortcut}`}
                        onClick={() => setConfirming(response.id)}
                      >
                        {text('canned.delete')}
                      </button>
                    </>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}

type FieldName = 'shortcut' | 'title' | 'body' | 'scope' | 'website_id' | 'attachments';

function CannedForm({
  api,
  manages,
  websites,
  editing,
  onCancel,
  onSaved,
}: {
  api: Api;
  manages: boolean;
  websites: readonly Website[];
  editing: Exclude<Editing, null>;
  onCancel: () => void;
  onSaved: (saved: CannedResponse) => void;
}) {
  const text = usePageText();
  const existing = editing.kind === 'edit' ? editing.response : null;
  const [shortcut, setShortcut] = useState(existing?.shortcut ?? '');
  const [title, setTitle] = useState(existing?.title ?? '');
  const [body, setBody] = useState(existing?.body ?? '');
  const [scope, setScope] = useState<CannedScope>(existing?.scope ?? (manages ? 'shared' : 'personal'));
  const [websiteId, setWebsiteId] = useState<number | null>(existing?.website_id ?? null);
  const [attachments, setAttachments] = useState((existing?.attachments ?? []).join('\n'));
  const [error, setError] = useState<FormError | null>(null);
  const [busy, setBusy] = useState(false);
  const formRef = useRef<HTMLFormElement | null>(null);

  // A refused field takes the focus, its message beside it.
  useEffect(() => {
    if (error?.field) formRef.current?.querySelector<HTMLElement>(`[name="${error.field}"]`)?.focus();
  }, [error]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const unknown = unknownVariable(body);
    if (!validShortcut(shortcut.trim())) {
      setError({ field: 'shortcut', message: text('canned.badShortcut') });
      return;
    }
    if (unknown !== null) {
      setError({ field: 'body', message: text('canned.badVariable', { name: unknown, variables: VARIABLE_LIST }) });
      return;
    }
    const draft: CannedDraft = {
      shortcut: shortcut.trim(),
      title,
      body,
      website_id: websiteId,
      attachments: attachments
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== ''),
    };
    setBusy(true);
    setError(null);
    try {
      onSaved(
        existing === null
          ? await createCannedResponse(api, { ...draft, scope })
          : await updateCannedResponse(api, existing.id, draft),
      );
    } catch (failure) {
      setError(formErrorOf(failure));
      setBusy(false);
    }
  };

  const field = (name: FieldName) => (error?.field === name ? error.message : null);
  const heading = existing === null ? text('canned.new') : `${text('canned.edit')} /${existing.shortcut}`;
  return (
    <form ref={formRef} className="card canned-form" onSubmit={(event) => void submit(event)} aria-label={heading}>
      <h2>{heading}</h2>
      <Field label={text('canned.shortcut')} error={field('shortcut')}>
        {(props) => (
          <input
            {...props}
            name="shortcut"
            required
            maxLength={40}
            value={shortcut}
            onChange={(event) => setShortcut(event.target.value)}
          />
        )}
      </Field>
      <Field label={text('canned.titleField')} error={field('title')}>
        {(props) => (
          <input
            {...props}
            name="title"
            required
            maxLength={255}
            value={title}
            onChange={(event) => setTitle(event.target.value)}
          />
        )}
      </Field>
      <Field label={text('canned.body')} error={field('body')}>
        {(props) => (
          <textarea
            {...props}
            name="body"
            required
            rows={4}
            maxLength={5000}
            value={body}
            onChange={(event) => setBody(event.target.value)}
          />
        )}
      </Field>
      <p className="muted small">{VARIABLE_LIST}</p>
      {existing === null && (
        <fieldset>
          <legend>{text('canned.scope')}</legend>
          <label className="inline">
            <input
              type="radio"
              name="scope"
              value="personal"
              checked={scope === 'personal'}
              onChange={() => setScope('personal')}
            />
            {text('canned.personalHint')}
          </label>
          <label className="inline">
            <input
              type="radio"
              name="scope"
              value="shared"
              disabled={!manages}
              checked={scope === 'shared'}
              onChange={() => setScope('shared')}
            />
            {text('canned.sharedHint')}
          </label>
          {field('scope') !== null && <span className="field-error">{field('scope')}</span>}
        </fieldset>
      )}
      <Field label={text('canned.website')} error={field('website_id')}>
        {(props) => (
          <select
            {...props}
            name="website_id"
            value={websiteId ?? ''}
            onChange={(event) => setWebsiteId(event.target.value === '' ? null : Number(event.target.value))}
          >
            <option value="">{text('canned.allWebsites')}</option>
            {websites.map((site) => (
              <option key={site.id} value={site.id}>
                {site.label}
              </option>
            ))}
          </select>
        )}
      </Field>
      <Field label={text('canned.attachments')} error={field('attachments')}>
        {(props) => (
          <textarea
            {...props}
            name="attachments"
            rows={2}
            value={attachments}
            onChange={(event) => setAttachments(event.target.value)}
          />
        )}
      </Field>
      {error !== null && error.field === null && (
        <p className="error" role="alert">
          {error.message}
        </p>
      )}
      <div className="canned-form-actions">
        <button type="submit" className="primary" disabled={busy}>
          {existing === null ? text('canned.create') : text('canned.save')}
        </button>
        <button type="button" onClick={onCancel}>
          {text('canned.cancel')}
        </button>
      </div>
    </form>
  );
}

/** A labelled control with its error beside it (described by it, marked invalid). */
function Field({
  label,
  error,
  children,
}: {
  label: string;
  error: string | null;
  children: (props: { id: string; 'aria-invalid'?: 'true'; 'aria-describedby'?: string }) => ReactNode;
}) {
  const id = useId();
  const errorId = `${id}-error`;
  return (
    <div className="canned-field">
      <label htmlFor={id}>{label}</label>
      {children(error !== null ? { id, 'aria-invalid': 'true', 'aria-describedby': errorId } : { id })}
      {error !== null && (
        <span className="field-error" id={errorId} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
