// The indicator catalogue against seed 003's list (copied below as written there) and against docs/STATISTICS.md.
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { indicatorTableMarkdown, sourceDataTableMarkdown, withRenderedTables } from './catalogue-markdown.js';
import {
  INDICATOR_FAMILIES,
  INDICATOR_NAMES,
  INDICATORS,
  type IndicatorDefinition,
  indicatorDefinition,
  indicatorsFor,
  indicatorsGroupableBy,
  indicatorsMissingSource,
  isIndicatorName,
  SOURCE_DATA,
  STATISTIC_CHANNELS,
} from './indicators.js';

/** Seed 003, "Get statistics", section by section, with each section's "available on" list (Causerie's channels). */
const SEED = {
  contact: {
    'Chat, Call, Video, Facebook, Twitter FacebookBusinessOnMessenger, Instagram, SMS, Whatsapp': [
      'contact_answered_after_first_message_duration',
      'contact_answered_duration',
      'contact_closed_after_last_message_duration',
      'contact_duration',
      'contact_number',
      'contact_sent_message_number',
      'contact_received_message_number',
      'contact_unanswered_number',
    ],
    Chat: [
      'contact_missed_number',
      'contact_missed_with_busy_operators_number',
      'contact_missed_with_no_operators_number',
      'contact_simultaneous_number',
    ],
    'Chat, and Video': [
      'contact_waiting_abort_number',
      'contact_waiting_answered_number',
      'contact_waiting_before_quit_duration',
      'contact_waiting_duration',
      'contact_waiting_number',
    ],
    'Chat, Call, Video': [
      'contact_per_hour_average_number',
      'contact_per_hour_number',
      'rule_contact_rate',
      'rule_display_number',
      'targeting_rule_triggered',
    ],
  },
  presence: {
    'Chat, Call and Video': [
      'max_and_partial_occupation_duration',
      'max_and_partial_occupation_rate',
      'max_occupation_duration',
      'max_occupation_rate',
      'non_occupation_duration',
      'non_occupation_rate',
      'non_production_duration',
      'non_production_rate',
      'occupation_duration',
      'occupation_rate',
      'presentation_duration',
      'production_duration',
      'production_smoothed_duration',
    ],
    'Chat, Call, Video, Facebook, Twitter FacebookBusinessOnMessenger, Instagram, SMS, Whatsapp': [
      'presence_duration',
      'presence_smoothed_duration',
    ],
  },
  satisfaction: {
    'Chat, Call and Video': [
      'satisfaction_delay_rate',
      'satisfaction_global_rate',
      'satisfaction_resolution_rate',
      'satisfaction_respondent_number',
      'satisfaction_respondent_rate',
      'satisfaction_welcome_rate',
    ],
  },
  transactions: {
    'Chat, Call and Video': [
      'cart_after_contact_amount',
      'cart_global_amount',
      'conversion_rate',
      'transaction_after_contact_amount',
      'transaction_after_contact_duration',
      'transaction_after_contact_number',
      'transaction_date',
      'transaction_in_session',
      'transaction_missed_with_busy_operators_amount',
      'transaction_missed_with_busy_operators_number',
      'transaction_missed_with_no_operators_amount',
      'transaction_missed_with_no_operators_number',
      'transaction_total_amount',
      'transaction_total_number',
      'transaction_amount_per_conversation',
      'transaction_after_conversation_amount_per_hour',
    ],
  },
} as const;

/** The seed's "available on" text as Causerie channels: its social networks have no channel here; RCS goes with SMS. */
const SEED_CHANNELS: Record<string, readonly string[]> = {
  'Chat, Call, Video, Facebook, Twitter FacebookBusinessOnMessenger, Instagram, SMS, Whatsapp': [
    'chat',
    'call',
    'video',
    'whatsapp',
    'sms',
    'rcs',
  ],
  Chat: ['chat'],
  'Chat, and Video': ['chat', 'video'],
  'Chat, Call, Video': ['chat', 'call', 'video'],
  'Chat, Call and Video': ['chat', 'call', 'video'],
};

const seedEntries = Object.entries(SEED).flatMap(([family, sections]) =>
  Object.entries(sections).flatMap(([availableOn, names]) =>
    names.map((name: string) => ({ family, availableOn, name })),
  ),
);
const seedNames = seedEntries.map((entry) => entry.name);

const definitions = Object.entries(INDICATORS) as [string, IndicatorDefinition][];

/** Column names formulas cite that end like an indicator name. */
const SCHEMA_COLUMNS = new Set(['chat_max_number']);

