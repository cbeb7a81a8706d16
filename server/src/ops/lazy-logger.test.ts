import { Writable } from 'node:stream';
import Fastify from 'fastify';
import { describe, expect, it } from 'vitest';
import { lazyChildLogger } from './lazy-logger.js';

/** A pino logger at `level` whose lines are collected, parsed. */
function collectingLogger(level: string) {
  const lines: Record<string, unknown>[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line !== '') lines.push(JSON.parse(line));
      done();
    },
  });
  // Fastify's own logger (pino), as the app makes it.
  return { logger: Fastify({ logger: { level, stream: sink } }).log, lines };
}

describe('lazyChildLogger', () => {
  it('writes enabled lines with the request bindings, and nothing below the level', () => {
    const { logger, lines } = collectingLogger('warn');
    const child = lazyChildLogger(logger, { reqId: 'r-1' }, {});
    child.info('not written');
    child.debug({ detail: 1 }, 'not written either');
    child.error({ err: 'boom' }, 'failed %s', 'here');
    child.warn('careful');
    expect(lines.map((line) => [line.msg, line.reqId, line.level])).toEqual([
      ['failed here', 'r-1', 50],
      ['careful', 'r-1', 40],
    ]);
    expect(lines[0]?.err).toBe('boom');
  });

  it('follows the parent level when it changes, and a route level given in the options', () => {
    const { logger, lines } = collectingLogger('warn');
    const child = lazyChildLogger(logger, { reqId: 'r-2' }, {});
    logger.level = 'info';
    child.info('now written');
    const quiet = lazyChildLogger(logger, { reqId: 'r-3' }, { level: 'error' });
    quiet.warn('below the route level');
    expect(quiet.level).toBe('error');
    expect(lines.map((line) => [line.msg, line.reqId])).toEqual([['now written', 'r-2']]);
  });

  it('makes grandchildren that keep the request bindings', () => {
    const { logger, lines } = collectingLogger('info');
    lazyChildLogger(logger, { reqId: 'r-4' }, {}).child({ part: 'send' }).info('sent');
    expect(lines[0]).toMatchObject({ msg: 'sent', reqId: 'r-4', part: 'send' });
  });
});
