// The operator's realtime socket (docs/REALTIME.md): connects with the session token, reconnects with backoff, pings, and matches answers to requests by `ref`.

/** A history entry as the operator socket sends it. */
export interface Entry {
  conversation_id: number;
  seq: number;
  kind: 'visitor' | 'operator' | 'system' | 'navigation' | 'note';
  text: string;
  operator_id: number | null;
  at: string;
  client_message_id?: string;
  data?: Record<string, unknown>;
  /** Outbound messages on whatsapp/sms/rcs (contracts.md). */
  delivery?: Delivery;
}

export interface Delivery {
  state: 'queued' | 'sent' | 'delivered' | 'read' | 'failed';
  error?: { code: string; message: string };
}

export interface ConversationVisitor {
  id: number;
  vuid: string;
  external_id: string | null;
  email: string | null;
  firstname: string | null;
  lastname: string | null;
}

/** An operator's view of a conversation. */
export interface ConversationView {
  id: number;
  website_id: number;
  status: string;
  operator_id: number | null;
  skill_id: number | null;
  outcome: string | null;
  last_seq: number;
  channel?: string;
  source?: string;
  page_type?: string | null;
  created_at?: string;
  visitor_read_seq?: number;
  operator_read_seq?: number;
  visitor?: ConversationVisitor;
}

export interface Availability {
  connected: boolean;
  chat: boolean;
  call: boolean;
  video: boolean;
}

export type ServerFrame =
  | {
      type: 'snapshot';
      operator: Availability & { id: number };
      conversations: { conversation: ConversationView; history: Entry[] }[];
      queues: { website_id: number; waiting: number }[];
    }
  | { type: 'assigned'; conversation: ConversationView; history: Entry[] }
  | ({ type: 'entry' } & Entry)
  | { type: 'conversation'; conversation: ConversationView }
  | { type: 'unassigned'; conversation_id: number; operator_id: number | null; status: string }
  | { type: 'typing'; conversation_id: number; on: boolean }
  | { type: 'read'; conversation_id: number; by: 'visitor' | 'operator'; seq: number }
  | { type: 'queue'; website_id: number; waiting: number }
  | { type: 'delivery'; conversation_id: number; seq: number; state: Delivery['state']; error?: Delivery['error'] }
  | ({ type: 'availability'; ref?: string } & Availability)
  | { type: 'ack'; conversation_id: number; seq: number; client_message_id?: string; ref?: string }
  | { type: 'transferred'; conversation_id: number; operator_id: number | null; position?: number; ref?: string }
  | { type: 'closed'; conversation_id: number; outcome: string; ref?: string }
  | { type: 'error'; code: string; message: string; field?: string; ref?: string }
  | { type: 'pong' };

export type ClientFrame =
  | { type: 'availability'; chat: boolean; call: boolean; video: boolean }
  | { type: 'reply' | 'note'; conversation_id: number; text: string; client_message_id: string }
  | { type: 'transfer'; conversation_id: number; operator_id?: number; group_id?: number; skill_id?: number }
  | { type: 'close'; conversation_id: number }
  | { type: 'read'; conversation_id: number; seq: number }
  | { type: 'typing'; conversation_id: number; on: boolean }
  | { type: 'ping' };

/** An `error` frame answering a request. */
export class FrameError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const PING_MS = 25_000;
const ANSWER_TIMEOUT_MS = 15_000;

interface Pending {
  resolve: (frame: ServerFrame) => void;
  reject: (error: Error) => void;
  timer: ReturnType<typeof setTimeout>;
}

/** One operator socket for the page's lifetime; `onFrame` sees every frame, `onStatus` the connection state. */
export class OperatorSocket {
  private socket: WebSocket | null = null;
  private attempts = 0;
  private stopped = false;
  private refCounter = 0;
  private readonly pending = new Map<string, Pending>();
  private pingTimer: ReturnType<typeof setInterval> | null = null;
  private reconnectTimer: ReturnType<typeof setTimeout> | null = null;

  constructor(
    private readonly token: string,
    private readonly onFrame: (frame: ServerFrame) => void,
    private readonly onStatus: (online: boolean) => void,
    private readonly onRefused: () => void,
  ) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    if (this.reconnectTimer !== null) clearTimeout(this.reconnectTimer);
    if (this.pingTimer !== null) clearInterval(this.pingTimer);
    this.socket?.close(1000);
    this.socket = null;
  }

  /** Sends a frame without waiting for an answer (typing, read). Dropped while disconnected: both are refreshed later. */
  send(frame: ClientFrame): void {
    if (this.socket?.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(frame));
  }

  /** Sends a frame and resolves with its answer (`ack`, `transferred`, `closed`, `availability`), or rejects with its `error`. */
  request(frame: ClientFrame): Promise<ServerFrame> {
    const ref = `c${++this.refCounter}`;
    return new Promise((resolve, reject) => {
      if (this.socket?.readyState !== WebSocket.OPEN) {
        reject(new FrameError('offline', 'Not connected'));
        return;
      }
      const timer = setTimeout(() => {
        this.pending.delete(ref);
        reject(new FrameError('timeout', 'No answer from the server'));
      }, ANSWER_TIMEOUT_MS);
      this.pending.set(ref, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...frame, ref }));
    });
  }

  private open(): void {
    const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
    const socket = new WebSocket(
      `${scheme}://${location.host}/realtime/operator?token=${encodeURIComponent(this.token)}`,
    );
    this.socket = socket;
    let opened = false;
    socket.onopen = () => {
      opened = true;
      this.attempts = 0;
      this.onStatus(true);
      this.pingTimer = setInterval(() => this.send({ type: 'ping' }), PING_MS);
    };
    socket.onmessage = (event: MessageEvent<string>) => {
      let frame: ServerFrame;
      try {
        frame = JSON.parse(event.data) as ServerFrame;
      } catch {
        return;
      }
      const ref = 'ref' in frame ? frame.ref : undefined;
      if (ref !== undefined) {
        const waiting = this.pending.get(ref);
        if (waiting) {
          this.pending.delete(ref);
          clearTimeout(waiting.timer);
          if (frame.type === 'error') waiting.reject(new FrameError(frame.code, frame.message));
          else waiting.resolve(frame);
        }
      }
      this.onFrame(frame);
    };
    socket.onclose = () => {
      if (this.pingTimer !== null) clearInterval(this.pingTimer);
      for (const [ref, waiting] of this.pending) {
        clearTimeout(waiting.timer);
        waiting.reject(new FrameError('offline', 'Disconnected'));
        this.pending.delete(ref);
      }
      if (this.socket === socket) this.socket = null;
      this.onStatus(false);
      if (this.stopped) return;
      this.attempts += 1;
      // Refused before the upgrade several times in a row: the session is probably gone; let the page check.
      if (!opened && this.attempts >= 3) this.onRefused();
      const delay = Math.min(30_000, 500 * 2 ** Math.min(this.attempts, 6)) * (0.5 + Math.random() / 2);
      this.reconnectTimer = setTimeout(() => this.open(), delay);
    };
  }
}
