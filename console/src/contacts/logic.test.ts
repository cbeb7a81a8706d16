import { describe, expect, it } from 'vitest';
import { changesOf, contactName, draftOf, fieldProblem, formFieldOf, identitiesByType } from './logic';

const contact = {
  id: 4,
  firstname: 'Julie',
  lastname: null,
  email: 'julie@shop.example',
  phone: null,
  custom_attributes: { plan: 'premium', segment: 'b2b' },
};

describe('contactName', () => {
  it('joins the names given and is empty for an anonymous visitor', () => {
    expect(contactName({ firstname: ' Julie ', lastname: 'Martin' })).toBe('Julie Martin');
    expect(contactName({ firstname: null, lastname: '' })).toBe('');
  });
});

describe('identitiesByType', () => {
  it('groups by channel in a fixed order and shows a WhatsApp number once', () => {
    expect(
      identitiesByType([
        { type: 'email', value: 'a@b.example' },
        { type: 'phone', value: '+33611112222' },
        { type: 'whatsapp', value: '+33611112222' },
        { type: 'web', value: 'uid-1' },
        { type: 'web', value: 'uid-2' },
        { type: 'phone', value: '+33700000000' },
      ]),
    ).toEqual([
      ['web', ['uid-1', 'uid-2']],
      ['whatsapp', ['+33611112222']],
      ['email', ['a@b.example']],
      ['phone', ['+33700000000']],
    ]);
  });
});

describe('changesOf', () => {
  it('sends nothing when nothing changed', () => {
    expect(changesOf(contact, draftOf(contact))).toEqual({});
  });

  it('sends changed fields, clears emptied ones, and patches custom attributes', () => {
    const draft = draftOf(contact);
    draft.lastname = ' Martin ';
    draft.email = '';
    draft.attributes = [
      { key: 'plan', value: 'free' },
      { key: 'city', value: 'Nantes' },
      { key: '', value: 'ignored' },
    ];
    expect(changesOf(contact, draft)).toEqual({
      lastname: 'Martin',
      email: null,
      custom_attributes: { plan: 'free', city: 'Nantes', segment: null },
    });
  });
});

describe('fieldProblem', () => {
  it('accepts an international or national phone number and an email, refuses the rest', () => {
    expect(fieldProblem('phone', '+33 6 12 34 56 78')).toBeNull();
    expect(fieldProblem('phone', '0614037735')).toBeNull();
    expect(fieldProblem('phone', 'call me')).toBe('phone');
    expect(fieldProblem('phone', '+0 12')).toBe('phone');
    expect(fieldProblem('email', 'julie@shop.example')).toBeNull();
    expect(fieldProblem('email', 'julie@')).toBe('email');
    expect(fieldProblem('email', '')).toBeNull();
  });
});

describe('formFieldOf', () => {
  it("maps the server's field to the form's", () => {
    expect(formFieldOf('custom_attributes.plan')).toBe('custom_attributes');
    expect(formFieldOf('phone')).toBe('phone');
    expect(formFieldOf(null)).toBeNull();
  });
});
