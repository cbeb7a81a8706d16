// Factories over a running node's HTTP API for realtime tests: a client with a website and a logged-in operator, and
// socket URLs.
import { ADMIN_KEY } from './processes.js';
import { RealtimeClient } from './realtime-client.js';

async function api<T>(base: string, path: string, body: unknown): Promise<T> {
  const answer = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'x-api-key': ADMIN_KEY, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  const json = (await answer.json()) as { data: T };
  if (!answer.ok) throw new Error(`POST ${path}: ${answer.status} ${JSON.stringify(json)}`);
  return json.data;
}

/** A client with a website and one operator; returns the ids and the operator's session token. */
export async function liveTenant(
  base: string,
  name: string,
): Promise<{ websiteId: number; operatorId: number; token: string }> {
  const client = await api<{ id: number }>(base, '/api/2/client', { name, lang: 'en' });
  const slug = name.toLowerCase().replace(/\W+/g, '-');
  const website = await api<{ id: number }>(base, '/api/2/website', {
    url: `https://${slug}.example`,
    client_id: client.id,
  });
  const email = `agent@${slug}.example`;
  const operator = await api<{ id: number }>(base, '/api/2/operator', {
    name: 'Agent',
    email,
    password: 'agent-password',
    chat_max_number: 5,
    website_list: [website.id],
    client_id: client.id,
  });
  const login = await fetch(`${base}/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password: 'agent-password' }),
  });
  const session = (await login.json()) as { data: { token: string } };
  return { websiteId: website.id, operatorId: operator.id, token: session.data.token };
}

export const socketUrl = (base: string, path: string): string => `${base.replace(/^http/, 'ws')}${path}`;

/** An operator socket, made available for chat. */
export async function availableOperator(base: string, token: string): Promise<RealtimeClient> {
  const operator = await RealtimeClient.open(socketUrl(base, `/realtime/operator?token=${encodeURIComponent(token)}`));
  await operator.request({ type: 'availability', chat: true }, 'availability', 10_000);
  return operator;
}
