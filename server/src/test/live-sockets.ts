// Realtime clients for process-level tests: an operator logged in over HTTP and visitors, speaking docs/REALTIME.md.
import { WebSocket } from 'ws';
import { ADMIN_KEY } from './harness.js';

export type Frame = { type: string } & Record<string, unknown>;

/** A socket that keeps every frame it received, so a test can wait for one that may already have arrived. */
export class RecordingSocket {
  readonly frames: Frame[] = [];
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data: Buffer) => {
      this.frames.push(JSON.parse(String(data)) as Frame);
      for (const wake of this.waiters.splice(0)) wake();
    });
  }

  static open(url: string): Promise<RecordingSocket> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false });
      const recording = new RecordingSocket(socket);
      socket.once('open', () => resolve(recording));
      socket.once('error', reject);
    });
  }

  send(frame: Record<string, unknown>): void {
    this.socket.send(JSON.stringify(frame));
  }

  /** The first recorded frame matching, waiting up to `ms` for it. */
  async waitFor(accept: (frame: Frame) => boolean, ms = 10_000): Promise<Frame> {
    const deadline = Date.now() + ms;
    for (;;) {
      const found = this.frames.find(accept);
      if (found) return found;
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`no matching frame within ${ms} ms; received: ${JSON.stringify(this.frames.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  close(): void {
    this.socket.terminate();
  }
}

async function api<T>(base: string, path: string, body: unknown): Promise<T> {
  const answer = await fetch(`${base}${path}`, { method: 'POST', headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' }, body: JSON.stringify(body) });
  const json = (await answer.json()) as { data: T };
  if (!answer.ok) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** A client with a website and one operator; returns the ids and the operator's session token. */
export async function liveTenant(base: string, name: string): Promise<{ websiteId: number; operatorId: number; token: string }> {
  const client = await api<{ id: number }>(base, '/api/2/client', { name, lang: 'en' });
  const slug = name.toLowerCase().replace(/\W+/g, '-');
  const website = await api<{ id: number }>(base, '/api/2/website', { url: `https://${slug}.example`, client_id: client.id });
  const email = `agent@${slug}.example`;
  const operator = await api<{ id: number }>(base, '/api/2/operator', { name: 'Agent', email, password: 'agent-password', chat_max_number: 5, website_list: [website.id], client_id: client.id });
  const login = await fetch(`${base}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password: 'agent-password' }) });
  const session = (await login.json()) as { data: { token: string } };
  return { websiteId: website.id, operatorId: operator.id, token: session.data.token };
}

export const socketUrl = (base: string, path: string): string => `${base.replace(/^http/, 'ws')}${path}`;

/** An operator socket, made available for chat. */
export async function availableOperator(base: string, token: string): Promise<RecordingSocket> {
  const operator = await RecordingSocket.open(socketUrl(base, `/realtime/operator?token=${encodeURIComponent(token)}`));
  operator.send({ type: 'availability', chat: true, ref: 'available' });
  await operator.waitFor((frame) => frame.type === 'availability');
  return operator;
}
