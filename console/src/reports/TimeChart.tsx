// The reports page's time series: one indicator per period, drawn by uPlot (draw-chart.ts, imported when a chart shows).
import { useEffect, useRef, useState } from 'react';
import type { StatisticRow } from '../api';
import type { SeriesChart } from './draw-chart';
import { formatValue, type Granularity, seriesOf } from './report';

const HEIGHT = 260;

export function TimeChart({
  rows,
  indicator,
  label,
  unit,
  language,
  currency,
  description,
  granularity,
  periodLabel,
}: {
  rows: readonly StatisticRow[];
  indicator: string;
  label: string;
  unit: string;
  language: string;
  currency: string | null;
  /** What the chart shows, said to screen readers (the canvas itself says nothing). */
  description: string;
  granularity: Granularity;
  /** The legend's name of the x axis. */
  periodLabel: string;
}) {
  const holder = useRef<HTMLDivElement | null>(null);
  const [failure, setFailure] = useState<string | null>(null);
  const { x, y } = seriesOf(rows, indicator);

  // biome-ignore lint/correctness/useExhaustiveDependencies: x and y are derived from rows and indicator, listed.
  useEffect(() => {
    const element = holder.current;
    if (element === null) return;
    let chart: SeriesChart | null = null;
    let cancelled = false;
    const format = (value: number | null) => formatValue(value, unit, language, currency);
    const resize = new ResizeObserver(() => chart?.resize(element.clientWidth));
    // uPlot comes in its own chunk, fetched with the first chart (the browser keeps it for the next ones).
    import('./draw-chart')
      .then(({ drawSeriesChart }) => {
        if (cancelled) return;
        chart = drawSeriesChart(
          element,
          { x, y, label, periodLabel, height: HEIGHT, granularity, wholeNumbers: unit === 'count', language },
          format,
        );
        resize.observe(element);
      })
      .catch((error: unknown) => !cancelled && setFailure(error instanceof Error ? error.message : String(error)));
    return () => {
      cancelled = true;
      resize.disconnect();
      chart?.destroy();
    };
  }, [rows, indicator, label, unit, language, currency, granularity, periodLabel]);

  return (
    <figure className="report-chart">
      {failure !== null && (
        <p className="error" role="alert">
          {failure}
        </p>
      )}
      <div ref={holder} role="img" aria-label={description} data-testid="report-chart" data-points={x.length} />
    </figure>
  );
}
