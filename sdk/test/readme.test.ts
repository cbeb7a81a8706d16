// The README's examples, run in order against a real server: they must typecheck, succeed and print what their comments say.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCauserieClient, unwrap } from '../src/index.js';
import { ADMIN_KEY, type RunningServer, startServer } from './server.js';

const README = fileURLToPath(new URL('../README.md', import.meta.url));
const TOUR_DIR = fileURLToPath(new URL('./.readme/', import.meta.url));
const TOUR = `${TOUR_DIR}tour.ts`;
const TSC = fileURLToPath(new URL('../../node_modules/typescript/bin/tsc', import.meta.url));

/** Every ```ts block of the README, imports removed, as the body of one function that logs into a list. */
function tourSource(readme: string): string {
  const blocks = [...readme.matchAll(/```ts\n([\s\S]*?)```/g)].map((match) => match[1] ?? '');
  const body = blocks
    .join('\n')
    .split('\n')
    .filter((line) => !line.startsWith('import '))
    .join('\n')
    .replaceAll("'http://localhost:8080'", 'baseUrl');
  return [
    "import { CauserieError, createCauserieClient, unwrap } from '../../src/index.js';",
    '',
    'export async function tour(baseUrl: string): Promise<string[]> {',
    '  const logs: string[] = [];',
    "  const console = { log: (...values: unknown[]) => logs.push(values.map((value) => (typeof value === 'object' ? JSON.stringify(value) : String(value))).join(' ')) };",
    body,
    '  return logs;',
    '}',
    '',
  ].join('\n');
}

let server: RunningServer;
let logs: string[] = [];

beforeAll(async () => {
  server = await startServer();
  const platform = createCauserieClient({ baseUrl: server.baseUrl, apiKey: ADMIN_KEY });
  const client = await unwrap(platform.POST('/api/2/client', { body: { name: 'README Shop' } }));
  const minted = await unwrap(
    platform.POST('/api/2/client/{id}/key', { params: { path: { id: client.data.id } }, body: { name: 'readme' } }),
  );
  process.env.CAUSERIE_KEY = minted.data.key ?? '';
  process.env.CAUSERIE_PLATFORM_KEY = ADMIN_KEY;
  fs.mkdirSync(TOUR_DIR, { recursive: true });
  fs.writeFileSync(TOUR, tourSource(fs.readFileSync(README, 'utf8')));
});
afterAll(async () => server?.stop());

describe('README examples', () => {
  it('typecheck against the generated client', () => {
    const flags = [
      '--noEmit',
      '--strict',
      '--noUncheckedIndexedAccess',
      '--skipLibCheck',
      '--target',
      'ES2022',
      '--module',
      'NodeNext',
      '--moduleResolution',
      'NodeNext',
      '--lib',
      'ES2023,DOM',
      '--types',
      'node',
    ];
    let output = '';
    try {
      execFileSync(process.execPath, [TSC, ...flags, TOUR], { encoding: 'utf8' });
    } catch (error) {
      output = (error as { stdout?: string }).stdout ?? String(error);
    }
    expect(output).toBe('');
  });

  it('run end to end and print what their comments promise', async () => {
    const module = (await import(TOUR)) as { tour: (baseUrl: string) => Promise<string[]> };
    logs = await module.tour(server.baseUrl);
    expect(logs).toContain("404 Unknown 'operator' with 'id' 999999.");
    expect(logs).toContain('1 0.67');
    expect(logs[2]).toBe('true');
    expect(logs).toContain('true true');
    expect(logs).toContain('done');
    expect(logs.some((line) => line.endsWith(' 107'))).toBe(true);
    expect(logs).toContain('1 0.89');
    expect(logs).toContain('0');
  });
});
