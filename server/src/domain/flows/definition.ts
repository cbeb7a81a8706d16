// A flow's versioned JSON definition: its TypeBox schema (ordered steps with ids, one schema per step type), the check
// that names the bad part by JSON pointer, and the {{variable}} substitution its texts use.
import { type Static, type TSchema, Type } from 'typebox';
import { Compile, type Validator } from 'typebox/compile';
import { ID_MAX } from '../../ids.js';

const StepId = Type.String({ pattern: '^[A-Za-z0-9_-]{1,64}$', description: 'Unique within the flow.' });
/** The step to go to after this one; the next in the list by default. */
const Next = Type.Optional(
  Type.String({ minLength: 1, description: 'Id of the step that follows (default: the next one).' }),
);
const Text = Type.String({ minLength: 1, maxLength: 4096 });
/** A customer's address: an E.164 number, or a {{variable}} holding one (default: `phone`, else the user_key). */
const Recipient = Type.Optional(Type.String({ minLength: 1, maxLength: 200 }));
const ChannelId = Type.Optional(
  Type.Integer({ minimum: 1, maximum: ID_MAX, description: 'Default: the definition’s channel_id.' }),
);
const Json = Type.Union([Type.String(), Type.Number(), Type.Boolean(), Type.Null()]);

const common = { id: StepId, next: Next };

export const STEP_SCHEMAS = {
  send_message: Type.Object(
    { ...common, type: Type.Literal('send_message'), channel_id: ChannelId, to: Recipient, text: Text },
    { additionalProperties: false },
  ),
  send_template: Type.Object(
    {
      ...common,
      type: Type.Literal('send_template'),
      channel_id: ChannelId,
      to: Recipient,
      name: Type.String({ minLength: 1, maxLength: 512 }),
      language: Type.String({ minLength: 2, maxLength: 15 }),
      parameters: Type.Optional(Type.Array(Type.String({ maxLength: 1024 }), { maxItems: 20 })),
      /**
       * The header's parameter, when the approved template's header has one: the value of a text header's {{1}}, or
       * the link Meta fetches an image, video or document header from (Meta refuses the send without it: 132000).
       */
      header: Type.Optional(
        Type.Union([
          Type.Object(
            { type: Type.Literal('text'), text: Type.String({ minLength: 1, maxLength: 1024 }) },
            { additionalProperties: false },
          ),
          Type.Object(
            {
              type: Type.Union([Type.Literal('image'), Type.Literal('video'), Type.Literal('document')]),
              url: Type.String({ minLength: 1, maxLength: 2048 }),
            },
            { additionalProperties: false },
          ),
        ]),
      ),
      /** The value of each dynamic URL button (what Meta appends to its approved URL), by the button's position. */
      buttons: Type.Optional(
        Type.Array(
          Type.Object(
            { index: Type.Integer({ minimum: 0, maximum: 9 }), text: Type.String({ minLength: 1, maxLength: 1024 }) },
            { additionalProperties: false },
          ),
          { maxItems: 10 },
        ),
      ),
      /** Meta's category of the template: its charge kind is `<channel>.template.<category>` when the price list has it. */
      category: Type.Optional(
        Type.Union([
          Type.Literal('marketing'),
          Type.Literal('utility'),
          Type.Literal('authentication'),
          Type.Literal('service'),
        ]),
      ),
    },
    { additionalProperties: false },
  ),
  wait_reply: Type.Object(
    {
      ...common,
      type: Type.Literal('wait_reply'),
      /** The variable receiving the reply's text (`reply` by default) and `<name>_payload` its button payload. */
      save_as: Type.Optional(Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' })),
      timeout_seconds: Type.Optional(Type.Integer({ minimum: 1, maximum: 30 * 86_400 })),
      timeout_next: Type.Optional(Type.String({ minLength: 1 })),
    },
    { additionalProperties: false },
  ),
  branch: Type.Object(
    {
      ...common,
      type: Type.Literal('branch'),
      conditions: Type.Array(
        Type.Object(
          {
            variable: Type.String({ minLength: 1, maxLength: 200 }),
            operator: Type.Union([
              Type.Literal('eq'),
              Type.Literal('ne'),
              Type.Literal('contains'),
              Type.Literal('gt'),
              Type.Literal('lt'),
              Type.Literal('exists'),
              Type.Literal('in'),
            ]),
            value: Type.Optional(Type.Union([Json, Type.Array(Json)])),
            next: Type.String({ minLength: 1 }),
          },
          { additionalProperties: false },
        ),
        { minItems: 1, maxItems: 50 },
      ),
      else: Type.Optional(Type.String({ minLength: 1 })),
    },
    { additionalProperties: false },
  ),
  get_object: Type.Object(
    {
      ...common,
      type: Type.Literal('get_object'),
      object_type: Type.String({ minLength: 1, maxLength: 100 }),
      keys: Type.Record(Type.String(), Type.String({ maxLength: 1024 })),
    },
    { additionalProperties: false },
  ),
  update_object: Type.Object(
    {
      ...common,
      type: Type.Literal('update_object'),
      object_type: Type.String({ minLength: 1, maxLength: 100 }),
      /** The object's id (default `{{object.id}}`). */
      object_id: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
      variables: Type.Record(Type.String(), Json),
    },
    { additionalProperties: false },
  ),
  set_variable: Type.Object(
    {
      ...common,
      type: Type.Literal('set_variable'),
      name: Type.String({ pattern: '^[A-Za-z_][A-Za-z0-9_]{0,63}$' }),
      value: Json,
    },
    { additionalProperties: false },
  ),
  wait: Type.Object(
    {
      ...common,
      type: Type.Literal('wait'),
      seconds: Type.Optional(Type.Integer({ minimum: 0, maximum: 30 * 86_400 })),
      /** A local time `HH:MM` in Europe/Rome: the run waits until its next occurrence. */
      until: Type.Optional(Type.String({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' })),
    },
    { additionalProperties: false },
  ),
  charge: Type.Object(
    {
      ...common,
      type: Type.Literal('charge'),
      kind: Type.String({ minLength: 1, maxLength: 100 }),
      quantity: Type.Optional(Type.Number({ exclusiveMinimum: 0 })),
    },
    { additionalProperties: false },
  ),
  handover: Type.Object(
    {
      ...common,
      type: Type.Literal('handover'),
      channel_id: ChannelId,
      to: Recipient,
      note: Type.Optional(Type.String({ maxLength: 1024 })),
    },
    { additionalProperties: false },
  ),
  shopify_update: Type.Object(
    {
      ...common,
      type: Type.Literal('shopify_update'),
      action: Type.Union([Type.Literal('tag'), Type.Literal('note'), Type.Literal('cancel')]),
      tags: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 255 }), { minItems: 1, maxItems: 20 })),
      note: Type.Optional(Type.String({ maxLength: 5000 })),
      reason: Type.Optional(Type.String({ maxLength: 100 })),
    },
    { additionalProperties: false },
  ),
  end: Type.Object(
    {
      id: StepId,
      type: Type.Literal('end'),
      state: Type.Optional(Type.Union([Type.Literal('done'), Type.Literal('failed')])),
    },
    { additionalProperties: false },
  ),
} as const;

