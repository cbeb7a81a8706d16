// The design's one rule, checked on the source: commands write through transact(), and nothing but the reactions
// calls fan-out or queue-serving code — routes, the v1 API, channels and the realtime protocol commit events instead.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const SRC = fileURLToPath(new URL('..', import.meta.url));

/** The files of server/src whose names `keep` accepts, as paths relative to it. */
function filesOfSource(keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  const walk = (directory: string) => {
    for (const entry of readdirSync(directory, { withFileTypes: true })) {
      const path = join(directory, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (keep(entry.name)) found.push(relative(SRC, path));
    }
  };
  walk(SRC);
  return found.sort();
}

/** Every non-test TypeScript file of server/src. */
const sourceFiles = () => filesOfSource((name) => name.endsWith('.ts') && !name.endsWith('.test.ts'));

const files = sourceFiles();
const text = (file: string) => readFileSync(join(SRC, file), 'utf8');

/** Files whose text matches `pattern`, except those allowed. */
function offenders(pattern: RegExp, allowed: (file: string) => boolean): string[] {
  return files.filter((file) => !allowed(file) && pattern.test(text(file)));
}

describe('the one rule in the code', () => {
  it('finds the source files', () => {
    expect(files).toContain('events/transact.ts');
    expect(files.length).toBeGreaterThan(100);
  });

  it('opens transactions only in transact(), so every committed event reaches the reactions', () => {
    expect(offenders(/\.transaction\(\)/, (file) => file === 'events/transact.ts')).toEqual([]);
  });

  it('serves queues and moves a leaver’s conversations only in the routing reaction', () => {
    const servingCalls = /\b(serveQueue|serveQueuesForOperator|serveForOperator|rerouteConversationsOf)\(/;
    expect(
      offenders(servingCalls, (file) =>
        ['domain/routing/serving.ts', 'domain/routing/transfer.ts', 'domain/routing/reactions.ts'].includes(file),
      ),
    ).toEqual([]);
  });

  it('publishes to sockets only from the realtime layer: no route, command or worker calls the publisher', () => {
    expect(offenders(/publisher\.js'|\.publisher\.|context\.realtime/, (file) => file.startsWith('realtime/'))).toEqual(
      [],
    );
    // Inside the realtime layer, committed changes go out through the fan-out reaction alone.
    expect(
      offenders(
        /publisher\.(entries|conversationChanged|delivery)\(/,
        (file) => file === 'realtime/fanout.ts' || !file.startsWith('realtime/'),
      ),
    ).toEqual([]);
  });

  it('keeps the domain free of HTTP and realtime code', () => {
    expect(offenders(/from '\.\.\/\.\.\/(realtime|api)\//, (file) => !file.startsWith('domain/'))).toEqual([]);
    // Commands, stores and presenters reach into http/ only for the list query's type, the id text rule and the
    // outbound guard (the one door for calls leaving the process: Shopify's Admin API, merchants' endpoints); routes
    // and schemas may import more: they are the HTTP edge. The clock lives outside http/ (time.ts).
    expect(
      offenders(
        /from '\.\.\/\.\.\/http\/(?!filters\.js|ids\.js|outbound\.js)/,
        (file) => !file.startsWith('domain/') || /(routes|schema)\.ts$/.test(file),
      ),
    ).toEqual([]);
  });
});

describe('the test files, which share a worker’s modules (vitest.config.ts: isolate: false)', () => {
  it('mock no module and stub no global, which would leak into the next file of the same worker', () => {
    const testFiles = filesOfSource((name) => name.endsWith('.test.ts'));
    expect(testFiles.length).toBeGreaterThan(90);
    const leaking = /\bvi\.(mock|doMock|stubGlobal|stubEnv)\(/;
    expect(testFiles.filter((file) => leaking.test(text(file)))).toEqual([]);
  });
});
