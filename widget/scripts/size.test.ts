// The size check itself: it passes within budget and fails (exit 1, OVER) above it, printing every size.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./size.mjs', import.meta.url));
const built = existsSync(fileURLToPath(new URL('../dist/widget.js', import.meta.url)));
const run = (env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [script], { encoding: 'utf8', env: { ...process.env, ...env } });

describe.skipIf(!built)('scripts/size.mjs', () => {
  it('prints the gzipped sizes and passes within the budgets', () => {
    const result = run();
    expect(result.status).toBe(0);
    expect(result.stdout).toMatch(/ok {3}loader \(widget\.js\)/);
    expect(result.stdout).toMatch(/ok {3}iframe app \(total\)/);
  });

  it('fails above budget', () => {
    const result = run({ WIDGET_APP_BUDGET_BYTES: '1000' });
    expect(result.status).toBe(1);
    expect(result.stdout).toMatch(/OVER iframe app \(total\)/);
  });
});
