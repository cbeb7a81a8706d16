// Rows → API shapes for transactions (seed 003 field names, plus `currency`).
import type { SaleRow } from '../../db/schema.js';
import { formatDateTime } from '../../time.js';
import { link } from '../tenancy/present.js';

export function presentTransaction(row: SaleRow) {
  return {
    id: row.id,
    external_id: row.external_id,
    visitor_uid: row.visitor_uid,
    visitor_email: row.visitor_email,
    amount: Number(row.amount),
    currency: row.currency,
    created_at: formatDateTime(row.created_at),
    website_id: row.website_id,
    operator_id: row.operator_id,
    conversation_id: row.conversation_id,
    _link: link('transaction', row.id),
  };
}
