// Shared plumbing of the fake provider servers: a node:http server, body reading, JSON answers, signed posts.
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

export interface FakeAnswer {
  status: number;
  headers?: Record<string, string>;
  body: string | Buffer;
}

export const json = (status: number, value: unknown): FakeAnswer => ({
  status,
  headers: { 'content-type': 'application/json' },
  body: JSON.stringify(value),
});

/** Starts a server on 127.0.0.1 (a free port) answering with `handle`; returns its base URL and a stop function. */
export async function serve(
  handle: (request: FakeRequest) => Promise<FakeAnswer> | FakeAnswer,
): Promise<{ url: string; stop(): Promise<void> }> {
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const url = new URL(req.url ?? '/', 'http://fake');
      Promise.resolve(
        handle({
          method: req.method ?? 'GET',
          path: url.pathname,
          query: url.searchParams,
          headers: req.headers,
          body: Buffer.concat(chunks),
        }),
      )
        .then((answer) => {
          res.writeHead(answer.status, answer.headers ?? {});
          res.end(answer.body);
        })
        .catch((error: unknown) => {
          res.writeHead(500, { 'content-type': 'text/plain' });
          res.end(error instanceof Error ? error.message : 'fake server failure');
        });
    });
  });
  server.keepAliveTimeout = 1000;
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A token bucket as providers apply per sender. */
export class Bucket {
  private tokens: number;
  private last = Date.now();
  constructor(private readonly perSecond: number) {
    this.tokens = perSecond;
  }
  take(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.perSecond, this.tokens + ((now - this.last) / 1000) * this.perSecond);
    this.last = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}

/** Posts a webhook the way a provider does; answers the status code. */
export async function postWebhook(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const response = await fetch(url, { method: 'POST', body, headers });
  await response.arrayBuffer();
  return response.status;
}

/**
 * What every fake provider server shares: its HTTP server on a free loopback port, where it posts its webhooks, and the
 * webhooks it is still sending (settle waits for them; stop too).
 */
export abstract class FakeProvider {
  url = '';
  webhookUrl = '';
  private stopServer: (() => Promise<void>) | undefined;
  private readonly pending = new Set<Promise<unknown>>();

  protected abstract handle(request: FakeRequest): Promise<FakeAnswer> | FakeAnswer;

  async start(): Promise<this> {
    const server = await serve((request) => this.handle(request));
    this.url = server.url;
    this.stopServer = server.stop;
    return this;
  }

  async stop(): Promise<void> {
    await this.settle();
    await this.stopServer?.();
  }

  /** Waits for the webhooks the fake is sending. */
  async settle(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Keeps a webhook being sent in the set settle waits for. */
  protected track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    void promise.finally(() => this.pending.delete(promise)).catch(() => undefined);
    return promise;
  }
}
