// A failed call as a form shows it: the server's message, and the form field it concerns, from the error's `field`
// (`meta.field`) — or, from servers that do not send it, from the message's seed 003 wording.
import { CauserieError } from './api';
import { messageOf } from './ui';

export interface FormError {
  message: string;
  /** The form field: `email`, `website_list`, `credentials.app_secret`…; null when the error concerns none. */
  field: string | null;
}

/** A form's own error (nothing to save…): it concerns no field. */
export const formMessage = (message: string): FormError => ({ message, field: null });

/** The FormError of anything a call threw. */
export function formErrorOf(failure: unknown): FormError {
  const message = messageOf(failure);
  if (!(failure instanceof CauserieError)) return { message, field: null };
  return { message, field: formField(failure.field ?? fieldInMessage(message)) };
}

/**
 * The form field of an API field path: `credentials[app_secret]` → `credentials.app_secret` (the credential's input),
 * `credentials[service_account][private_key]` or `/credentials/service_account` → `credentials.service_account`.
 */
export function formField(path: string | null): string | null {
  if (path === null) return null;
  const [head, ...rest] = path.split(/[[\]./]+/).filter((part) => part !== '');
  if (head === undefined) return null;
  return head === 'credentials' && rest[0] !== undefined ? `credentials.${rest[0]}` : head;
}

/** The field a seed 003 message names ("Value of field 'x' is not valid…", "Field 'x' is missing."), for servers without `meta.field`. */
export function fieldInMessage(message: string): string | null {
  return /^(?:Value of field|Field) '([^']+)'/.exec(message)?.[1] ?? null;
}
