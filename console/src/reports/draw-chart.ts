// Draws one time series with uPlot. Only TimeChart.tsx imports this module, dynamically, so that uPlot is a chunk of
// its own, fetched the first time a chart shows.
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';
import type { Granularity } from './report';

export interface SeriesChart {
  resize(width: number): void;
  destroy(): void;
}

const HOUR = 3600;
const DAY = 24 * HOUR;
/** Tick steps (seconds) each granularity may use: whole periods only, so no tick falls inside one. */
const TIME_STEPS: Record<Granularity, number[]> = {
  hour: [HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY],
  day: [DAY, 2 * DAY, 7 * DAY, 14 * DAY, 28 * DAY],
  // uPlot steps by calendar months (and years) for multiples of its 30-day month (and 365-day year).
  month: [30 * DAY, 60 * DAY, 90 * DAY, 180 * DAY, 365 * DAY],
};
/** Steps of a count axis: whole numbers only. */
const COUNT_STEPS = [
  1, 2, 5, 10, 20, 50, 100, 200, 500, 1_000, 2_000, 5_000, 10_000, 20_000, 50_000, 100_000, 1e6, 1e7,
];

export function drawSeriesChart(
  element: HTMLElement,
  series: {
    x: number[];
    y: (number | null)[];
    label: string;
    periodLabel: string;
    height: number;
    granularity: Granularity;
    wholeNumbers: boolean;
    language: string;
  },
  format: (value: number | null) => string,
): SeriesChart {
  // Periods are the client's local times written as text: read and shown as UTC, they show unchanged.
  const dateFormat = new Intl.DateTimeFormat(
    series.language,
    series.granularity === 'month'
      ? { timeZone: 'UTC', year: 'numeric', month: 'short' }
      : series.granularity === 'day'
        ? { timeZone: 'UTC', month: 'short', day: 'numeric' }
        : { timeZone: 'UTC', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit' },
  );
  const showPeriod = (seconds: number | null) => (seconds === null ? '—' : dateFormat.format(new Date(seconds * 1000)));
  const chart = new uPlot(
    {
      width: element.clientWidth,
      height: series.height,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      series: [
        { label: series.periodLabel, value: (_chart, seconds) => showPeriod(seconds) },
        {
          label: series.label,
          stroke: '#2f5bd3',
          fill: 'rgba(47, 91, 211, 0.08)',
          width: 2,
          spanGaps: false,
          // Points mark each period while they are few enough to tell apart.
          points: { show: series.x.length <= 62 },
          value: (_chart, value) => format(value),
        },
      ],
      axes: [
        {
          incrs: TIME_STEPS[series.granularity],
          values: (_chart, ticks) => ticks.map((tick) => showPeriod(tick)),
          space: series.granularity === 'hour' ? 90 : 60,
        },
        {
          values: (_chart, ticks) => ticks.map((tick) => format(tick)),
          size: 90,
          ...(series.wholeNumbers && { incrs: COUNT_STEPS }),
        },
      ],
      scales: { y: { range: (_chart, min, max) => [Math.min(0, min), max > 0 ? max * 1.1 : 1] } },
    },
    [series.x, series.y],
    element,
  );
  return {
    resize: (width) => chart.setSize({ width, height: series.height }),
    destroy: () => chart.destroy(),
  };
}
