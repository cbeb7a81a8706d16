// Response schemas reshaped for fast-json-stringify: the unions it would need an Ajv instance for are merged where
// their branches are written alike, every value is written exactly as before, and other unions are left alone.
import serializerCompilerFactory from '@fastify/fast-json-stringify-compiler';
import { Type } from 'typebox';
import { describe, expect, it } from 'vitest';
import { forSerializer } from './serializer-schemas.js';

type Serialize = (value: unknown) => string;

/** fast-json-stringify's writer for `schema`, as Fastify builds a route's. */
function writerOf(schema: unknown): Serialize {
  const build = serializerCompilerFactory()({}, {});
  return build({ schema, method: 'GET', url: '/', httpStatus: '200' } as Parameters<typeof build>[0]) as Serialize;
}

const hasAnyOf = (schema: unknown): boolean => JSON.stringify(schema).includes('"anyOf"');

const ENVELOPE = Type.Object({
  meta: Type.Object({
    status: Type.Union([Type.Literal('fail'), Type.Literal('error')], { description: 'fail or error' }),
    message: Type.String(),
  }),
  data: Type.Object({
    name: Type.Union([Type.String(), Type.Null()]),
    count: Type.Union([Type.Integer(), Type.Null()]),
    at: Type.Union([Type.String({ format: 'date-time' }), Type.Null()]),
    flag: Type.Union([Type.Boolean(), Type.Null()]),
    kind: Type.Union([Type.Literal('a'), Type.Literal('b'), Type.Null()]),
    owner: Type.Union([Type.Object({ id: Type.Integer(), email: Type.String() }), Type.Null()]),
    tags: Type.Union([Type.Array(Type.String()), Type.Null()]),
  }),
});

const VALUES = [
  {
    meta: { status: 'fail', message: 'The field "limit" must be a number.' },
    data: {
      name: 'Claire',
      count: 3,
      at: '2026-12-06T10:00:00.000Z',
      flag: true,
      kind: 'a',
      owner: { id: 7, email: 'c@example.fr', secret: 'never written' },
      tags: ['vip', 'fr'],
    },
  },
  {
    meta: { status: 'error', message: 'é "quoted" \\ and\nnew line' },
    data: { name: null, count: null, at: null, flag: null, kind: null, owner: null, tags: null },
  },
  {
    meta: { status: 'fail', message: '' },
    data: { name: '', count: 0, at: null, flag: false, kind: 'b', owner: null, tags: [] },
  },
];

describe('response schemas for fast-json-stringify', () => {
  it('merge the unions of literals and of a type or null, so no Ajv instance is needed', () => {
    expect(hasAnyOf(ENVELOPE)).toBe(true);
    const reshaped = forSerializer(ENVELOPE);
    expect(hasAnyOf(reshaped)).toBe(false);
    const meta = (reshaped as { properties: { meta: { properties: Record<string, unknown> } } }).properties.meta;
    expect(meta.properties.status).toEqual({ type: 'string', enum: ['fail', 'error'], description: 'fail or error' });
  });

  it('write every value exactly as the schema before did, extra fields dropped alike', () => {
    const original = writerOf(ENVELOPE);
    const reshaped = writerOf(forSerializer(ENVELOPE));
    for (const value of VALUES) {
      expect(reshaped(value)).toBe(original(value));
      expect(JSON.parse(reshaped(value)).data.owner?.secret).toBeUndefined();
    }
    // A Date in a date-time field is written as its ISO string either way.
    const dated = { ...VALUES[1], data: { ...VALUES[1]?.data, at: new Date('2026-12-06T09:30:00Z') } };
    expect(reshaped(dated)).toBe(original(dated));
    expect(JSON.parse(reshaped(dated)).data.at).toBe('2026-12-06T09:30:00.000Z');
  });

  it('leave alone the unions whose branches are written differently, and the schema it was given', () => {
    const mixed = Type.Object({
      id: Type.Union([Type.Integer(), Type.String()]),
      either: Type.Union([Type.Object({ a: Type.String() }), Type.Object({ b: Type.Integer() })]),
    });
    const copy = JSON.stringify(mixed);
    const reshaped = forSerializer(mixed) as { properties: Record<string, { anyOf?: unknown[] }> };
    expect(reshaped.properties.id?.anyOf).toHaveLength(2);
    expect(reshaped.properties.either?.anyOf).toHaveLength(2);
    expect(JSON.stringify(mixed)).toBe(copy);
    const write = writerOf(reshaped);
    expect(JSON.parse(write({ id: 'x-1', either: { b: 2 } }))).toEqual({ id: 'x-1', either: { b: 2 } });
    expect(JSON.parse(write({ id: 12, either: { a: 'z' } }))).toEqual({ id: 12, either: { a: 'z' } });
    // The envelope given to the OpenAPI document keeps its unions.
    forSerializer(ENVELOPE);
    expect(hasAnyOf(ENVELOPE)).toBe(true);
  });
});
