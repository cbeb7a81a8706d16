// The flow editor's logic, apart from React: the step types and their fields (the shapes of the server's
// domain/flows/definition.ts), a new step of each type, moving steps, reading typed values, and which step and field
// a validation error's JSON pointer names.
import type { Definition } from './commerce';

export const STEP_TYPES = [
  'send_message',
  'send_template',
  'wait_reply',
  'branch',
  'get_object',
  'update_object',
  'set_variable',
  'wait',
  'charge',
  'handover',
  'shopify_update',
  'end',
] as const;
export type StepType = (typeof STEP_TYPES)[number];

/** How a field is typed in the form: text, a long text, an integer or number, a choice, a list, `name=value` lines. */
export type FieldKind = 'text' | 'long' | 'integer' | 'number' | 'json' | 'lines' | 'pairs' | 'choice' | 'comma';

export interface FieldSpec {
  name: string;
  kind: FieldKind;
  required?: boolean;
  choices?: readonly string[];
}

const next: FieldSpec = { name: 'next', kind: 'text' };
const channel: FieldSpec = { name: 'channel_id', kind: 'integer' };
const to: FieldSpec = { name: 'to', kind: 'text' };

/** The fields of each step type beside `id` and `type`, in the order the form shows them (branch's conditions apart). */
export const STEP_FIELDS: Record<StepType, readonly FieldSpec[]> = {
  send_message: [channel, to, { name: 'text', kind: 'long', required: true }, next],
  send_template: [
    channel,
    to,
    { name: 'name', kind: 'text', required: true },
    { name: 'language', kind: 'text', required: true },
    { name: 'parameters', kind: 'lines' },
    // Meta's category of the template: the charge kind whatsapp.template.<category> when priced.
    { name: 'category', kind: 'choice', choices: ['', 'utility', 'marketing', 'authentication', 'service'] },
    next,
  ],
  wait_reply: [
    { name: 'save_as', kind: 'text' },
    { name: 'timeout_seconds', kind: 'integer' },
    { name: 'timeout_next', kind: 'text' },
    next,
  ],
  branch: [{ name: 'else', kind: 'text' }, next],
  get_object: [{ name: 'object_type', kind: 'text', required: true }, { name: 'keys', kind: 'pairs' }, next],
  update_object: [
    { name: 'object_type', kind: 'text', required: true },
    { name: 'object_id', kind: 'text' },
    { name: 'variables', kind: 'pairs' },
    next,
  ],
  set_variable: [{ name: 'name', kind: 'text', required: true }, { name: 'value', kind: 'json', required: true }, next],
  wait: [{ name: 'seconds', kind: 'integer' }, { name: 'until', kind: 'text' }, next],
  charge: [{ name: 'kind', kind: 'text', required: true }, { name: 'quantity', kind: 'number' }, next],
  handover: [channel, to, { name: 'note', kind: 'long' }, next],
  shopify_update: [
    { name: 'action', kind: 'choice', choices: ['tag', 'note', 'cancel'], required: true },
    { name: 'tags', kind: 'comma' },
    { name: 'note', kind: 'long' },
    { name: 'reason', kind: 'text' },
    next,
  ],
  end: [{ name: 'state', kind: 'choice', choices: ['', 'done', 'failed'] }],
};

export const BRANCH_OPERATORS = ['eq', 'ne', 'contains', 'gt', 'lt', 'exists', 'in'] as const;

/** A step id not used yet: the type's name, then `_2`, `_3`… */
export function freshId(steps: ReadonlyArray<Record<string, unknown>>, type: string): string {
  const taken = new Set(steps.map((step) => step.id));
  if (!taken.has(type)) return type;
  let count = 2;
  while (taken.has(`${type}_${count}`)) count += 1;
  return `${type}_${count}`;
}

/** A new step of a type, with the fields it cannot do without (empty, for the person to fill). */
export function newStep(type: StepType, steps: ReadonlyArray<Record<string, unknown>>): Record<string, unknown> {
  const step: Record<string, unknown> = { id: freshId(steps, type), type };
  switch (type) {
    case 'send_message':
      step.text = '';
      break;
    case 'send_template':
      step.name = '';
      step.language = '';
      break;
    case 'branch':
      step.conditions = [{ variable: '', operator: 'eq', value: '', next: '' }];
      break;
    case 'get_object':
      step.object_type = '';
      step.keys = {};
      break;
    case 'update_object':
      step.object_type = '';
      step.variables = {};
      break;
    case 'set_variable':
      step.name = '';
      step.value = '';
      break;
    case 'wait':
      step.seconds = 60;
      break;
    case 'charge':
      step.kind = '';
      break;
    case 'shopify_update':
      step.action = 'tag';
      step.tags = [];
      break;
  }
  return step;
}