export type StepType = keyof typeof STEP_SCHEMAS;
export const STEP_TYPES = Object.keys(STEP_SCHEMAS) as StepType[];
export type Step = { [K in StepType]: Static<(typeof STEP_SCHEMAS)[K]> }[StepType];
export type StepOf<K extends StepType> = Static<(typeof STEP_SCHEMAS)[K]>;

const FlowDefinitionShape = Type.Object(
  {
    /** The channel messages go through when a step names none. */
    channel_id: Type.Optional(Type.Integer({ minimum: 1, maximum: ID_MAX })),
    /** Variables every run starts with (a request's data and an order override them). */
    variables: Type.Optional(Type.Record(Type.String(), Json)),
    steps: Type.Array(Type.Object({ id: Type.Unknown(), type: Type.Unknown() }), { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false },
);

/** The schema of a definition as the OpenAPI document shows it (steps: one of the step schemas). */
export const FlowDefinitionSchema = Type.Object(
  {
    channel_id: Type.Optional(Type.Integer({ minimum: 1, maximum: ID_MAX })),
    variables: Type.Optional(Type.Record(Type.String(), Json)),
    steps: Type.Array(Type.Union(Object.values(STEP_SCHEMAS) as TSchema[]), { minItems: 1, maxItems: 200 }),
  },
  { additionalProperties: false, description: 'A flow definition (docs/COMMERCE.md, Flow definitions).' },
);

export interface FlowDefinition {
  channel_id?: number;
  variables?: Record<string, string | number | boolean | null>;
  steps: Step[];
}

/** A definition that does not hold: the JSON pointer of the bad part and what is wrong there. */
export class DefinitionError extends Error {
  constructor(
    readonly pointer: string,
    readonly problem: string,
  ) {
    super(`${pointer || '/'}: ${problem}`);
    this.name = 'DefinitionError';
  }
}

const compiled = new Map<object, Validator>();
function validatorOf(schema: TSchema): Validator {
  let validator = compiled.get(schema);
  if (validator === undefined) {
    validator = Compile(schema);
    compiled.set(schema, validator);
  }
  return validator;
}

function firstProblem(schema: TSchema, value: unknown, base: string): DefinitionError | undefined {
  const validator = validatorOf(schema);
  if (validator.Check(value)) return undefined;
  // An extra field is reported by its `false` schema and by the object's additionalProperties: the latter names it.
  const errors = validator.Errors(value).filter((error) => error.keyword !== 'boolean');
  const [error] = errors;
  if (error === undefined) return new DefinitionError(base, 'is not valid');
  if (error.keyword === 'additionalProperties') {
    const [extra] = error.params.additionalProperties as string[];
    return new DefinitionError(`${base}${error.instancePath}/${extra ?? ''}`, 'is not a field here');
  }
  if (error.keyword === 'required') {
    const [missing] = (error.params as { requiredProperties?: string[] }).requiredProperties ?? [];
    return new DefinitionError(`${base}${error.instancePath}/${missing ?? ''}`, 'is missing');
  }
  return new DefinitionError(`${base}${error.instancePath}`, error.message);
}

/** Checks a definition: its shape, each step against its type's schema, ids unique, every `next` naming a step. */
export function checkDefinition(value: unknown): FlowDefinition {
  const shape = firstProblem(FlowDefinitionShape, value, '');
  if (shape !== undefined) throw shape;
  const definition = value as { steps: Array<{ id: unknown; type: unknown }> };
  const ids = new Set<string>();
  definition.steps.forEach((step, index) => {
    const type = step.type;
    if (typeof type !== 'string' || !(type in STEP_SCHEMAS))
      throw new DefinitionError(`/steps/${index}/type`, `expected one of ${STEP_TYPES.join(', ')}`);
    const problem = firstProblem(STEP_SCHEMAS[type as StepType], step, `/steps/${index}`);
    if (problem !== undefined) throw problem;
    const id = step.id as string;
    if (ids.has(id)) throw new DefinitionError(`/steps/${index}/id`, `'${id}' is the id of an earlier step`);
    ids.add(id);
  });
  const steps = definition.steps as Step[];
  const mustName = (pointer: string, target: string | undefined) => {
    if (target !== undefined && !ids.has(target))
      throw new DefinitionError(pointer, `'${target}' is not the id of a step of this flow`);
  };
  steps.forEach((step, index) => {
    if ('next' in step) mustName(`/steps/${index}/next`, step.next);
    if (step.type === 'wait_reply') mustName(`/steps/${index}/timeout_next`, step.timeout_next);
    if (step.type === 'branch') {
      step.conditions.forEach((condition, at) => {
        mustName(`/steps/${index}/conditions/${at}/next`, condition.next);
      });
      mustName(`/steps/${index}/else`, step.else);
    }
    if (step.type === 'send_template') {
      const seen = new Set<number>();
      (step.buttons ?? []).forEach((button, at) => {
        if (seen.has(button.index))
          throw new DefinitionError(`/steps/${index}/buttons/${at}/index`, `button ${button.index} is given twice`);
        seen.add(button.index);
      });
    }
    if (step.type === 'wait' && (step.seconds === undefined) === (step.until === undefined))
      throw new DefinitionError(`/steps/${index}`, "a wait step takes either 'seconds' or 'until'");
    if (step.type === 'shopify_update') {
      const needed = { tag: 'tags', note: 'note', cancel: 'reason' }[step.action] as 'tags' | 'note' | 'reason';
      if (step[needed] === undefined)
        throw new DefinitionError(`/steps/${index}/${needed}`, `is missing: a '${step.action}' update needs it`);
    }
  });
  return value as FlowDefinition;
}

/** A value at a dotted path (`order.customer.name`) of the run's variables; undefined when absent. */
export function lookUp(scope: Record<string, unknown>, path: string): unknown {
  let value: unknown = scope;
  for (const part of path.split('.')) {
    if (typeof value !== 'object' || value === null) return undefined;
    value = (value as Record<string, unknown>)[part];
  }
  return value;
}

/** Replaces each `{{path}}` of a text by the variable's value (empty when absent; objects as JSON). */
export function fillTemplate(text: string, scope: Record<string, unknown>): string {
  return text.replace(/\{\{\s*([A-Za-z0-9_.]+)\s*\}\}/g, (_match, path: string) => {
    const value = lookUp(scope, path);
    if (value === undefined || value === null) return '';
    return typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}

/** A JSON value with its texts filled; a text that is exactly one `{{path}}` takes the variable's own value and type. */
export function fillValue(value: unknown, scope: Record<string, unknown>): unknown {
  if (typeof value !== 'string') return value;
  const whole = /^\{\{\s*([A-Za-z0-9_.]+)\s*\}\}$/.exec(value);
  if (whole !== null) return lookUp(scope, whole[1] ?? '') ?? null;
  return fillTemplate(value, scope);
}

/** Every value of a record filled as `fillValue` fills one (a merchant call's keys or variables). */
export function fillValues(values: Record<string, unknown>, scope: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(values).map(([name, value]) => [name, fillValue(value, scope)]));
}
