// Seed 003's response envelope: `meta` (+ `data`, + `pagination` on lists), and the schemas that document it.
import { type TSchema, Type } from 'typebox';

export const Meta = Type.Object(
  {
    status: Type.Union([Type.Literal('success'), Type.Literal('fail'), Type.Literal('error')]),
    message: Type.Optional(Type.String()),
  },
  {
    description:
      '`success`; `fail` for input to correct (with a message naming the field); `error` for authentication failures.',
  },
);

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
  { meta: Meta },
  { description: 'An error: `meta.status` is `fail` or `error`; `meta.message` says what to change.' },
);

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
} as const;
