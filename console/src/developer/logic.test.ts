import { describe, expect, it } from 'vitest';
import {
  addField,
  changeField,
  clientIdsOf,
  type DraftForm,
  draftOf,
  emptyDraft,
  eventsOf,
  type FieldRow,
  inputKeys,
  inputOfError,
  loadSession,
  messageBesideInput,
  moveField,
  nextVersion,
  passwordProblem,
  removeField,
  requestBody,
  storeSession,
  tokenOfHash,
  webhookInputOf,
} from './logic';
import { developerRouteOf } from './routes';

const memory = () => {
  const values = new Map<string, string>();
  return {
    getItem: (key: string) => values.get(key) ?? null,
    setItem: (key: string, value: string) => void values.set(key, value),
    removeItem: (key: string) => void values.delete(key),
  };
};

const login: FieldRow = { id: 'field_login', label: 'Login', type: 'TEXT' };
const password: FieldRow = { id: 'field_password', label: 'Password', type: 'PASSWORD' };
const currency: FieldRow = { id: 'field_currency', label: 'Currency', type: 'TEXT' };

describe('the session and the invitation', () => {
  it('keeps the session for the tab and forgets an expired or malformed one', () => {
    const storage = memory();
    const session = { token: 'dvs_abc', developerId: 4, expiresAt: '2030-01-01T00:00:00Z' };
    storeSession(storage, session);
    expect(loadSession(storage, Date.parse('2029-01-01'))).toEqual(session);
    expect(loadSession(storage, Date.parse('2031-01-01'))).toBeNull();
    storage.setItem('causerie.developer.session', '{"token":');
    expect(loadSession(storage)).toBeNull();
    storeSession(storage, null);
    expect(loadSession(storage)).toBeNull();
  });

  it('reads the token from the hash and checks the two passwords', () => {
    expect(tokenOfHash('#token=dvi_123')).toBe('dvi_123');
    expect(tokenOfHash('')).toBeNull();
    expect(tokenOfHash('#token=')).toBeNull();
    expect(passwordProblem('short', 'short')).toBe('short');
    expect(passwordProblem('a-long-password', 'a-long-passw0rd')).toBe('different');
    expect(passwordProblem('a-long-password', 'a-long-password')).toBeNull();
  });

  it('routes the area’s paths', () => {
    expect(developerRouteOf('developer')).toEqual({ view: 'apps' });
    expect(developerRouteOf('developer/activate')).toEqual({ view: 'activate' });
    expect(developerRouteOf('developer/login')).toEqual({ view: 'login' });
    expect(developerRouteOf('developer/apps/new')).toEqual({ view: 'new' });
    expect(developerRouteOf('developer/apps/12')).toEqual({ view: 'app', id: 12 });
    expect(developerRouteOf('developers')).toBeNull();
  });
});

describe('field lists', () => {
  it('adds a field with an id unused in either step', () => {
    const added = addField([login], [{ ...currency, id: 'field_2' }]);
    expect(added).toEqual([login, { id: 'field_3', label: '', type: 'TEXT' }]);
  });

  it('removes, moves and changes fields, leaving the given list as it was', () => {
    const fields = [login, password, currency];
    expect(removeField(fields, 1)).toEqual([login, currency]);
    expect(moveField(fields, 2, -1)).toEqual([login, currency, password]);
    expect(moveField(fields, 0, 1)).toEqual([password, login, currency]);
    expect(moveField(fields, 0, -1)).toEqual(fields);
    expect(moveField(fields, 2, 1)).toEqual(fields);
    expect(changeField(fields, 1, { type: 'TEXT' })[1]).toEqual({ ...password, type: 'TEXT' });
    expect(fields).toEqual([login, password, currency]);
  });
});

