// A client's time zone (IANA name, read by Intl) and a website's currency (ISO 4217 code): checked and normalised here.
import { fieldInvalid } from '../../errors.js';

/** The currencies this Node's ICU knows (ISO 4217), read once. */
const CURRENCIES: ReadonlySet<string> = new Set(Intl.supportedValuesOf('currency'));

/**
 * The IANA time zone name given (`Asia/Kathmandu`), its case fixed when Intl spells it so (`europe/paris` →
 * `Europe/Paris`), or 400 naming `timezone`. Offsets (`+01:00`), which Intl also accepts, are refused: they do not
 * follow summer time, which periods of statistics must.
 */
export function readTimeZone(value: string): string {
  const name = value.trim();
  const refused = () =>
    fieldInvalid('timezone', `Unknown time zone '${name}'. Expected an IANA name such as 'Europe/Paris' or 'UTC'.`);
  if (!/^[A-Za-z]/.test(name)) throw refused();
  try {
    const resolved = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
    // Intl answers ICU's spelling, for some zones an older IANA name (Asia/Kathmandu → Asia/Katmandu, Europe/Kyiv →
    // Europe/Kiev): keep the name the client gave, fixing only its case when it is that same name.
    return resolved.toLowerCase() === name.toLowerCase() ? resolved : name;
  } catch {
    throw refused();
  }
}

/** The ISO 4217 code (three capital letters Intl knows, such as `EUR`), or 400 naming `currency`. */
export function readCurrency(value: string): string {
  if (!CURRENCIES.has(value))
    throw fieldInvalid('currency', `Unknown currency '${value}'. Expected an ISO 4217 code such as 'EUR' or 'USD'.`);
  return value;
}
