// Client helpers for the benchmarks: open many WebSockets, wait for frames, set up a Causerie client over its API,
// POST over a keep-alive agent.
import http from 'node:http';
import { WebSocket } from 'ws';
import { ADMIN_KEY, type Server } from './processes.js';

export type Frame = { type: string } & Record<string, unknown>;

/** Opens a socket and resolves once it is open. */
export function openSocket(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once('open', () => resolve(socket));
    socket.once('error', reject);
  });
}

/** The next frame satisfying `accept`, within `ms`. */
export function nextFrame(socket: WebSocket, accept: (frame: Frame) => boolean, ms = 10_000): Promise<Frame> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no expected frame within ${ms} ms`));
    }, ms);
    const onMessage = (data: Buffer) => {
      const frame = JSON.parse(String(data)) as Frame;
      if (frame.type === 'error') {
        clearTimeout(timer);
        socket.off('message', onMessage);
        reject(new Error(`error frame: ${JSON.stringify(frame)}`));
        return;
      }
      if (!accept(frame)) return;
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(frame);
    };
    socket.on('message', onMessage);
  });
}

/** One REST call with a key; the answer's `data`, or an error naming the call and the answer. */
export async function api<T>(
  server: Pick<Server, 'base'>,
  method: string,
  path: string,
  key: string,
  body?: unknown,
): Promise<T> {
  const answer = await fetch(`${server.base}${path}`, {
    method,
    headers: { 'x-api-key': key, ...(body !== undefined && { 'content-type': 'application/json' }) },
    ...(body !== undefined && { body: JSON.stringify(body) }),
  });
  const json = (await answer.json()) as { data: T };
  if (!answer.ok) throw new Error(`${method} ${path}: ${answer.status} ${JSON.stringify(json)}`);
  return json.data;
}

export interface Tenant {
  websiteId: number;
  /** One session token per operator. */
  operatorTokens: string[];
}

/** A client, a website and `operators` operators (each with a session token) able to take `slots` chats each at once. */
export async function createTenant(server: Server, operators: number, slots: number): Promise<Tenant> {
  const client = await api<{ id: number }>(server, 'POST', '/api/2/client', ADMIN_KEY, {
    name: 'Bench Co',
    lang: 'en',
  });
  const website = await api<{ id: number }>(server, 'POST', '/api/2/website', ADMIN_KEY, {
    url: 'https://bench.example',
    client_id: client.id,
  });
  const operatorTokens: string[] = [];
  for (let index = 0; index < operators; index += 1) {
    const email = `agent${index}@bench.example`;
    await api(server, 'POST', '/api/2/operator', ADMIN_KEY, {
      name: `Bench Agent ${index}`,
      email,
      password: 'bench-password',
      chat_max_number: slots,
      website_list: [website.id],
      client_id: client.id,
    });
    const login = await fetch(`${server.base}/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password: 'bench-password' }),
    });
    const session = (await login.json()) as { data: { token: string } };
    operatorTokens.push(session.data.token);
  }
  return { websiteId: website.id, operatorTokens };
}

export const wsUrl = (server: Server, path: string): string => `${server.base.replace('http', 'ws')}${path}`;

/** One POST over a keep-alive agent, with the caller's headers and the body's length; answers the status code. */
export function postOver(agent: http.Agent, url: URL, body: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = http.request(
      {
        host: url.hostname,
        port: url.port,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent,
        headers: { ...headers, 'content-length': Buffer.byteLength(body) },
      },
      (response) => {
        response.resume();
        response.on('end', () => resolve(response.statusCode ?? 0));
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}
