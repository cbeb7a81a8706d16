// v1 models `chat_history`, `transactions`, `satisfaction` and `operator_stats` (seed 002 §5–8): read-only exports in json, xml or csv.
import type { FastifyInstance } from 'fastify';
import type { AppContext } from '../../context.js';
import { hourAlignedPeriod, loadOperatorPeriodFigures } from '../../domain/statistics/operator-figures.js';
import { ApiError, unknownResource } from '../../errors.js';
import { toCsv, toXml } from './formats.js';
import {
  type MethodRegistry,
  outOf,
  readBoundedPeriod,
  readPeriod,
  registerMethod,
  todayPeriod,
  unknownBy,
} from './method.js';
import {
  historyXml,
  presentHistory,
  presentSatisfaction,
  presentStats,
  presentTransaction,
  SATISFACTION_CSV,
  STATS_CSV,
  TRANSACTION_CSV,
} from './present.js';
import {
  countHistory,
  findOperator,
  listHistory,
  listSales,
  listSatisfactions,
  loadStatsOperators,
  operatorIdsByExternalId,
  operatorIdsByName,
} from './queries.js';
import {
  HistoryByIdParams,
  HistoryList,
  HistoryParams,
  SatisfactionList,
  SatisfactionParams,
  StatsList,
  StatsParams,
  TransactionList,
  TransactionsParams,
} from './schema.js';
import { computeOperatorStats } from './stats.js';

/** One history answer holds at most this many conversations; a wider export is asked to narrow its dates rather than exhaust memory. */
export const MAX_HISTORY_CONVERSATIONS = 5000;

const intersect = (left: number[] | undefined, right: number[]): number[] =>
  left === undefined ? right : left.filter((id) => right.includes(id));

