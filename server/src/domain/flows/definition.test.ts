// Flow definitions: what the check refuses, named by JSON pointer, and how {{variables}} fill texts and values.
import { describe, expect, it } from 'vitest';
import { nextRomeTimeOfDay, parseRomeInput, romeTime } from '../commerce/rome-time.js';
import { checkDefinition, DefinitionError, fillTemplate, fillValue } from './definition.js';

function pointerOf(value: unknown): string {
  try {
    checkDefinition(value);
  } catch (error) {
    if (error instanceof DefinitionError) return `${error.pointer} ${error.problem}`;
    throw error;
  }
  return 'valid';
}

describe('checkDefinition', () => {
  it('accepts a definition of every step type', () => {
    expect(
      pointerOf({
        channel_id: 1,
        steps: [
          { id: 'a', type: 'send_message', text: 'Ciao {{name}}' },
          { id: 'b', type: 'send_template', name: 't', language: 'it', parameters: ['{{x}}'] },
          { id: 'c', type: 'wait_reply', timeout_seconds: 60, timeout_next: 'k' },
          { id: 'd', type: 'branch', conditions: [{ variable: 'reply', operator: 'eq', value: 'SI', next: 'e' }] },
          { id: 'e', type: 'get_object', object_type: 'order', keys: { n: '{{n}}' } },
          { id: 'f', type: 'update_object', object_type: 'order', variables: { done: true } },
          { id: 'g', type: 'set_variable', name: 'v', value: 3 },
          { id: 'h', type: 'wait', until: '09:30' },
          { id: 'i', type: 'charge', kind: 'x', quantity: 2 },
          { id: 'j', type: 'shopify_update', action: 'tag', tags: ['ok'] },
          { id: 'k', type: 'handover', note: 'help' },
          { id: 'l', type: 'end', state: 'failed' },
        ],
      }),
    ).toBe('valid');
  });

  it('names the bad part by JSON pointer', () => {
    expect(pointerOf({ steps: [] })).toMatch(/^\/steps /);
    expect(pointerOf({ steps: [{ id: 'a', type: 'teleport' }] })).toMatch(/^\/steps\/0\/type expected one of/);
    expect(pointerOf({ steps: [{ id: 'a', type: 'charge' }] })).toBe('/steps/0/kind is missing');
    expect(pointerOf({ steps: [{ id: 'a', type: 'charge', kind: 'x', colour: 'red' }] })).toBe(
      '/steps/0/colour is not a field here',
    );
    expect(
      pointerOf({
        steps: [
          { id: 'a', type: 'end' },
          { id: 'a', type: 'end' },
        ],
      }),
    ).toBe("/steps/1/id 'a' is the id of an earlier step");
    expect(
      pointerOf({
        steps: [{ id: 'a', type: 'branch', conditions: [{ variable: 'v', operator: 'eq', value: 1, next: 'z' }] }],
      }),
    ).toBe("/steps/0/conditions/0/next 'z' is not the id of a step of this flow");
    expect(pointerOf({ steps: [{ id: 'a', type: 'wait', seconds: 5, until: '10:00' }] })).toMatch(/^\/steps\/0 /);
    expect(pointerOf({ steps: [{ id: 'a', type: 'shopify_update', action: 'cancel' }] })).toMatch(
      /^\/steps\/0\/reason is missing/,
    );
  });
});

describe('variables', () => {
  const scope = { name: 'Mario', order: { total: 39.5, items: [1, 2] }, flag: true };
  it('fills texts with dotted paths, empty when absent', () => {
    expect(fillTemplate('Ciao {{name}}, totale {{ order.total }} {{missing}}!', scope)).toBe(
      'Ciao Mario, totale 39.5 !',
    );
    expect(fillTemplate('{{order.items}}', scope)).toBe('[1,2]');
  });
  it('keeps the type of a value that is one variable', () => {
    expect(fillValue('{{order.total}}', scope)).toBe(39.5);
    expect(fillValue('{{flag}}', scope)).toBe(true);
    expect(fillValue('n. {{order.total}}', scope)).toBe('n. 39.5');
    expect(fillValue(7, scope)).toBe(7);
  });
});

describe('Europe/Rome times', () => {
  it('shows instants with the offset of their season', () => {
    expect(romeTime('2026-07-01T12:00:00.000Z')).toBe('2026-07-01T14:00:00+02:00');
    expect(romeTime('2026-12-04T17:00:00.000Z')).toBe('2026-12-04T18:00:00+01:00');
  });
  it('reads inputs with an offset as given, without one as Rome time', () => {
    expect(parseRomeInput('2026-07-01T14:00:00+02:00')).toBe('2026-07-01T12:00:00.000Z');
    expect(parseRomeInput('2026-07-01 14:00')).toBe('2026-07-01T12:00:00.000Z');
    expect(parseRomeInput('2026-01-15')).toBe('2026-01-14T23:00:00.000Z');
    expect(parseRomeInput('2026-02-30')).toBeNull();
    expect(parseRomeInput('yesterday')).toBeNull();
  });
  it('finds the next local time of day, across the change to summer time', () => {
    expect(nextRomeTimeOfDay('09:30', new Date('2026-07-01T06:00:00Z'))).toBe('2026-07-01T07:30:00.000Z');
    expect(nextRomeTimeOfDay('09:30', new Date('2026-07-01T08:00:00Z'))).toBe('2026-07-02T07:30:00.000Z');
    // 29 March 2026: Rome moves from +01:00 to +02:00 at 02:00.
    expect(nextRomeTimeOfDay('09:00', new Date('2026-03-28T12:00:00Z'))).toBe('2026-03-29T07:00:00.000Z');
  });
});
