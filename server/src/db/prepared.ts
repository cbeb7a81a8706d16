// Fixed statements for the hottest queries. Kysely builds a query's tree and compiles it anew at every call: 7–15 µs
// on the benchmark machines, about 80 times per cash-on-delivery run, the largest share of a busy flows node's CPU
// after SQLite itself. A prepared query is built and compiled once per dialect, with a marker in place of each
// parameter, and its SQL is then run with the call's values in the markers' places. The text being one string also
// makes the statement cache's lookup cheap (V8 keeps a string's hash).
import { type Compilable, CompiledQuery, type Kysely, type QueryResult, type Transaction } from 'kysely';
import { type Dialect, dialectOf } from './dialect.js';
import type { Database } from './schema.js';

type Executor = Kysely<Database> | Transaction<Database>;

/** Parameters are scalars: a list would make a list of markers, of another length at each call. */
export type PreparedParameters = Record<string, string | number | bigint | null>;

/** Where a compiled parameter's value comes from: a named parameter of the call, or a constant of the query. */
type Slot = { name: string } | { value: unknown };

interface Plan {
  sql: string;
  slots: readonly Slot[];
}

const MARKER = '\u0000prepared:';

/** A query built once (preparedQuery): called, it gives every row; `first` gives the first row, or undefined. */
export interface PreparedQuery<P extends PreparedParameters, R> {
  (db: Executor, params: P): Promise<QueryResult<R>>;
  first(db: Executor, params: P): Promise<R | undefined>;
}

/**
 * A query built once: `build` must be the same query whatever the values (no branch on them, no list of them) and
 * pass each parameter as it is (no JSON.stringify or arithmetic on it: the value is not known when it runs). A
 * parameter it changes or puts in the SQL's text throws at the first call.
 */
export function preparedQuery<P extends PreparedParameters, R>(
  build: (db: Executor, params: P) => Compilable<R>,
): PreparedQuery<P, R> {
  const plans = new Map<Dialect, Plan>();
  const run = async (db: Executor, params: P): Promise<QueryResult<R>> => {
    const dialect = dialectOf(db);
    let plan = plans.get(dialect);
    if (plan === undefined) {
      const read = new Set<string>();
      plan = planOf(build(db, markers<P>(read)).compile(), read);
      plans.set(dialect, plan);
    }
    const values = plan.slots.map((slot) => ('name' in slot ? params[slot.name] : slot.value));
    return db.executeQuery(CompiledQuery.raw(plan.sql, values) as CompiledQuery<R>);
  };
  return Object.assign(run, {
    first: async (db: Executor, params: P): Promise<R | undefined> => (await run(db, params)).rows[0],
  });
}

/** Stand-in parameters: each reads as its name's marker, and the names read are noted in `read`. */
function markers<P>(read: Set<string>): P {
  return new Proxy(
    {},
    {
      get: (_target, key) => {
        read.add(String(key));
        return `${MARKER}${String(key)}`;
      },
    },
  ) as P;
}

function planOf(compiled: CompiledQuery, read: ReadonlySet<string>): Plan {
  if (compiled.sql.includes(MARKER)) throw new Error('A prepared query put a parameter in its SQL text.');
  const slots = compiled.parameters.map((value): Slot => {
    const name = typeof value === 'string' && value.startsWith(MARKER) ? value.slice(MARKER.length) : undefined;
    if (name !== undefined && read.has(name)) return { name };
    if (typeof value === 'string' && value.includes(MARKER))
      throw new Error(`A prepared query changed a parameter: ${JSON.stringify(value)}.`);
    return { value };
  });
  return { sql: compiled.sql, slots };
}
