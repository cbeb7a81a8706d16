// The channel forms send what the API takes: each type's credentials only, typed fields only; they show the server's defaults.
import { describe, expect, it } from 'vitest';
import { type ChannelDraft, createBody, credentialsBody, defaultsOf, updateBody } from './channel-forms';

const draft = (overrides: Partial<ChannelDraft>): ChannelDraft => ({
  type: 'whatsapp',
  websiteId: 12,
  name: '',
  baseUrl: '',
  sendRate: '',
  credentials: {},
  rcsAuth: 'service_account',
  ...overrides,
});

describe('credentialsBody', () => {
  it("keeps the type's fields that were typed, trimmed, and nothing else", () => {
    const values = {
      phone_number_id: ' 106540352242922 ',
      access_token: 'EAAG',
      app_secret: 's3cret',
      verify_token: 'abcd',
      api_version: '',
      account_sid: 'AC123',
    };
    expect(credentialsBody('whatsapp', values)).toEqual({
      phone_number_id: '106540352242922',
      access_token: 'EAAG',
      app_secret: 's3cret',
      verify_token: 'abcd',
    });
    expect(credentialsBody('sms', values)).toEqual({ account_sid: 'AC123' });
  });

  it('sends only the chosen one of RCS service_account and access_token', () => {
    const values = {
      agent_id: 'shop',
      client_token: 'tok',
      service_account: '{"type":"service_account"}\n',
      access_token: 'ya29',
    };
    expect(credentialsBody('rcs', values, 'service_account')).toEqual({
      agent_id: 'shop',
      client_token: 'tok',
      service_account: '{"type":"service_account"}',
    });
    expect(credentialsBody('rcs', values, 'access_token')).toEqual({
      agent_id: 'shop',
      client_token: 'tok',
      access_token: 'ya29',
    });
    // Without a choice (replacing credentials), what was typed goes and the API refuses both at once.
    expect(Object.keys(credentialsBody('rcs', values))).toEqual([
      'agent_id',
      'client_token',
      'service_account',
      'access_token',
    ]);
  });
});

describe('createBody', () => {
  it('leaves empty optional fields to the server defaults', () => {
    expect(createBody(draft({ credentials: { verify_token: 'v' } }))).toEqual({
      type: 'whatsapp',
      website_id: 12,
      credentials: { verify_token: 'v' },
    });
  });

  it('sends the base URL, name and send rate when given; a send rate that is not a number goes as typed for the API to name', () => {
    expect(
      createBody(draft({ type: 'sms', name: ' Support ', baseUrl: 'http://127.0.0.1:9000 ', sendRate: '5' })),
    ).toEqual({
      type: 'sms',
      website_id: 12,
      name: 'Support',
      base_url: 'http://127.0.0.1:9000',
      send_rate: 5,
      credentials: {},
    });
    expect(createBody(draft({ sendRate: 'fast' })).send_rate).toBe('fast');
    expect(createBody(draft({ websiteId: null }))).not.toHaveProperty('website_id');
  });
});

describe('updateBody', () => {
  it('sends only what was typed, or nothing', () => {
    expect(
      updateBody('whatsapp', {
        name: '',
        baseUrl: '',
        sendRate: '',
        credentials: { access_token: '', app_secret: '' },
      }),
    ).toBeNull();
    expect(
      updateBody('whatsapp', { name: '', baseUrl: '', sendRate: '', credentials: { verify_token: 'new' } }),
    ).toEqual({ credentials: { verify_token: 'new' } });
    expect(updateBody('sms', { name: '', baseUrl: '', sendRate: '20', credentials: {} })).toEqual({ send_rate: 20 });
  });
});

describe('defaultsOf', () => {
  it("gives a type's defaults as GET /channel_type lists them, and none before they are loaded", () => {
    const types = [
      { type: 'whatsapp', default_base_url: 'https://graph.facebook.com', default_send_rate: 80 },
      { type: 'sms', default_base_url: 'https://api.twilio.com', default_send_rate: 1 },
    ];
    expect(defaultsOf(types, 'sms')).toEqual({ baseUrl: 'https://api.twilio.com', sendRate: 1 });
    expect(defaultsOf(types, 'rcs')).toBeUndefined();
    expect(defaultsOf(null, 'whatsapp')).toBeUndefined();
  });
});
