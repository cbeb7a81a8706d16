// The composer's list of canned responses as drawn (loaded with the first `/` typed, with its words and styles): a
// listbox of options the reply box points at (aria-activedescendant), a line when nothing matches, the keys' hint,
// or why an insertion failed.
import type { CannedResponse } from './logic';
import { useCannedText } from './strings';
import './canned.css';

interface Props {
  open: boolean;
  listId: string;
  /** Null while the list is read. */
  responses: CannedResponse[] | null;
  matches: readonly CannedResponse[];
  activeIndex: number;
  query: string;
  optionId: (response: CannedResponse) => string;
  onHover: (index: number) => void;
  onChoose: (response: CannedResponse) => void;
  /** The server's message when the last insertion failed. */
  failure: string | null;
}

export function CannedList({
  open,
  listId,
  responses,
  matches,
  activeIndex,
  query,
  optionId,
  onHover,
  onChoose,
  failure,
}: Props) {
  const text = useCannedText();
  const failed =
    failure === null ? null : (
      <p className="error small" role="alert">
        {text('picker.failed', { message: failure })}
      </p>
    );
  if (!open) return failed;
  return (
    <div className="canned-popup" data-testid="canned-picker">
      {failed}
      {responses === null ? (
        failure === null && (
          <p className="muted small" role="status">
            {text('picker.loading')}
          </p>
        )
      ) : matches.length === 0 ? (
        <p className="muted small" role="status">
          {text('picker.empty', { query })}
        </p>
      ) : (
        <div id={listId} role="listbox" aria-label={text('picker.label')} className="canned-options">
          {matches.map((response, index) => (
            // biome-ignore lint/a11y/useKeyWithClickEvents: the keys are the reply box's (aria-activedescendant).
            <div
              key={response.id}
              tabIndex={-1}
              id={optionId(response)}
              role="option"
              aria-selected={index === activeIndex}
              className={index === activeIndex ? 'canned-option active' : 'canned-option'}
              onMouseDown={(event) => event.preventDefault()}
              onMouseEnter={() => onHover(index)}
              onClick={() => onChoose(response)}
            >
              <span className="canned-shortcut">/{response.shortcut}</span> <span>{response.title}</span>
              {response.scope === 'shared' && <span className="muted small"> · {text('picker.shared')}</span>}
              <span className="canned-preview muted small">{response.body}</span>
            </div>
          ))}
        </div>
      )}
      <p className="muted small canned-hint">{text('picker.hint')}</p>
    </div>
  );
}
