// The targeting rule form: a rule read into fields and back gives the API's body; typed numbers become numbers, text
// that is not one goes as typed (the server names the field); invitation fields only with an invitation.
import { describe, expect, it } from 'vitest';
import { bodyOf, emptyRule, fieldsOf, newCondition, OPERATORS, type RuleRecord, withType } from './targeting-form';

const rule: RuleRecord = {
  id: 4,
  name: 'Big carts',
  website_id: 2,
  channel: 'chat',
  status: 'active',
  priority: 2,
  conditions: {
    match: 'any',
    list: [
      { type: 'cart_amount', operator: 'gte', value: 100 },
      { type: 'returning_visitor', operator: 'equals', value: true },
      { type: 'page_url', operator: 'matches', value: '/checkout' },
    ],
  },
  action: 'invitation',
  invitation_message: 'Need a hand?',
  invitation_delay_seconds: 5,
  group_id: null,
  skill_id: 9,
  only_when_available: true,
};

describe('the targeting rule form', () => {
  it('reads a rule and gives back the same body (PUT leaves the website out)', () => {
    const fields = fieldsOf(rule);
    expect(fields.target).toBe('skill:9');
    expect(fields.conditions[0]).toEqual({ type: 'cart_amount', operator: 'gte', value: '100' });
    expect(bodyOf(fields, true)).toEqual({
      name: 'Big carts',
      channel: 'chat',
      status: 'active',
      priority: 2,
      conditions: rule.conditions,
      action: 'invitation',
      invitation_message: 'Need a hand?',
      invitation_delay_seconds: 5,
      group_id: null,
      skill_id: 9,
      only_when_available: true,
    });
    expect(bodyOf(fields, false)).toMatchObject({ website_id: 2 });
  });

  it('a button rule sends no invitation; a group target; text where a number is expected goes as typed', () => {
    const fields = {
      ...emptyRule(3),
      name: 'Everywhere',
      target: 'group:6',
      priority: 'first',
      conditions: [{ type: 'time_on_page' as const, operator: 'gte', value: 'ten' }],
    };
    expect(bodyOf(fields, false)).toMatchObject({
      website_id: 3,
      priority: 'first',
      action: 'button',
      invitation_message: null,
      invitation_delay_seconds: null,
      group_id: 6,
      skill_id: null,
      conditions: { match: 'all', list: [{ type: 'time_on_page', operator: 'gte', value: 'ten' }] },
    });
  });

  it('a condition changing type keeps an operator the new type takes, else takes its first', () => {
    const contains = newCondition();
    expect(withType(contains, 'referrer')).toEqual({ type: 'referrer', operator: 'contains', value: '' });
    expect(withType(contains, 'cart_amount').operator).toBe(OPERATORS.cart_amount[0]);
    expect(withType(contains, 'returning_visitor')).toEqual({
      type: 'returning_visitor',
      operator: 'equals',
      value: 'true',
    });
  });
});
