// A company's legal identifier: a French SIREN (9 digits) or SIRET (14 digits) whose Luhn key is right, or an EU VAT
// number in its country's format (the format only: whether it is registered is the platform's verification).

/** Luhn's check (ISO/IEC 7812), as INSEE keys SIREN and SIRET numbers. */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  for (let index = 0; index < digits.length; index += 1) {
    let digit = Number(digits[digits.length - 1 - index]);
    if (index % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return sum % 10 === 0;
}

/** La Poste's SIRETs (SIREN 356000000) are keyed by the sum of their digits, a multiple of 5, not by Luhn. */
const LA_POSTE_SIREN = '356000000';

/** The national part of each EU member state's VAT number, after its prefix (EL is Greece's). */
const VAT_FORMATS: Readonly<Record<string, RegExp>> = {
  AT: /^U\d{8}$/,
  BE: /^[01]\d{9}$/,
  BG: /^\d{9,10}$/,
  CY: /^\d{8}[A-Z]$/,
  CZ: /^\d{8,10}$/,
  DE: /^\d{9}$/,
  DK: /^\d{8}$/,
  EE: /^\d{9}$/,
  EL: /^\d{9}$/,
  ES: /^[A-Z0-9]\d{7}[A-Z0-9]$/,
  FI: /^\d{8}$/,
  FR: /^[0-9A-HJ-NP-Z]{2}\d{9}$/,
  HR: /^\d{11}$/,
  HU: /^\d{8}$/,
  IE: /^\d{7}[A-W][A-I]?$|^\d[A-Z+*]\d{5}[A-W]$/,
  IT: /^\d{11}$/,
  LT: /^\d{9}$|^\d{12}$/,
  LU: /^\d{8}$/,
  LV: /^\d{11}$/,
  MT: /^\d{8}$/,
  NL: /^\d{9}B\d{2}$/,
  PL: /^\d{10}$/,
  PT: /^\d{9}$/,
  RO: /^\d{2,10}$/,
  SE: /^\d{12}$/,
  SI: /^\d{8}$/,
  SK: /^\d{10}$/,
  XI: /^\d{9}$|^\d{12}$|^GD\d{3}$|^HA\d{3}$/,
};

export type LegalIdentifier = { kind: 'siren' | 'siret' | 'vat'; value: string };

/**
 * Reads an identifier as given (spaces, dots and dashes ignored): 9 digits are a SIREN, 14 a SIRET, two letters and
 * more an EU VAT number. Returns the normalised identifier, or why it is refused.
 */
export function readLegalIdentifier(raw: string): LegalIdentifier | { problem: string } {
  const value = raw.replace(/[\s.-]/g, '').toUpperCase();
  if (/^\d{9}$/.test(value))
    return luhnValid(value)
      ? { kind: 'siren', value }
      : { problem: `SIREN ${value} fails its check key (Luhn): check the digits.` };
  if (/^\d{14}$/.test(value)) {
    const valid =
      value.startsWith(LA_POSTE_SIREN) && value !== `${LA_POSTE_SIREN}00000`
        ? [...value].reduce((sum, digit) => sum + Number(digit), 0) % 5 === 0
        : luhnValid(value);
    if (!valid) return { problem: `SIRET ${value} fails its check key (Luhn): check the digits.` };
    if (!luhnValid(value.slice(0, 9))) return { problem: `The SIREN of SIRET ${value} fails its check key (Luhn).` };
    return { kind: 'siret', value };
  }
  const prefix = value.slice(0, 2);
  const format = VAT_FORMATS[prefix];
  if (/^[A-Z]{2}/.test(value)) {
    if (format === undefined)
      return { problem: `'${prefix}' is not an EU VAT prefix (FR, DE, IT, ES, BE, NL, EL for Greece, …).` };
    if (!format.test(value.slice(2))) return { problem: `${value} is not in the format of ${prefix} VAT numbers.` };
    if (prefix === 'FR' && /^\d{2}$/.test(value.slice(2, 4))) {
      // The French key: (12 + 3 × (SIREN mod 97)) mod 97.
      const siren = Number(value.slice(4));
      if (Number(value.slice(2, 4)) !== (12 + 3 * (siren % 97)) % 97)
        return { problem: `${value} fails the French VAT key of its SIREN.` };
    }
    return { kind: 'vat', value };
  }
  return {
    problem: 'Expected a SIREN (9 digits), a SIRET (14 digits) or an EU VAT number (FR12345678901, DE123456789).',
  };
}
