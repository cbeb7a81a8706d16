// The visitor's link to Causerie: the WebSocket of docs/REALTIME.md with hello/resume and backoff, or the HTTP fallback.
import type { IdentityClaim } from '../bridge';
import type { ServerFrame } from './state';

export interface HelloFields {
  website_id: number;
  vuid?: string;
  identity?: IdentityClaim;
  conversation_id?: number;
  last_seq?: number;
}

export type LinkStatus = 'connecting' | 'online' | 'reconnecting' | 'failed';

export interface TransportEvents {
  /** Every server frame, in order (the HTTP fallback synthesizes the same frames). */
  frame(frame: ServerFrame): void;
  status(status: LinkStatus): void;
  /** The hello to send now: called on every (re)connect so it carries the latest vuid and seq. */
  hello(): HelloFields;
  /** A hello was refused (`identity_refused`, `not_found` of a resumed conversation…): return true to say hello again. */
  helloRefused(code: string): boolean;
}

/** Delay before reconnect attempt `attempt` (0-based): 0.5 s doubling up to 15 s, with jitter so a restarted node is not stampeded. */
export function backoffMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(15_000, 500 * 2 ** attempt);
  return Math.round(base * (0.75 + random() * 0.5));
}

/** Sockets that closed this many times before any welcome make the widget fall back to HTTP. */
const FAILURES_BEFORE_HTTP = 2;
const POLL_MS = 2500;

export class Transport {
  mode: 'ws' | 'http';
  private socket: WebSocket | null = null;
  private ready = false;
  /** Some socket got a welcome: the network lets WebSockets through, so failures are outages to wait out. */
  private everWelcomed = false;
  private failures = 0;
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private outbox: object[] = [];
  private polling = false;
  private afterSeq = 0;
  private stopped = false;

  constructor(
    private readonly origin: string,
    private readonly events: TransportEvents,
    forceHttp: boolean,
  ) {
    this.mode = forceHttp || typeof WebSocket === 'undefined' ? 'http' : 'ws';
  }

  /** Whether frames sent now reach the server at once. */
  get online(): boolean {
    return this.ready;
  }

  connect(): void {
    this.stopped = false;
    if (this.mode === 'http') {
      this.startPolling();
      return;
    }
    if (this.socket !== null) return;
    this.events.status(this.everWelcomed ? 'reconnecting' : 'connecting');
    const socket = new WebSocket(`${this.origin.replace(/^http/, 'ws')}/realtime/visitor`);
    this.socket = socket;
    socket.onopen = () => this.sendHello();
    socket.onmessage = (message) => this.receive(message.data);
    socket.onclose = () => {
      if (this.socket !== socket) return;
      this.socket = null;
      this.ready = false;
      if (this.stopped) return;
      // Closed before any welcome (refused, or a proxy that accepts the upgrade and then drops it): a failure.
      if (!this.everWelcomed) this.failures += 1;
      if (this.failures >= FAILURES_BEFORE_HTTP) {
        // WebSockets do not get through here (proxy, firewall): same protocol over plain HTTP.
        this.mode = 'http';
        this.startPolling();
        return;
      }
      this.events.status('reconnecting');
      this.timer = setTimeout(() => this.connect(), backoffMs(this.attempt));
      this.attempt += 1;
    };
  }

  /** Drops the socket and says hello again (a new identity needs a new socket: a second hello is refused). */
  restart(): void {
    const socket = this.socket;
    this.socket = null;
    this.ready = false;
    socket?.close();
    if (this.timer !== null) clearTimeout(this.timer);
    this.attempt = 0;
    this.connect();
  }

  /** Sends a frame now; `keep` frames wait for the next welcome when offline, others are dropped. Returns whether it was sent. */
  send(frame: { type: string } & Record<string, unknown>, keep = false): boolean {
    if (this.mode === 'http') {
      void this.sendOverHttp(frame);
      return true;
    }
    if (this.ready && this.socket !== null) {
      this.socket.send(JSON.stringify(frame));
      return true;
    }
    if (keep) this.outbox.push(frame);
    return false;
  }

  /** Sets where the HTTP poll continues from (the highest seq shown). */
  seenUpTo(seq: number): void {
    this.afterSeq = Math.max(this.afterSeq, seq);
  }

  private sendHello(): void {
    this.socket?.send(JSON.stringify({ type: 'hello', ref: 'hello', ...this.events.hello() }));
  }

  private receive(data: unknown): void {
    if (typeof data !== 'string') return;
    let frame: ServerFrame;
    try {
      frame = JSON.parse(data) as ServerFrame;
    } catch {
      return;
    }
    if (typeof frame !== 'object' || frame === null || typeof frame.type !== 'string') return;
    if (!this.ready && frame.type === 'error' && frame.ref === 'hello') {
      if (this.events.helloRefused(String(frame.code))) this.sendHello();
      else this.events.status('failed');
      return;
    }
    if (frame.type === 'welcome') {
      this.ready = true;
      this.everWelcomed = true;
      this.failures = 0;
      this.attempt = 0;
      this.events.status('online');
      this.events.frame(frame);
      const waiting = this.outbox;
      this.outbox = [];
      for (const queued of waiting) this.socket?.send(JSON.stringify(queued));
      return;
    }
    this.events.frame(frame);
  }

  // ---- HTTP fallback: POST to send, GET to poll (docs/REALTIME.md, "HTTP fallback for visitors") ----

