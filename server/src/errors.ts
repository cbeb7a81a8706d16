// The one error type of the API and of the realtime protocol: a stable id, an HTTP status, the frame code, a message a
// user can act on and the field it concerns.

/** `fail` for input the caller can correct, `error` for authentication and server faults (seed 003). */
export type EnvelopeStatus = 'fail' | 'error';

export interface ErrorDetails {
  /** The field the error concerns, as the caller names it (`email`, `chat[available]`, `identity.hash`). */
  field?: string;
  /** The realtime frame's `code` when it is not the id. */
  frameCode?: string;
  /** For 429 and 503: when to try again, sent as the `Retry-After` header. */
  retryAfterSeconds?: number;
  /** Why, finer than the id, when a client shows each cause in its own words (`operator_not_connected`). */
  reason?: string;
}

export class ApiError extends Error {
  /** The field the error concerns, when there is one: clients show the message next to it. */
  readonly field: string | undefined;
  /** The `code` of the realtime error frame: the id, unless the protocol names it otherwise. */
  readonly frameCode: string;
  /** Seconds until a retry may succeed (`Retry-After`), when the error is about timing. */
  readonly retryAfterSeconds: number | undefined;
  /** The cause within the id (`meta.reason`), stable like the id, when the error has several a client tells apart. */
  readonly reason: string | undefined;

  constructor(
    /** Stable identifier: `meta.error` of the v2 envelope, the `X-Causerie-Error` header, logged. */
    readonly id: string,
    readonly httpStatus: number,
    message: string,
    readonly envelopeStatus: EnvelopeStatus = 'fail',
    details: ErrorDetails = {},
  ) {
    super(message);
    this.name = 'ApiError';
    this.field = details.field;
    this.frameCode = details.frameCode ?? id;
    this.retryAfterSeconds = details.retryAfterSeconds;
    this.reason = details.reason;
  }
}

/** Authentication failed: the exact body seed 003 gives. */
export function forbidden(): ApiError {
  return new ApiError('forbidden', 403, 'Forbidden', 'error');
}

/** Authenticated, but this key (or operator) may not do this. */
export function notPermitted(message: string, field?: string): ApiError {
  return new ApiError('not_permitted', 403, message, 'error', { field });
}

export function fieldMissing(field: string): ApiError {
  return new ApiError('field_missing', 400, `Field '${field}' is missing.`, 'fail', { field });
}

/** Seed 003's sentence, followed by what is wrong so the caller can fix it. */
export function fieldInvalid(field: string, problem?: string): ApiError {
  const detail = problem
    ? ` ${problem.charAt(0).toUpperCase()}${problem.slice(1)}${/[.!?]$/.test(problem) ? '' : '.'}`
    : '';
  return new ApiError('field_invalid', 400, `Value of field '${field}' is not valid.${detail}`, 'fail', { field });
}

export function fieldUnknown(field: string, resource: string): ApiError {
  return new ApiError('field_unknown', 400, `Field '${field}' is not a field of '${resource}'.`, 'fail', { field });
}

/** `field` names where the id came from when it was given in a field (a frame's `conversation_id`). */
export function unknownResource(resource: string, id: number | string, field?: string): ApiError {
  const shown = typeof id === 'number' || /^\d+$/.test(id) ? String(id) : `'${id}'`;
  return new ApiError('not_found', 404, `Unknown '${resource}' with 'id' ${shown}.`, 'fail', { field });
}

export function conflict(message: string, field?: string): ApiError {
  return new ApiError('conflict', 409, message, 'fail', { field });
}

/** A 409 `conflict` whose cause a client tells apart by `meta.reason` (the console says it in the operator's language). */
export function conflictBecause(reason: string, message: string, field?: string): ApiError {
  return new ApiError('conflict', 409, message, 'fail', { field, reason });
}

/** Errors only the realtime protocol raises; their HTTP status says what they are if one is ever rendered over HTTP. */
export const realtimeErrors = {
  invalidJson: () =>
    new ApiError(
      'invalid_json',
      400,
      'The frame is not valid JSON. Send one JSON object per frame, such as {"type":"message","text":"Hello","client_message_id":"m1"}.',
    ),
  invalidFrame: (message: string) => new ApiError('invalid_frame', 400, message),
  unknownType: (message: string) => new ApiError('unknown_type', 400, message, 'fail', { field: 'type' }),
  rateLimited: () =>
    new ApiError(
      'rate_limited',
      429,
      'Too many frames: this one and the next ones are dropped until the rate falls (see docs/REALTIME.md, rate limits).',
    ),
  helloRequired: () =>
    new ApiError(
      'hello_required',
      409,
      'Send {"type":"hello","website_id":…} first: it says which website and visitor this socket speaks for.',
    ),
  alreadyIdentified: () =>
    new ApiError(
      'already_identified',
      409,
      'This socket already said hello. Open another socket to speak for another visitor or website.',
    ),
  noConversation: () =>
    new ApiError('no_conversation', 409, 'This visitor has no conversation yet: send {"type":"start"} first.', 'fail', {
      field: 'conversation_id',
    }),
  conversationOpen: (conversationId: number) =>
    new ApiError(
      'conversation_open',
      409,
      `Conversation ${conversationId} is still open: send messages to it, or close it before starting another.`,
      'fail',
      { field: 'conversation_id' },
    ),
  originRefused: (origin: string | undefined, siteUrl: string) =>
    new ApiError(
      'origin_refused',
      403,
      `Value of field 'website_id' is not valid. This page's origin ${origin ?? ''} is not on the website's address ${siteUrl}.`,
      'fail',
      { field: 'website_id' },
    ),
  /** Anything a frame handler throws that is not an ApiError: a fault of ours, logged. */
  internal: () =>
    new ApiError('internal', 500, 'The server could not process this frame; it was not applied. Try again.', 'error'),
};
