// The partner area's rules: the sign-in kept for the tab, the decisions each state offers to whom, the bodies sent from
// what was typed, the input a 400 names, the state a 409 reports, and the paths of its pages.
import { CauserieError } from '@causerie/sdk/client';
import { describe, expect, it } from 'vitest';
import {
  accountBody,
  accountDecisions,
  companyBody,
  companyDecisions,
  environmentBody,
  failedFieldOf,
  failureLine,
  inputOfField,
  loadSignIn,
  pagingOf,
  reasonRequired,
  refusedState,
  storeSignIn,
} from './logic';
import { environmentsRouteOf, partnerRouteOf } from './routes';

/** A Storage of a Map (sessionStorage's methods the area uses). */
function memoryStorage() {
  const values = new Map<string, string>();
  return {
    values,
    getItem: (name: string) => values.get(name) ?? null,
    setItem: (name: string, value: string) => void values.set(name, value),
    removeItem: (name: string) => void values.delete(name),
  };
}

describe('the sign-in', () => {
  it('is kept and forgotten; anything malformed counts as signed out', () => {
    const storage = memoryStorage();
    expect(loadSignIn(storage)).toBeNull();
    storeSignIn(storage, { key: 'csk_abc.def', scope: 'partner' });
    expect(loadSignIn(storage)).toEqual({ key: 'csk_abc.def', scope: 'partner' });
    storeSignIn(storage, null);
    expect(loadSignIn(storage)).toBeNull();
    expect(storage.values.size).toBe(0);
    for (const stored of ['not json', '{"key":"k","scope":"client"}', '{"key":"","scope":"platform"}', '[]']) {
      storage.values.set('causerie.partner.key', stored);
      expect(loadSignIn(storage), stored).toBeNull();
    }
  });
});

describe('decisions offered', () => {
  it('on a company: the platform key only, as the state machine allows', () => {
    expect(companyDecisions('pending_verification', 'platform')).toEqual(['verify', 'reject']);
    expect(companyDecisions('verified', 'platform')).toEqual(['suspend']);
    expect(companyDecisions('suspended', 'platform')).toEqual(['reinstate']);
    expect(companyDecisions('rejected', 'platform')).toEqual([]);
    expect(companyDecisions('pending_verification', 'partner')).toEqual([]);
  });

  it('on an account: verification is the platform’s, suspension and closing both’s', () => {
    expect(accountDecisions('pending_verification', 'platform')).toEqual(['verify', 'reject', 'close']);
    expect(accountDecisions('pending_verification', 'partner')).toEqual(['close']);
    expect(accountDecisions('active', 'partner')).toEqual(['suspend', 'close']);
    expect(accountDecisions('suspended', 'platform')).toEqual(['reinstate', 'close']);
    expect(accountDecisions('pending_activation', 'partner')).toEqual(['close']);
    expect(accountDecisions('closed', 'platform')).toEqual([]);
  });

  it('ask a reason where the server requires one', () => {
    expect(reasonRequired('company', 'reject')).toBe(true);
    expect(reasonRequired('company', 'suspend')).toBe(true);
    expect(reasonRequired('company', 'verify')).toBe(false);
    expect(reasonRequired('account', 'reject')).toBe(true);
    expect(reasonRequired('account', 'suspend')).toBe(false);
  });
});

