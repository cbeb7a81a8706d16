// The tags page (an admin's, /admin/tags): the client's tags with their colour and state; create one, rename it or
// change its colour in its row, archive it (no longer offered to operators, kept on conversations) or offer it again.
// A 400 is shown beside the field it names, which takes the focus. Loaded on demand.
import { type FormEvent, useCallback, useEffect, useId, useRef, useState } from 'react';
import type { Api } from '../api';
import { type FormError, formErrorOf } from '../form-error';
import { type TagsText, useTagsText } from './strings';
import { TagChip } from './TagChip';
import { createTag, listTags, TAG_PALETTE, type Tag, updateTag } from './tags-api';
import './tags.css';

/** What the colour controls hold: a palette colour (or none), and a typed `#rrggbb` that wins when given. */
interface ColourDraft {
  choice: string;
  custom: string;
}
const colourOf = (draft: ColourDraft): string | null =>
  draft.custom.trim() !== '' ? draft.custom.trim() : draft.choice === '' ? null : draft.choice;
const draftOf = (colour: string | null): ColourDraft =>
  colour === null || TAG_PALETTE.some((entry) => entry.hex === colour)
    ? { choice: colour ?? '', custom: '' }
    : { choice: '', custom: colour };

function ColourFields({
  text,
  draft,
  onChange,
  error,
  idPrefix,
}: {
  text: TagsText;
  draft: ColourDraft;
  onChange: (draft: ColourDraft) => void;
  error: string | null;
  idPrefix: string;
}) {
  return (
    <>
      <div className="field">
        <label htmlFor={`${idPrefix}-colour`}>{text('tags.colour')}</label>
        <select
          id={`${idPrefix}-colour`}
          value={draft.choice}
          onChange={(event) => onChange({ ...draft, choice: event.target.value })}
        >
          <option value="">{text('tags.colour.none')}</option>
          {TAG_PALETTE.map((entry) => (
            <option key={entry.hex} value={entry.hex}>
              {text(`colour.${entry.name}`)}
            </option>
          ))}
        </select>
      </div>
      <label className={`field${error !== null ? ' invalid' : ''}`} htmlFor={`${idPrefix}-custom`}>
        <span>{text('tags.colour.custom')}</span>
        <input
          id={`${idPrefix}-custom`}
          name="colour"
          value={draft.custom}
          placeholder="#2f855a"
          aria-invalid={error !== null}
          aria-describedby={error !== null ? `${idPrefix}-colour-error` : undefined}
          onChange={(event) => onChange({ ...draft, custom: event.target.value })}
        />
        {error !== null && (
          <span className="field-error" id={`${idPrefix}-colour-error`} role="alert">
            {error}
          </span>
        )}
      </label>
    </>
  );
}

/** Focuses the input a failure names (name or colour) inside `form`. */
function focusField(form: HTMLElement | null, failure: FormError): void {
  if (failure.field === null || form === null) return;
  form.querySelector<HTMLInputElement>(`[name="${failure.field}"]`)?.focus();
}

export function TagsPage({ api }: { api: Api }) {
  const text = useTagsText();
  const [tags, setTags] = useState<Tag[] | null>(null);
  const [failure, setFailure] = useState<FormError | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [editing, setEditing] = useState<number | null>(null);

  const reload = useCallback(async () => {
    try {
      setTags(await listTags(api));
    } catch (error) {
      setFailure(formErrorOf(error));
    }
  }, [api]);
  useEffect(() => {
    void reload();
  }, [reload]);

  const toggleArchived = async (tag: Tag) => {
    setNotice(null);
    setFailure(null);
    try {
      await updateTag(api, tag.id, { archived: !tag.archived });
      setNotice(text(tag.archived ? 'tags.restored' : 'tags.archivedDone', { name: tag.name }));
      await reload();
    } catch (error) {
      setFailure(formErrorOf(error));
    }
  };

  return (
    <main className="admin tags-page">
      <div className="admin-body">
        <h1>{text('tags.title')}</h1>
        <p className="muted">{text('tags.intro')}</p>
        <CreateForm
          api={api}
          text={text}
          onCreated={async (tag) => {
            setNotice(text('tags.created', { name: tag.name }));
            await reload();
          }}
        />
        <p className="notice" role="status" data-testid="tags-notice">
          {notice}
        </p>
        {failure !== null && failure.field === null && (
          <p className="error" role="alert">
            {failure.message}
          </p>
        )}
        {tags !== null && tags.length === 0 && <p className="muted">{text('tags.none')}</p>}
        {tags !== null && tags.length > 0 && (
          <table className="tags" data-testid="tags-table">
            <thead>
              <tr>
                <th scope="col">{text('tags.name')}</th>
                <th scope="col">{text('tags.state')}</th>
                <th scope="col">{text('tags.actions')}</th>
              </tr>
            </thead>
            <tbody>
              {tags.map((tag) =>
                editing === tag.id ? (
                  <tr key={tag.id} data-testid={`tag-row-${tag.id}`}>
                    <td colSpan={3}>
                      <EditForm
                        api={api}
                        text={text}
                        tag={tag}
                        onDone={async (saved) => {
                          setEditing(null);
                          if (saved !== null) {
                            setNotice(text('tags.saved', { name: saved.name }));
                            await reload();
                          }
                        }}
                      />
                    </td>
                  </tr>
                ) : (
                  <tr key={tag.id} data-testid={`tag-row-${tag.id}`} className={tag.archived ? 'archived' : undefined}>
                    <td>
                      <TagChip tag={tag} />
                    </td>
                    <td>{tag.archived ? text('tags.archivedState') : text('tags.active')}</td>
                    <td className="actions">
                      <button type="button" className="small" onClick={() => setEditing(tag.id)}>
                        {text('tags.edit', { name: tag.name })}
                      </button>{' '}
                      <button type="button" className="small" onClick={() => void toggleArchived(tag)}>
                        {text(tag.archived ? 'tags.restore' : 'tags.archive', { name: tag.name })}
                      </button>
                    </td>
                  </tr>
                ),
              )}
            </tbody>
          </table>
        )}
      </div>
    </main>
  );
}

