import { describe, expect, it } from 'vitest';
import {
  type AppField,
  emptyValues,
  firstRefusedField,
  inputKindOf,
  priceOf,
  refusalHeadline,
  refusalOf,
  safeImageUrl,
  stepBody,
  toggleWebsite,
  wizardSteps,
} from './logic';
import { appsRouteOf } from './routes';

const LOGIN: AppField = { id: 'field_login', label: 'Login', type: 'TEXT' };
const PASSWORD: AppField = { id: 'field_password', label: 'Password', type: 'PASSWORD' };
const SEATS: AppField = { id: 'seats', label: 'Seats', type: 'NUMERIC' };
const NEWSLETTER: AppField = { id: 'newsletter', label: 'Newsletter', type: 'CHECKBOX' };

describe('the install wizard', () => {
  it('has the authentication step, then settings, then the websites, skipping a step without fields', () => {
    const fields = (list: AppField[]) => ({ fields: list });
    expect(wizardSteps({ authentication: fields([LOGIN]), settings: fields([SEATS]) })).toEqual([
      'authentication',
      'settings',
      'websites',
    ]);
    expect(wizardSteps({ authentication: fields([]), settings: fields([SEATS]) })).toEqual(['settings', 'websites']);
    expect(wizardSteps({ authentication: fields([LOGIN]), settings: fields([]) })).toEqual([
      'authentication',
      'websites',
    ]);
    expect(wizardSteps({ authentication: fields([]), settings: fields([]) })).toEqual(['websites']);
  });

  it('gives each field type its input', () => {
    expect(inputKindOf('PASSWORD').type).toBe('password');
    expect(inputKindOf('NUMERIC')).toMatchObject({ type: 'text', inputMode: 'numeric' });
    expect(inputKindOf('EMAIL').type).toBe('email');
    expect(inputKindOf('URL').type).toBe('url');
    expect(inputKindOf('CHECKBOX').type).toBe('checkbox');
    expect(inputKindOf('TEXT').type).toBe('text');
  });

  it('starts empty and sends every field of a step, typed', () => {
    const fields = [LOGIN, PASSWORD, SEATS, NEWSLETTER];
    expect(emptyValues(fields)).toEqual({ field_login: '', field_password: '', seats: '', newsletter: false });
    expect(
      stepBody(fields, { field_login: '  boutique ', field_password: ' secret ', seats: ' 12 ', newsletter: true }),
    ).toEqual({ field_login: 'boutique', field_password: ' secret ', seats: 12, newsletter: true });
    // A number that does not read as one goes as typed: the connector (or the server) says what is wrong.
    expect(stepBody([SEATS, NEWSLETTER], { seats: 'twelve' })).toEqual({ seats: 'twelve', newsletter: false });
  });

  it('reads the connector refusal of a 422, each message by field, and focuses the first in the form', () => {
    const refusal = refusalOf({
      meta: { status: 'fail', error: 'verification_refused', message: '', field: 'authentication.field_password' },
      data: {
        step: 'authentication',
        fields: [
          { id: 'field_password', field: 'authentication.field_password', message: 'password is not valid' },
          { id: 'field_login', field: 'authentication.field_login', message: 'No shop has this login.' },
        ],
      },
    });
    expect(refusal).toEqual({
      step: 'authentication',
      message: '',
      fields: { field_password: 'password is not valid', field_login: 'No shop has this login.' },
    });
    expect(firstRefusedField([LOGIN, PASSWORD], refusal)).toBe('field_login');
    expect(firstRefusedField([PASSWORD], refusal)).toBe('field_password');
    expect(firstRefusedField([SEATS], refusal)).toBeNull();
    expect(refusalHeadline(refusal ?? { step: null, message: '', fields: {} }, 'Refused.')).toBe('Refused.');
    expect(refusalHeadline({ step: null, message: ' Unknown account. ', fields: {} }, 'Refused.')).toBe(
      'Unknown account.',
    );
  });

  it('reads no refusal from another 4xx body', () => {
    expect(refusalOf({ meta: { status: 'fail', message: "Field 'app_id' is missing." } })).toBeNull();
    expect(refusalOf('Bad gateway')).toBeNull();
    expect(refusalOf(null)).toBeNull();
  });

  it('installs on every website unless some are unticked', () => {
    expect(toggleWebsite([1, 2, 3], 2, false)).toEqual([1, 3]);
    expect(toggleWebsite([3, 1], 2, true)).toEqual([1, 2, 3]);
    expect(toggleWebsite([1], 1, true)).toEqual([1]);
  });
});

describe('the marketplace cards', () => {
  it('shows a price per user per month in the console language, or none for a free app', () => {
    expect(priceOf(0, 'en')).toBeNull();
    expect(priceOf(12, 'en')).toBe('€12');
    expect(priceOf(4.9, 'en')).toBe('€4.90');
    expect(priceOf(4.9, 'fr')?.replace(/\s/g, ' ')).toBe('4,90 €');
  });

  it('loads a logo only from an http(s) address', () => {
    expect(safeImageUrl('https://cdn.example/logo.png')).toBe('https://cdn.example/logo.png');
    expect(safeImageUrl('javascript:alert(1)')).toBeNull();
    expect(safeImageUrl('data:image/svg+xml,<svg/>')).toBeNull();
    expect(safeImageUrl('not a url')).toBeNull();
    expect(safeImageUrl(null)).toBeNull();
  });

  it('routes /admin/apps and the wizard of one app', () => {
    expect(appsRouteOf('apps')).toEqual({ view: 'list' });
    expect(appsRouteOf('apps/12/install')).toEqual({ view: 'install', appId: 12 });
    expect(appsRouteOf('apps/x/install')).toBeNull();
    expect(appsRouteOf('campaigns')).toBeNull();
  });
});
