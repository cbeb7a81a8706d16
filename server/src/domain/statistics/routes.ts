// HTTP routes of statistics: GET /statistic (seed 003's 59 indicators, from the hourly rollups) and the catalogue.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { AppContext } from '../../context.js';
import { ErrorResponses, SuccessMeta } from '../../http/envelope.js';
import { authorize } from '../tenancy/policy.js';
import { GRANULARITIES, MAX_DAYS, parseStatisticQuery, queryStatistics, resolveScope } from './engine.js';
import { INDICATOR_NAMES, indicatorDefinition, STATISTIC_CHANNELS, STATISTIC_RESOURCES } from './indicators.js';

const filter = (description: string) => Type.Optional(Type.String({ description }));

const StatisticQuery = Type.Object({
  'filters[website_list]': filter('Comma list of website ids (default: every website the key sees).'),
  'filters[website_id]': filter('One website id. Deprecated: use filters[website_list].'),
  'filters[channel]': filter(
    `One of ${STATISTIC_CHANNELS.join(', ')} (default chat). whatsapp, sms and rcs select conversations of that source (a Causerie extension).`,
  ),
  'filters[resource]': filter(`Group by one of ${STATISTIC_RESOURCES.join(', ')}: one row per resource.`),
  'filters[resource_id]': filter('Comma list of ids (or names, for contact_type and page_type) of that resource.'),
  'filters[indicators]': filter('Comma list of indicator names (default: every indicator of the channel).'),
  'filters[from]': filter("YYYY-MM-DD or YYYY-MM-DD HH:MM:SS in the client's time zone (default: today)."),
  'filters[to]': filter("YYYY-MM-DD (the whole day) or YYYY-MM-DD HH:MM:SS, the client's time zone (default: today)."),
  'filters[granularity]': filter(
    `${GRANULARITIES.join(', ')}: one row per period (only with exactly one indicator). At most ${MAX_DAYS.hour} days by hour, ${MAX_DAYS.day} by day.`,
  ),
});

const StatisticValue = Type.Union([Type.Number(), Type.String(), Type.Null()]);

const IndicatorData = Type.Object({
  name: Type.String(),
  family: Type.String(),
  unit: Type.String(),
  channels: Type.Array(Type.String()),
  groupable_by: Type.Array(Type.String()),
  labels: Type.Object({ en: Type.String(), fr: Type.String() }),
  formula: Type.String({ description: 'The definition in English (the same text as `formulas.en`).' }),
  formulas: Type.Object(
    { en: Type.String(), fr: Type.String() },
    { description: 'The definition (how the value is computed) in English and in French.' },
  ),
  estimated: Type.Boolean(),
});

const StatisticRow = Type.Record(Type.String(), StatisticValue);

const EXAMPLES = [
  { meta: { status: 'success' }, data: { contact_number: 128, contact_waiting_duration: 42, conversion_rate: null } },
  {
    meta: { status: 'success' },
    data: [
      {
        resource: 'operator',
        resource_id: 32,
        resource_label: 'Ada Lovelace',
        contact_number: 41,
        satisfaction_global_rate: 0.86,
      },
    ],
  },
  {
    meta: { status: 'success' },
    data: [
      { period: '2026-11-03', contact_number: 41 },
      { period: '2026-11-04', contact_number: 0 },
    ],
  },
];

export const statisticRoutes: FastifyPluginAsyncTypebox<{ context: AppContext }> = async (app, { context }) => {
  const { db } = context;
  app.get(
    '/statistic',
    {
      schema: {
        tags: ['Statistic'],
        summary: 'Get statistics',
        description:
          'The 59 indicators of seed 003, computed from hourly rollups kept current by the events (docs/STATISTICS.md has each formula). ' +
          'Without resource nor granularity `data` is one row of the asked indicators for the websites together; with `filters[resource]` one row per resource ' +
          '(`resource`, `resource_id`, `resource_label`), every resource of the websites included; with `filters[granularity]` one row per period (`period`: ' +
          '`YYYY-MM-DD HH:00:00`, `YYYY-MM-DD` or `YYYY-MM`), continuous. Durations are seconds, rates fractions 0..1, amounts in the website currency, ' +
          '`null` where a value is undefined (an average over nothing). Periods are read in the client time zone and taken to whole hours.',
        querystring: StatisticQuery,
        response: {
          200: Type.Object(
            {
              meta: SuccessMeta,
              data: Type.Union([StatisticRow, Type.Array(StatisticRow)], {
                description:
                  'One row (an object) without resource nor granularity; a list of rows with `filters[resource]` or `filters[granularity]`.',
              }),
            },
            { examples: EXAMPLES },
          ),
          ...ErrorResponses,
        },
      },
    },
    async (request) => {
      authorize(request.principal, 'statistic', 'read');
      const parsed = parseStatisticQuery(request.query as Record<string, unknown>);
      const scope = await resolveScope(db, request.principal, parsed.websiteIds);
      const rows = await queryStatistics(db, parsed, scope);
      // One row for the websites together is the object itself (issue 17, docs/STATISTICS.md); otherwise a list.
      const single = parsed.resource === null && parsed.granularity === null;
      return { meta: { status: 'success' as const }, data: single ? (rows[0] ?? {}) : rows };
    },
  );
  app.get(
    '/statistic/indicator',
    {
      schema: {
        tags: ['Statistic'],
        summary: 'List the indicators',
        description:
          'Every indicator GET /statistic answers: family, unit, the channels it is defined on, the resources it can be grouped by, its seed label in English and French, and its formula (its definition) in English and French: `formulas.en` and `formulas.fr` (`formula` is `formulas.en`).',
        response: { 200: Type.Object({ meta: SuccessMeta, data: Type.Array(IndicatorData) }), ...ErrorResponses },
      },
    },
    async (request) => {
      authorize(request.principal, 'statistic', 'list');
      return {
        meta: { status: 'success' as const },
        data: INDICATOR_NAMES.map((name) => {
          const definition = indicatorDefinition(name);
          return {
            name,
            family: definition.family,
            unit: definition.unit,
            channels: [...definition.channels],
            groupable_by: [...definition.groupableBy],
            labels: { ...definition.labels },
            formula: definition.formula,
            formulas: { en: definition.formula, fr: definition.formulaFr },
            estimated: definition.estimated,
          };
        }),
      };
    },
  );
};
