// The flow editor's logic: new steps, moving, typed inputs, the step and field a server error's JSON pointer names.
import { describe, expect, it } from 'vitest';
import {
  freshId,
  inputOfValue,
  moved,
  newStep,
  parseDefinition,
  placeOfError,
  STEP_FIELDS,
  STEP_TYPES,
  valueOfInput,
  withField,
} from './flow-editor';
import { flowsRouteOf } from './routes';

describe('steps', () => {
  it('a new step gets an unused id and the fields its type cannot do without', () => {
    const steps = [{ id: 'charge', type: 'charge', kind: 'x' }];
    expect(freshId(steps, 'charge')).toBe('charge_2');
    expect(newStep('charge', steps)).toEqual({ id: 'charge_2', type: 'charge', kind: '' });
    expect(newStep('branch', [])).toEqual({
      id: 'branch',
      type: 'branch',
      conditions: [{ variable: '', operator: 'eq', value: '', next: '' }],
    });
    expect(newStep('end', [])).toEqual({ id: 'end', type: 'end' });
  });

  it('every step type of the server has a form, and only end lacks next', () => {
    expect(STEP_TYPES).toHaveLength(12);
    for (const type of STEP_TYPES)
      expect(STEP_FIELDS[type].some((field) => field.name === 'next')).toBe(type !== 'end');
  });

  it('moves a step up or down, and not past the ends', () => {
    expect(moved(['a', 'b', 'c'], 2, -1)).toEqual(['a', 'c', 'b']);
    expect(moved(['a', 'b', 'c'], 0, 1)).toEqual(['b', 'a', 'c']);
    expect(moved(['a', 'b', 'c'], 0, -1)).toEqual(['a', 'b', 'c']);
    expect(moved(['a', 'b', 'c'], 2, 1)).toEqual(['a', 'b', 'c']);
  });

  it('an emptied optional field leaves the step', () => {
    expect(withField({ id: 'a', type: 'wait', seconds: 5 }, 'seconds', undefined)).toEqual({ id: 'a', type: 'wait' });
  });
});

describe('typed inputs', () => {
  it('reads numbers, keeping what is not one as typed so the server names it', () => {
    expect(valueOfInput('integer', '60')).toBe(60);
    expect(valueOfInput('integer', 'sixty')).toBe('sixty');
    expect(valueOfInput('integer', '')).toBeUndefined();
  });

  it('reads lists, comma lists and name=value lines, and shows them back', () => {
    expect(valueOfInput('lines', '{{name}}\n\n{{total}}\n')).toEqual(['{{name}}', '{{total}}']);
    expect(valueOfInput('comma', 'confirmed, cod ,')).toEqual(['confirmed', 'cod']);
    expect(valueOfInput('pairs', 'order_number={{order_number}}\nstatus = confirmed=yes')).toEqual({
      order_number: '{{order_number}}',
      status: 'confirmed=yes',
    });
    expect(inputOfValue('pairs', { a: '1', b: true })).toBe('a=1\nb=true');
    expect(inputOfValue('comma', ['x', 'y'])).toBe('x, y');
  });

  it('reads JSON scalars, and text (variables included) as text', () => {
    expect(valueOfInput('json', 'true')).toBe(true);
    expect(valueOfInput('json', '12.5')).toBe(12.5);
    expect(valueOfInput('json', 'null')).toBeNull();
    expect(valueOfInput('json', '{{order.total}}')).toBe('{{order.total}}');
    expect(inputOfValue('json', null)).toBe('null');
  });
});

describe('validation errors', () => {
  it("names the step, its field, or a branch condition's field from the error's JSON pointer", () => {
    expect(placeOfError('definition/steps/2/text')).toEqual({ step: 2, field: 'text', condition: null });
    expect(placeOfError('definition/steps/0')).toEqual({ step: 0, field: null, condition: null });
    expect(placeOfError('definition/steps/1/conditions/0/next')).toEqual({ step: 1, field: 'next', condition: 0 });
    expect(placeOfError('definition/channel_id')).toEqual({ step: null, field: 'channel_id', condition: null });
    expect(placeOfError('definition')).toEqual({ step: null, field: null, condition: null });
    expect(placeOfError('code')).toBeNull();
    expect(placeOfError(null)).toBeNull();
  });

  it('the JSON view refuses what is not a definition, saying why', () => {
    expect(parseDefinition('{"steps": [')).toMatchObject({ problem: expect.any(String) });
    expect(parseDefinition('[]')).toEqual({ problem: 'not a JSON object' });
    expect(parseDefinition('{"steps": [1]}')).toEqual({ problem: "'steps' must be a list of objects" });
    expect(parseDefinition('{"steps": [{"id": "a", "type": "end"}]}')).toEqual({
      definition: { steps: [{ id: 'a', type: 'end' }] },
    });
  });
});

describe('paths', () => {
  it('routes /admin/flows pages', () => {
    expect(flowsRouteOf('flows')).toEqual({ view: 'list' });
    expect(flowsRouteOf('flows/12')).toEqual({ view: 'editor', flowId: 12 });
    expect(flowsRouteOf('flows/runs')).toEqual({ view: 'runs' });
    expect(flowsRouteOf('flows/charges')).toEqual({ view: 'charges' });
    expect(flowsRouteOf('flows/x')).toBeNull();
  });
});
