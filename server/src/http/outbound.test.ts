// The outbound guard against real loopback servers: what it refuses, what it answers, how it bounds time and size.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addressRefusal,
  OutboundFailed,
  OutboundGuard,
  OutboundRefused,
  parseOutboundAllowlist,
  unwrapMappedV4,
} from './outbound.js';

let server: http.Server;
let port = 0;
const connections = new Set<string>();

beforeAll(async () => {
  server = http.createServer((request, response) => {
    connections.add(`${request.socket.remotePort}`);
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks).toString();
      if (request.url === '/redirect') {
        response.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' });
        response.end('moved');
      } else if (request.url === '/slow') {
        setTimeout(() => response.end('late'), 2_000).unref();
      } else if (request.url === '/answered-then-busy') {
        // The answer is on the socket, then the process is busy past the caller's deadline (a long synchronous task,
        // a starved process): the timer and the answer are both due when the loop comes back.
        response.end('here');
        const until = Date.now() + 600;
        while (Date.now() < until) {
          // busy
        }
      } else if (request.url === '/big') {
        response.writeHead(200, { 'content-type': 'text/plain' });
        response.end('x'.repeat(200_000));
      } else {
        response.writeHead(201, { 'content-type': 'application/json', 'x-seen': request.headers['x-test'] ?? '' });
        response.end(JSON.stringify({ method: request.method, body }));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  port = (server.address() as AddressInfo).port;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

async function refusal(guard: OutboundGuard, url: string): Promise<OutboundRefused> {
  const error: unknown = await guard
    .request({ method: 'GET', url, timeoutMs: 2_000 })
    .catch((caught: unknown) => caught);
  expect(error).toBeInstanceOf(OutboundRefused);
  return error as OutboundRefused;
}

describe('OutboundGuard without an allow-list', () => {
  const guard = new OutboundGuard('');
  afterAll(() => guard.close());

  it.each([
    'http://127.0.0.1/',
    'http://10.1.2.3/',
    'http://192.168.0.1/',
    'http://172.16.5.4/',
    'http://169.254.169.254/latest/meta-data/',
    'http://0.0.0.0/',
    'http://[::1]/',
    'http://[::ffff:127.0.0.1]/',
    'http://[::ffff:7f00:1]/',
    'http://[fe80::1]/',
    'http://[fd00::1]/',
    // Decimal, hexadecimal and octal spellings of 127.0.0.1.
    'http://2130706433/',
    'http://0x7f000001/',
    'http://0x7f.1/',
    'http://017700000001/',
    'http://127.1/',
  ])('refuses %s', async (url) => {
    const error = await refusal(guard, url);
    expect(error.reason).toMatch(/private, loopback or reserved/);
  });

  it('checks the address a host name resolves to (localhost), not only literals', async () => {
    const error = await refusal(guard, `http://localhost:${port}/`);
    expect(error.reason).toMatch(/^localhost resolves to 127\.0\.0\.1|^localhost resolves to ::1/);
  });

  it('refuses schemes other than http and https, and URLs that do not parse', async () => {
    expect((await refusal(guard, 'file:///etc/passwd')).reason).toBe("scheme 'file' is not http or https");
    expect((await refusal(guard, 'gopher://example.com/')).reason).toBe("scheme 'gopher' is not http or https");
    expect((await refusal(guard, 'not a url')).reason).toBe('the URL is not valid');
  });
});

describe('OutboundGuard with loopback allow-listed', () => {
  const guard = new OutboundGuard('127.0.0.0/8, ::1');
  afterAll(() => guard.close());

  it('sends a request and returns status, lower-case headers, body and latency', async () => {
    const answer = await guard.request({
      method: 'POST',
      url: `http://127.0.0.1:${port}/hook`,
      headers: { 'X-Test': 'yes', 'content-type': 'text/plain' },
      body: 'hello',
    });
    expect(answer.status).toBe(201);
    expect(answer.headers['x-seen']).toBe('yes');
    expect(JSON.parse(answer.body.toString())).toEqual({ method: 'POST', body: 'hello' });
    expect(answer.truncated).toBe(false);
    expect(answer.latencyMs).toBeGreaterThanOrEqual(0);
  });

  it('reaches loopback through a host name and the IPv4-mapped spelling once allow-listed', async () => {
    expect((await guard.request({ method: 'GET', url: `http://localhost:${port}/` })).status).toBe(201);
    expect((await guard.request({ method: 'GET', url: `http://[::ffff:127.0.0.1]:${port}/` })).status).toBe(201);
  });

  it('still refuses private ranges that are not listed', async () => {
    await refusal(guard, 'http://10.0.0.1/');
    await refusal(guard, 'http://169.254.169.254/');
  });

  it('returns a 302 as an answer and does not follow it', async () => {
    const answer = await guard.request({ method: 'GET', url: `http://127.0.0.1:${port}/redirect` });
    expect(answer.status).toBe(302);
    expect(answer.headers.location).toBe('http://169.254.169.254/latest/meta-data/');
    expect(answer.body.toString()).toBe('moved');
  });

  it('gives up after the timeout with OutboundFailed', async () => {
    const started = Date.now();
    const error: unknown = await guard
      .request({ method: 'GET', url: `http://127.0.0.1:${port}/slow`, timeoutMs: 150 })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutboundFailed);
    expect((error as OutboundFailed).reason).toBe('no complete answer within 150 ms');
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('takes an answer that arrived while the process was too busy to read it, rather than calling it a timeout', async () => {
    // A send whose answer is dropped this way is sent again: a customer would get the same SMS twice.
    const answer = await guard.request({
      method: 'GET',
      url: `http://127.0.0.1:${port}/answered-then-busy`,
      timeoutMs: 200,
    });
    expect(answer.status).toBe(200);
    expect(answer.body.toString()).toBe('here');
  });

  it('keeps at most maxResponseBytes of the body and says it truncated', async () => {
    const answer = await guard.request({ method: 'GET', url: `http://127.0.0.1:${port}/big`, maxResponseBytes: 1_000 });
    expect(answer.status).toBe(200);
    expect(answer.body.byteLength).toBe(1_000);
    expect(answer.truncated).toBe(true);
    const whole = await guard.request({
      method: 'GET',
      url: `http://127.0.0.1:${port}/big`,
      maxResponseBytes: 300_000,
    });
    expect(whole.body.byteLength).toBe(200_000);
    expect(whole.truncated).toBe(false);
  });

  it('answers connection refused as OutboundFailed', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const freePort = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const error: unknown = await guard
      .request({ method: 'GET', url: `http://127.0.0.1:${freePort}/` })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OutboundFailed);
    expect((error as OutboundFailed).reason).toBe('connection refused');
  });

  it('keeps connections alive between requests to one origin', async () => {
    connections.clear();
    for (let i = 0; i < 5; i++) await guard.request({ method: 'GET', url: `http://127.0.0.1:${port}/` });
    expect(connections.size).toBe(1);
  });
});

describe('allow-list parsing', () => {
  it('accepts host names, wildcard suffixes, CIDR ranges and single addresses', () => {
    const list = parseOutboundAllowlist(' hooks.internal , *.corp.example, 10.0.0.0/8, 192.168.1.7, fd00::/8 ');
    expect([...list.hosts]).toEqual(['hooks.internal']);
    expect(list.suffixes).toEqual(['.corp.example']);
    expect(addressRefusal('10.9.8.7', list)).toBeUndefined();
    expect(addressRefusal('192.168.1.7', list)).toBeUndefined();
    expect(addressRefusal('192.168.1.8', list)).toMatch(/private/);
    expect(addressRefusal('fd12::1', list)).toBeUndefined();
    expect(addressRefusal('93.184.216.34', list)).toBeUndefined();
  });

  it('rejects malformed ranges instead of silently allowing nothing', () => {
    expect(() => parseOutboundAllowlist('10.0.0.0/33')).toThrow("'10.0.0.0/33' is not a valid CIDR range.");
    expect(() => parseOutboundAllowlist('example.com/8')).toThrow('not a valid CIDR range');
    expect(() => parseOutboundAllowlist('hooks example')).toThrow('neither a host name nor a CIDR range');
  });

  it('unwraps IPv4-mapped IPv6 addresses', () => {
    expect(unwrapMappedV4('::ffff:127.0.0.1')).toBe('127.0.0.1');
    expect(unwrapMappedV4('::ffff:7f00:1')).toBe('127.0.0.1');
    expect(unwrapMappedV4('::ffff:a9fe:a9fe')).toBe('169.254.169.254');
    expect(unwrapMappedV4('2001:db8::1')).toBe('2001:db8::1');
  });
});
