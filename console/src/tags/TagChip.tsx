// A tag as a coloured chip (its name always written: the colour is never the only sign), for the tags page and the
// conversation's side panel.
import type { ReactNode } from 'react';
import { type Tag, textOn } from './tags-api';
import './chip.css';

export function TagChip({ tag, children }: { tag: Pick<Tag, 'name' | 'colour'>; children?: ReactNode }) {
  return (
    <span
      className="tag-chip"
      data-testid="tag-chip"
      style={tag.colour === null ? undefined : { background: tag.colour, color: textOn(tag.colour) }}
    >
      {tag.name}
      {children}
    </span>
  );
}
