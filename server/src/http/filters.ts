// Seed 003's list conventions: `page`, `limit` (≤ 100), `full=1`, and `filters[field]=value` with `*` wildcards.
import { Type } from 'typebox';
import { ApiError, fieldInvalid } from '../errors.js';
import { isIdText } from '../ids.js';
import type { ListQuery } from '../list-query.js';
import { parseApiDate } from '../time.js';
import { PROBLEM_KEYWORD } from './validation.js';

export const DEFAULT_LIMIT = 20;
export const MAX_LIMIT = 100;

/**
 * How a filter's value is read: `id` a whole number; `text` as given (with `*` wildcards where the
 * store supports them); `flag` 0/1; `date` `YYYY-MM-DD` or `YYYY-MM-DD HH:MM:SS` (kept as text, read
 * with `parseApiDate`); `nullable_id` an id, or `null` / `!null` for "none" and "any".
 */
export type FilterKind = 'id' | 'text' | 'flag' | 'date' | 'nullable_id';

export interface FilterSpec {
  kind: FilterKind;
  description: string;
}

export type FilterSpecs = Record<string, FilterSpec>;

/** The querystring schema of a list route: common parameters plus one `filters[name]` per filter, for validation and the OpenAPI document. */
export function listQuerySchema(specs: FilterSpecs) {
  const filterProperties: Record<string, ReturnType<typeof Type.Optional<ReturnType<typeof Type.String>>>> = {};
  for (const [name, spec] of Object.entries(specs)) {
    filterProperties[`filters[${name}]`] = Type.Optional(Type.String({ description: spec.description }));
  }
  return Type.Object({
    page: Type.Optional(
      Type.Integer({
        minimum: 1,
        description: 'Page number, from 1.',
        [PROBLEM_KEYWORD]: 'Expected a page number from 1.',
      }),
    ),
    limit: Type.Optional(
      Type.Integer({
        minimum: 1,
        maximum: MAX_LIMIT,
        description: `Resources per page (default ${DEFAULT_LIMIT}, at most ${MAX_LIMIT}).`,
        [PROBLEM_KEYWORD]: `Expected a whole number from 1 to ${MAX_LIMIT}.`,
      }),
    ),
    full: Type.Optional(
      Type.Union([Type.Literal('0'), Type.Literal('1')], {
        description: '`1` shows every field of each resource; otherwise only `id` and `_link`.',
      }),
    ),
    ...filterProperties,
  });
}

/**
 * Reads page, limit, full and the filters from a validated querystring. An unknown `filters[…]`
 * name is an error rather than silently ignored, so a typo never returns everything.
 */
export function parseListQuery<F extends string>(
  query: Record<string, unknown>,
  specs: Record<F, FilterSpec>,
  resource: string,
): ListQuery<F> {
  const filters: Partial<Record<F, string | number | boolean>> = {};
  for (const [key, raw] of Object.entries(query)) {
    const match = /^filters\[([^\]]*)\]$/.exec(key);
    if (!match) {
      if (key.startsWith('filters'))
        throw new ApiError(
          'filter_unknown',
          400,
          `Parameter '${key}' is not valid. Filters are written filters[name]=value.`,
          'fail',
          { field: key },
        );
      continue;
    }
    const name = match[1] ?? '';
    if (!Object.hasOwn(specs, name)) {
      const known = Object.keys(specs);
      throw new ApiError(
        'filter_unknown',
        400,
        `Filter '${name}' is not supported for '${resource}'.${known.length > 0 ? ` Supported filters: ${known.join(', ')}.` : ''}`,
        'fail',
        { field: `filters[${name}]` },
      );
    }
    const spec = specs[name as F];
    const value = Array.isArray(raw) ? String(raw[raw.length - 1]) : String(raw);
    filters[name as F] = readFilter(`filters[${name}]`, spec.kind, value);
  }
  return {
    page: typeof query.page === 'number' ? query.page : 1,
    limit: typeof query.limit === 'number' ? query.limit : DEFAULT_LIMIT,
    full: query.full === '1',
    filters,
  };
}

function readFilter(field: string, kind: FilterKind, value: string): string | number | boolean {
  switch (kind) {
    case 'id':
      if (!isIdText(value.trim())) throw fieldInvalid(field, 'Expected a whole number identifier.');
      return Number(value.trim());
    case 'flag':
      if (value === '1' || value === 'true') return true;
      if (value === '0' || value === 'false') return false;
      throw fieldInvalid(field, 'Expected 0 or 1.');
    case 'text':
      return value;
    case 'date':
      if (parseApiDate(value) === null)
        throw fieldInvalid(field, 'Expected a date written YYYY-MM-DD or YYYY-MM-DD HH:MM:SS.');
      return value.trim();
    case 'nullable_id': {
      const text = value.trim();
      if (text === 'null' || text === '!null') return text;
      if (!isIdText(text)) throw fieldInvalid(field, 'Expected a whole number identifier, null or !null.');
      return Number(text);
    }
  }
}

/** Pagination block for a page of `count` matches. */
export function pageInfo(page: number, limit: number, count: number) {
  return { page, pages: Math.max(1, Math.ceil(count / limit)), limit, count };
}