describe('the indicator catalogue', () => {
  it('has seed 003’s 59 indicators: contact 22, presence 15, satisfaction 6, transactions 16', () => {
    const perFamily = Object.fromEntries(
      INDICATOR_FAMILIES.map((family) => [family, definitions.filter(([, d]) => d.family === family).length]),
    );
    expect(perFamily).toEqual({ contact: 22, presence: 15, satisfaction: 6, transactions: 16 });
    const seedPerFamily = Object.fromEntries(
      INDICATOR_FAMILIES.map((family) => [family, seedEntries.filter((entry) => entry.family === family).length]),
    );
    expect(seedPerFamily).toEqual(perFamily);
    expect(INDICATOR_NAMES).toHaveLength(59);
  });

  it('holds exactly the names the seed lists, in the seed’s order, each in the seed’s family', () => {
    expect(new Set(seedNames).size).toBe(seedNames.length);
    expect([...INDICATOR_NAMES]).toEqual(seedNames);
    for (const { family, name } of seedEntries) {
      expect(isIndicatorName(name), name).toBe(true);
      if (isIndicatorName(name)) expect(indicatorDefinition(name).family, name).toBe(family);
    }
    expect(isIndicatorName('contact_numbers')).toBe(false);
    expect(isIndicatorName('toString')).toBe(false);
  });

  it('puts each indicator on the channels of its seed section', () => {
    for (const { availableOn, name } of seedEntries) {
      if (!isIndicatorName(name)) continue;
      expect([...indicatorDefinition(name).channels].sort(), name).toEqual(
        [...(SEED_CHANNELS[availableOn] ?? [])].sort(),
      );
    }
  });

  it('gives every indicator both labels, a formula, a channel and its sources', () => {
    for (const [name, definition] of definitions) {
      expect(definition.labels.en.trim(), name).not.toBe('');
      expect(definition.labels.fr.trim(), name).not.toBe('');
      expect(definition.formula.length, name).toBeGreaterThan(30);
      expect(definition.formula.endsWith('.'), name).toBe(true);
      expect(definition.channels.length, name).toBeGreaterThan(0);
      for (const channel of definition.channels) expect(STATISTIC_CHANNELS, name).toContain(channel);
      expect(definition.sources.length, name).toBeGreaterThan(0);
      for (const source of definition.sources) expect(Object.keys(SOURCE_DATA), name).toContain(source);
    }
  });

  it('gives every indicator a French definition of its own, naming the same indicators, columns and values', () => {
    const names = /\b[a-z]+(?:_[a-z]+)+\b/g;
    const quoted = /'[a-z_]+'/g;
    for (const [name, definition] of definitions) {
      const french = definition.formulaFr.trim();
      expect(french, name).not.toBe('');
      expect(french, name).not.toBe(definition.formula.trim());
      expect(french.endsWith('.'), name).toBe(true);
      // The French says what the English says about the data: the same snake_case names and quoted values, untranslated.
      expect(new Set(french.match(names)), name).toEqual(new Set(definition.formula.match(names)));
      expect(new Set(french.match(quoted)), name).toEqual(new Set(definition.formula.match(quoted)));
    }
  });

  it('keeps seed 003’s English labels verbatim', () => {
    expect(INDICATORS.contact_duration.labels.en).toBe('Average processing time');
    expect(INDICATORS.presence_smoothed_duration.labels.en).toBe('Smoothed period of presence');
    expect(INDICATORS.transaction_missed_with_busy_operators_amount.labels.en).toBe('T/O missed (agents totally busy)');
    expect(INDICATORS.non_occupation_duration.labels.en).toBe('Inocc.');
  });

  it('refers in a formula only to indicators that exist', () => {
    const mentioned = /\b[a-z]+(?:_[a-z]+)+\b/g;
    for (const [name, definition] of definitions) {
      for (const word of definition.formula.match(mentioned) ?? []) {
        const looksLikeIndicator = /_(number|duration|rate|amount)$/.test(word) && !SCHEMA_COLUMNS.has(word);
        if (looksLikeIndicator) expect(isIndicatorName(word), `${name} mentions ${word}`).toBe(true);
      }
    }
  });

  it('marks as estimated exactly the missed-opportunity indicators', () => {
    const estimated = definitions.filter(([, d]) => d.estimated).map(([name]) => name);
    expect(estimated.sort()).toEqual(seedNames.filter((name) => name.includes('_missed')).sort());
  });

  it('cannot be changed at run time', () => {
    expect(Object.isFrozen(INDICATORS)).toBe(true);
    expect(Object.isFrozen(INDICATORS.contact_number)).toBe(true);
    expect(Object.isFrozen(INDICATORS.contact_number.channels)).toBe(true);
    expect(Object.isFrozen(INDICATORS.contact_number.labels)).toBe(true);
    expect(() => {
      (INDICATORS.contact_number.labels as { en: string }).en = 'changed';
    }).toThrow(TypeError);
  });
});

