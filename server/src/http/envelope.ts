// Seed 003's response envelope: `meta` (+ `data`, + `pagination` on lists), and the schemas that document it.
import { type TSchema, Type } from 'typebox';
import type { ApiError } from '../errors.js';

/** `meta` of an error answer: seed 003's status and message, plus what a program compares instead of the message. */
export const ErrorMeta = Type.Object({
  status: Type.Union([Type.Literal('fail'), Type.Literal('error')], {
    description: '`fail` for input to correct; `error` for authentication failures and faults of the server.',
  }),
  message: Type.String({ description: 'What went wrong and what to change, in words for people (seed 003 wording).' }),
  error: Type.String({
    description:
      'Stable error id, also in the `X-Causerie-Error` header: `field_missing`, `field_invalid`, `field_unknown`, `not_found`, `forbidden`, `not_permitted`, `conflict`… Compare this, not the message.',
  }),
  field: Type.Optional(
    Type.String({
      description:
        'The field at fault, when one is: `email`, `chat[available]` (brackets for nested fields, as form bodies write them).',
    }),
  ),
  reason: Type.Optional(
    Type.String({
      description:
        'The stable cause within `error`, when an error has several a client tells apart (a refused transfer: `operator_not_connected`, `operator_not_on_website`, `group_nobody_free`…). Compare this, not the message.',
      examples: ['operator_not_connected'],
    }),
  ),
});

export const Pagination = Type.Object({
  page: Type.Integer({ description: 'Current page, from 1.' }),
  pages: Type.Integer({ description: 'Number of pages.' }),
  limit: Type.Integer({ description: 'Resources per page (at most 100).' }),
  count: Type.Integer({ description: 'Resources matching the filters, over all pages.' }),
});

export interface PageInfo {
  page: number;
  pages: number;
  limit: number;
  count: number;
}

/** Body of every error answer. */
export const ErrorEnvelope = Type.Object(
  { meta: ErrorMeta },
  {
    description:
      'An error: `meta.status` is `fail` or `error`; `meta.message` says what to change; `meta.error` is its stable id and `meta.field` the field concerned.',
  },
);

/** The v2 body of an error: `{"meta":{"status":"fail","message":"Field 'email' is missing.","error":"field_missing","field":"email"}}`. */
export function errorEnvelope(error: ApiError) {
  return {
    meta: {
      status: error.envelopeStatus,
      message: error.message,
      error: error.id,
      ...(error.field !== undefined && { field: error.field }),
      ...(error.reason !== undefined && { reason: error.reason }),
    },
  };
}

export const SuccessMeta = Type.Object({ status: Type.Literal('success'), message: Type.Optional(Type.String()) });

/** `{ meta, data }` for one resource. */
export function OneEnvelope<T extends TSchema>(data: T) {
  return Type.Object({ meta: SuccessMeta, data });
}

/** `{ meta, data: [...], pagination }` for a list. */
export function ListEnvelope<T extends TSchema>(item: T) {
  return Type.Object({ meta: SuccessMeta, data: Type.Array(item), pagination: Pagination });
}

/** `{ meta }` alone, as after a delete. */
export const EmptyEnvelope = Type.Object({ meta: SuccessMeta });

export function one<T>(data: T) {
  return { meta: { status: 'success' as const }, data };
}

export function many<T>(data: T[], pagination: PageInfo) {
  return { meta: { status: 'success' as const }, data, pagination };
}

export function done(message?: string) {
  return { meta: message === undefined ? { status: 'success' as const } : { status: 'success' as const, message } };
}

/** The error statuses every authenticated route may answer with, for the OpenAPI document. */
export const ErrorResponses = {
  400: ErrorEnvelope,
  403: ErrorEnvelope,
  404: ErrorEnvelope,
  409: ErrorEnvelope,
  /** A limit: too many wrong keys from this address, or (visitor fallback) too many requests; see Retry-After. */
  429: ErrorEnvelope,
} as const;
