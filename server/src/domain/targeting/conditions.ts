// The conditions of a targeting rule: which types and operators exist, and the check a rule's `conditions` passes
// before it is stored (the widget evaluates them in the page: widget/src/frame/targeting.ts reads the same shapes).
import { fieldInvalid } from '../../errors.js';

export const CONDITION_TYPES = [
  'page_url',
  'page_type',
  'time_on_page',
  'pages_viewed',
  'returning_visitor',
  'cart_amount',
  'country',
  'language',
  'device',
  'referrer',
] as const;
export type ConditionType = (typeof CONDITION_TYPES)[number];

const TEXT_MATCH = ['equals', 'not_equals', 'contains', 'matches'] as const;
const SAME = ['equals', 'not_equals'] as const;
const NUMERIC = ['gt', 'gte', 'lt', 'lte', 'eq'] as const;

/** The operators each type takes, and what its value is. */
export const CONDITION_RULES: Record<
  ConditionType,
  { operators: readonly string[]; value: 'text' | 'number' | 'boolean' | 'country' | 'language' | 'device' }
> = {
  page_url: { operators: TEXT_MATCH, value: 'text' },
  referrer: { operators: TEXT_MATCH, value: 'text' },
  page_type: { operators: SAME, value: 'text' },
  time_on_page: { operators: NUMERIC, value: 'number' },
  pages_viewed: { operators: NUMERIC, value: 'number' },
  cart_amount: { operators: NUMERIC, value: 'number' },
  returning_visitor: { operators: ['equals'], value: 'boolean' },
  country: { operators: SAME, value: 'country' },
  language: { operators: SAME, value: 'language' },
  device: { operators: SAME, value: 'device' },
};

export const DEVICES = ['desktop', 'mobile', 'tablet'] as const;
export const MAX_CONDITIONS = 20;
export const MAX_CONDITION_TEXT = 500;

export interface Condition {
  type: ConditionType;
  operator: string;
  value: string | number | boolean;
}

export interface Conditions {
  match: 'all' | 'any';
  list: Condition[];
}

/** No condition: the rule applies to every page of its website. */
export const NO_CONDITIONS: Conditions = { match: 'all', list: [] };

/**
 * Checks the body's conditions and answers them normalised (countries upper case, languages and devices lower case),
 * or 400 naming the condition at fault (`conditions[list][2][value]`) and why.
 */
export function checkConditions(input: { match?: string; list?: readonly unknown[] }): Conditions {
  const match = input.match ?? 'all';
  if (match !== 'all' && match !== 'any') throw fieldInvalid('conditions[match]', "Expected 'all' or 'any'.");
  const list = input.list ?? [];
  if (list.length > MAX_CONDITIONS)
    throw fieldInvalid('conditions[list]', `At most ${MAX_CONDITIONS} conditions per rule.`);
  return { match, list: list.map((raw, index) => checkCondition(raw, `conditions[list][${index}]`)) };
}

function checkCondition(raw: unknown, at: string): Condition {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    throw fieldInvalid(at, 'Expected an object with type, operator and value.');
  const { type, operator, value } = raw as Record<string, unknown>;
  if (typeof type !== 'string' || !(CONDITION_TYPES as readonly string[]).includes(type))
    throw fieldInvalid(`${at}[type]`, `Expected one of ${CONDITION_TYPES.join(', ')}.`);
  const rule = CONDITION_RULES[type as ConditionType];
  if (typeof operator !== 'string' || !rule.operators.includes(operator))
    throw fieldInvalid(`${at}[operator]`, `A ${type} condition takes ${rule.operators.join(', ')}.`);
  const field = `${at}[value]`;
  switch (rule.value) {
    case 'number': {
      const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
      if (typeof number !== 'number' || !Number.isFinite(number) || number < 0 || number > 1e12)
        throw fieldInvalid(field, 'Expected a number from 0.');
      return { type: type as ConditionType, operator, value: number };
    }
    case 'boolean': {
      const flag = value === true || value === 1 || value === '1' || value === 'true';
      if (!flag && value !== false && value !== 0 && value !== '0' && value !== 'false')
        throw fieldInvalid(field, 'Expected true or false.');
      return { type: type as ConditionType, operator, value: flag };
    }
    default: {
      if (typeof value !== 'string' || value.trim() === '') throw fieldInvalid(field, 'Expected a text.');
      if (value.length > MAX_CONDITION_TEXT) throw fieldInvalid(field, `At most ${MAX_CONDITION_TEXT} characters.`);
      return { type: type as ConditionType, operator, value: checkText(rule.value, operator, value.trim(), field) };
    }
  }
}

function checkText(kind: string, operator: string, value: string, field: string): string {
  if (kind === 'country') {
    if (!/^[A-Za-z]{2}$/.test(value)) throw fieldInvalid(field, "Expected a 2-letter country code, such as 'FR'.");
    return value.toUpperCase();
  }
  if (kind === 'language') {
    if (!/^[A-Za-z]{2}$/.test(value)) throw fieldInvalid(field, "Expected a 2-letter language code, such as 'fr'.");
    return value.toLowerCase();
  }
  if (kind === 'device') {
    const device = value.toLowerCase();
    if (!(DEVICES as readonly string[]).includes(device)) throw fieldInvalid(field, `Expected ${DEVICES.join(', ')}.`);
    return device;
  }
  if (operator === 'matches') {
    // The widget runs it with the browser's RegExp, which reads JavaScript's syntax as Node does.
    try {
      new RegExp(value, 'i');
    } catch (error) {
      throw fieldInvalid(field, `Not a valid regular expression: ${(error as Error).message}.`);
    }
  }
  return value;
}

/** A stored rule's conditions (written by checkConditions; an unreadable value reads as none). */
export function parseConditions(text: string): Conditions {
  try {
    const parsed = JSON.parse(text) as Conditions;
    return parsed !== null && Array.isArray(parsed.list) ? parsed : NO_CONDITIONS;
  } catch {
    return NO_CONDITIONS;
  }
}
