// The variables a canned response's body may hold, checked when it is written and filled when it is used: one module,
// so that what is accepted is exactly what is rendered. A missing value renders empty, never as `{{…}}`.

export const CANNED_VARIABLES = [
  'visitor.firstname',
  'visitor.name',
  'operator.firstname',
  'operator.name',
  'website.name',
] as const;
export type CannedVariable = (typeof CANNED_VARIABLES)[number];
export type VariableValues = Partial<Record<CannedVariable, string | null>>;

/** `{{ name }}`, spaces inside the braces allowed. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;

const isKnown = (name: string): name is CannedVariable => (CANNED_VARIABLES as readonly string[]).includes(name);

/** The first variable of `body` that is not one of CANNED_VARIABLES (as written between the braces), if any. */
export function unknownVariable(body: string): string | undefined {
  for (const match of body.matchAll(PLACEHOLDER)) {
    const name = match[1] ?? '';
    if (!isKnown(name)) return name;
  }
  return undefined;
}

/** `body` with each variable replaced by its value, or by nothing when the value is missing or blank. */
export function renderBody(body: string, values: VariableValues): string {
  return body.replace(PLACEHOLDER, (_whole, name: string) => (isKnown(name) ? (values[name] ?? '').trim() : ''));
}

/** The first word of a full name: an operator's first name when only the name was given. */
export function firstWord(name: string | null | undefined): string | null {
  const word = name?.trim().split(/\s+/)[0];
  return word === undefined || word === '' ? null : word;
}
