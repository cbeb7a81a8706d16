// The edit forms send only what the manager changed, in the API's shapes; the password only when typed.
import { describe, expect, it } from 'vitest';
import {
  changedFields,
  namedChanges,
  namedDraft,
  numberValue,
  type OperatorRecord,
  operatorChanges,
  operatorDraft,
  sameValue,
  websiteChanges,
  websiteDraft,
} from './changes';

const grace: OperatorRecord = {
  id: 7,
  name: 'Grace Hopper',
  email: 'grace@demo.causerie.test',
  roles: ['manager'],
  first_name: 'Grace',
  pseudo: null,
  chat_max_number: 2,
  group_id: 3,
  website_list: [1, 2],
  skill_list: [],
};

describe('changedFields', () => {
  it('keeps the fields that differ, and compares lists as sets', () => {
    expect(changedFields({ name: 'a', roles: ['x', 'y'] }, { name: 'a', roles: ['y', 'x'] })).toBeNull();
    expect(changedFields({ name: 'a', roles: ['x'] }, { name: 'b', roles: ['x', 'y'] })).toEqual({
      name: 'b',
      roles: ['x', 'y'],
    });
    expect(changedFields({ group_id: 3 }, { group_id: null })).toEqual({ group_id: null });
  });

  it('tells a list from a text', () => {
    expect(sameValue(['1'], '1')).toBe(false);
    expect(sameValue([1, 1], [1, 2])).toBe(false);
    expect(sameValue(null, null)).toBe(true);
  });
});

describe('numberValue', () => {
  it('reads whole numbers and leaves anything else as typed for the API to name', () => {
    expect(numberValue(' 4 ')).toBe(4);
    expect(numberValue('2.5')).toBe('2.5');
    expect(numberValue('')).toBe('');
  });
});

describe('operatorChanges', () => {
  it('sends nothing when nothing changed', () => {
    expect(operatorChanges(grace, operatorDraft(grace))).toBeNull();
    // Spaces around a text and the order of ticked boxes change nothing.
    expect(
      operatorChanges(grace, { ...operatorDraft(grace), name: ' Grace Hopper ', website_list: [2, 1] }),
    ).toBeNull();
  });

  it('sends only the changed fields, as the API takes them', () => {
    const draft = {
      ...operatorDraft(grace),
      name: 'Grace B. Hopper',
      roles: ['manager', 'admin'],
      chat_max_number: '5',
      pseudo: ' Amazing Grace ',
    };
    expect(operatorChanges(grace, draft)).toEqual({
      name: 'Grace B. Hopper',
      roles: ['manager', 'admin'],
      chat_max_number: 5,
      pseudo: 'Amazing Grace',
    });
  });

  it('clears optional texts and the group with null, and sends emptied lists', () => {
    const draft = { ...operatorDraft(grace), first_name: '  ', group_id: null, website_list: [] };
    expect(operatorChanges(grace, draft)).toEqual({ first_name: null, group_id: null, website_list: [] });
  });

  it('sends the password only when one is typed, as typed', () => {
    expect(operatorChanges(grace, { ...operatorDraft(grace), password: ' new secret 1 ' })).toEqual({
      password: ' new secret 1 ',
    });
    expect(operatorDraft(grace).password).toBe('');
  });

  it('sends a slot count that is not a whole number as typed, for the API to name the field', () => {
    expect(operatorChanges(grace, { ...operatorDraft(grace), chat_max_number: 'lots' })).toEqual({
      chat_max_number: 'lots',
    });
  });
});

describe('namedChanges', () => {
  it('renames a group, never sending an order', () => {
    const group = { id: 3, name: 'Support', parent_id: null, operator_list: [1, 2] };
    expect(namedChanges('group', group, namedDraft(group))).toBeNull();
    expect(namedChanges('group', group, { ...namedDraft(group), name: 'Care ', operator_list: [2] })).toEqual({
      name: 'Care',
      operator_list: [2],
    });
  });

  it('changes the order and the parent of a skill', () => {
    const skill = { id: 4, name: 'Billing', order: 1, parent_id: null, operator_list: [] };
    expect(namedChanges('skill', skill, { ...namedDraft(skill), order: '3', parent_id: 9 })).toEqual({
      order: 3,
      parent_id: 9,
    });
  });
});

describe('websiteChanges', () => {
  const shop = { id: 1, url: 'https://shop.causerie.test', label: 'Demo Shop', routing_strategy: 'least_loaded' };
  it('sends the changed URL, label and routing', () => {
    expect(websiteChanges(shop, websiteDraft(shop))).toBeNull();
    expect(websiteChanges(shop, { ...websiteDraft(shop), url: ' https://store.example ', label: 'Store' })).toEqual({
      url: 'https://store.example',
      label: 'Store',
    });
    expect(websiteChanges(shop, { ...websiteDraft(shop), routing_strategy: 'round_robin' })).toEqual({
      routing_strategy: 'round_robin',
    });
  });

  it('sends an emptied label, for the API to refuse by name', () => {
    expect(websiteChanges(shop, { ...websiteDraft(shop), label: '' })).toEqual({ label: '' });
  });

  it('sends a changed currency in capitals, and nothing when only its case or spaces differ', () => {
    const priced = { ...shop, currency: 'EUR' };
    expect(websiteChanges(priced, { ...websiteDraft(priced), currency: 'usd' })).toEqual({ currency: 'USD' });
    expect(websiteChanges(priced, { ...websiteDraft(priced), currency: ' eur ' })).toBeNull();
  });
});