function CreateForm({ api, text, onCreated }: { api: Api; text: TagsText; onCreated: (tag: Tag) => Promise<void> }) {
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState('');
  const [colour, setColour] = useState<ColourDraft>({ choice: '', custom: '' });
  const [failure, setFailure] = useState<FormError | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    try {
      const tag = await createTag(api, { name, colour: colourOf(colour) });
      setName('');
      setColour({ choice: '', custom: '' });
      await onCreated(tag);
    } catch (error) {
      const formError = formErrorOf(error);
      setFailure(formError);
      focusField(formRef.current, formError);
    }
  };
  const nameError = failure !== null && failure.field !== 'colour' ? failure.message : null;
  return (
    <form ref={formRef} className="tag-form" onSubmit={(event) => void submit(event)} aria-label={text('tags.new')}>
      <h2>{text('tags.new')}</h2>
      <label className={`field${nameError !== null ? ' invalid' : ''}`} htmlFor={`${id}-name`}>
        <span>{text('tags.name')}</span>
        <input
          id={`${id}-name`}
          name="name"
          value={name}
          maxLength={255}
          aria-invalid={nameError !== null}
          aria-describedby={nameError !== null ? `${id}-name-error` : undefined}
          onChange={(event) => setName(event.target.value)}
        />
        {nameError !== null && (
          <span className="field-error" id={`${id}-name-error`} role="alert">
            {nameError}
          </span>
        )}
      </label>
      <ColourFields
        text={text}
        draft={colour}
        onChange={setColour}
        error={failure?.field === 'colour' ? failure.message : null}
        idPrefix={id}
      />
      <button type="submit" className="primary">
        {text('tags.create')}
      </button>
    </form>
  );
}

function EditForm({
  api,
  text,
  tag,
  onDone,
}: {
  api: Api;
  text: TagsText;
  tag: Tag;
  onDone: (saved: Tag | null) => Promise<void>;
}) {
  const id = useId();
  const formRef = useRef<HTMLFormElement>(null);
  const [name, setName] = useState(tag.name);
  const [colour, setColour] = useState<ColourDraft>(() => draftOf(tag.colour));
  const [failure, setFailure] = useState<FormError | null>(null);

  useEffect(() => {
    formRef.current?.querySelector<HTMLInputElement>('[name="name"]')?.focus();
  }, []);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setFailure(null);
    try {
      await onDone(await updateTag(api, tag.id, { name, colour: colourOf(colour) }));
    } catch (error) {
      const formError = formErrorOf(error);
      setFailure(formError);
      focusField(formRef.current, formError);
    }
  };
  const nameError = failure !== null && failure.field !== 'colour' ? failure.message : null;
  return (
    <form
      ref={formRef}
      className="tag-form inline"
      onSubmit={(event) => void submit(event)}
      aria-label={text('tags.editing', { name: tag.name })}
      onKeyDown={(event) => {
        if (event.key === 'Escape') void onDone(null);
      }}
    >
      <label className={`field${nameError !== null ? ' invalid' : ''}`} htmlFor={`${id}-name`}>
        <span>{text('tags.name')}</span>
        <input
          id={`${id}-name`}
          name="name"
          value={name}
          maxLength={255}
          aria-invalid={nameError !== null}
          onChange={(event) => setName(event.target.value)}
        />
        {nameError !== null && (
          <span className="field-error" role="alert">
            {nameError}
          </span>
        )}
      </label>
      <ColourFields
        text={text}
        draft={colour}
        onChange={setColour}
        error={failure?.field === 'colour' ? failure.message : null}
        idPrefix={id}
      />
      <button type="submit" className="primary small">
        {text('tags.save')}
      </button>{' '}
      <button type="button" className="small" onClick={() => void onDone(null)}>
        {text('tags.cancel')}
      </button>
    </form>
  );
}
