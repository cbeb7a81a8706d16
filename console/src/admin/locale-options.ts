// The choices of the account's time zone and a website's currency, from the browser's Intl (the server checks the same
// way: IANA names, ISO 4217 codes), with the current value kept even when this browser does not list it.

/** [code, name in the console's language] of every ISO 4217 currency the browser knows, the current one included. */
export function currencyOptions(current: string, language: string): Array<[string, string]> {
  const codes = new Set(Intl.supportedValuesOf('currency'));
  if (current !== '') codes.add(current);
  const names = new Intl.DisplayNames([language], { type: 'currency', fallback: 'code' });
  return [...codes].sort().map((code) => [code, names.of(code) ?? code]);
}

/** The IANA time zone names the browser knows, with UTC first (browsers list it apart from the regions). */
export function timeZoneOptions(): string[] {
  return ['UTC', ...Intl.supportedValuesOf('timeZone').filter((zone) => zone !== 'UTC')];
}
