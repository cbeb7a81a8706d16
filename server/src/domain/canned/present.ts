// How a canned response reads in the API (`/api/2/canned_response`).
import type { CannedResponseRow } from '../../db/schema.js';
import { formatDateTime } from '../../time.js';
import { link } from '../tenancy/present.js';

/** The stored JSON list of attachment URLs (written by commands.ts only). */
export function attachmentsOf(row: CannedResponseRow): string[] {
  const parsed: unknown = JSON.parse(row.attachments);
  return Array.isArray(parsed) ? parsed.filter((url): url is string => typeof url === 'string') : [];
}

export function presentCannedResponse(row: CannedResponseRow) {
  return {
    id: row.id,
    shortcut: row.shortcut,
    title: row.title,
    body: row.body,
    scope: row.scope,
    operator_id: row.operator_id,
    website_id: row.website_id,
    attachments: attachmentsOf(row),
    client_id: row.client_id,
    created_at: formatDateTime(row.created_at),
    updated_at: formatDateTime(row.updated_at),
    _link: link('canned_response', row.id),
  };
}
