// Rollup rows in memory: one hour of one scope × channel × source × resource, with its additive measures.
import { STATS_MEASURES, type StatsMeasure } from '../../db/schema.js';

export const HOUR_MS = 3_600_000;

/** The key columns of a stats_hour row besides the client and website. */
export interface RollupKey {
  hour: string;
  channel: string;
  source: string;
  resource: string;
  resource_id: string;
}

export type Measures = Record<StatsMeasure, number>;

export interface RollupRow extends RollupKey {
  measures: Measures;
  last_sale_at: string | null;
}

export function zeroMeasures(): Measures {
  const measures = {} as Measures;
  for (const name of STATS_MEASURES) measures[name] = 0;
  return measures;
}

/** The UTC hour an instant falls in, as stored (`2026-11-21T13:00:00.000Z`). */
export function hourOf(epochMs: number): string {
  return new Date(Math.floor(epochMs / HOUR_MS) * HOUR_MS).toISOString();
}

export function hourStartMs(epochMs: number): number {
  return Math.floor(epochMs / HOUR_MS) * HOUR_MS;
}

/** Rows keyed by every key column, created at zero on first touch. */
export class RollupRows {
  private readonly rows = new Map<string, RollupRow>();

  row(key: RollupKey): RollupRow {
    const id = `${key.hour}|${key.channel}|${key.source}|${key.resource}|${key.resource_id}`;
    let row = this.rows.get(id);
    if (row === undefined) {
      row = { ...key, measures: zeroMeasures(), last_sale_at: null };
      this.rows.set(id, row);
    }
    return row;
  }

  add(key: RollupKey, measure: StatsMeasure, value: number): void {
    if (value === 0) return;
    this.row(key).measures[measure] += value;
  }

  laterSale(key: RollupKey, at: string): void {
    const row = this.row(key);
    if (row.last_sale_at === null || at > row.last_sale_at) row.last_sale_at = at;
  }

  all(): RollupRow[] {
    return [...this.rows.values()];
  }
}
