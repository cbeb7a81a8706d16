// Migrations on one SQLite file from several processes at once (a node starting while `keys create` runs, or a
// node's workers): each waits for the other, none fails, and the schema is made once.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import SQLite from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';

const MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'causerie-migrate-'));
afterAll(() => fs.rmSync(directory, { recursive: true, force: true }));

function migrate(file: string): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [MAIN, 'migrate'], {
      env: { ...process.env, DATABASE_URL: `sqlite:${file}`, LOG_LEVEL: 'warn' },
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => resolve({ code, output }));
  });
}

describe('migrating one new SQLite file from several processes at once', () => {
  it('succeeds in every process and applies each migration once', async () => {
    expect(fs.existsSync(MAIN)).toBe(true);
    const file = path.join(directory, 'race.db');
    const runs = await Promise.all([migrate(file), migrate(file), migrate(file), migrate(file)]);
    for (const run of runs) expect(run, run.output).toMatchObject({ code: 0 });
    // One process applied them all; the others found nothing left to do.
    expect(runs.filter((run) => /Applied: /.test(run.output))).toHaveLength(1);
    const database = new SQLite(file, { readonly: true });
    try {
      const names = database.prepare('select name from kysely_migration order by name').all() as { name: string }[];
      expect(new Set(names.map((row) => row.name)).size).toBe(names.length);
      expect(names.length).toBeGreaterThanOrEqual(6);
    } finally {
      database.close();
    }
  }, 60_000);
});
