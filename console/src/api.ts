// The console's REST client: the session it logged in with, and calls to /api/2 and /auth with that session's bearer token.

/** A console session as POST /auth/login and /auth/sso return it. */
export interface Session {
  token: string;
  operatorId: number;
  clientId: number;
  expiresAt: string;
}

interface SessionAnswer {
  token: string;
  operator_id: number;
  client_id: number;
  expires_at: string;
}

interface Envelope<T> {
  meta: { status: string; message?: string };
  data?: T;
  pagination?: { page: number; pages: number; limit: number; count: number };
}

const STORAGE_KEY = 'causerie.console.session';

/** A failed call: the HTTP status and the server's message (seed 003 wording). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The stored session, if any and not expired. */
export function loadSession(): Session | null {
  try {
    const raw = localStorage.getItem(STORAGE_KEY);
    if (raw === null) return null;
    const parsed = JSON.parse(raw) as Partial<Session>;
    if (
      typeof parsed.token !== 'string' ||
      typeof parsed.operatorId !== 'number' ||
      typeof parsed.clientId !== 'number' ||
      typeof parsed.expiresAt !== 'string'
    )
      return null;
    if (Date.parse(parsed.expiresAt) <= Date.now()) return null;
    return {
      token: parsed.token,
      operatorId: parsed.operatorId,
      clientId: parsed.clientId,
      expiresAt: parsed.expiresAt,
    };
  } catch {
    return null;
  }
}

function storeSession(session: Session | null): void {
  if (session === null) localStorage.removeItem(STORAGE_KEY);
  else localStorage.setItem(STORAGE_KEY, JSON.stringify(session));
}

async function call<T>(method: string, url: string, token: string | null, body?: unknown): Promise<Envelope<T>> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token !== null) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(url, { method, headers, ...(body !== undefined && { body: JSON.stringify(body) }) });
  let envelope: Envelope<T>;
  try {
    envelope = (await response.json()) as Envelope<T>;
  } catch {
    throw new ApiError(response.status, response.statusText || `HTTP ${response.status}`);
  }
  if (!response.ok) throw new ApiError(response.status, envelope.meta?.message ?? `HTTP ${response.status}`);
  return envelope;
}

const fromAnswer = (answer: SessionAnswer): Session => ({
  token: answer.token,
  operatorId: answer.operator_id,
  clientId: answer.client_id,
  expiresAt: answer.expires_at,
});

/** Email and password login (POST /auth/login). */
export async function loginWithPassword(email: string, password: string): Promise<Session> {
  const answer = await call<SessionAnswer>('POST', '/auth/login', null, { email, password });
  if (!answer.data) throw new ApiError(500, 'Empty answer');
  const session = fromAnswer(answer.data);
  storeSession(session);
  return session;
}

/** Single Sign-On with an operator's sso_key (POST /auth/sso). */
export async function loginWithSsoKey(ssoKey: string): Promise<Session> {
  const answer = await call<SessionAnswer>('POST', '/auth/sso', null, { sso_key: ssoKey });
  if (!answer.data) throw new ApiError(500, 'Empty answer');
  const session = fromAnswer(answer.data);
  storeSession(session);
  return session;
}

/** Ends the session on the server (best effort) and forgets it here. */
export async function logout(session: Session | null): Promise<void> {
  storeSession(null);
  if (session !== null) await call('POST', '/auth/logout', session.token).catch(() => undefined);
}

/** Forgets the session without calling the server (it was refused already). */
export function forgetSession(): void {
  storeSession(null);
}

/** A REST v2 client bound to one session. `onUnauthorized` runs when the server refuses the session. */
export class Api {
  constructor(
    readonly session: Session,
    private readonly onUnauthorized: () => void,
  ) {}

  private async request<T>(method: string, path: string, body?: unknown): Promise<Envelope<T>> {
    try {
      return await call<T>(method, `/api/2${path}`, this.session.token, body);
    } catch (error) {
      // 403 "Forbidden" (no message of a role check) means the session itself is gone.
      if (
        error instanceof ApiError &&
        (error.status === 401 || (error.status === 403 && error.message === 'Forbidden'))
      )
        this.onUnauthorized();
      throw error;
    }
  }

  async get<T>(path: string): Promise<T> {
    const answer = await this.request<T>('GET', path);
    if (answer.data === undefined) throw new ApiError(500, 'Empty answer');
    return answer.data;
  }

  async list<T>(path: string): Promise<T[]> {
    return this.get<T[]>(path);
  }

  async post<T>(path: string, body: unknown = {}): Promise<T | undefined> {
    return (await this.request<T>('POST', path, body)).data;
  }

  async put<T>(path: string, body: unknown): Promise<T | undefined> {
    return (await this.request<T>('PUT', path, body)).data;
  }

  async delete(path: string): Promise<void> {
    await this.request('DELETE', path);
  }

  /** Posts a file as the raw body, typed by its content type (POST /conversation/{id}/media). */
  async upload<T>(path: string, file: Blob): Promise<T | undefined> {
    const response = await fetch(`/api/2${path}`, {
      method: 'POST',
      headers: {
        accept: 'application/json',
        authorization: `Bearer ${this.session.token}`,
        'content-type': file.type || 'application/octet-stream',
      },
      body: file,
    });
    const envelope = (await response
      .json()
      .catch(() => ({ meta: { status: 'error', message: response.statusText } }))) as Envelope<T>;
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) throw new ApiError(response.status, envelope.meta?.message ?? `HTTP ${response.status}`);
    return envelope.data;
  }

  /** Downloads a file the API serves (a conversation's media) with this session. */
  async blob(path: string): Promise<Blob> {
    const response = await fetch(`/api/2${path}`, { headers: { authorization: `Bearer ${this.session.token}` } });
    if (response.status === 401) this.onUnauthorized();
    if (!response.ok) {
      const envelope = (await response.json().catch(() => ({ meta: { status: 'error' } }))) as Envelope<unknown>;
      throw new ApiError(response.status, envelope.meta?.message ?? `HTTP ${response.status}`);
    }
    return response.blob();
  }
}

/** Query string from defined values. */
export function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) if (value !== undefined) search.set(name, String(value));
  const text = search.toString();
  return text === '' ? '' : `?${text}`;
}
