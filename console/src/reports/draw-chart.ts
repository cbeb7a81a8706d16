// Draws one time series with uPlot. Only TimeChart.tsx imports this module, dynamically, so that uPlot is a chunk of
// its own, fetched the first time a chart shows.
import 'uplot/dist/uPlot.min.css';
import uPlot from 'uplot';

export interface SeriesChart {
  resize(width: number): void;
  destroy(): void;
}

export function drawSeriesChart(
  element: HTMLElement,
  series: { x: number[]; y: (number | null)[]; label: string; height: number },
  format: (value: number | null) => string,
): SeriesChart {
  const chart = new uPlot(
    {
      width: element.clientWidth,
      height: series.height,
      // Periods are the client's local times written as text: read and shown as UTC, they show unchanged.
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      series: [
        {},
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
      axes: [{}, { values: (_chart, ticks) => ticks.map((tick) => format(tick)), size: 90 }],
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
