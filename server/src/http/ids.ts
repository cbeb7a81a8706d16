// Identifiers as the API takes them: the schema of an id field, by the rule of ids.ts.
import { Type } from 'typebox';
import { ID_MAX } from '../ids.js';
import { PROBLEM_KEYWORD } from './validation.js';

/** Schema of an identifier field or parameter. */
export function IdSchema(description: string) {
  return Type.Integer({
    minimum: 1,
    maximum: ID_MAX,
    description,
    [PROBLEM_KEYWORD]: 'Expected a whole number identifier.',
  });
}
