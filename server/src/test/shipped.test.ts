// The server's build (tsconfig.build.json → dist/) ships product code only: no test, no test harness, no fake provider,
// no test client, nothing of the test-support workspace, whether listed by the build or reached through an import.
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const SERVER = fileURLToPath(new URL('../..', import.meta.url));
const SRC = path.join(SERVER, 'src');
const DIST = path.join(SERVER, 'dist');

/** Test-only by its path: tests, the server's harness (src/test/), testing folders, fakes, the test-support workspace. */
const TEST_ONLY = /\.test\.|(^|\/)tests?\/|(^|\/)testing(\/|\.)|(^|\/)fakes?[-/.]|test-support/;

/** Every file the build compiles: its listed files and all they import, outside node_modules. */
function builtSources(): string[] {
  const config = ts.readConfigFile(path.join(SERVER, 'tsconfig.build.json'), ts.sys.readFile);
  const parsed = ts.parseJsonConfigFileContent(config.config, ts.sys, SERVER);
  const program = ts.createProgram({ rootNames: parsed.fileNames, options: { ...parsed.options, noEmit: true } });
  return program
    .getSourceFiles()
    .map((file) => path.resolve(file.fileName))
    .filter((file) => !file.split(path.sep).includes('node_modules'));
}

function filesUnder(directory: string): string[] {
  return fs
    .readdirSync(directory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => path.relative(directory, path.join(entry.parentPath, entry.name)));
}

describe('what the server ships', () => {
  it('builds from product sources of server/src only, none of them test-only', { timeout: 60_000 }, () => {
    const sources = builtSources();
    expect(sources).toContain(path.join(SRC, 'main.ts'));
    expect(sources.filter((file) => !file.startsWith(SRC + path.sep))).toEqual([]);
    expect(sources.map((file) => path.relative(SRC, file)).filter((file) => TEST_ONLY.test(file))).toEqual([]);
  });

  // `npm test -w server` builds before it tests; a bare `vitest run` may find no dist/ to look at.
  it.skipIf(!fs.existsSync(DIST))('holds no test-only file in dist/ (an old one: remove dist/ and build again)', () => {
    const built = filesUnder(DIST);
    expect(built).toContain('main.js');
    expect(built.filter((file) => TEST_ONLY.test(file))).toEqual([]);
  });
});
