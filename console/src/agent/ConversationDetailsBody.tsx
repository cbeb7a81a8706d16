// The conversation in the side panel: its tags (shown and changed on open and closed conversations alike, one
// `conversation.updated` per change), the visitor's satisfaction answers and comment, the sales attributed to it, and
// its actions: reopen a closed conversation (it comes back to this operator), print the transcript (or save it as PDF
// through the browser's print; print.css keeps only the conversation) or e-mail it (TranscriptMail.tsx, when the server
// has an SMTP server). Loaded on demand (ConversationDetails.tsx).
import { useCallback, useEffect, useId, useRef, useState } from 'react';
import { type Api, dataOf } from '../api';
import { useI18n } from '../i18n';
import type { ConversationView } from '../socket';
import { TagChip } from '../tags/TagChip';
import { reopenConversation, setConversationTags } from '../tags/tags-api';
import { ErrorLine, formatTime, messageOf } from '../ui';
import { useDetailsText } from './details-strings';
import type { Directory } from './directory';
import { TranscriptMail } from './TranscriptMail';
import './print.css';

interface Survey {
  id: number;
  note_welcome?: number;
  note_delay?: number;
  note_resolution?: number;
  comment?: string;
  created_at?: string;
}

interface Sale {
  id: number;
  external_id?: string;
  amount?: number;
  currency?: string | null;
  created_at?: string;
}

interface Details {
  status: string;
  websiteId: number;
  visitorId: number | null;
  tagIds: number[];
  /** null: this session may not read them. */
  surveys: Survey[] | null;
  sales: Sale[] | null;
}

/** A note given as a fraction of 3 (seed 003), as the visitor chose it: 1, 2 or 3. */
const outOfThree = (fraction: number | undefined): number | null =>
  fraction === undefined ? null : Math.round(fraction * 3);

