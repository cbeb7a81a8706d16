// Compares an answer with a seed example by shape: the same keys, and values of the same JSON type, recursively.

/** A value's shape: its JSON type, with objects and arrays described member by member. */
export type Shape = string | Shape[] | { [key: string]: Shape };

/**
 * The shape of a JSON value. Arrays are described by their first element (seed examples list items
 * of one kind); `nullable` names keys whose value may be null in one and a value in the other, because
 * the seeds show filled examples where a fresh resource may have nothing yet.
 */
export function shapeOf(value: unknown, nullable: ReadonlySet<string> = new Set(), key = ''): Shape {
  if (value === null) return nullable.has(key) ? 'nullable' : 'null';
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0], nullable, key)];
  if (typeof value === 'object') {
    const shape: Record<string, Shape> = {};
    for (const [name, member] of Object.entries(value as Record<string, unknown>))
      shape[name] = shapeOf(member, nullable, name);
    return shape;
  }
  if (nullable.has(key)) return 'nullable';
  return typeof value;
}

/**
 * The shape of every element of an array (not only the first): each tuple of a conversation history has
 * its own length and types, so `[1, "…", "…", 1455618264049]` and `[3, "…", "…"]` are both kept.
 */
export function tupleShapes(value: readonly unknown[]): Shape[] {
  return value.map((element) => shapeOf(element));
}

/**
 * The members of `actual` that `example` names, in the example's order. Seed 003's field tables list the
 * fields a resource must carry; an answer may carry more (`client_id`, `created_at`…), which this leaves out so
 * `shapeOf(pickFields(actual, example))` compares the listed ones. A listed field that is missing shows as
 * `'(missing)'`, so the comparison fails on it by name.
 */
export function pickFields(actual: unknown, example: Record<string, unknown>): Record<string, unknown> {
  const source =
    actual !== null && typeof actual === 'object' && !Array.isArray(actual) ? (actual as Record<string, unknown>) : {};
  const picked: Record<string, unknown> = {};
  for (const name of Object.keys(example)) picked[name] = Object.hasOwn(source, name) ? source[name] : '(missing)';
  return picked;
}

/** `YYYY-MM-DD HH:MM:SS`: how seed 003 writes dates. */
export const V2_DATE_TIME = /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/;

/** `jj.mm.aaaa hh:mm`: how seed 002 writes dates. */
export const V1_DATE_TIME = /^\d{2}\.\d{2}\.\d{4} \d{2}:\d{2}$/;

/** What Causerie adds to seed 003's error `meta`: the stable error id and the field at fault (clients may ignore both). */
const ERROR_META_EXTENSIONS = new Set(['error', 'field']);

/**
 * An error answer as seed 003 writes it: `meta` with its `status` and `message`, without the additions (`meta.error`,
 * `meta.field`). Anything else added to `meta` is left in, so the comparison with the seed fails on it by name.
 */
export function asSeedError(body: unknown): unknown {
  if (body === null || typeof body !== 'object' || !('meta' in body)) return body;
  const { meta, ...rest } = body as { meta: unknown };
  if (meta === null || typeof meta !== 'object') return body;
  const kept = Object.entries(meta as Record<string, unknown>).filter(
    ([name, value]) => !(ERROR_META_EXTENSIONS.has(name) && typeof value === 'string'),
  );
  return { meta: Object.fromEntries(kept), ...rest };
}
