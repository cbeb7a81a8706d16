import { describe, expect, it } from 'vitest';
import { actionsOf, campaignBody, firstRowOf, preview, progressShares, smsSegments, variablesOf } from './logic';
import { campaignsRouteOf } from './routes';

describe('smsSegments', () => {
  it('counts GSM-7 texts in 160 septets, then 153 per part', () => {
    expect(smsSegments('')).toEqual({ encoding: 'GSM-7', units: 0, segments: 0 });
    expect(smsSegments('a'.repeat(160))).toMatchObject({ encoding: 'GSM-7', segments: 1 });
    expect(smsSegments('a'.repeat(161))).toMatchObject({ encoding: 'GSM-7', segments: 2 });
    expect(smsSegments('a'.repeat(306))).toMatchObject({ segments: 2 });
    expect(smsSegments('a'.repeat(307))).toMatchObject({ segments: 3 });
  });
  it('counts the extension characters (€, braces) as two septets', () => {
    expect(smsSegments('€'.repeat(80))).toMatchObject({ encoding: 'GSM-7', units: 160, segments: 1 });
    expect(smsSegments(`${'a'.repeat(159)}€`)).toMatchObject({ units: 161, segments: 2 });
  });
  it('switches to UCS-2 (70, then 67 per part) for any other character', () => {
    expect(smsSegments(`Bonjour ${'ê'.repeat(62)}`)).toMatchObject({ encoding: 'UCS-2', units: 70, segments: 1 });
    expect(smsSegments('ê'.repeat(71))).toMatchObject({ encoding: 'UCS-2', segments: 2 });
    expect(smsSegments('ê'.repeat(135))).toMatchObject({ segments: 3 });
    // French accents of the GSM set (é, è, à) stay GSM-7.
    expect(smsSegments('Café à côté')).toMatchObject({ encoding: 'UCS-2' });
    expect(smsSegments('Café à la gare')).toMatchObject({ encoding: 'GSM-7', segments: 1 });
  });
});

describe('preview', () => {
  it("fills {{variables}} from the CSV's first row and leaves unknown ones visible", () => {
    const { columns, row } = firstRowOf(
      'phone;first_name;code\r\n+33612345678;"Zoé; la ""grande""";A1\n+33600000000;Léo;B2\n',
    );
    expect(columns).toEqual(['phone', 'first_name', 'code']);
    expect(row).toEqual({ phone: '+33612345678', first_name: 'Zoé; la "grande"', code: 'A1' });
    expect(preview('Hi {{first_name}}, code {{ code }} {{missing}}', row)).toBe(
      'Hi Zoé; la "grande", code A1 {{missing}}',
    );
    expect(variablesOf('{{a}} {{b}} {{a}}')).toEqual(['a', 'b']);
  });
  it('has no row for a file with only its header, or an empty one', () => {
    expect(firstRowOf('phone,name\n')).toEqual({ columns: ['phone', 'name'], row: {} });
    expect(firstRowOf('')).toEqual({ columns: [], row: {} });
  });
});

describe('progressShares', () => {
  it('gives each state its share of the valid recipients, failures with opt-outs and expiries', () => {
    const shares = progressShares({
      total: 203,
      invalid: 3,
      queued: 50,
      sent: 20,
      delivered: 60,
      read: 40,
      failed: 10,
      opted_out: 6,
      expired: 4,
      cancelled: 10,
    });
    expect(shares).toEqual({ read: 20, delivered: 30, sent: 10, failed: 10, queued: 25 });
  });
  it('is all zero before any recipient is known', () => {
    const none = { total: 0, invalid: 0, queued: 0, sent: 0, delivered: 0, read: 0, failed: 0 };
    expect(progressShares({ ...none, opted_out: 0, expired: 0, cancelled: 0 })).toEqual({
      read: 0,
      delivered: 0,
      sent: 0,
      failed: 0,
      queued: 0,
    });
  });
});

describe('actions, body and routes', () => {
  it('offers the transitions the state machine allows', () => {
    expect(actionsOf('running')).toEqual(['pause', 'cancel']);
    expect(actionsOf('paused')).toEqual(['resume', 'cancel']);
    expect(actionsOf('completed')).toEqual([]);
    expect(actionsOf('cancelled')).toEqual([]);
  });
  it('leaves empty optional fields out of the body', () => {
    const draft = {
      agent_id: '4',
      name: ' Soldes ',
      channel: 'sms',
      text: 'Hi {{first_name}}',
      send_at: '',
      rate_per_second: '',
      default_country: '',
    };
    expect(campaignBody(draft)).toEqual({
      agent_id: 4,
      name: 'Soldes',
      channel: 'sms',
      content: { text: 'Hi {{first_name}}' },
    });
    expect(campaignBody({ ...draft, rate_per_second: '20', default_country: 'fr' })).toMatchObject({
      rate_per_second: 20,
      default_country: 'FR',
    });
  });
  it('routes /admin/campaigns paths', () => {
    expect(campaignsRouteOf('campaigns')).toEqual({ view: 'list' });
    expect(campaignsRouteOf('campaigns/new')).toEqual({ view: 'new' });
    expect(campaignsRouteOf('campaigns/12')).toEqual({ view: 'campaign', id: 12 });
    expect(campaignsRouteOf('campaigns/x')).toBeNull();
  });
});