export function ConversationDetailsBody({
  api,
  conversationId,
  live,
  tags,
}: {
  api: Api;
  conversationId: number;
  live: ConversationView | null;
  tags: Directory['tags'];
}) {
  const text = useDetailsText();
  const { language } = useI18n();
  const pickerId = useId();
  const [details, setDetails] = useState<Details | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [choice, setChoice] = useState('');

  const load = useCallback(async () => {
    const query = { 'filters[conversation_id]': String(conversationId), full: '1', limit: 100 } as const;
    // Sales are the managers' and admins' (an agent's session may not list them): refused, the section is left out.
    const [row, surveys, sales] = await Promise.all([
      dataOf(api.GET('/api/2/conversation/{id}', { params: { path: { id: conversationId } } })),
      dataOf(api.GET('/api/2/satisfaction', { params: { query } })).catch(() => null),
      dataOf(api.GET('/api/2/transaction', { params: { query } })).catch(() => null),
    ]);
    setDetails({
      status: row.status ?? 'closed',
      websiteId: row.website_id ?? 0,
      visitorId: row.visitor_id ?? null,
      tagIds: row.tag_list ?? [],
      surveys,
      sales,
    });
  }, [api, conversationId]);

  // Read again when the socket sends the conversation's state again: it does after every `conversation.updated` (another
  // operator's tag change, a reopening), a close or a new entry, each a new view. A read receipt (only the read seqs
  // move) asks for nothing.
  const lastView = useRef<ConversationView | null>(null);
  useEffect(() => {
    const previous = lastView.current;
    lastView.current = live;
    if (
      previous !== null &&
      live !== null &&
      (previous.visitor_read_seq !== live.visitor_read_seq || previous.operator_read_seq !== live.operator_read_seq)
    )
      return;
    setError(null);
    load().catch((failure: unknown) => setError(messageOf(failure)));
  }, [load, live]);

  const changeTags = async (tagIds: number[]) => {
    setError(null);
    setNotice(null);
    try {
      await setConversationTags(api, conversationId, tagIds);
      await load();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  const reopen = async () => {
    setError(null);
    try {
      await reopenConversation(api, conversationId);
      setNotice(text('details.reopened'));
      await load();
    } catch (failure) {
      setError(messageOf(failure));
    }
  };

  if (details === null)
    return (
      <section className="conversation-details" aria-label={text('details.title')}>
        <ErrorLine error={error} />
      </section>
    );
  const tagOf = (id: number) => tags.find((tag) => tag.id === id);
  // Offered: not archived, on this conversation's website (a tag without websites is offered everywhere), not on it yet.
  const offered = tags.filter(
    (tag) =>
      tag.archived !== true &&
      !details.tagIds.includes(tag.id) &&
      (!tag.website_id || tag.website_id.length === 0 || tag.website_id.includes(details.websiteId)),
  );
  return (
    <section className="conversation-details" aria-labelledby={`${pickerId}-title`} data-testid="conversation-details">
      <h3 id={`${pickerId}-title`}>{text('details.title')}</h3>
      <ErrorLine error={error} />
      {notice !== null && (
        <p className="notice small" role="status">
          {notice}
        </p>
      )}
      <h4>{text('details.tags')}</h4>
      {details.tagIds.length === 0 ? (
        <p className="muted small">{text('details.noTags')}</p>
      ) : (
        <ul className="tag-chips" data-testid="conversation-tags">
          {details.tagIds.map((id) => {
            const tag = tagOf(id);
            const name = tag?.name ?? `#${id}`;
            return (
              <li key={id}>
                <TagChip
                  tag={{ name: tag?.archived ? text('details.archived', { name }) : name, colour: tag?.colour ?? null }}
                >
                  <button
                    type="button"
                    className="no-print"
                    aria-label={text('details.removeTag', { name })}
                    onClick={() => void changeTags(details.tagIds.filter((tagId) => tagId !== id))}
                  >
                    ×
                  </button>
                </TagChip>
              </li>
            );
          })}
        </ul>
      )}
      {offered.length > 0 && (
        <form
          className="tag-picker no-print"
          onSubmit={(event) => {
            event.preventDefault();
            const id = Number(choice);
            if (choice === '' || !Number.isInteger(id)) return;
            setChoice('');
            void changeTags([...details.tagIds, id]);
          }}
        >
          <label htmlFor={`${pickerId}-picker`} className="sr-only">
            {text('details.addTag')}
          </label>
          <select id={`${pickerId}-picker`} value={choice} onChange={(event) => setChoice(event.target.value)}>
            <option value="">{text('details.chooseTag')}</option>
            {offered.map((tag) => (
              <option key={tag.id} value={tag.id}>
                {tag.name}
              </option>
            ))}
          </select>{' '}
          <button type="submit" className="small" disabled={choice === ''}>
            {text('details.add')}
          </button>
        </form>
      )}
      {details.surveys !== null && <h4>{text('details.satisfaction')}</h4>}
      {details.surveys === null ? null : details.surveys.length === 0 ? (
        <p className="muted small">{text('details.noSatisfaction')}</p>
      ) : (
        details.surveys.map((survey) => (
          <dl className="facts" key={survey.id} data-testid="satisfaction">
            {(
              [
                ['details.welcome', survey.note_welcome],
                ['details.delay', survey.note_delay],
                ['details.resolution', survey.note_resolution],
              ] as const
            ).map(([label, note]) =>
              outOfThree(note) === null ? null : (
                <div key={label} className="fact">
                  <dt>{text(label)}</dt>
                  <dd>{text('details.score', { score: outOfThree(note) ?? '' })}</dd>
                </div>
              ),
            )}
            {survey.comment ? (
              <div className="fact">
                <dt>{text('details.comment')}</dt>
                <dd>
                  <q>{survey.comment}</q>
                </dd>
              </div>
            ) : null}
          </dl>
        ))
      )}
      {details.sales !== null && <h4>{text('details.sales')}</h4>}
      {details.sales === null ? null : details.sales.length === 0 ? (
        <p className="muted small">{text('details.noSales')}</p>
      ) : (
        <ul className="sales" data-testid="sales">
          {details.sales.map((sale) => (
            <li key={sale.id}>
              <strong>
                {sale.amount === undefined
                  ? ''
                  : new Intl.NumberFormat(language, { style: 'currency', currency: sale.currency ?? 'EUR' }).format(
                      sale.amount,
                    )}
              </strong>{' '}
              <span className="muted small">
                {sale.external_id ? `${text('details.order', { id: sale.external_id })} · ` : ''}
                {formatTime(sale.created_at, language, true)}
              </span>
            </li>
          ))}
        </ul>
      )}
      <div className="details-actions no-print">
        {details.status === 'closed' && (
          <button type="button" className="primary small" onClick={() => void reopen()}>
            {text('details.reopen')}
          </button>
        )}
        <button type="button" className="small" onClick={() => window.print()}>
          {text('details.print')}
        </button>
      </div>
      <TranscriptMail api={api} conversationId={conversationId} visitorId={details.visitorId} text={text} />
    </section>
  );
}
