// One step of the version editor as a form: its id, the fields of its type (domain/flows/definition.ts shapes), a
// branch's conditions, moving and removing it, and the server's error when its JSON pointer names this step.
import { useState } from 'react';
import {
  BRANCH_OPERATORS,
  type ErrorPlace,
  type FieldSpec,
  inputOfValue,
  STEP_FIELDS,
  STEP_TYPES,
  type StepType,
  scalarOf,
  valueOfInput,
  withField,
} from './flow-editor';
import { errorText, type FlowsKey, useFlowsText } from './strings';

type Step = Record<string, unknown>;

interface StepFormProps {
  index: number;
  step: Step;
  count: number;
  error: { message: string; pointer: string; place: ErrorPlace | null } | null;
  onChange: (step: Step) => void;
  onMove: (offset: number) => void;
  onRemove: () => void;
}

export function StepForm({ index, step, count, error, onChange, onMove, onRemove }: StepFormProps) {
  const text = useFlowsText();
  const number = index + 1;
  const type = String(step.type ?? '');
  const known = (STEP_TYPES as readonly string[]).includes(type);
  const fields = known ? STEP_FIELDS[type as StepType] : [];
  const errorField = error?.place?.condition === null ? (error.place.field ?? null) : null;
  return (
    <li data-step={index} className={error === null ? 'step' : 'step invalid'}>
      <fieldset>
        <legend>{text('flows.step', { number, type })}</legend>
        {error !== null && (
          <p className="error step-error" role="alert" tabIndex={-1} data-testid={`step-error-${index}`}>
            {errorText(error, text)}
          </p>
        )}
        <div className="step-fields">
          <label>
            {text('flows.stepId')}
            <input
              name={`steps.${index}.id`}
              value={String(step.id ?? '')}
              aria-invalid={errorField === 'id'}
              onChange={(event) => onChange(withField(step, 'id', event.target.value))}
            />
          </label>
          {fields.map((field) => (
            <StepField
              key={field.name}
              index={index}
              field={field}
              value={step[field.name]}
              invalid={errorField === field.name}
              onChange={(value) => onChange(withField(step, field.name, value))}
            />
          ))}
        </div>
        {type === 'branch' && <Conditions index={index} step={step} error={error} onChange={onChange} />}
        <div className="actions step-actions">
          <button
            type="button"
            disabled={index === 0}
            aria-label={text('flows.moveUp', { number })}
            onClick={() => onMove(-1)}
          >
            ↑
          </button>
          <button
            type="button"
            disabled={index === count - 1}
            aria-label={text('flows.moveDown', { number })}
            onClick={() => onMove(1)}
          >
            ↓
          </button>
          <button type="button" aria-label={text('flows.remove', { number })} onClick={onRemove}>
            ✕
          </button>
        </div>
      </fieldset>
    </li>
  );
}

/**
 * One field of a step. Lists and `name=value` lines keep the text as typed (a blank last line, a trailing comma) while
 * the definition gets its parsed value; the draft starts again when the editor renews the form (its key).
 */
function StepField({
  index,
  field,
  value,
  invalid,
  onChange,
}: {
  index: number;
  field: FieldSpec;
  value: unknown;
  invalid: boolean;
  onChange: (value: unknown) => void;
}) {
  const text = useFlowsText();
  const [draft, setDraft] = useState(() => inputOfValue(field.kind, value));
  const label = text(`flows.field.${field.name}` as FlowsKey);
  const name = `steps.${index}.${field.name}`;
  const update = (typed: string) => {
    setDraft(typed);
    onChange(valueOfInput(field.kind, typed));
  };
  if (field.kind === 'choice')
    return (
      <label>
        {label}
        <select
          name={name}
          value={typeof value === 'string' ? value : ''}
          aria-invalid={invalid}
          onChange={(event) => onChange(event.target.value === '' ? undefined : event.target.value)}
        >
          {(field.choices ?? []).map((choice) => (
            <option key={choice} value={choice}>
              {choice === '' ? '—' : choice}
            </option>
          ))}
        </select>
      </label>
    );
  if (field.kind === 'long' || field.kind === 'lines' || field.kind === 'pairs')
    return (
      <label className="wide">
        {label}
        <textarea
          name={name}
          rows={field.kind === 'long' ? 3 : 2}
          value={draft}
          aria-invalid={invalid}
          onChange={(event) => update(event.target.value)}
        />
      </label>
    );
  return (
    <label>
      {label}
      <input
        name={name}
        inputMode={field.kind === 'integer' || field.kind === 'number' ? 'decimal' : undefined}
        value={draft}
        aria-invalid={invalid}
        onChange={(event) => update(event.target.value)}
      />
    </label>
  );
}

/** A branch's conditions: variable, operator, value and the step to go to, each; add and remove. */
function Conditions({
  index,
  step,
  error,
  onChange,
}: {
  index: number;
  step: Step;
  error: StepFormProps['error'];
  onChange: (step: Step) => void;
}) {
  const text = useFlowsText();
  const conditions = Array.isArray(step.conditions) ? (step.conditions as Array<Record<string, unknown>>) : [];
  const set = (at: number, name: string, value: unknown) =>
    onChange(
      withField(
        step,
        'conditions',
        conditions.map((condition, place) => (place === at ? withField(condition, name, value) : condition)),
      ),
    );
  return (
    <fieldset className="conditions">
      <legend>{text('flows.conditions')}</legend>
      {conditions.map((condition, at) => {
        const invalid = (name: string) => error?.place?.condition === at && error.place.field === name;
        const number = at + 1;
        return (
          // biome-ignore lint/suspicious/noArrayIndexKey: conditions have no id; their place is their identity.
          <fieldset key={at} className="condition">
            <legend className="sr-only">{text('flows.condition', { number })}</legend>
            <label>
              {text('flows.variable')}
              <input
                name={`steps.${index}.conditions.${at}.variable`}
                value={String(condition.variable ?? '')}
                aria-invalid={invalid('variable')}
                onChange={(event) => set(at, 'variable', event.target.value)}
              />
            </label>
            <label>
              {text('flows.operator')}
              <select
                name={`steps.${index}.conditions.${at}.operator`}
                value={String(condition.operator ?? 'eq')}
                onChange={(event) => set(at, 'operator', event.target.value)}
              >
                {BRANCH_OPERATORS.map((operator) => (
                  <option key={operator} value={operator}>
                    {operator}
                  </option>
                ))}
              </select>
            </label>
            <label>
              {text('flows.value')}
              <input
                name={`steps.${index}.conditions.${at}.value`}
                value={inputOfValue('json', condition.value)}
                aria-invalid={invalid('value')}
                onChange={(event) =>
                  set(at, 'value', event.target.value === '' ? undefined : scalarOf(event.target.value))
                }
              />
            </label>
            <label>
              {text('flows.field.next')}
              <input
                name={`steps.${index}.conditions.${at}.next`}
                value={String(condition.next ?? '')}
                aria-invalid={invalid('next')}
                onChange={(event) => set(at, 'next', event.target.value)}
              />
            </label>
            <button
              type="button"
              aria-label={text('flows.removeCondition', { number })}
              onClick={() =>
                onChange(
                  withField(
                    step,
                    'conditions',
                    conditions.filter((_condition, place) => place !== at),
                  ),
                )
              }
            >
              ✕
            </button>
          </fieldset>
        );
      })}
      <button
        type="button"
        onClick={() =>
          onChange(
            withField(step, 'conditions', [...conditions, { variable: '', operator: 'eq', value: '', next: '' }]),
          )
        }
      >
        {text('flows.addCondition')}
      </button>
    </fieldset>
  );
}
