// The one rule for an email address, shared by operators, visitors (API and the widget's offline form), sales and
// the RCS service account: something@domain.tld, no spaces, at most 254 characters (RFC 5321's path limit).

/** The rule as a JSON Schema pattern (for TypeBox schemas, so the OpenAPI document shows it). */
export const EMAIL_PATTERN = '^[^\\s@]+@[^\\s@]+\\.[^\\s@]+$';
/** Longest address accepted. */
export const EMAIL_MAX = 254;
/** What a refusal says the caller should send. */
export const EMAIL_PROBLEM = "Expected an email address, such as 'julie@shop.example'.";

const EMAIL = new RegExp(EMAIL_PATTERN);

/** Whether `value` is an email address by the platform's one rule. */
export function isEmailAddress(value: string): boolean {
  return value.length <= EMAIL_MAX && EMAIL.test(value);
}
