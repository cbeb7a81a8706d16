// The composer's canned responses: typing `/` at the start of a word opens a list of the operator's responses (shared
// and personal, of the conversation's website) filtered by what follows; ↑ ↓ choose, Enter or a click inserts the
// body rendered by the server for this conversation, Esc closes. The reply box stays focused, pointing at the option
// with aria-activedescendant (a listbox of options).
import {
  type KeyboardEvent,
  lazy,
  type ReactNode,
  type RefObject,
  Suspense,
  useEffect,
  useId,
  useRef,
  useState,
} from 'react';
import type { Api } from '../api';
import { messageOf } from '../ui';
import {
  type CannedResponse,
  insertionOf,
  matchResponses,
  moveActive,
  replaceSlashQuery,
  type SlashQuery,
  slashQueryAt,
} from './logic';

/** The list as drawn, its words and styles, and the API calls load with the first `/` typed: not in the first load. */
const CannedList = lazy(() => import('./CannedList').then((module) => ({ default: module.CannedList })));
const cannedApi = () => import('./canned-api');

interface Options {
  api: Api;
  conversationId: number;
  websiteId: number | undefined;
  textareaRef: RefObject<HTMLTextAreaElement | null>;
  /** Puts the new text in the composer (the caret is then placed after the insertion). */
  onInsert: (text: string) => void;
}

export interface CannedPicker {
  /** Follows the caret: call with the textarea on each change and selection change. */
  track: (textarea: HTMLTextAreaElement) => void;
  /** Handles the list's keys; true when the key was the list's (the composer then does nothing with it). */
  onKeyDown: (event: KeyboardEvent<HTMLTextAreaElement>) => boolean;
  /** ARIA attributes of the reply box. */
  inputProps: {
    'aria-autocomplete': 'list';
    'aria-controls'?: string;
    'aria-activedescendant'?: string;
  };
  popup: ReactNode;
}

export function useCannedPicker({ api, conversationId, websiteId, textareaRef, onInsert }: Options): CannedPicker {
  const baseId = useId();
  const listId = `${baseId}-canned`;
  const [query, setQuery] = useState<SlashQuery | null>(null);
  /** The `/` (its position) whose list Esc closed: it stays closed until another one is typed. */
  const [dismissedAt, setDismissedAt] = useState<number | null>(null);
  const [responses, setResponses] = useState<CannedResponse[] | null>(null);
  const [active, setActive] = useState(0);
  const [failure, setFailure] = useState<string | null>(null);
  const busy = useRef(false);

  const open = query !== null && dismissedAt !== query.start;
  const matches = open && responses !== null ? matchResponses(responses, query.query) : [];
  const activeIndex = matches.length === 0 ? -1 : Math.min(active, matches.length - 1);
  const optionId = (response: CannedResponse) => `${listId}-${response.id}`;

  // Each opening reads the list again: a response an admin just added is there.
  useEffect(() => {
    if (!open) return;
    let cancelled = false;
    setFailure(null);
    cannedApi()
      .then(({ listCannedResponses }) => listCannedResponses(api, websiteId))
      .then((rows) => {
        if (!cancelled) setResponses(rows);
      })
      .catch((error: unknown) => {
        if (!cancelled) setFailure(messageOf(error));
      });
    return () => {
      cancelled = true;
    };
  }, [open, api, websiteId]);

  // Another conversation starts closed.
  // biome-ignore lint/correctness/useExhaustiveDependencies: resets when the conversation changes.
  useEffect(() => {
    setQuery(null);
    setDismissedAt(null);
    setFailure(null);
  }, [conversationId]);

  const track = (textarea: HTMLTextAreaElement) => {
    const next = slashQueryAt(textarea.value, textarea.selectionStart ?? textarea.value.length);
    // Another word, or more of it typed: the first option is active again (a caret move alone keeps the choice).
    if (next?.query !== query?.query || next?.start !== query?.start) setActive(0);
    setQuery(next);
    // Closed with Esc, the list stays closed while that `/word` is typed on; it opens again for another `/`.
    if (next === null || next.start !== dismissedAt) setDismissedAt(null);
  };

  const choose = async (response: CannedResponse) => {
    const textarea = textareaRef.current;
    if (textarea === null || busy.current) return;
    busy.current = true;
    setFailure(null);
    try {
      const { renderCannedResponse } = await cannedApi();
      const rendered = await renderCannedResponse(api, response.id, conversationId);
      // The text as it is now: the operator may have typed while the server answered.
      const current = slashQueryAt(textarea.value, textarea.selectionStart ?? textarea.value.length) ?? query;
      if (current === null) return;
      const next = replaceSlashQuery(textarea.value, current, insertionOf(rendered));
      setQuery(null);
      onInsert(next.text);
      requestAnimationFrame(() => {
        textarea.focus();
        textarea.setSelectionRange(next.caret, next.caret);
      });
    } catch (error) {
      setFailure(messageOf(error));
    } finally {
      busy.current = false;
    }
  };

  const onKeyDown = (event: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open || event.nativeEvent.isComposing) return false;
    if (event.key === 'ArrowDown' || event.key === 'ArrowUp') {
      event.preventDefault();
      setActive(moveActive(activeIndex, event.key === 'ArrowDown' ? 1 : -1, matches.length));
      return true;
    }
    if (event.key === 'Escape') {
      event.preventDefault();
      setDismissedAt(query.start);
      return true;
    }
    if ((event.key === 'Enter' || event.key === 'Tab') && !event.shiftKey) {
      const chosen = matches[activeIndex];
      // Nothing to choose: Enter sends as usual.
      if (chosen === undefined) return false;
      event.preventDefault();
      void choose(chosen);
      return true;
    }
    return false;
  };

  const popup =
    open || failure !== null ? (
      <Suspense fallback={null}>
        <CannedList
          open={open}
          listId={listId}
          responses={responses}
          matches={matches}
          activeIndex={activeIndex}
          query={query?.query ?? ''}
          optionId={optionId}
          onHover={setActive}
          onChoose={(response) => void choose(response)}
          failure={failure}
        />
      </Suspense>
    ) : null;

  const current = matches[activeIndex];
  return {
    track,
    onKeyDown,
    inputProps: {
      'aria-autocomplete': 'list',
      ...(open && matches.length > 0 && { 'aria-controls': listId }),
      ...(open && current !== undefined && { 'aria-activedescendant': optionId(current) }),
    },
    popup,
  };
}
