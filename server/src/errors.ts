// The one error type of the API: a stable id, an HTTP status and a message a user can act on.

/** `fail` for input the caller can correct, `error` for authentication and server faults (seed 003). */
export type EnvelopeStatus = 'fail' | 'error';

export class ApiError extends Error {
  constructor(
    /** Stable identifier, sent in the `X-Causerie-Error` header and logged. */
    readonly id: string,
    readonly httpStatus: number,
    message: string,
    readonly envelopeStatus: EnvelopeStatus = 'fail',
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Authentication failed: the exact body seed 003 gives. */
export function forbidden(): ApiError {
  return new ApiError('forbidden', 403, 'Forbidden', 'error');
}

/** Authenticated, but this key may not do this. */
export function notPermitted(message: string): ApiError {
  return new ApiError('not_permitted', 403, message, 'error');
}

export function fieldMissing(field: string): ApiError {
  return new ApiError('field_missing', 400, `Field '${field}' is missing.`);
}

/** Seed 003's sentence, followed by what is wrong so the caller can fix it. */
export function fieldInvalid(field: string, problem?: string): ApiError {
  const detail = problem
    ? ` ${problem.charAt(0).toUpperCase()}${problem.slice(1)}${/[.!?]$/.test(problem) ? '' : '.'}`
    : '';
  return new ApiError('field_invalid', 400, `Value of field '${field}' is not valid.${detail}`);
}

export function fieldUnknown(field: string, resource: string): ApiError {
  return new ApiError('field_unknown', 400, `Field '${field}' is not a field of '${resource}'.`);
}

export function unknownResource(resource: string, id: number | string): ApiError {
  const shown = typeof id === 'number' || /^\d+$/.test(id) ? String(id) : `'${id}'`;
  return new ApiError('not_found', 404, `Unknown '${resource}' with 'id' ${shown}.`);
}

export function conflict(message: string): ApiError {
  return new ApiError('conflict', 409, message);
}
