// Route schemas compiled when a route is first used, not all at start: Fastify's own compilers (Ajv for what comes
// in, fast-json-stringify for what goes out), wrapped so that each route's functions are built on its first request.
//
// Why: the API has some 250 routes with TypeBox schemas; compiling them all took 3 of the 10 seconds a node needed to
// start on a busy two-core machine, and every test file that builds an app paid it again for the handful of routes it
// calls. A node that serves traffic compiles the rest in the background once it listens (`compileRemaining`), a few
// at a time between requests, so first requests seldom pay; a test compiles them all to prove every schema builds.
import ajvCompilerFactory from '@fastify/ajv-compiler';
import serializerCompilerFactory from '@fastify/fast-json-stringify-compiler';
import type { FastifySchemaCompiler, FastifyServerOptions } from 'fastify';
import { yieldToIo } from '../event-loop.js';
import { forSerializer } from './serializer-schemas.js';

type SchemaControllerOptions = NonNullable<FastifyServerOptions['schemaController']>;
type ValidatorBuilder = NonNullable<NonNullable<SchemaControllerOptions['compilersFactory']>['buildValidator']>;
type SerializerBuilder = NonNullable<NonNullable<SchemaControllerOptions['compilersFactory']>['buildSerializer']>;
type Validate = ReturnType<FastifySchemaCompiler<unknown>> & { schemaEnv?: unknown };
type Serialize = (document: unknown) => string;

/** The schemas of an app, compiled on first use; `compileRemaining` builds those not used yet. */
export class LazySchemas {
  private readonly pending = new Set<() => void>();

  /** For Fastify's `schemaController` option. */
  readonly controller: SchemaControllerOptions = {
    compilersFactory: { buildValidator: this.validators(), buildSerializer: this.serializers() },
  };

  /** How many schemas are not compiled yet. */
  get remaining(): number {
    return this.pending.size;
  }

  /**
   * Compiles the schemas not used yet, `batch` at a time with a turn of the event loop between batches (requests go
   * first); resolves when none is left. A schema that does not compile throws here, as it would at start.
   */
  async compileRemaining(batch = Number.POSITIVE_INFINITY): Promise<void> {
    while (this.pending.size > 0) {
      let done = 0;
      for (const compile of this.pending) {
        compile();
        if (++done >= batch) break;
      }
      if (this.pending.size > 0 && batch !== Number.POSITIVE_INFINITY) await yieldToIo();
    }
  }

  private validators(): ValidatorBuilder {
    const ajv = ajvCompilerFactory();
    const build = (externalSchemas: Parameters<ValidatorBuilder>[0], options: Parameters<ValidatorBuilder>[1]) => {
      const compileRoute = ajv(externalSchemas, options);
      return (route: Parameters<typeof compileRoute>[0]) => {
        let compiled: Validate | undefined;
        const compile = (): Validate => {
          if (compiled === undefined) {
            compiled = compileRoute(route) as Validate;
            this.pending.delete(compile);
          }
          return compiled;
        };
        this.pending.add(compile);
        // Fastify reads `errors` off the function it was given, and hands Ajv the parent of the value (so coercion
        // can replace a root value) only when the function has `schemaEnv`, as Ajv's own functions do.
        const validate = ((data: unknown, context?: unknown) => {
          const real = compile();
          const result = (real as (value: unknown, parent?: unknown) => ReturnType<Validate>)(data, context);
          validate.errors = real.errors ?? null;
          return result;
        }) as Validate;
        validate.schemaEnv = true;
        return validate;
      };
    };
    return build as ValidatorBuilder;
  }

  private serializers(): SerializerBuilder {
    const fastJson = serializerCompilerFactory();
    const build = (externalSchemas: unknown, options: Parameters<SerializerBuilder>[1]) => {
      const compileRoute = fastJson(externalSchemas, options);
      return (route: Parameters<typeof compileRoute>[0]): Serialize => {
        let compiled: Serialize | undefined;
        const compile = (): Serialize => {
          if (compiled === undefined) {
            compiled = compileRoute({ ...route, schema: forSerializer(route.schema) } as typeof route);
            this.pending.delete(compile);
          }
          return compiled;
        };
        this.pending.add(compile);
        return (document) => compile()(document);
      };
    };
    return build as SerializerBuilder;
  }
}
