// The reports page's logic: periods, the statistic query, formatting by unit, sorting, CSV and chart series.
import { describe, expect, it } from 'vitest';
import type { IndicatorInfo } from '../api';
import {
  addDays,
  applicable,
  formatDuration,
  formatValue,
  periodRange,
  periodStart,
  seriesOf,
  sortRows,
  statisticQuery,
  toCsv,
  todayIn,
} from './report';

const indicator = (name: string, unit: string, channels: string[], groupableBy: string[]): IndicatorInfo => ({
  name,
  family: 'contact',
  unit,
  channels,
  groupable_by: groupableBy,
  labels: { en: name, fr: name },
  formula: '',
  formulas: { en: '', fr: '' },
  estimated: false,
});

describe('periods', () => {
  it("gives today's date in the client's time zone, not the browser's", () => {
    const now = new Date('2026-11-30T23:30:00Z');
    expect(todayIn('UTC', now)).toBe('2026-11-30');
    expect(todayIn('Europe/Paris', now)).toBe('2026-12-01');
    expect(todayIn('America/New_York', now)).toBe('2026-11-30');
  });

  it('counts whole days across months and years', () => {
    expect(addDays('2026-03-01', -1)).toBe('2026-02-28');
    expect(addDays('2026-01-05', -29)).toBe('2025-12-07');
  });

  it('makes each preset a range whose both ends are included', () => {
    const custom = { from: '', to: '' };
    expect(periodRange('today', '2026-12-04', custom)).toEqual({ from: '2026-12-04', to: '2026-12-04' });
    expect(periodRange('7days', '2026-12-04', custom)).toEqual({ from: '2026-11-28', to: '2026-12-04' });
    expect(periodRange('30days', '2026-12-04', custom)).toEqual({ from: '2026-11-05', to: '2026-12-04' });
    expect(periodRange('month', '2026-12-04', custom)).toEqual({ from: '2026-12-01', to: '2026-12-04' });
    expect(periodRange('custom', '2026-12-04', { from: '2026-11-01', to: '' })).toBeNull();
    // The API, not the page, judges a custom period (from after to gets its 400 and message).
    expect(periodRange('custom', '2026-12-04', { from: '2026-12-02', to: '2026-11-01' })).toEqual({
      from: '2026-12-02',
      to: '2026-11-01',
    });
  });
});

describe('statisticQuery', () => {
  it("uses the seed's filter names and leaves out resource and granularity when not asked", () => {
    const filters = {
      websiteIds: [3, 7],
      channel: 'chat' as const,
      from: '2026-11-01',
      to: '2026-11-30',
      resource: 'none' as const,
      indicators: ['contact_number', 'conversion_rate'],
    };
    expect(statisticQuery(filters)).toEqual({
      'filters[website_list]': '3,7',
      'filters[channel]': 'chat',
      'filters[from]': '2026-11-01',
      'filters[to]': '2026-11-30',
      'filters[indicators]': 'contact_number,conversion_rate',
    });
    expect(statisticQuery({ ...filters, resource: 'operator', granularity: 'hour' })).toMatchObject({
      'filters[resource]': 'operator',
      'filters[granularity]': 'hour',
    });
  });

  it('asks only for indicators the API answers on that channel and grouping, in the order wanted', () => {
    const catalogue = [
      indicator('contact_number', 'count', ['chat', 'call'], ['operator', 'rule']),
      indicator('rule_display_number', 'count', ['chat'], ['rule', 'page_type']),
      indicator('presence_duration', 'seconds', ['chat', 'call', 'video'], ['operator', 'group', 'skill']),
    ];
    const wanted = ['presence_duration', 'rule_display_number', 'contact_number', 'unknown'];
    const names = (channel: 'chat' | 'call' | 'sms', resource: 'none' | 'operator' | 'rule') =>
      applicable(catalogue, wanted, channel, resource).map((found) => found.name);
    expect(names('chat', 'none')).toEqual(['presence_duration', 'rule_display_number', 'contact_number']);
    expect(names('chat', 'operator')).toEqual(['presence_duration', 'contact_number']);
    expect(names('call', 'rule')).toEqual(['contact_number']);
    expect(names('sms', 'none')).toEqual([]);
  });
});

