// Partners' companies (issue 19 `/client/company`): commands that create, change and decide on them. Every state
// change writes the row, a history row and a `messaging.company_status` event (→ the partner's COMPANY_STATUS
// callback) in one transaction.

import type { Kysely } from 'kysely';
import { isValidPhoneNumber, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import type { Database, MessagingCompanyRow, MessagingCompanyState } from '../../db/schema.js';
import { EMAIL_PROBLEM, isEmailAddress } from '../../email.js';
import { ApiError, fieldInvalid, fieldMissing, unknownResource } from '../../errors.js';
import { type Tx, transact } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import {
  assertCompanyTransition,
  COMPANY_DECISIONS,
  COMPANY_REASON_REQUIRED,
  type CompanyDecision,
} from './company-states.js';
import { readLegalIdentifier } from './legal-ids.js';
import { newestFirst } from './listing.js';
import { recordState, type StateChange } from './state-history.js';

/** What a partner gives for a company (types checked by the route's schema; the rules are checked here). */
export interface CompanyInput {
  legal_name: string;
  trade_name?: string | null;
  legal_identifier: string;
  address: string;
  country: string;
  website?: string | null;
  email: string;
  phone: string;
  sector?: string | null;
  logo_url?: string | null;
}

/** Fields that identify the company legally: verification judged them, so they change only before it is decided. */
export const LEGAL_FIELDS = ['legal_name', 'legal_identifier', 'country'] as const;

/** An E.164 number (`+33145678900`) from what was given (spaces allowed), or 400 naming the field. */
export function readPhone(field: string, raw: string): string {
  const text = raw.trim();
  if (!text.startsWith('+') || !isValidPhoneNumber(text))
    throw fieldInvalid(field, "Expected a valid phone number in international form, such as '+33145678900'.");
  return parsePhoneNumberWithError(text).number;
}

export function readEmailField(field: string, raw: string): string {
  const email = raw.trim().toLowerCase();
  if (!isEmailAddress(email)) throw fieldInvalid(field, EMAIL_PROBLEM);
  return email;
}

/** An https URL (a website, a logo). */
function readHttpsUrl(field: string, raw: string): string {
  let url: URL;
  try {
    url = new URL(raw.trim());
  } catch {
    throw fieldInvalid(field, "Expected an absolute https:// URL, such as 'https://example.fr'.");
  }
  if (url.protocol !== 'https:') throw fieldInvalid(field, 'Expected an https:// URL.');
  return url.toString();
}

function required(field: string, value: string | undefined | null): string {
  const text = value?.trim() ?? '';
  if (text === '') throw fieldMissing(field);
  return text;
}

const optional = (value: string | null | undefined) => (value == null || value.trim() === '' ? null : value.trim());

/** The row's fields from the input, each checked; a SIREN/SIRET belongs to a French company. */
function readCompany(input: Partial<CompanyInput>, current?: MessagingCompanyRow) {
  const fields: Partial<
    Omit<MessagingCompanyRow, 'id' | 'partner_id' | 'state' | 'reason' | 'created_at' | 'updated_at'>
  > = {};
  if (input.legal_name !== undefined) fields.legal_name = required('legal_name', input.legal_name);
  if (input.trade_name !== undefined) fields.trade_name = optional(input.trade_name);
  if (input.country !== undefined) {
    const country = required('country', input.country).toUpperCase();
    if (!/^[A-Z]{2}$/.test(country)) throw fieldInvalid('country', "Expected an ISO 3166 country code, such as 'FR'.");
    fields.country = country;
  }
  if (input.legal_identifier !== undefined) {
    const read = readLegalIdentifier(required('legal_identifier', input.legal_identifier));
    if ('problem' in read) throw fieldInvalid('legal_identifier', read.problem);
    fields.identifier_kind = read.kind;
    fields.legal_identifier = read.value;
  }
  const country = fields.country ?? current?.country;
  const kind = fields.identifier_kind ?? current?.identifier_kind;
  const identifier = fields.legal_identifier ?? current?.legal_identifier;
  if (kind === 'vat' && country !== undefined && identifier !== undefined) {
    // Greece writes EL, Northern Ireland XI; every other prefix is the ISO country code.
    const prefix = identifier.slice(0, 2);
    const prefixCountry = prefix === 'EL' ? 'GR' : prefix === 'XI' ? 'GB' : prefix;
    if (prefixCountry !== country)
      throw fieldInvalid(
        'legal_identifier',
        `A ${prefix} VAT number belongs to a company of ${prefixCountry}, not ${country}.`,
      );
  }
  if ((kind === 'siren' || kind === 'siret') && country !== undefined && country !== 'FR')
    throw fieldInvalid(
      'legal_identifier',
      `A SIREN or SIRET identifies a French company; for ${country} give its VAT number.`,
    );
  if (input.address !== undefined) fields.address = required('address', input.address);
  if (input.website !== undefined)
    fields.website =
      input.website === null || input.website.trim() === '' ? null : readHttpsUrl('website', input.website);
  if (input.email !== undefined) fields.email = readEmailField('email', required('email', input.email));
  if (input.phone !== undefined) fields.phone = readPhone('phone', required('phone', input.phone));
  if (input.sector !== undefined) fields.sector = optional(input.sector);
  if (input.logo_url !== undefined)
    fields.logo_url =
      input.logo_url === null || input.logo_url.trim() === '' ? null : readHttpsUrl('logo_url', input.logo_url);
  return fields;
}

/** Records one state change: the row, its history and its event (the partner's COMPANY_STATUS callback). */
async function changeState(
  trx: Tx,
  company: MessagingCompanyRow,
  state: MessagingCompanyState,
  reason: string | null,
  at: string,
): Promise<void> {
  assertCompanyTransition(company.state, state);
  await trx
    .updateTable('messaging_company')
    .set({ state, reason, updated_at: at })
    .where('id', '=', company.id)
    .execute();
  await recordCompanyState(trx, company, { state, previousState: company.state, reason }, at);
}

/** The history row and the event (the partner's COMPANY_STATUS callback) of one state change. */
function recordCompanyState(
  trx: Tx,
  company: Pick<MessagingCompanyRow, 'id' | 'partner_id' | 'legal_name'>,
  change: StateChange,
  at: string,
): Promise<void> {
  const subject = { resource: 'company', id: company.id, partnerId: company.partner_id } as const;
  return recordState(trx, subject, { ...change, data: { legal_name: company.legal_name } }, at);
}

export async function loadCompany(db: Kysely<Database> | Tx, partnerId: number | null, id: number) {
  let query = db.selectFrom('messaging_company').selectAll().where('id', '=', id);
  // A platform key (partnerId null) sees every partner's; a partner only its own, another's is as unknown as none.
  if (partnerId !== null) query = query.where('partner_id', '=', partnerId);
  const company = await query.executeTakeFirst();
  if (company === undefined) throw unknownResource('client/company', id);
  return company;
}

export async function listCompanies(
  db: Kysely<Database>,
  partnerId: number | null,
  filter: { state?: MessagingCompanyState; page: number; limit: number },
): Promise<{ items: MessagingCompanyRow[]; count: number }> {
  let query = db.selectFrom('messaging_company');
  if (partnerId !== null) query = query.where('partner_id', '=', partnerId);
  if (filter.state !== undefined) query = query.where('state', '=', filter.state);
  return newestFirst(query, filter);
}

/**
 * Creates a company in `pending_verification` (then `verified` at once when the installation auto-verifies), each
 * state announced to the partner's callback.
 */
export async function createCompany(
  db: Kysely<Database>,
  partnerId: number,
  input: CompanyInput,
  options: { autoVerify: boolean },
): Promise<number> {
  const fields = readCompany(input);
  return transact(db, async (trx) => {
    const at = nowInstant();
    const { id } = await trx
      .insertInto('messaging_company')
      .values({
        partner_id: partnerId,
        legal_name: required('legal_name', fields.legal_name),
        trade_name: fields.trade_name ?? null,
        identifier_kind: fields.identifier_kind ?? 'vat',
        legal_identifier: required('legal_identifier', fields.legal_identifier),
        address: required('address', fields.address),
        country: required('country', fields.country),
        website: fields.website ?? null,
        email: required('email', fields.email),
        phone: required('phone', fields.phone),
        sector: fields.sector ?? null,
        logo_url: fields.logo_url ?? null,
        state: 'pending_verification',
        reason: null,
        created_at: at,
        updated_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const created = await loadCompany(trx, partnerId, id);
    await recordCompanyState(trx, created, { state: 'pending_verification', previousState: null, reason: null }, at);
    if (options.autoVerify)
      await changeState(trx, created, 'verified', 'Verified automatically by this installation.', at);
    return id;
  });
}

/** Changes a company's details; its legal identity (LEGAL_FIELDS) only while verification is pending (409 after). */
export async function updateCompany(
  db: Kysely<Database>,
  partnerId: number,
  id: number,
  input: Partial<CompanyInput>,
): Promise<void> {
  await transact(db, async (trx) => {
    const company = await loadCompany(trx, partnerId, id);
    const legal = LEGAL_FIELDS.find((field) => input[field] !== undefined);
    if (legal !== undefined && company.state !== 'pending_verification')
      throw new ApiError(
        'invalid_transition',
        409,
        `This company is '${company.state}': '${legal}' can change only while its verification is pending. Current state: '${company.state}'.`,
        'fail',
        { field: legal },
      );
    const fields = readCompany(input, company);
    if (Object.keys(fields).length === 0) return;
    await trx
      .updateTable('messaging_company')
      .set({ ...fields, updated_at: nowInstant() })
      .where('id', '=', id)
      .execute();
  });
}

/** A platform decision on a company (verify, reject, suspend, reinstate); reject and suspend say why. */
export async function decideCompany(
  db: Kysely<Database>,
  id: number,
  decision: CompanyDecision,
  reason: string | undefined,
): Promise<void> {
  const why = reason?.trim() || null;
  if (why === null && COMPANY_REASON_REQUIRED.has(decision)) throw fieldMissing('reason');
  await transact(db, async (trx) => {
    const company = await loadCompany(trx, null, id);
    await changeState(trx, company, COMPANY_DECISIONS[decision], why, nowInstant());
  });
}