  private startPolling(): void {
    this.ready = true;
    this.events.status('online');
    if (this.polling) return;
    this.polling = true;
    // As after a socket's welcome, the app resends what is still pending (now over HTTP).
    const hello = this.events.hello();
    this.events.frame({ type: 'welcome', ...(hello.vuid !== undefined && { vuid: hello.vuid }) });
    const tick = async () => {
      if (this.stopped) return;
      await this.poll();
      this.timer = setTimeout(() => void tick(), POLL_MS);
    };
    void tick();
  }

  /** One fallback call; a refusal becomes an `error` frame unless `quiet` (typing and read: niceties, not worth a word). */
  private async request(
    method: 'GET' | 'POST',
    path: string,
    body?: object,
    quiet = false,
  ): Promise<Record<string, unknown> | null> {
    try {
      const response = await fetch(`${this.origin}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body !== undefined && { body: JSON.stringify(body) }),
      });
      const json = (await response.json()) as { meta?: { message?: string }; data?: Record<string, unknown> };
      if (!response.ok) {
        if (!quiet)
          this.events.frame({
            type: 'error',
            code: response.status === 409 ? 'conflict' : 'http_error',
            message: json.meta?.message ?? `HTTP ${response.status}`,
          });
        return null;
      }
      this.events.status('online');
      return json.data ?? null;
    } catch {
      this.events.status('reconnecting');
      return null;
    }
  }

  private async poll(): Promise<void> {
    const hello = this.events.hello();
    if (hello.vuid === undefined) return;
    const query = new URLSearchParams({
      website_id: String(hello.website_id),
      vuid: hello.vuid,
      after_seq: String(this.afterSeq),
    });
    if (hello.conversation_id !== undefined) query.set('conversation_id', String(hello.conversation_id));
    const data = await this.request('GET', `/realtime/visitor/messages?${query.toString()}`);
    if (data === null) return;
    const entries = Array.isArray(data.entries) ? (data.entries as ServerFrame[]) : [];
    for (const entry of entries) {
      this.events.frame(entry);
      if (typeof entry.seq === 'number') this.seenUpTo(entry.seq);
    }
    if (data.conversation !== null && typeof data.conversation === 'object') {
      const conversation = data.conversation as { id?: unknown; operator_read_seq?: unknown };
      this.events.frame({ type: 'conversation', conversation: data.conversation });
      // What the socket pushes as `typing` and `read` frames, the poll answers as fields.
      this.events.frame({ type: 'typing', conversation_id: conversation.id, on: data.operator_typing === true });
      this.events.frame({
        type: 'read',
        conversation_id: conversation.id,
        by: 'operator',
        seq: conversation.operator_read_seq,
      });
      const queue = data.queue as { position?: unknown; estimated_wait_seconds?: unknown } | null;
      if (queue !== null && typeof queue === 'object')
        this.events.frame({ type: 'queue', conversation_id: conversation.id, ...queue });
    }
  }

  private async sendOverHttp(frame: { type: string } & Record<string, unknown>): Promise<void> {
    const hello = this.events.hello();
    const visitor = { website_id: hello.website_id, vuid: hello.vuid, conversation_id: frame.conversation_id };
    // Typing, read and the survey name the visitor's conversation; navigation and "End chat" stay socket-only.
    if (frame.type === 'typing' || frame.type === 'read') {
      if (hello.vuid !== undefined && typeof frame.conversation_id === 'number')
        await this.request(
          'POST',
          `/realtime/visitor/${frame.type}`,
          { ...visitor, ...(frame.type === 'typing' ? { on: frame.on === true } : { seq: frame.seq }) },
          true,
        );
      return;
    }
    if (frame.type === 'satisfaction') {
      const { type: _type, ref: _ref, ...answer } = frame;
      const data = await this.request('POST', '/realtime/visitor/satisfaction', { ...answer, ...visitor });
      if (data !== null) this.events.frame({ type: 'satisfaction_recorded', ...data });
      return;
    }
    if (frame.type !== 'start' && frame.type !== 'message') return;
    if (typeof frame.text !== 'string') return;
    const data = await this.request('POST', '/realtime/visitor/messages', {
      website_id: hello.website_id,
      ...(hello.vuid !== undefined && { vuid: hello.vuid }),
      ...(frame.type === 'message' &&
        hello.conversation_id !== undefined && { conversation_id: hello.conversation_id }),
      text: frame.text,
      ...(typeof frame.client_message_id === 'string' && { client_message_id: frame.client_message_id }),
      ...(typeof frame.page_type === 'string' && { page_type: frame.page_type }),
      ...(typeof frame.email === 'string' && { email: frame.email }),
    });
    if (data === null) {
      if (typeof frame.client_message_id === 'string')
        this.events.frame({ type: 'error', code: 'http_error', ref: frame.client_message_id, message: 'not sent' });
      return;
    }
    // Not a welcome (that would resend what is pending): only the vuid, which a first message mints.
    this.events.frame({ type: 'vuid', vuid: data.vuid });
    if (data.outcome !== null)
      this.events.frame({ type: 'started', conversation_id: data.conversation_id, outcome: data.outcome });
    this.events.frame({
      type: 'ack',
      conversation_id: data.conversation_id,
      seq: data.seq,
      client_message_id: data.client_message_id,
    });
    await this.poll();
  }
}