describe('formatValue', () => {
  it('writes durations in hours, minutes and seconds', () => {
    expect(formatDuration(42)).toBe('42 s');
    expect(formatDuration(200.4)).toBe('3 min 20 s');
    expect(formatDuration(3900)).toBe('1 h 05 min');
    expect(formatDuration(0)).toBe('0 s');
  });

  it('formats each unit in the language, and null as a dash', () => {
    expect(formatValue(0.8571, 'rate', 'en', null)).toBe('85.7%');
    expect(formatValue(0.8571, 'rate', 'fr', null)).toBe('85,7\u00a0%');
    expect(formatValue(1234.5, 'amount', 'en', 'EUR')).toBe('€1,234.50');
    expect(formatValue(1234.5, 'amount', 'fr', 'EUR')).toBe('1\u202f234,50\u00a0€');
    expect(formatValue(1234.5, 'amount', 'en', null)).toBe('1,234.50');
    expect(formatValue(12_345, 'count', 'en', null)).toBe('12,345');
    expect(formatValue(75, 'seconds', 'fr', null)).toBe('1 min 15 s');
    expect(formatValue(2.456, 'number', 'en', null)).toBe('2.46');
    expect(formatValue('2026-11-03 14:02:00', 'datetime', 'en', null)).toBe('2026-11-03 14:02:00');
    expect(formatValue(null, 'rate', 'en', null)).toBe('—');
    expect(formatValue(undefined, 'count', 'en', null)).toBe('—');
  });
});

describe('sortRows', () => {
  const rows = [
    { resource_label: 'Émile', contact_number: 4, satisfaction_global_rate: null },
    { resource_label: 'ada', contact_number: 10, satisfaction_global_rate: 0.5 },
    { resource_label: 'Zoé', contact_number: 4, satisfaction_global_rate: 0.9 },
  ];
  const labels = (sorted: readonly Record<string, unknown>[]) => sorted.map((row) => row.resource_label);

  it('orders numbers by value both ways, ties in the API order', () => {
    expect(labels(sortRows(rows, 'contact_number', 'ascending', 'en'))).toEqual(['Émile', 'Zoé', 'ada']);
    expect(labels(sortRows(rows, 'contact_number', 'descending', 'en'))).toEqual(['ada', 'Émile', 'Zoé']);
  });

  it('puts null values last whichever the direction', () => {
    expect(labels(sortRows(rows, 'satisfaction_global_rate', 'ascending', 'en'))).toEqual(['ada', 'Zoé', 'Émile']);
    expect(labels(sortRows(rows, 'satisfaction_global_rate', 'descending', 'en'))).toEqual(['Zoé', 'ada', 'Émile']);
  });

  it('orders names as the language does (accents and case do not push a name to the end)', () => {
    expect(labels(sortRows(rows, 'resource_label', 'ascending', 'fr'))).toEqual(['ada', 'Émile', 'Zoé']);
  });
});

describe('toCsv', () => {
  it("writes the API's values unformatted, empty for null, quoting what needs it", () => {
    const csv = toCsv(
      [
        { resource_id: 32, resource_label: 'Ada, "the first"', contact_number: 41, satisfaction_global_rate: 0.8571 },
        { resource_id: 33, resource_label: 'Grace', contact_number: 0, satisfaction_global_rate: null },
      ],
      ['resource_id', 'resource_label', 'contact_number', 'satisfaction_global_rate'],
    );
    expect(csv).toBe(
      'resource_id,resource_label,contact_number,satisfaction_global_rate\r\n' +
        '32,"Ada, ""the first""",41,0.8571\r\n' +
        '33,Grace,0,\r\n',
    );
  });

  it('gives back every number exactly as JSON has it', () => {
    const values = [0.1 + 0.2, 1234567.89, 1e-7, 86400, 0.3333];
    const csv = toCsv(
      values.map((value) => ({ value })),
      ['value'],
    );
    const parsed = csv.trim().split('\r\n').slice(1).map(Number);
    expect(parsed).toEqual(values);
  });
});

describe('chart series', () => {
  it('reads each granularity of period as the start of that period', () => {
    expect(periodStart('2026-11-03 14:00:00')).toBe(Date.UTC(2026, 10, 3, 14) / 1000);
    expect(periodStart('2026-11-03')).toBe(Date.UTC(2026, 10, 3) / 1000);
    expect(periodStart('2026-11')).toBe(Date.UTC(2026, 10, 1) / 1000);
    expect(periodStart('November')).toBeNull();
  });

  it('keeps null values as gaps, one point per period', () => {
    const rows = [
      { period: '2026-11-01', contact_waiting_duration: 30 },
      { period: '2026-11-02', contact_waiting_duration: null },
      { period: '2026-11-03', contact_waiting_duration: 12.5 },
    ];
    expect(seriesOf(rows, 'contact_waiting_duration')).toEqual({
      x: [Date.UTC(2026, 10, 1) / 1000, Date.UTC(2026, 10, 2) / 1000, Date.UTC(2026, 10, 3) / 1000],
      y: [30, null, 12.5],
    });
  });
});
