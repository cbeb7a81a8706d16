// Runs every suite (lint, cycles, then each workspace's tests) even when an earlier one fails, and ends with a summary:
// one flaky server test must not hide the SDK, widget, console and browser suites. Exits 1 when any suite failed.
import { spawnSync } from 'node:child_process';

// CI runs lint, the cycle check, the typecheck and the builds once, before its passes (.ci/run), and sets this so
// that each pass runs the tests alone (and the bundle size checks, which read the builds).
const skipStatic = process.env.CAUSERIE_TEST_SKIP_STATIC === '1';

/** Each step: a name and the npm arguments that run it. `--only NAME,NAME` runs a subset. */
const STEPS = skipStatic
  ? ['server', 'sdk', 'widget', 'console', 'e2e'].map((name) => [name, ['run', 'test:ci', '-w', name]])
  : [
      ['lint', ['run', 'lint']],
      ['cycles', ['run', 'cycles', '--if-present']],
      ['server', ['test', '-w', 'server']],
      ['sdk', ['test', '-w', 'sdk']],
      ['widget', ['test', '-w', 'widget']],
      ['console', ['test', '-w', 'console']],
      ['e2e', ['test', '-w', 'e2e']],
    ];

const onlyIndex = process.argv.indexOf('--only');
const only = onlyIndex >= 0 ? new Set((process.argv[onlyIndex + 1] ?? '').split(',')) : null;
const results = [];
for (const [name, args] of STEPS) {
  if (only !== null && !only.has(name)) continue;
  const started = Date.now();
  console.log(`\n=== ${name}: npm ${args.join(' ')}`);
  const run = spawnSync('npm', args, { stdio: 'inherit' });
  results.push({ name, ok: run.status === 0, seconds: Math.round((Date.now() - started) / 1000) });
}

console.log('\n=== summary');
for (const result of results) console.log(`${result.ok ? 'ok    ' : 'FAILED'} ${result.name} (${result.seconds} s)`);
const failed = results.filter((result) => !result.ok);
console.log(failed.length === 0 ? 'every suite passed' : `failed: ${failed.map((result) => result.name).join(', ')}`);
process.exit(failed.length === 0 ? 0 : 1);
