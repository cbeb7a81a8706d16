// Checks event payloads against their schemas in the catalogue, at run time: what the typecheck cannot see (events
// relayed from another node as JSON, rows read back from the log) and, while the test suite runs, every append.
import { Compile, type Validator } from 'typebox/compile';
import { EVENT_PAYLOADS, type EventPayload, type EventType, isEventType } from './catalogue.js';

const validators = new Map<EventType, Validator>();

/** Compiled on first use: most processes only ever see a handful of event types. */
function validatorOf(type: EventType): Validator {
  let validator = validators.get(type);
  if (validator === undefined) {
    validator = Compile(EVENT_PAYLOADS[type]);
    validators.set(type, validator);
  }
  return validator;
}

export function isEventPayload<T extends EventType>(type: T, payload: unknown): payload is EventPayload<T> {
  return validatorOf(type).Check(payload);
}

/** What is wrong with an event of this name and payload (`/field: message`), or nothing. */
export function eventProblems(type: string, payload: unknown): string[] {
  if (!isEventType(type)) return [`'${type}' is not an event of the catalogue (events/catalogue.ts).`];
  const validator = validatorOf(type);
  if (validator.Check(payload)) return [];
  // An extra field is reported twice (its `false` schema, and the object's `additionalProperties`): once is enough.
  const errors = validator.Errors(payload).filter((error) => error.keyword !== 'boolean');
  return errors.map((error) => {
    const extra = error.keyword === 'additionalProperties' ? ` (${error.params.additionalProperties.join(', ')})` : '';
    return `${error.instancePath || '/'}: ${error.message}${extra}`;
  });
}

/**
 * Whether appendEvent checks each payload before writing it. The typecheck already holds every call site to its
 * event's type, so production skips the check; the test suite (vitest sets VITEST) runs it on every append, which
 * catches what types let through (spreads of wider objects, casts).
 */
export const CHECK_APPENDS = process.env.VITEST !== undefined;

export function assertEventPayload(type: EventType, payload: unknown): void {
  const problems = eventProblems(type, payload);
  if (problems.length > 0)
    throw new Error(`The payload of '${type}' does not match its schema (events/catalogue.ts): ${problems.join('; ')}`);
}