/** The list with the item at `from` moved by `offset` (−1 up, +1 down); unchanged at the ends. */
export function moved<T>(list: readonly T[], from: number, offset: number): T[] {
  const to = from + offset;
  if (to < 0 || to >= list.length || from < 0 || from >= list.length) return [...list];
  const copy = [...list];
  const [item] = copy.splice(from, 1);
  copy.splice(to, 0, item as T);
  return copy;
}

/** A step with one field set; an empty entry removes the field (the schema's optional fields are then absent). */
export function withField(step: Record<string, unknown>, name: string, value: unknown): Record<string, unknown> {
  const copy = { ...step };
  if (value === undefined) delete copy[name];
  else copy[name] = value;
  return copy;
}

/**
 * What a form input's text becomes in the definition. Numbers that do not read as numbers are kept as typed, so the
 * server's validation names the field; JSON values are read as JSON when they are (`true`, `12`, `null`), else text.
 */
export function valueOfInput(kind: FieldKind, text: string): unknown {
  if (text === '' && kind !== 'json') return undefined;
  switch (kind) {
    case 'integer':
    case 'number': {
      const number = Number(text);
      return text.trim() !== '' && Number.isFinite(number) ? number : text;
    }
    case 'json':
      return scalarOf(text);
    case 'lines':
      return text.split('\n').filter((line) => line.trim() !== '');
    case 'comma':
      return text
        .split(',')
        .map((part) => part.trim())
        .filter((part) => part !== '');
    case 'pairs': {
      const pairs: Record<string, unknown> = {};
      for (const line of text.split('\n')) {
        const equals = line.indexOf('=');
        if (line.trim() === '') continue;
        const name = (equals === -1 ? line : line.slice(0, equals)).trim();
        pairs[name] = equals === -1 ? '' : line.slice(equals + 1).trim();
      }
      return pairs;
    }
    default:
      return text;
  }
}

/** `true`, `false`, `null` and numbers as such; anything else (including `{{variables}}`) as text. */
export function scalarOf(text: string): unknown {
  const trimmed = text.trim();
  if (trimmed === 'true') return true;
  if (trimmed === 'false') return false;
  if (trimmed === 'null') return null;
  if (trimmed !== '' && /^-?\d+(\.\d+)?$/.test(trimmed)) return Number(trimmed);
  return text;
}

/** The text a form input shows for a field's value in the definition. */
export function inputOfValue(kind: FieldKind, value: unknown): string {
  if (value === undefined || value === null) return kind === 'json' && value === null ? 'null' : '';
  switch (kind) {
    case 'lines':
      return Array.isArray(value) ? value.map(String).join('\n') : String(value);
    case 'comma':
      return Array.isArray(value) ? value.map(String).join(', ') : String(value);
    case 'pairs':
      return typeof value === 'object'
        ? Object.entries(value as Record<string, unknown>)
            .map(([name, item]) => `${name}=${typeof item === 'string' ? item : JSON.stringify(item)}`)
            .join('\n')
        : String(value);
    default:
      return typeof value === 'string' ? value : JSON.stringify(value);
  }
}

/** Where a validation error points: a step (and one of its fields, or a branch condition's), or the definition. */
export interface ErrorPlace {
  step: number | null;
  /** The step's field (`text`, `conditions`…) or, at the top, the definition's (`steps`, `channel_id`). */
  field: string | null;
  condition: number | null;
}

/**
 * The place a server error names. Its field is `definition` and the JSON pointer of the bad part
 * (`definition/steps/2/text`, `definition/steps/1/conditions/0/next`, `definition/channel_id`).
 */
export function placeOfError(field: string | null): ErrorPlace | null {
  if (field === null || (field !== 'definition' && !field.startsWith('definition/'))) return null;
  const parts = field.split('/').slice(1);
  if (parts[0] !== 'steps' || parts[1] === undefined || !/^\d+$/.test(parts[1]))
    return { step: null, field: parts[0] ?? null, condition: null };
  const condition =
    parts[2] === 'conditions' && parts[3] !== undefined && /^\d+$/.test(parts[3]) ? Number(parts[3]) : null;
  return {
    step: Number(parts[1]),
    field: condition !== null ? (parts[4] ?? 'conditions') : (parts[2] ?? null),
    condition,
  };
}

/** The definition as JSON text for the JSON view. */
export const definitionText = (definition: Definition): string => JSON.stringify(definition, null, 2);

/** The JSON view's text as a definition, or the reason it is not one (kept for the person to fix). */
export function parseDefinition(text: string): { definition: Definition } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    return { problem: error instanceof Error ? error.message : String(error) };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { problem: 'not a JSON object' };
  const steps = (value as { steps?: unknown }).steps;
  if (!Array.isArray(steps) || steps.some((step) => typeof step !== 'object' || step === null || Array.isArray(step)))
    return { problem: "'steps' must be a list of objects" };
  return { definition: value as Definition };
}