describe('bodies', () => {
  it('a company: blank optional fields left out, required ones sent for the server to judge, the country upper-cased', () => {
    expect(
      companyBody({
        legal_name: ' Boulangerie Martin SARL ',
        trade_name: '',
        legal_identifier: '443 061 841 00047',
        address: '12 rue de la Paix',
        country: 'fr',
        website: '  ',
        email: '',
        phone: '+33145678900',
        sector: 'Food',
        logo_url: '',
      }),
    ).toEqual({
      legal_name: 'Boulangerie Martin SARL',
      legal_identifier: '443 061 841 00047',
      address: '12 rue de la Paix',
      country: 'FR',
      email: '',
      phone: '+33145678900',
      sector: 'Food',
    });
  });

  it('an account: the owner’s fields nested, the company id a number', () => {
    expect(
      accountBody({
        company_id: '4',
        name: '',
        owner_name: 'Claire Martin',
        owner_email: 'claire@example.fr',
        owner_phone: '',
        owner_locale: 'fr',
        owner_timezone: '',
        activation_required: false,
      }),
    ).toEqual({
      company_id: 4,
      owner: { name: 'Claire Martin', email: 'claire@example.fr', locale: 'fr' },
      activation_required: false,
    });
  });

  it('an environment on RCS: the carriers typed as a list', () => {
    const body = environmentBody({
      name: 'Martin',
      description: 'Commandes',
      logo_url: 'https://cdn.example.fr/logo.png',
      banner_url: 'https://cdn.example.fr/banner.png',
      brand_color: '#0B78D0',
      phone: '',
      email: 'contact@example.fr',
      website: '',
      privacy_url: 'https://example.fr/privacy',
      terms_url: 'https://example.fr/terms',
      carriers: ' Orange-FR, sfr-fr;bouygues-fr  ',
    });
    expect(body.channels).toEqual(['rcs']);
    expect(body.carriers).toEqual(['orange-fr', 'sfr-fr', 'bouygues-fr']);
    expect(body).not.toHaveProperty('phone');
    expect(body).toMatchObject({ email: 'contact@example.fr', brand_color: '#0B78D0' });
  });
});

describe('failures', () => {
  it('name the input of the field a 400 names, from meta.field or the message', () => {
    const bad = (field: string | undefined, message = 'Not valid.') =>
      new CauserieError(400, message, {}, 'field_invalid', field);
    expect(inputOfField(failedFieldOf(bad('legal_identifier')))).toBe('legal_identifier');
    expect(inputOfField(failedFieldOf(bad('owner.phone')))).toBe('owner_phone');
    expect(inputOfField(failedFieldOf(bad('/owner/email')))).toBe('owner_email');
    expect(inputOfField(failedFieldOf(bad('carriers[1]')))).toBe('carriers');
    expect(inputOfField(failedFieldOf(bad(undefined, "Field 'legal_name' is missing.")))).toBe('legal_name');
    expect(failedFieldOf(bad(undefined, 'Something else.'))).toBeNull();
    expect(failedFieldOf(new Error('network down'))).toBeNull();
  });

  it('a refused transition reports the current state, in the reader’s words', () => {
    const refused = new CauserieError(
      409,
      "This company is 'verified': it cannot become 'verified'. Current state: 'verified'.",
      {},
      'invalid_transition',
      'state',
    );
    expect(refusedState(refused)).toBe('verified');
    expect(failureLine(refused, (state) => `now ${state}`)).toBe('now verified');
    const other = new CauserieError(400, 'Field reason is required.', {}, 'field_missing', 'reason');
    expect(refusedState(other)).toBeNull();
    expect(failureLine(other, (state) => `now ${state}`)).toBe('Field reason is required.');
  });
});

describe('paging', () => {
  it('says where the list is and which way it goes on', () => {
    expect(pagingOf(undefined)).toEqual({ page: 1, pages: 1, previous: false, next: false });
    expect(pagingOf({ page: 2, pages: 3 })).toEqual({ page: 2, pages: 3, previous: true, next: true });
    expect(pagingOf({ page: 1, pages: 0 })).toEqual({ page: 1, pages: 1, previous: false, next: false });
  });
});

describe('routes', () => {
  it('name the partner pages and the environments pages, and nothing else', () => {
    expect(partnerRouteOf('partner')).toEqual({ view: 'companies' });
    expect(partnerRouteOf('partner/companies/12')).toEqual({ view: 'company', id: 12 });
    expect(partnerRouteOf('partner/accounts/3')).toEqual({ view: 'account', id: 3 });
    expect(partnerRouteOf('partner/verification')).toEqual({ view: 'verification' });
    expect(partnerRouteOf('partner/other')).toBeNull();
    expect(partnerRouteOf('flows')).toBeNull();
    expect(environmentsRouteOf('environments')).toEqual({ view: 'list' });
    expect(environmentsRouteOf('environments/7')).toEqual({ view: 'environment', id: 7 });
    expect(environmentsRouteOf('environments/x')).toBeNull();
  });
});
