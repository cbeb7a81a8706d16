// Every failure of a request becomes an ApiError, whichever API surface renders it.
import type { FastifyError } from 'fastify';
import { ApiError } from '../errors.js';
import { validationError } from './validation.js';

export interface FailureWording {
  /** What a validation error without a context names (`body` for v2, `querystring` for v1). */
  defaultContext: string;
  /** How the API names the thing being called in "not a field of …" messages. */
  resource: string;
  /** What to say when the body's media type is not one the route reads. */
  mediaTypeHint: string;
}

/** Maps framework errors (validation, body parsing) to ApiErrors; anything unexpected is a 500 that says where to look. */
export function toApiError(error: FastifyError | ApiError, wording: FailureWording): ApiError {
  if (error instanceof ApiError) return error;
  if (error.validation)
    return validationError(error.validation, error.validationContext ?? wording.defaultContext, wording.resource);
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new ApiError('invalid_body', 400, 'The body is not valid JSON.');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new ApiError('unsupported_media_type', 415, wording.mediaTypeHint);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new ApiError('body_too_large', 413, 'The body is larger than 1 MiB.');
    default:
      break;
  }
  if (typeof error.statusCode === 'number' && error.statusCode >= 400 && error.statusCode < 500) {
    return new ApiError('bad_request', error.statusCode, error.message);
  }
  return new ApiError(
    'internal',
    500,
    'Something went wrong on our side; the request id in the X-Request-Id header helps us find it.',
    'error',
  );
}

/** The headers every error answer carries: its id, and when to retry when the error is about timing. */
export function errorHeaders(error: ApiError): Record<string, string> {
  const headers: Record<string, string> = { 'x-causerie-error': error.id };
  if (error.retryAfterSeconds !== undefined) headers['retry-after'] = String(error.retryAfterSeconds);
  return headers;
}
