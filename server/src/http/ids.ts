// Identifiers as the API takes them: whole numbers from 1 to the largest id a 32-bit integer column holds.
import { Type } from 'typebox';
import { PROBLEM_KEYWORD } from './validation.js';

/** The largest identifier PostgreSQL's `integer` columns hold; anything above can name no row, and would fail the query. */
export const ID_MAX = 2_147_483_647;

/** Schema of an identifier field or parameter. */
export function IdSchema(description: string) {
  return Type.Integer({
    minimum: 1,
    maximum: ID_MAX,
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number identifier.',
  });
}

/** True for text that reads as an identifier within range. */
export function isIdText(text: string): boolean {
  return /^\d{1,10}$/.test(text) && Number(text) >= 1 && Number(text) <= ID_MAX;
}
