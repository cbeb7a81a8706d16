// Rows → API shapes for satisfaction answers: notes stored 1..3 (seed 002) are shown as fractions of 3 (seed 003 "Double (percentage)").
import type { SatisfactionRow } from '../../db/schema.js';
import { formatDateTime } from '../../time.js';
import { link } from '../tenancy/present.js';
import { NOTE_MAX } from './schema.js';

/** A note (or mean of notes) as a fraction of the highest note, rounded to 2 decimals: 3 → 1, 2 → 0.67, 1 → 0.33. */
export function noteFraction(note: number): number {
  return Math.round((note / NOTE_MAX) * 100) / 100;
}

export function presentSatisfaction(row: SatisfactionRow) {
  const delay = noteFraction(row.note_delay);
  return {
    id: row.id,
    note_welcome: noteFraction(row.note_welcome),
    note_resolution: noteFraction(row.note_resolution),
    node_delay: delay,
    note_delay: delay,
    comment: row.comment,
    created_at: formatDateTime(row.created_at),
    website_id: row.website_id,
    operator_id: row.operator_id,
    conversation_id: row.conversation_id,
    _link: link('satisfaction', row.id),
  };
}
