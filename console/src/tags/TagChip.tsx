// A tag as a coloured chip (its name always written: the colour is never the only sign), for the tags page and the
// conversation's side panel.
import type { ReactNode } from 'react';
import type { Tag } from './tags-api';
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

/** A readable text colour on a tag's colour (white on the palette's dark tones, black on light ones). */
export function textOn(colour: string | null): string | undefined {
  if (colour === null) return undefined;
  const value = Number.parseInt(colour.slice(1), 16);
  const [r, g, b] = [(value >> 16) & 255, (value >> 8) & 255, value & 255];
  return 0.299 * r + 0.587 * g + 0.114 * b > 150 ? '#000000' : '#ffffff';
}