export function registerReportMethods(app: FastifyInstance, registry: MethodRegistry, context: AppContext): void {
  const { db } = context;

  /**
   * The operators report filters name: `opid` and `external_id` must name one of your operators
   * (deleted ones included, their history stays readable); `opname` is a plain filter.
   */
  async function operatorFilter(
    clientId: number,
    input: { opid?: number; external_id?: string; opname?: string },
  ): Promise<number[] | undefined> {
    let ids: number[] | undefined;
    if (input.opid !== undefined) {
      if (!(await findOperator(db, clientId, input.opid, { includeDeleted: true })))
        throw unknownResource('operator', input.opid);
      ids = [input.opid];
    }
    if (input.external_id !== undefined) {
      const found = await operatorIdsByExternalId(db, clientId, input.external_id, { includeDeleted: true });
      if (found.length === 0) throw unknownBy('operator', 'external_id', input.external_id);
      ids = intersect(ids, found);
    }
    if (input.opname !== undefined) ids = intersect(ids, await operatorIdsByName(db, clientId, input.opname));
    return ids;
  }

  const historyAnswer = (chats: ReturnType<typeof presentHistory>[], out: 'json' | 'xml' | 'csv') =>
    out === 'xml' ? { text: toXml(historyXml(chats)), format: 'xml' as const } : { json: chats };

  registerMethod(app, registry, {
    model: 'chat_history',
    method: 'getHistory',
    summary: 'Export conversation histories',
    description:
      'Conversations started between `sdate` and `edate` (both optional, `aaaa-mm-jj`, whole days, UTC), newest first, each with its history. ' +
      `Filters: \`opid\` or \`external_id\` (the operator), \`extid\` (the visitor's external id), \`ruleid\` (targeting rule). At most ${MAX_HISTORY_CONVERSATIONS} conversations per call: narrow the dates beyond that. ` +
      '`out=xml` answers `<chats><chat>…</chat></chats>` with the same fields as elements and each history line as `<message><from/><time/><msg/></message>`.',
    params: HistoryParams,
    formats: ['json', 'xml'],
    json: HistoryList,
    answer: async (input, { clientId }) => {
      const filters = {
        period: readPeriod(input),
        ...(await operatorFilter(clientId, input).then((ids) => (ids === undefined ? {} : { operatorIds: ids }))),
        ...(input.extid !== undefined && { visitorExternalId: input.extid }),
        ...(input.ruleid !== undefined && { ruleId: input.ruleid }),
      };
      const count = await countHistory(db, clientId, filters);
      if (count > MAX_HISTORY_CONVERSATIONS) {
        throw new ApiError(
          'too_many_results',
          400,
          `The filters match ${count} conversations, more than the ${MAX_HISTORY_CONVERSATIONS} one answer holds: narrow 'sdate' and 'edate'.`,
        );
      }
      const now = new Date();
      return historyAnswer(
        (await listHistory(db, clientId, filters)).map((row) => presentHistory(row, now)),
        outOf(input),
      );
    },
  });

  registerMethod(app, registry, {
    model: 'chat_history',
    method: 'getHistoryByID',
    summary: 'Export one conversation history',
    description:
      'The conversation `chatid`, in the shape of `getHistory` (a list of one). `out=xml` as for `getHistory`.',
    params: HistoryByIdParams,
    formats: ['json', 'xml'],
    json: HistoryList,
    answer: async (input, { clientId }) => {
      const rows = await listHistory(db, clientId, { period: {}, conversationId: input.chatid });
      if (rows.length === 0) throw unknownResource('chat', input.chatid);
      const now = new Date();
      return historyAnswer(
        rows.map((row) => presentHistory(row, now)),
        outOf(input),
      );
    },
  });

  registerMethod(app, registry, {
    model: 'transactions',
    method: 'getTransactions',
    summary: 'Export transactions',
    description:
      'Sales reported between `sdate` and `edate` (required, `aaaa-mm-jj`, whole days, UTC), newest first; `chatted=1` keeps those that followed a conversation. ' +
      "`operator` is the operator credited with the sale (the one reported with it, else the one of its conversation). `out=csv` answers the seed's `;`-separated table.",
    params: TransactionsParams,
    formats: ['json', 'csv'],
    json: TransactionList,
    answer: async (input, { clientId }) => {
      const rows = (await listSales(db, clientId, readBoundedPeriod(input), { chattedOnly: input.chatted === 1 })).map(
        presentTransaction,
      );
      return outOf(input) === 'csv' ? { text: toCsv(TRANSACTION_CSV, rows), format: 'csv' } : { json: rows };
    },
  });

  registerMethod(app, registry, {
    model: 'satisfaction',
    method: 'getSatisfaction',
    summary: 'Export satisfaction survey answers',
    description:
      "Answers given between `sdate` and `edate` (`aaaa-mm-jj`, whole days, UTC; without either date, today's answers), newest first. " +
      "Filters: `opid`, or `opname` (the operator's name, ignoring case). Notes run from 1 to 3 (3 is the most satisfied). `out=csv` answers the seed's `;`-separated table.",
    params: SatisfactionParams,
    formats: ['json', 'csv'],
    json: SatisfactionList,
    answer: async (input, { clientId }) => {
      const period =
        input.sdate === undefined && input.edate === undefined ? todayPeriod(new Date()) : readPeriod(input);
      const rows = (await listSatisfactions(db, clientId, period, await operatorFilter(clientId, input))).map(
        presentSatisfaction,
      );
      return outOf(input) === 'csv' ? { text: toCsv(SATISFACTION_CSV, rows), format: 'csv' } : { json: rows };
    },
  });

  registerMethod(app, registry, {
    model: 'operator_stats',
    method: 'getStats',
    summary: 'Export operator statistics',
    description:
      'Per operator for the days `sdate` to `edate` (required, `aaaa-mm-jj`, UTC): `presence` (hours connected), `chatcount` (conversations started in the period), ' +
      '`duration` (their mean length in minutes, closed ones), `conv_rate` (share followed by a sale), `turnover` and `sales_count` (sales credited to the operator), ' +
      '`rate` (mean of all notes), `note_*` (rounded means, 1 to 3; 0 without answers). `problem` (those conversations with a problem reported on them). Filters: `opid`, `opname`. `out=csv` answers a `;`-separated table. ' +
      'Every figure comes from the statistics rollups, which follow committed changes about a second later (presence of a connected operator, up to half a minute); a period given with times is widened to whole hours.',
    params: StatsParams,
    formats: ['json', 'csv'],
    json: StatsList,
    answer: async (input, { clientId }) => {
      // Rollups are hourly: a period given with times is widened to whole hours.
      const period = hourAlignedPeriod(readBoundedPeriod(input));
      const operatorIds = await operatorFilter(clientId, input);
      const [operators, figures] = await Promise.all([
        loadStatsOperators(db, clientId, operatorIds),
        loadOperatorPeriodFigures(db, clientId, period, operatorIds),
      ]);
      const stats = computeOperatorStats(operators, figures).map(presentStats);
      return outOf(input) === 'csv' ? { text: toCsv(STATS_CSV, stats), format: 'csv' } : { json: stats };
    },
  });
}