describe('indicatorsFor', () => {
  it('gives call the seed’s call indicators, without the chat-only and chat-and-video ones', () => {
    const call = indicatorsFor('call');
    expect(call).toHaveLength(59 - 4 - 5);
    for (const name of SEED.contact.Chat) expect(call).not.toContain(name);
    for (const name of SEED.contact['Chat, and Video']) expect(call).not.toContain(name);
    expect(call).toContain('presence_duration');
    expect(call).toContain('satisfaction_global_rate');
  });

  it('gives chat all 59, video all but the 4 chat-only ones', () => {
    expect(indicatorsFor('chat')).toEqual(INDICATOR_NAMES);
    expect(indicatorsFor('video')).toHaveLength(55);
    expect(indicatorsFor('video')).toContain('contact_waiting_duration');
    expect(indicatorsFor('video')).not.toContain('contact_simultaneous_number');
  });

  it('gives the messaging sources the 8 conversation indicators and the 2 presence ones the seed allows', () => {
    for (const channel of ['whatsapp', 'sms', 'rcs'] as const) {
      expect(indicatorsFor(channel)).toEqual([
        ...SEED.contact['Chat, Call, Video, Facebook, Twitter FacebookBusinessOnMessenger, Instagram, SMS, Whatsapp'],
        ...SEED.presence['Chat, Call, Video, Facebook, Twitter FacebookBusinessOnMessenger, Instagram, SMS, Whatsapp'],
      ]);
    }
  });
});

describe('grouping by resource', () => {
  it('groups presence by operators, groups and skills only', () => {
    for (const name of indicatorsGroupableBy('rule'))
      expect(indicatorDefinition(name).family, name).not.toBe('presence');
    expect(indicatorsGroupableBy('operator')).toContain('production_duration');
    expect(indicatorsGroupableBy('page_type')).not.toContain('production_duration');
  });

  it('groups displays and triggers by rule and page type, not by operator', () => {
    expect(indicatorsGroupableBy('rule')).toContain('rule_display_number');
    expect(indicatorsGroupableBy('page_type')).toContain('targeting_rule_triggered');
    expect(indicatorsGroupableBy('operator')).not.toContain('rule_display_number');
  });

  it('does not group the website-wide sales totals', () => {
    for (const resource of ['operator', 'group', 'skill', 'rule', 'contact_type', 'page_type'] as const) {
      expect(indicatorsGroupableBy(resource)).not.toContain('transaction_total_amount');
    }
  });
});

describe('source data', () => {
  it('has every source an indicator reads in the schema: none waits for data', () => {
    expect(indicatorsMissingSource()).toEqual([]);
  });
});

/** The cells of a Markdown table's rows, trimmed, without the separator row: Biome pads tables, the text stays. */
function tableCells(markdown: string): string[][] {
  return markdown
    .split('\n')
    .filter((line) => line.startsWith('|'))
    .map((line) =>
      line
        .split(/(?<!\\)\|/)
        .slice(1, -1)
        .map((cell) => cell.trim()),
    )
    .filter((cells) => !cells.every((cell) => /^-+$/.test(cell)));
}

/** The table between `<!-- table:name -->` and `<!-- /table:name -->` in the page. */
function tableIn(doc: string, name: string): string[][] {
  const found = new RegExp(`<!-- table:${name} -->([\\s\\S]*?)<!-- /table:${name} -->`).exec(doc);
  return tableCells(found?.[1] ?? '');
}

describe('docs/STATISTICS.md', () => {
  const path = fileURLToPath(new URL('../../../../docs/STATISTICS.md', import.meta.url));
  // UPDATE_STATISTICS_DOC=1 rewrites the tables from the catalogue (then format the page with Biome).
  if (process.env.UPDATE_STATISTICS_DOC === '1') writeFileSync(path, withRenderedTables(readFileSync(path, 'utf8')));
  const doc = readFileSync(path, 'utf8');

  it('holds each family’s table and the source data table exactly as the catalogue renders them', () => {
    for (const family of INDICATOR_FAMILIES) {
      expect(tableIn(doc, family), family).toEqual(tableCells(indicatorTableMarkdown(family)));
    }
    expect(tableIn(doc, 'sources')).toEqual(tableCells(sourceDataTableMarkdown()));
  });

  it('documents every indicator once, with its labels and formula, and nothing else', () => {
    const rows = INDICATOR_FAMILIES.flatMap((family) => tableIn(doc, family).slice(1));
    expect(rows.map((cells) => cells[0]).sort()).toEqual(INDICATOR_NAMES.map((name) => `\`${name}\``).sort());
    for (const [name, definition] of definitions) {
      const row = rows.find((cells) => cells[0] === `\`${name}\``);
      expect(row?.slice(1, 3), name).toEqual([definition.labels.en, definition.labels.fr]);
      expect(row?.[6], name).toBe(definition.formula);
    }
  });

  it('documents the endpoint, its rollups and the rebuild command', () => {
    expect(doc).toContain('`GET /api/2/statistic`');
    expect(doc).toContain('causerie stats rebuild');
    expect(doc).toContain('## How the figures are kept');
  });
});
