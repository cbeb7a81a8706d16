// Small statistics for benchmark figures: medians over runs, percentiles over samples.

/** The value below which `p` (0–1) of the samples fall. */
export function percentile(samples: readonly number[], p: number): number {
  if (samples.length === 0) return Number.NaN;
  const sorted = [...samples].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

export const median = (samples: readonly number[]): number => percentile(samples, 0.5);

export const round = (value: number, digits = 1): number => Math.round(value * 10 ** digits) / 10 ** digits;
