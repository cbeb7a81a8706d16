// Rows → API shapes for visitors and call meetings (seed 003 field names).
import type { CallMeetingRow } from '../../db/schema.js';
import { formatDateTime } from '../../time.js';
import { link } from '../tenancy/present.js';
import { readStoredAttributes } from './contacts.js';
import type { VisitorRecord } from './store.js';

export function presentVisitor(row: VisitorRecord) {
  return {
    id: row.id,
    unique_id: row.unique_id,
    external_id: row.external_id,
    lastname: row.lastname,
    firstname: row.firstname,
    address: row.address,
    city: row.city,
    zip: row.zip,
    country: row.country,
    phone: row.phone,
    email: row.email,
    browser: row.browser,
    website_id: row.website_id,
    created_at: formatDateTime(row.created_at),
    custom_attributes: readStoredAttributes(row.custom_attributes),
    identities: row.identities,
    conversation_id: row.conversation_id,
    _link: link('visitor', row.id),
  };
}

export function presentCallMeeting(row: CallMeetingRow) {
  return {
    id: row.id,
    phone_number: row.phone_number,
    visitor_uid: row.visitor_uid,
    status: row.status,
    start_at: formatDateTime(row.start_at),
    website_id: row.website_id,
    targeting_rule_id: row.targeting_rule_id,
    skill_id: row.skill_id,
    _link: link('callmeeting', row.id),
  };
}
