// Response schemas reshaped for fast-json-stringify, which builds an Ajv instance of its own for every response schema
// holding an `anyOf` (to pick the branch of each value when it writes it). Nearly every route's error answer has one
// (`status`: 'fail' | 'error'), and many fields are a type or null: some 1,700 Ajv instances, about 120 MB of a
// node's memory once every route was compiled. The unions whose branches differ only in value or nullability are
// written the same either way, so they become one schema (an enum of their values, or a type array with 'null') and
// need no Ajv; any other union is left as it is. The schemas given to the OpenAPI document are not touched.

type Schema = Record<string, unknown>;

const PRIMITIVES = new Set(['string', 'integer', 'number', 'boolean']);
/**
 * Keys that change nothing in how a value is written (not `default`: fast-json-stringify writes it for a missing
 * property, so a branch's default must not become the property's).
 */
const ANNOTATIONS = new Set(['description', 'title', 'examples', 'example', 'deprecated', 'readOnly']);
/** Keys a primitive branch may hold and still be written by its type alone (fast-json-stringify checks none). */
const PRIMITIVE_KEYS = new Set([
  'type',
  'enum',
  'const',
  'format',
  'minimum',
  'maximum',
  'exclusiveMinimum',
  'exclusiveMaximum',
  'multipleOf',
  'minLength',
  'maxLength',
  'pattern',
  ...ANNOTATIONS,
]);

function isSchema(value: unknown): value is Schema {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A branch that says nothing but its type (and annotations). */
const typeOnly = (branch: Schema): boolean =>
  Object.keys(branch).every((key) => key === 'type' || ANNOTATIONS.has(key));

const isNull = (branch: Schema): boolean => branch.type === 'null' && typeOnly(branch);

const isPrimitive = (branch: Schema): boolean =>
  typeof branch.type === 'string' &&
  PRIMITIVES.has(branch.type) &&
  Object.keys(branch).every((key) => PRIMITIVE_KEYS.has(key));

/** The values a branch of one primitive type allows, when it lists them (enum or const). */
function valuesOf(branch: Schema): unknown[] | undefined {
  if (Array.isArray(branch.enum)) return branch.enum;
  if ('const' in branch) return [branch.const];
  return undefined;
}

/**
 * One schema for branches all of `type`: a single branch as it is; several that list their values (TypeBox writes a
 * union of literals as anyOf), one enum of them all; several without values, the type alone.
 */
function oneTypeOf(branches: Schema[], type: string): Schema | undefined {
  const [first] = branches;
  if (branches.length === 1 && first !== undefined) return { ...first };
  const values = branches.map(valuesOf);
  if (values.every((list) => list !== undefined)) return { type, enum: values.flat() };
  return branches.every(typeOnly) ? { type } : undefined;
}

/** One schema for `anyOf`, when its branches are written alike; undefined when they are not. */
function merged(branches: Schema[], around: Schema): Schema | undefined {
  const { anyOf: _anyOf, ...rest } = around;
  const nulls = branches.filter(isNull);
  const others = branches.filter((branch) => !isNull(branch));
  if (others.length === 0 || nulls.length > 1) return undefined;
  const nullable = nulls.length === 1;
  if (others.every(isPrimitive)) {
    const type = others[0]?.type as string;
    if (!others.every((branch) => branch.type === type)) return undefined;
    const base = oneTypeOf(others, type);
    if (base === undefined) return undefined;
    if (nullable) {
      base.type = [type, 'null'];
      delete base.enum;
      delete base.const;
    }
    return { ...rest, ...base };
  }
  // An object (or array) or null: fast-json-stringify writes null for null and the schema otherwise.
  if (nullable && others.length === 1) {
    const only = others[0] as Schema;
    if ((only.type === 'object' || only.type === 'array') && only.anyOf === undefined && only.oneOf === undefined)
      return { ...rest, ...only, type: [only.type, 'null'] };
  }
  return undefined;
}

/** `schema` with its mergeable unions merged, as a copy (the original is left as it was); deep, one pass. */
export function forSerializer(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(forSerializer);
  if (!isSchema(schema)) return schema;
  const copy: Schema = {};
  for (const [key, value] of Object.entries(schema)) copy[key] = forSerializer(value);
  if (Array.isArray(copy.anyOf) && copy.anyOf.every(isSchema)) return merged(copy.anyOf as Schema[], copy) ?? copy;
  return copy;
}
