// A broadcast's recipients as read from a CSV file or a JSON list (issue 20): the header names a phone column and one
// column per variable of the content; each line becomes a recipient or a problem with its line and reason. A bad line
// never fails the file; a header without the columns the content needs fails it at once, listing them.
import { type CountryCode, isSupportedCountry, parsePhoneNumberWithError } from 'libphonenumber-js/max';
import { fieldInvalid } from '../../errors.js';

/** Names a phone column may have, compared without case, accents or spaces. */
const PHONE_COLUMNS = ['phone', 'to', 'msisdn', 'mobile', 'telephone', 'tel', 'numero', 'phone_number'];

export interface RecipientColumns {
  /** Index of the phone column. */
  phone: number;
  /** Variable name → column index. */
  variables: Map<string, number>;
  /** The header as given, for the broadcast's record. */
  names: string[];
}

export interface Recipient {
  line: number;
  to: string;
  variables: Record<string, string>;
}

export interface RecipientProblem {
  line: number;
  field: string;
  reason: string;
  value: string | null;
}

const plain = (name: string) =>
  name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[\s-]+/g, '_')
    .toLowerCase();

/**
 * The columns of a header for content that uses `required` variables: 400 naming `file` and listing the expected
 * columns when there is no phone column, a required variable has no column, or a column is named twice.
 */
export function readHeader(header: readonly string[], required: readonly string[]): RecipientColumns {
  const names = header.map((name) => name.trim());
  const expected = `Expected columns: phone${required.map((name) => `, ${name}`).join('')}`;
  const seen = new Set<string>();
  for (const name of names) {
    if (name === '') throw fieldInvalid('file', `The header has an empty column name. ${expected}.`);
    if (seen.has(name)) throw fieldInvalid('file', `The header names the column '${name}' twice. ${expected}.`);
    seen.add(name);
  }
  const phone = names.findIndex((name) => PHONE_COLUMNS.includes(plain(name)));
  if (phone === -1)
    throw fieldInvalid('file', `The header has no phone column (one of: ${PHONE_COLUMNS.join(', ')}). ${expected}.`);
  const variables = new Map<string, number>();
  names.forEach((name, index) => {
    if (index !== phone) variables.set(name, index);
  });
  const missing = required.filter((name) => !variables.has(name));
  if (missing.length > 0)
    throw fieldInvalid(
      'file',
      `The header lacks the column${missing.length > 1 ? 's' : ''} ${missing.map((m) => `'${m}'`).join(', ')} that the content uses. ${expected}.`,
    );
  return { phone, variables, names };
}

/** The country a number without its international prefix is read in, or 400 naming `default_country`. */
export function readCountry(code: string | undefined): CountryCode | undefined {
  if (code === undefined) return undefined;
  const upper = code.toUpperCase();
  if (!isSupportedCountry(upper))
    throw fieldInvalid('default_country', `'${code}' is not an ISO 3166 country code such as FR or IT.`);
  return upper;
}

/** A number in E.164, or the reason it is not a mobile number one can message. */
export function readPhone(raw: string, country: CountryCode | undefined): { phone: string } | { reason: string } {
  const text = raw.trim();
  if (text === '') return { reason: 'The phone number is empty.' };
  try {
    const number = parsePhoneNumberWithError(text, country === undefined ? undefined : { defaultCountry: country });
    if (!number.isValid()) return { reason: `'${text}' is not a valid phone number.` };
    const type = number.getType();
    if (type === 'FIXED_LINE') return { reason: `'${text}' is a landline: it cannot receive messages.` };
    return { phone: number.number };
  } catch {
    return {
      reason:
        country === undefined
          ? `'${text}' is not a phone number in international format (+33612345678); set default_country for national numbers.`
          : `'${text}' is not a phone number.`,
    };
  }
}

/** One line: a recipient with its variables, or a problem naming the line (a required variable left empty too). */
export function readRecipient(
  line: number,
  fields: readonly string[],
  columns: RecipientColumns,
  required: ReadonlySet<string>,
  country: CountryCode | undefined,
): Recipient | RecipientProblem {
  const raw = fields[columns.phone] ?? '';
  const phone = readPhone(raw, country);
  if ('reason' in phone)
    return { line, field: columns.names[columns.phone] ?? 'phone', reason: phone.reason, value: raw };
  const variables: Record<string, string> = {};
  for (const [name, index] of columns.variables) {
    const value = (fields[index] ?? '').trim();
    if (value === '' && required.has(name))
      return { line, field: name, reason: `The variable '${name}' is empty.`, value: phone.phone };
    variables[name] = value;
  }
  return { line, to: phone.phone, variables };
}

export function isProblem(read: Recipient | RecipientProblem): read is RecipientProblem {
  return 'reason' in read;
}
