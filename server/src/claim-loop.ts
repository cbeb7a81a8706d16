// The one claim-and-retry loop of the background workers (webhook deliveries, channels' inbound payloads and outbound
// messages). Work lives in database rows, so any node may take what another stored: each worker plugs in how it
// claims due rows (leased, so other nodes skip them and take them over when a node dies holding them), how it
// processes them (recording each outcome: done, retry at a later time, given up), and optionally how it takes back
// rows whose lease ran out. The loop owns the schedule: at once while there is work, woken by writers, and when
// quiet a poll that backs off to the idle interval.
import { yieldToIo } from './event-loop.js';

/** What one claim found. */
export interface Claim<Item> {
  /** The rows claimed for this node. */
  items: Item[];
  /** More may be due now (a full batch, or work done without claiming): the next round follows at once. */
  more: boolean;
}

/** A worker's steps. */
export interface ClaimSteps<Item> {
  /** Claims due work for this node. */
  claim(): Promise<Claim<Item>>;
  /** Handles what was claimed; answers false to look no further now (another node took the rows, say). */
  process(items: Item[]): Promise<boolean>;
  /** Takes back rows whose lease ran out, every `everyMs` (workers whose claim ignores expired leases need it). */
  recover?: { everyMs: number; run(): Promise<void> };
}

export interface ClaimLoopOptions {
  /** What the rows are, for the failures reported ('outbound messages'). */
  work: string;
  /** Look for work at least this often when idle (other nodes' rows, retries coming due, leases running out). */
  idlePollMs: number;
  /** Failures go here; the loop goes on with the next round. */
  report: (error: unknown, message: string) => void;
  /** The clock of the recovery interval (the webhook worker's tests compress time). */
  now?: () => number;
}

/** A wake-up may come before the writer's commit: a woken round that found nothing looks again this soon. */
const WOKEN_LOOK_AGAIN_MS = 2;
/** The first wait after a quiet round; each quiet round doubles it, up to the idle poll. */
const FIRST_QUIET_WAIT_MS = 5;

export class ClaimLoop<Item> {
  private running = false;
  /** Which start the running loop belongs to: a loop left over from before a stop ends after its round. */
  private generation = 0;
  private done: Promise<void> = Promise.resolve();
  private wake: (() => void) | undefined;
  /** Poked since the current wait began: the round after it looks again shortly if it finds nothing. */
  private woken = false;
  /** Poked since the current round began: a round is owed. */
  private pending = false;
  /** In a round, or between rounds that found work. */
  private active = false;
  private lastRecovery = 0;
  private readonly idle = new Set<() => void>();
  private readonly now: () => number;

  constructor(
    private readonly steps: ClaimSteps<Item>,
    private readonly options: ClaimLoopOptions,
  ) {
    this.now = options.now ?? Date.now;
  }

  /** Starts the loop (idempotent); its first round runs at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    // The first round is owed from now: settled() waits for it.
    this.pending = true;
    this.generation += 1;
    const generation = this.generation;
    // After the previous loop's last round, if a restart came before it ended.
    this.done = this.done.then(() => this.loop(generation));
  }

  /** Stops claiming; resolves when the round in progress has ended. */
  async stop(): Promise<void> {
    if (!this.running) return;
    this.running = false;
    this.pending = false;
    this.wake?.();
    await this.done;
  }

  /** Looks for work now (a writer may have queued some), and again shortly after if the write had not committed. */
  poke(): void {
    if (!this.running) return;
    this.woken = true;
    this.pending = true;
    this.wake?.();
  }

  /** Looks for work after `delayMs` (a retry coming due), unless stopped by then. */
  pokeIn(delayMs: number): void {
    if (!this.running) return;
    setTimeout(() => this.poke(), delayMs).unref();
  }

  /** A round is running or owed. */
  get busy(): boolean {
    return this.active || this.pending;
  }

  /** Resolves when no round is running or owed (tests and the benchmark wait on it). */
  settled(): Promise<void> {
    if (!this.busy) return Promise.resolve();
    return new Promise((resolve) => this.idle.add(resolve));
  }

  private notifyIdle(): void {
    if (this.busy) return;
    for (const resolve of this.idle) resolve();
    this.idle.clear();
  }

  private async loop(generation: number): Promise<void> {
    let quietRounds = 0;
    while (this.running && this.generation === generation) {
      this.pending = false;
      this.active = true;
      const busy = await this.round();
      if (busy) {
        quietRounds = 0;
        // Let work in flight progress (and answers gather) before the next round.
        await yieldToIo();
        continue;
      }
      this.active = false;
      this.notifyIdle();
      quietRounds += 1;
      await this.sleep(
        this.woken
          ? WOKEN_LOOK_AGAIN_MS
          : Math.min(this.options.idlePollMs, FIRST_QUIET_WAIT_MS * 2 ** Math.min(quietRounds, 8)),
      );
    }
    this.active = false;
    this.notifyIdle();
  }

  /** Claims, processes, recovers when due; answers whether there may be more to do at once. */
  private async round(): Promise<boolean> {
    const { work, report } = this.options;
    let more = false;
    try {
      const claimed = await this.steps.claim();
      more = claimed.more;
      if (claimed.items.length > 0) more = (await this.steps.process(claimed.items)) && more;
    } catch (error) {
      if (this.running) report(error, `claiming or processing ${work} failed`);
    }
    const recover = this.steps.recover;
    const at = this.now();
    if (recover !== undefined && at - this.lastRecovery >= recover.everyMs) {
      this.lastRecovery = at;
      await recover.run().catch((error: unknown) => {
        if (this.running) report(error, `recovering ${work} whose lease ran out failed`);
      });
    }
    return more;
  }

  private sleep(ms: number): Promise<void> {
    this.woken = false;
    return new Promise((resolve) => {
      // A waiting loop does not keep the process alive by itself (the server's sockets do).
      const timer = setTimeout(done, ms);
      timer.unref();
      function done(): void {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }
}
