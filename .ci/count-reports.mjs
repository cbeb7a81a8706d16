// Totals CI's JSON reports into the one closing line "N passed, N failed"; a report that is missing counts as a failure.
// Usage: node .ci/count-reports.mjs ARTIFACTS check:NAME... pass:NAME=EXIT_CODE...
//   check:lint    ARTIFACTS/lint.json, a one-test report written by .ci/run for a check that is not a vitest suite
//   pass:node20-sqlite=0    one run of `npm test`: its exit code and the reports it wrote (node20-sqlite.json for the
//                 server, node20-sqlite.sdk.json and so on, one per workspace)
import fs from 'node:fs';
import path from 'node:path';

// The workspaces whose vitest configs write a report beside VITEST_JSON_REPORT, by suffix ('' is the server's).
const EXPECTED_SUFFIXES = ['', '.sdk', '.widget', '.console', '.e2e'];
// Lint, the cycle check and the typecheck run once per CI run (.ci/run counts them as checks, and its passes skip
// them); should a pass write reports for them anyway, those only explain that pass's exit code and are not added again.
const ONCE_PER_RUN = ['.lint', '.cycles', '.typecheck'];

const [artifacts, ...specs] = process.argv.slice(2);
let passed = 0;
let failed = 0;

/** Tests that failed, and tests that passed only when run again, named with their pass: printed before the totals. */
const failures = [];
const retried = [];

/** The first line of a failure message that says something (not the stack). */
function firstLine(message) {
  const line =
    String(message ?? '')
      .split('\n')
      .map((text) => text.trim())
      .find((text) => text !== '') ?? '';
  // The runner's timeout error keeps the stack of its placeholder, whose first line is all the report holds.
  if (line === 'Error: STACK_TRACE_ERROR') return 'timed out (testTimeout or hookTimeout)';
  return line.slice(0, 240);
}

/** Names the failed and retried tests of one report. */
function collectNames(report, where) {
  for (const result of report.testResults ?? []) {
    const file = path.relative(process.cwd(), result.name ?? '');
    const assertions = result.assertionResults ?? [];
    if (result.status === 'failed' && assertions.length === 0)
      failures.push(`${where} ${file}: did not load: ${firstLine(result.message)}`);
    for (const test of assertions) {
      const messages = test.failureMessages ?? [];
      if (test.status === 'failed') failures.push(`${where} ${file} > ${test.fullName}: ${firstLine(messages[0])}`);
      else if (test.status === 'passed' && messages.length > 0)
        retried.push(`${where} ${file} > ${test.fullName}: first ${firstLine(messages[0])}`);
    }
  }
}

/** The numbers of one report, or null when the file is missing or unreadable. */
function readReport(file, where) {
  if (!fs.existsSync(file)) return null;
  try {
    const report = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (where !== undefined) collectNames(report, where);
    // A test file that fails to load counts as a failure even when it has no tests.
    const unloaded = (report.testResults ?? []).filter(
      (result) => result.status === 'failed' && (result.assertionResults ?? []).length === 0,
    ).length;
    return { passed: report.numPassedTests, failed: report.numFailedTests + unloaded };
  } catch (error) {
    console.log(`unreadable report ${file}: ${error.message}`);
    return null;
  }
}

for (const spec of specs) {
  const [kind, rest] = spec.split(/:(.*)/s);
  if (kind === 'check') {
    const counts = readReport(path.join(artifacts, `${rest}.json`));
    if (counts === null) {
      console.log(`${rest}: no report (it did not run)`);
      failed += 1;
      continue;
    }
    console.log(`${rest}: ${counts.failed > 0 ? 'failed' : 'passed'}`);
    passed += counts.passed;
    failed += counts.failed;
    continue;
  }
  const [name, exitCode] = rest.split('=');
  const found = fs
    .readdirSync(artifacts)
    .filter((file) => file.startsWith(`${name}.`) && file.endsWith('.json'))
    .map((file) => file.slice(name.length, -'.json'.length));
  const suffixes = [...new Set([...EXPECTED_SUFFIXES, ...found])].sort();
  const summary = [];
  let failedInPass = 0;
  for (const suffix of suffixes) {
    const label = suffix === '' ? 'server' : suffix.slice(1);
    const counts = readReport(path.join(artifacts, `${name}${suffix}.json`), `[${name} ${label}]`);
    if (counts === null) {
      summary.push(`${label} no report`);
      failed += 1;
      failedInPass += 1;
      continue;
    }
    summary.push(`${label} ${counts.passed}/${counts.failed}`);
    failedInPass += counts.failed;
    if (ONCE_PER_RUN.includes(suffix)) continue;
    passed += counts.passed;
    failed += counts.failed;
  }
  // A failure outside vitest (the typecheck, the bundle size check) leaves every report green: count it once.
  if (exitCode !== '0' && failedInPass === 0) {
    summary.push(`npm test exited ${exitCode} outside the reports`);
    failed += 1;
  }
  console.log(`${name} (passed/failed): ${summary.join(', ')}`);
}

for (const line of retried) console.log(`passed when retried: ${line}`);
for (const line of failures) console.log(`FAILED: ${line}`);
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed > 0 ? 1 : 0);
