// The committed OpenAPI snapshot and generated types match what the current server documents.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import openapiTS, { astToString } from 'openapi-typescript';
import { describe, expect, it } from 'vitest';
import { SERVER_MAIN } from './server.js';

const SNAPSHOT = fileURLToPath(new URL('../openapi.json', import.meta.url));
const GENERATED = fileURLToPath(new URL('../src/generated/openapi.ts', import.meta.url));
const REGENERATE = 'Run `npm run build -w server && npm run generate -w sdk` and commit the result.';

describe('generated client', () => {
  const current = execFileSync(process.execPath, [SERVER_MAIN, 'openapi'], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    env: { PATH: process.env.PATH ?? '' },
  });

  it('openapi.json is the document the server publishes', () => {
    expect(fs.readFileSync(SNAPSHOT, 'utf8'), REGENERATE).toBe(current);
  });

  it('src/generated/openapi.ts is what openapi-typescript makes of it', async () => {
    const ast = await openapiTS(JSON.parse(current) as Parameters<typeof openapiTS>[0]);
    // The CLI adds a "do not edit" banner that the programmatic API leaves out.
    const committed = fs.readFileSync(GENERATED, 'utf8').replace(/^\/\*\*[\s\S]*?\*\/\s*/, '');
    expect(committed.trim(), REGENERATE).toBe(astToString(ast).trim());
  });

  it('covers the v2 resources and the legacy v1 methods', () => {
    const paths = Object.keys((JSON.parse(current) as { paths: Record<string, unknown> }).paths);
    expect(paths).toEqual(
      expect.arrayContaining([
        '/api/2/operator',
        '/api/2/conversation',
        '/api/2/visitor',
        '/api/operator/createAccount/',
      ]),
    );
  });
});
