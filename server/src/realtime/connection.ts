// One socket's state: who it speaks for, what it follows (last seq delivered per conversation), its rate limit and
// its two serial lanes (frames it sent us, and deliveries that had to wait for the database).
//
// Kept deliberately small: an idle visitor socket holds this object and nothing else of ours (no timer, no closure, no
// bus subscription), so a node can hold tens of thousands of them.
import type { WebSocket } from 'ws';
import { type BucketRate, TokenBucket } from '../token-bucket.js';
import { errorFrame } from './frames.js';
import type { SiteRef } from './identity.js';

/** Frames per second a socket may send, sustained, and the burst it may spend at once. Beyond: an error frame, the frame dropped. */
export type RateLimit = BucketRate;

export const VISITOR_RATE: RateLimit = { perSecond: 20, burst: 60 };
export const OPERATOR_RATE: RateLimit = { perSecond: 100, burst: 300 };

/** A step of a serial lane. */
type Step = () => Promise<void> | void;

/** Runs steps one after the other; errors go to `onError` and never stop the lane. */
class Lane {
  private tail: Promise<void> | null = null;
  private depth = 0;

  constructor(private readonly onError: (error: unknown) => void) {}

  /** True while steps are pending: a delivery must queue behind them to keep the order. */
  get busy(): boolean {
    return this.tail !== null;
  }

  run(step: Step): void {
    this.depth += 1;
    const previous = this.tail ?? Promise.resolve();
    this.tail = previous
      .then(step)
      .catch(this.onError)
      .finally(() => {
        this.depth -= 1;
        if (this.depth === 0) this.tail = null;
      });
  }
}

abstract class BaseConnection {
  /** Answered the last ping (checked by the node's single keepalive sweep). */
  alive = true;
  /** The socket closed and left the gateway: work still pending for it must not put it back in a room. */
  gone = false;
  /** Sweeps passed since the socket opened without a hello (visitors) — sockets that never speak are closed. */
  idleSweeps = 0;
  /** Conversations followed → last seq delivered to this socket. */
  following: Map<number, number> | null = null;
  /** Bus topics this socket is in (its rooms), to leave them when it closes. */
  topics: Set<string> | null = null;
  private readonly frames: TokenBucket;
  private inboundLane: Lane | null = null;
  private outboundLane: Lane | null = null;

  constructor(
    readonly socket: WebSocket,
    /** Its frame rate limit; a trusted client (a load test) may be given another. */
    public rate: RateLimit,
    /** Where unexpected failures are logged (shared by all sockets of a node). */
    private readonly report: (error: unknown) => void,
  ) {
    this.frames = new TokenBucket(rate.burst);
  }

  /** When the socket was last told it is over its rate limit (one warning per second at most). */
  warnedAt = 0;

  /** Spends one frame of the rate limit; false when the socket is over it. */
  takeToken(now = Date.now()): boolean {
    return this.frames.take(this.rate, now) === 0;
  }

  /** Sends a frame if the socket is still open. */
  send(frame: object): void {
    if (this.socket.readyState === 1) this.socket.send(JSON.stringify(frame));
  }

  get open(): boolean {
    return this.socket.readyState === 1;
  }

  /** Tells the client what failed (an error frame); logs what was not a refusal of its input. */
  fail(error: unknown, ref?: string): void {
    const frame = errorFrame(error);
    if (frame.code === 'internal') this.report(error);
    this.send(ref === undefined ? frame : { ...frame, ref });
  }

  /** Frames from the client are handled one at a time, in the order they came. */
  inbound(step: Step): void {
    this.inboundLane ??= new Lane((error) => this.fail(error));
    this.inboundLane.run(step);
  }

  /** Deliveries that need the database (a resume, a gap) run here; in-order deliveries queue behind them. */
  outbound(step: Step): void {
    this.outboundLane ??= new Lane((error) => this.fail(error));
    this.outboundLane.run(step);
  }

  /** Runs a step on the outbound lane and resolves when it has run (rejects with its error). */
  outboundDone(step: Step): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.outbound(async () => {
        try {
          await step();
          resolve();
        } catch (error) {
          reject(error);
        }
      });
    });
  }

  get outboundBusy(): boolean {
    return this.outboundLane?.busy ?? false;
  }

  /** Last seq delivered in a conversation, or undefined when the socket does not follow it. */
  lastSeq(conversationId: number): number | undefined {
    return this.following?.get(conversationId);
  }
}

/** A website visitor's socket. Fields are set by the hello. */
export class VisitorConnection extends BaseConnection {
  readonly role = 'visitor' as const;
  site: SiteRef | null = null;
  /** 0 until the visitor is stored (its first conversation): a hello alone writes nothing. */
  visitorId = 0;
  vuid = '';
  /** The conversation the socket is on (the visitor's current one). */
  conversationId: number | null = null;
  /** Last queue position sent, to push only changes. */
  queuePosition = 0;
  queueEstimate = 0;
  /** The Origin header of the upgrade, checked at hello against the website; dropped after. */
  origin: string | undefined;
  /** The browser's User-Agent, recorded on the conversation it starts. */
  readonly userAgent: string | undefined;

  constructor(
    socket: WebSocket,
    headers: { origin: string | undefined; userAgent: string | undefined },
    report: (error: unknown) => void,
    rate: RateLimit = VISITOR_RATE,
  ) {
    super(socket, rate, report);
    this.origin = headers.origin;
    this.userAgent = headers.userAgent?.slice(0, 512);
  }
}

/** An operator's socket, authenticated by a session token. */
export class OperatorConnection extends BaseConnection {
  readonly role = 'operator' as const;
  /** Queue sizes last sent, per website. */
  readonly waiting = new Map<number, number>();

  constructor(
    socket: WebSocket,
    readonly operatorId: number,
    readonly clientId: number,
    report: (error: unknown) => void,
    rate: RateLimit = OPERATOR_RATE,
  ) {
    super(socket, rate, report);
  }
}

export type Connection = VisitorConnection | OperatorConnection;
