// Conversations and their history through the REST API, for what the operator socket does not follow (waiting, closed, others').
import { type Api, dataOf } from '../api';
import type { Entry } from '../socket';

/** A conversation as the REST API lists it (`full=1`). */
export interface ConversationRow {
  id: number;
  status?: string;
  channel?: string;
  source?: string;
  website_id?: number;
  operator_id?: number | null;
  visitor_id?: number;
  visitor_uid?: string;
  created_at?: string;
  closed_at?: string | null;
  page_type?: string | null;
  tag_list?: number[];
}

interface MessageRow {
  seq: number;
  type: number;
  text: string;
  operator_id: number | null;
  created_at_ms: number;
  data?: Entry['data'];
  delivery?: Entry['delivery'];
}

const KINDS: Record<number, Entry['kind']> = { 1: 'operator', 2: 'visitor', 3: 'system', 5: 'navigation', 6: 'note' };

/** A conversation's whole history through the REST API (for conversations the socket does not follow). */
export async function loadHistory(api: Api, conversationId: number): Promise<Entry[]> {
  const entries: Entry[] = [];
  let after = 0;
  for (let page = 0; page < 50; page += 1) {
    const rows: MessageRow[] = await dataOf(
      api.GET('/api/2/conversation/{id}/message', {
        params: { path: { id: conversationId }, query: { after_seq: after, limit: 100 } },
      }),
    );
    for (const row of rows) {
      entries.push({
        conversation_id: conversationId,
        seq: row.seq,
        kind: KINDS[row.type] ?? 'system',
        text: row.text,
        operator_id: row.operator_id,
        at: new Date(row.created_at_ms).toISOString(),
        ...(row.data !== undefined && { data: row.data }),
        ...(row.delivery !== undefined && { delivery: row.delivery }),
      });
    }
    const last = rows[rows.length - 1];
    if (rows.length < 100 || last === undefined) break;
    after = last.seq;
  }
  return entries;
}
