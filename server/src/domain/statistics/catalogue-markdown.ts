// The indicator tables of docs/STATISTICS.md, rendered from the catalogue so the page and the code cannot drift apart.
// After changing the catalogue: `UPDATE_STATISTICS_DOC=1 npx vitest run src/domain/statistics/indicators.test.ts`
// (from server/) rewrites the tables between their markers, then `npx biome check --write docs/STATISTICS.md`.
import {
  INDICATOR_FAMILIES,
  INDICATOR_NAMES,
  type IndicatorFamily,
  indicatorDefinition,
  SOURCE_DATA,
  STATISTIC_RESOURCES,
} from './indicators.js';

const HEADER = [
  '| name | English label (seed 003) | French label | unit | channels | groupable by | formula |',
  '| --- | --- | --- | --- | --- | --- | --- |',
];

/** A table cell: the pipe would end the cell early, so it is escaped. */
function cell(text: string): string {
  return text.replaceAll('|', '\\|');
}

/** One family's table: a row per indicator, in the catalogue's (seed 003's) order. */
export function indicatorTableMarkdown(family: IndicatorFamily): string {
  const rows = INDICATOR_NAMES.filter((name) => indicatorDefinition(name).family === family).map((name) => {
    const definition = indicatorDefinition(name);
    const unit = definition.estimated ? `${definition.unit} (estimate)` : definition.unit;
    const groupable =
      definition.groupableBy.length === STATISTIC_RESOURCES.length
        ? 'all six'
        : definition.groupableBy.length === 0
          ? 'none'
          : definition.groupableBy.join(', ');
    return [
      `\`${name}\``,
      definition.labels.en,
      definition.labels.fr,
      unit,
      definition.channels.join(', '),
      groupable,
      definition.formula,
    ]
      .map(cell)
      .reduce((line, value) => `${line} ${value} |`, '|');
  });
  return [...HEADER, ...rows].join('\n');
}

/** The source data table: what each indicator reads, and whether the schema holds it yet. */
export function sourceDataTableMarkdown(): string {
  const rows = Object.entries(SOURCE_DATA).map(([source, data]) => {
    const users = INDICATOR_NAMES.filter((name) =>
      (indicatorDefinition(name).sources as readonly string[]).includes(source),
    );
    return `| \`${source}\` | ${data.present ? 'yes' : '**no**'} | ${cell(data.description)} | ${users.length} |`;
  });
  return ['| source | in the schema | what it is | indicators using it |', '| --- | --- | --- | --- |', ...rows].join(
    '\n',
  );
}

/** The page with every `<!-- table:… -->` block replaced by its freshly rendered table. */
export function withRenderedTables(doc: string): string {
  const tables: Record<string, string> = { sources: sourceDataTableMarkdown() };
  for (const family of INDICATOR_FAMILIES) tables[family] = indicatorTableMarkdown(family);
  return Object.entries(tables).reduce(
    (text, [name, table]) =>
      text.replace(
        new RegExp(`<!-- table:${name} -->[\\s\\S]*?<!-- /table:${name} -->`),
        () => `<!-- table:${name} -->\n${table}\n<!-- /table:${name} -->`,
      ),
    doc,
  );
}
