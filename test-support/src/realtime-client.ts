// A minimal client of the realtime protocol for Node tests (server tests, e2e): frames in, frames awaited by predicate.
import WebSocket from 'ws';

/** A frame as received: a JSON object with a `type`. */
export interface Frame {
  type: string;
  [field: string]: unknown;
}

type Waiter = {
  match: (frame: Frame) => boolean;
  resolve: (frame: Frame) => void;
  reject: (error: Error) => void;
  timer: NodeJS.Timeout;
};

export class RealtimeClient {
  /** Every frame received, in order. */
  readonly frames: Frame[] = [];
  /** Frames already returned by `next`. */
  private readonly taken = new Set<number>();
  private waiters: Waiter[] = [];
  /** Close code and reason once closed. */
  closed: { code: number; reason: string } | null = null;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const frame = JSON.parse(data.toString()) as Frame;
      this.frames.push(frame);
      const waiter = this.waiters.find((candidate) => candidate.match(frame));
      if (waiter !== undefined) {
        this.waiters = this.waiters.filter((candidate) => candidate !== waiter);
        clearTimeout(waiter.timer);
        this.taken.add(this.frames.length - 1);
        waiter.resolve(frame);
      }
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      for (const waiter of this.waiters) {
        clearTimeout(waiter.timer);
        waiter.reject(new Error(`socket closed (${code} ${reason.toString()}) while waiting`));
      }
      this.waiters = [];
    });
    socket.on('error', () => undefined);
  }

  /** Opens a socket; rejects with the server's answer when the upgrade is refused. */
  static open(url: string, headers: Record<string, string> = {}): Promise<RealtimeClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { headers, perMessageDeflate: false });
      socket.once('open', () => resolve(new RealtimeClient(socket)));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`Unexpected server response: ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  send(frame: object): void {
    this.socket.send(JSON.stringify(frame));
  }

  sendRaw(data: string | Buffer): void {
    this.socket.send(data);
  }

  /**
   * The first frame not returned yet that matches (a type name or a predicate), waiting for it if needed.
   * Each frame is returned once; frames that do not match stay available to later calls.
   */
  next(match: string | ((frame: Frame) => boolean), timeoutMs = 5000): Promise<Frame> {
    const test = typeof match === 'string' ? (frame: Frame) => frame.type === match : match;
    const index = this.frames.findIndex((frame, position) => !this.taken.has(position) && test(frame));
    if (index >= 0) {
      this.taken.add(index);
      return Promise.resolve(this.frames[index] as Frame);
    }
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((candidate) => candidate.timer !== timer);
        reject(
          new Error(
            `no ${typeof match === 'string' ? `'${match}' ` : ''}frame within ${timeoutMs} ms; received: ${JSON.stringify(this.frames.slice(-5))}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push({ match: test, resolve, reject, timer });
    });
  }

  /** Sends a frame and waits for the first answer matching. */
  async request(frame: object, match: string | ((frame: Frame) => boolean), timeoutMs = 5000): Promise<Frame> {
    const answer = this.next(match, timeoutMs);
    this.send(frame);
    return answer;
  }

  /** Frames received so far that match. */
  received(match: string | ((frame: Frame) => boolean)): Frame[] {
    const test = typeof match === 'string' ? (frame: Frame) => frame.type === match : match;
    return this.frames.filter(test);
  }

  /** Closes and waits for the close to complete. */
  close(): Promise<void> {
    if (this.closed !== null) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