describe('the request body', () => {
  const filled = (): DraftForm => ({
    ...emptyDraft(),
    name: 'Cyclo CRM',
    description: 'Catalogue',
    logoUrl: '  ',
    links: { website: 'https://cyclo.example', support: '', documentation: '', privacy: '' },
    price: '4,90',
    privacy: 'private',
    clientIds: '12, 14 x',
    authentication: { fields: [{ ...login, id: ' field_login ' }, password], verificationUrl: 'https://c.example/v' },
    settings: { fields: [currency], verificationUrl: '' },
    productList: { enabled: true, catalogueUrl: 'https://c.example/p', categoriesUrl: 'https://c.example/c' },
    visitorProfile: { enabled: false, url: 'https://c.example/kept' },
    conversationClosing: { enabled: true, url: ' https://c.example/close ' },
  });

  it('sends blanks as null or leaves them out, toggled-off interactions as null, numbers as numbers', () => {
    expect(requestBody(filled())).toEqual({
      name: 'Cyclo CRM',
      description: 'Catalogue',
      logo_url: null,
      links: { website: 'https://cyclo.example' },
      price: 4.9,
      privacy: 'private',
      client_ids: [12, 14, 'x'],
      authentication: { fields: [login, password], verification_url: 'https://c.example/v' },
      settings: { fields: [currency], verification_url: null },
      interactions: {
        product_list: { catalogue_url: 'https://c.example/p', categories_url: 'https://c.example/c' },
        visitor_profile: null,
        conversation_closing: { url: 'https://c.example/close' },
      },
    });
  });

  it('sends a price typed as words unchanged (the server names the field) and no clients for a public app', () => {
    const body = requestBody({ ...filled(), price: 'ten', privacy: 'public' });
    expect(body.price).toBe('ten');
    expect(body.client_ids).toEqual([]);
    expect(clientIdsOf(' 3;4 ')).toEqual([3, 4]);
  });

  it('reads an app back into the form, round trip', () => {
    const app = {
      name: 'Cyclo CRM',
      description: 'Catalogue',
      logo_url: null,
      links: { website: 'https://cyclo.example' },
      price: 4.9,
      privacy: 'private' as const,
      client_ids: [12, 14],
      authentication: { fields: [login, password], verification_url: 'https://c.example/v' },
      settings: { fields: [currency], verification_url: null },
      interactions: {
        product_list: null,
        visitor_profile: { url: 'https://c.example/profile' },
        conversation_closing: null,
      },
    };
    const form = draftOf(app);
    expect(form.clientIds).toBe('12, 14');
    expect(form.visitorProfile).toEqual({ enabled: true, url: 'https://c.example/profile' });
    expect(form.productList.enabled).toBe(false);
    const body = requestBody(form);
    expect(body.interactions).toEqual(app.interactions);
    expect(body.client_ids).toEqual([12, 14]);
  });
});

describe('errors beside their input', () => {
  const draft: DraftForm = {
    ...emptyDraft(),
    privacy: 'private',
    authentication: { fields: [login, password], verificationUrl: '' },
    settings: { fields: [currency], verificationUrl: '' },
    visitorProfile: { enabled: true, url: '' },
  };
  const keys = inputKeys(draft);

  it('maps the API’s field paths to the inputs', () => {
    expect(inputOfError('authentication[fields][1][id]', keys)).toBe('authentication.fields.1.id');
    expect(inputOfError('settings[fields][0][label]', keys)).toBe('settings.fields.0.label');
    expect(inputOfError('interactions[visitor_profile][url]', keys)).toBe('interactions.visitor_profile.url');
    expect(inputOfError('/settings/verification_url', keys)).toBe('settings.verification_url');
    expect(inputOfError('links[support]', keys)).toBe('links.support');
  });

  it('takes a deeper or vaguer path to the nearest input, and none when nothing matches', () => {
    expect(inputOfError('client_ids[2]', keys)).toBe('client_ids');
    expect(inputOfError('interactions[visitor_profile]', keys)).toBe('interactions.visitor_profile.url');
    expect(inputOfError('settings[fields][0]', keys)).toBe('settings.fields.0.id');
    expect(inputOfError('interactions[product_list][catalogue_url]', keys)).toBeNull();
    expect(inputOfError('version', keys)).toBeNull();
    expect(inputOfError(null, keys)).toBeNull();
  });

  it('shows the message beside its input without the opening that names the field', () => {
    expect(
      messageBesideInput("Value of field 'settings[fields][0][id]' is not valid. The field id 'a' is used twice."),
    ).toBe("The field id 'a' is used twice.");
    expect(messageBesideInput("Value of field 'price' is not valid.")).toBe("Value of field 'price' is not valid.");
    expect(messageBesideInput('Version 1.0.0 of this app exists already.')).toBe(
      'Version 1.0.0 of this app exists already.',
    );
  });

  it('maps a webhook’s errors and reads its events', () => {
    expect(webhookInputOf('events[0]')).toBe('events');
    expect(webhookInputOf('url')).toBe('url');
    expect(webhookInputOf('secret')).toBeNull();
    expect(eventsOf('conversation.closed,\n message.created \n\n')).toEqual(['conversation.closed', 'message.created']);
  });

  it('suggests the next version number', () => {
    expect(nextVersion([])).toBe('1.0.0');
    expect(nextVersion(['1.2.3', '1.0.0'])).toBe('1.2.4');
    expect(nextVersion(['2.0'])).toBe('2.1');
  });
});
