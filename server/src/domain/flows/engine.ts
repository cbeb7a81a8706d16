// The durable flow engine: runs, their steps and their timers are rows. Workers on every node claim due runs (a lease;
// FOR UPDATE SKIP LOCKED on PostgreSQL), run their next steps and commit each step with its rows and events in one
// transaction, guarded by the lease. A step that calls out (merchant, Shopify) first commits a `running` step row, then
// calls with the idempotency key run:<id>:step:<ordinal>, then commits its outcome: after a kill -9 a completed step is
// never run again, and an interrupted one is retried with the same key.
import { randomUUID } from 'node:crypto';
import type { Updateable } from 'kysely';
import { type Claim, ClaimLoop } from '../../claim-loop.js';
import { dialectOf } from '../../db/dialect.js';
import { preparedQuery } from '../../db/prepared.js';
import type { FlowRunTable, FlowStepState } from '../../db/schema.js';
import { type CommitGroup, commitGroupOf } from '../../events/commit-group.js';
import type { Tx } from '../../events/transact.js';
import { nowInstant } from '../../time.js';
import { MerchantCallError } from '../commerce/merchant.js';
import { romeTime } from '../commerce/rome-time.js';
import { ShopifyAdminError } from '../commerce/shopify-admin.js';
import type { FlowDefinition, Step, StepOf } from './definition.js';
import { FlowEventFeed } from './feed.js';
import { type FlowTrigger, nextFireAt } from './flows.js';
import { StepRefused } from './messaging.js';
import { endRun, startRun, versionDefinition } from './runs.js';
import { onFlowWork } from './signal.js';
import {
  callOut,
  chargeIfListed,
  EXTERNAL,
  type FlowEngineDeps,
  indexOf,
  localStep,
  type Outcome,
  type RunRow,
  scopeMemo,
  type WaitingFor,
} from './steps.js';

type RunChange = Updateable<FlowRunTable>;

/** Delays before each retry of a failing call (merchant, Shopify): 1 s, 5 s, 30 s, 2 min, then the step fails. */
export const CALL_RETRY_DELAYS_MS: readonly number[] = [1_000, 5_000, 30_000, 120_000];
/** Steps one claim runs before the run goes back to the pool (a long flow does not hold a worker). */
const STEPS_PER_CLAIM = 50;
/** The longest a call out may take: a merchant's timeout is at most 30 s (Shopify's is 10 s). */
const LONGEST_CALL_MS = 30_000;
/** Calls out one claim makes before the run goes back to the pool. */
const CALLS_PER_CLAIM = 4;
const CLAIM_BATCH = 32;
/** Runs one engine drives at once. */
const MAX_IN_FLIGHT = 128;

export interface FlowEngineOptions {
  leaseMs?: number;
  idlePollMs?: number;
  /** Multiplies the retry delays (tests compress time). */
  timeScale?: number;
  /** Runs driven at once (128 by default). */
  maxInFlight?: number;
  report?: (error: unknown, message: string) => void;
}

/** The lease of a run was taken by another worker: what this one was doing is rolled back. */
class LeaseLost extends Error {}

/** A call step whose `running` row is committed: the call is to be made, then its result committed. */
interface OpenCall {
  step: Step;
  ordinal: number;
  key: string;
  scope: Record<string, unknown>;
  started: string;
  attempts: number;
}

type CallResult = OpenCall & ({ ok: true; outcome: Outcome } | { ok: false; retryable: boolean; message: string });

/** One transaction of a run's steps: the run as it stands in it, and how it changes. */
interface Chain {
  trx: Tx;
  run: () => RunRow;
  /**
   * Changes the run for the steps after; the row is written once, with the stretch's other changes, before anything
   * reads it (`flush`) and at the stretch's end — one statement where each step wrote its own.
   */
  apply: (change: RunChange) => Promise<void>;
  /** Writes the changes kept so far (before reading the run's row in this transaction). */
  flush: () => Promise<void>;
  end: (state: 'done' | 'failed', error: string | null) => Promise<void>;
  stepCommitted: () => void;
}

export class FlowEngine {
  readonly owner = randomUUID();
  private readonly loop: ClaimLoop<RunRow>;
  private readonly leaseMs: number;
  private readonly scale: number;
  private readonly feed: FlowEventFeed;
  private unsubscribe: (() => void) | undefined;
  private readonly definitions = new Map<number, FlowDefinition>();
  /** Steps committed by this engine since start (the benchmark reads it). */
  readonly counters = { steps: 0 };
  private schedulesLookedAt = 0;
  /** Runs this engine is driving (a claim may return one whose lease ran out during a long call: it is skipped). */
  private readonly driving = new Set<number>();
  private readonly inFlight = new Set<Promise<void>>();
  private readonly commits: CommitGroup;
  private readonly maxInFlight: number;

  constructor(
    private readonly deps: FlowEngineDeps,
    options: FlowEngineOptions = {},
  ) {
    this.scale = options.timeScale ?? 1;
    this.maxInFlight = options.maxInFlight ?? MAX_IN_FLIGHT;
    // Compressed time (tests) shortens the lease too, so a dead node's runs are taken back within seconds.
    this.leaseMs = options.leaseMs ?? Math.max(5_000, 30_000 * this.scale);
    this.commits = commitGroupOf(deps.db);
    this.feed = new FlowEventFeed(deps.db, this.owner, this.commits);
    const report = options.report ?? (() => undefined);
    this.loop = new ClaimLoop(
      {
        claim: () => this.claim(),
        process: async (runs) => {
          // Runs are driven side by side, not as a batch: a run waiting on a slow call does not hold back the next
          // claim, so a run that came due meanwhile (a reply, a new order) is taken at once.
          for (const run of runs) {
            if (this.driving.has(run.id)) continue;
            this.driving.add(run.id);
            const driving: Promise<void> = this.drive(run)
              .catch((error: unknown) => {
                report(error, `driving flow run ${run.id} failed`);
                return false;
              })
              .then((dueAgain) => {
                // It gave its lease back with more to do (its share of steps or calls spent): it is due now.
                if (dueAgain) this.loop.poke();
              })
              .finally(() => {
                this.driving.delete(run.id);
                this.inFlight.delete(driving);
              });
            this.inFlight.add(driving);
          }
          while (this.inFlight.size >= this.maxInFlight) await Promise.race(this.inFlight);
          return true;
        },
      },
      { work: 'flow runs', idlePollMs: options.idlePollMs ?? 500, report },
    );
  }

  start(): void {
    this.unsubscribe ??= onFlowWork(() => this.loop.poke());
    this.loop.start();
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    await this.loop.stop();
    await Promise.all(this.inFlight);
  }

  poke(): void {
    this.loop.poke();
  }

  /** Resolves when no claim round runs or is owed and no run is being driven. */
  async settled(): Promise<void> {
    do {
      await this.loop.settled();
      await Promise.all(this.inFlight);
    } while (this.inFlight.size > 0 || this.loop.busy);
  }

  /**
   * Starts the runs of scheduled flows whose time came, and plans their next firing, in one transaction: a flow is
   * fired once per due time whichever node looks (SKIP LOCKED on PostgreSQL). Looked at once a second at most.
   */
  private async fireSchedules(): Promise<boolean> {
    if (Date.now() - this.schedulesLookedAt < 1_000) return false;
    this.schedulesLookedAt = Date.now();
    return this.commits.run(async (trx) => {
      const now = new Date();
      let due = trx
        .selectFrom('flow')
        .select(['id', 'client_id', 'trigger', 'current_version', 'next_fire_at'])
        .where('next_fire_at', '<=', now.toISOString())
        .where('active', '=', 1)
        .where('deleted_at', 'is', null)
        .where('current_version', 'is not', null)
        .orderBy('next_fire_at')
        .limit(CLAIM_BATCH);
      if (dialectOf(trx) === 'postgres') due = due.forUpdate().skipLocked();
      const flows = await due.execute();
      for (const flow of flows) {
        const trigger = JSON.parse(flow.trigger) as FlowTrigger;
        if (trigger.type !== 'schedule') continue;
        await startRun(trx, {
          clientId: flow.client_id,
          flowId: flow.id,
          version: Number(flow.current_version),
          userKey: trigger.user_key,
          variables: { ...trigger.data, scheduled_at: romeTime(flow.next_fire_at ?? now.toISOString()) },
        });
        // The next firing counts from now: a node down for hours fires once on return, not once per missed time.
        await trx
          .updateTable('flow')
          .set({ next_fire_at: nextFireAt(trigger, true, now) })
          .where('id', '=', flow.id)
          .execute();
      }
      return flows.length > 0;
    });
  }

  /** Reads new events (orders, replies, keywords), then claims due runs whose lease is free or ran out. */
  private async claim(): Promise<Claim<RunRow>> {
    const fired = await this.fireSchedules();
    const fed = (await this.feed.advance()) || fired;
    const room = Math.min(CLAIM_BATCH, this.maxInFlight - this.inFlight.size);
    if (room <= 0) return { items: [], more: fed };
    const runs = await this.commits.run(async (trx) => {
      const now = nowInstant();
      let due = trx
        .selectFrom('flow_run')
        .select('id')
        .where('state', 'in', ['running', 'waiting'])
        .where('due_at', '<=', now)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .orderBy('due_at')
        .limit(room);
      if (dialectOf(trx) === 'postgres') due = due.forUpdate().skipLocked();
      const ids = (await due.execute()).map((row) => row.id);
      if (ids.length === 0) return [];
      return trx
        .updateTable('flow_run')
        .set({ lease_owner: this.owner, lease_until: new Date(Date.now() + this.leaseMs).toISOString() })
        .where('id', 'in', ids)
        .returningAll()
        .execute();
    });
    return { items: runs, more: fed || runs.length === room };
  }

  /**
   * Runs a claimed run until it waits, ends, or has had its share: each stretch of steps between calls out commits
   * as one transaction (a crash rolls the stretch back whole, and its steps have no effect outside the database), a
   * call step commits its `running` row with the stretch before it, and its outcome with the stretch after it.
   */
  private async drive(claimed: RunRow): Promise<boolean> {
    try {
      const definition = await versionDefinition(this.definitions, this.deps.db, claimed.version_id);
      let run = claimed;
      let result: CallResult | undefined;
      const scopes = scopeMemo();
      for (let calls = 0; ; calls++) {
        const chain = await this.runChain(run, definition, result, calls < CALLS_PER_CLAIM, scopes);
        if (chain.call === undefined)
          return chain.run.state === 'running' && (chain.run.due_at === null || chain.run.due_at <= nowInstant());
        run = chain.run;
        result = await this.makeCall(run, definition, chain.call);
      }
    } catch (error) {
      if (!(error instanceof LeaseLost)) throw error;
      // The run changed under us (a reply resumed it, a request cancelled it): give the lease back if still ours.
      await this.deps.db
        .updateTable('flow_run')
        .set({ lease_owner: null, lease_until: null })
        .where('id', '=', claimed.id)
        .where('lease_owner', '=', this.owner)
        .execute();
      return true;
    }
  }

  /**
   * One transaction, guarded by the run's lease and expected state: wakes a waiting run that came due, commits a call's
   * result, then runs the local steps that follow, up to the next call step (whose `running` row it writes) or until
   * the run waits or ends. The lease goes back in the same commit unless a call is under way.
   */
  private async runChain(
    run: RunRow,
    definition: FlowDefinition,
    result: CallResult | undefined,
    mayCall: boolean,
    scopes: (run: RunRow) => Record<string, unknown>,
  ): Promise<{ run: RunRow; call?: OpenCall }> {
    let current = run;
    let call: OpenCall | undefined;
    let steps = 0;
    const held = await this.commits.run(async (trx) => {
      current = run;
      call = undefined;
      steps = 0;
      // Each commit renews the lease: a run that makes progress is not taken over.
      const lease = await renewLease(trx, {
        id: run.id,
        owner: this.owner,
        state: run.state,
        updatedAt: nowInstant(),
        leaseUntil: new Date(Date.now() + this.leaseMs).toISOString(),
      });
      // Nothing written yet: the other runs of the commit go on.
      if (Number(lease.numAffectedRows) !== 1) return false;
      let unwritten: RunChange = {};
      const chain: Chain = {
        trx,
        run: () => current,
        apply: async (change) => {
          if (Object.keys(change).length === 0) return;
          unwritten = { ...unwritten, ...change };
          current = { ...current, ...change } as RunRow;
        },
        flush: async () => {
          if (Object.keys(unwritten).length === 0) return;
          await trx.updateTable('flow_run').set(unwritten).where('id', '=', run.id).execute();
          unwritten = {};
        },
        end: async (state, error) => {
          await chain.flush();
          await endRun(trx, current, state, error);
          current = { ...current, state, error, due_at: null, waiting_for: null, lease_owner: null, lease_until: null };
        },
        stepCommitted: () => {
          steps += 1;
        },
      };
      if (current.state === 'waiting') await this.wake(chain, definition);
      if (result !== undefined) await this.applyCallResult(chain, result);
      for (let count = 0; count < STEPS_PER_CLAIM; count++) {
        if (current.state !== 'running' || (current.due_at !== null && current.due_at > nowInstant())) break;
        const step = definition.steps[current.step_index];
        if (step === undefined) {
          // Past the last step: the flow is done.
          await chain.end('done', null);
          break;
        }
        const ordinal = current.steps_run + 1;
        const key = `run:${current.id}:step:${ordinal}`;
        const scope = scopes(current);
        if (EXTERNAL.has(step.type)) {
          if (!mayCall) break;
          const previous = await stepAttempts.first(trx, { runId: current.id, ordinal });
          const attempts = (previous?.attempts ?? 0) + 1;
          const started = previous?.started_at ?? nowInstant();
          await this.writeStep(trx, current, step, ordinal, { state: 'running', started, attempts });
          call = { step, ordinal, key, scope, started, attempts };
          // The lease outlasts the longest call (a merchant may be given 30 s): no other node takes the run mid-call.
          await chain.apply({
            lease_until: new Date(Date.now() + this.leaseMs + LONGEST_CALL_MS * this.scale).toISOString(),
          });
          break;
        }
        const started = nowInstant();
        let outcome: Outcome;
        try {
          outcome = await localStep(trx, { run: current, definition, step, ordinal, key, scope });
        } catch (error) {
          if (!(error instanceof StepRefused)) throw error;
          await this.writeStep(trx, current, step, ordinal, {
            state: 'failed',
            error: error.message,
            started,
            attempts: 1,
          });
          await chain.apply({ steps_run: ordinal });
          await chain.end('failed', `Step '${step.id}' (${step.type}): ${error.message}`);
          break;
        }
        await this.applyOutcome(chain, step, ordinal, outcome, started, 1);
      }
      const live = current.state === 'running' || current.state === 'waiting';
      // Due again at once if it has more to do; otherwise its due time stands.
      if (call === undefined && live) await chain.apply({ lease_owner: null, lease_until: null });
      await chain.flush();
      return true;
    });
    if (!held) throw new LeaseLost();
    this.counters.steps += steps;
    return call === undefined ? { run: current } : { run: current, call };
  }

  /** A waiting run came due: a timer ran out (wait), or a reply did not come in time (wait_reply's timeout). */
  private async wake(chain: Chain, definition: FlowDefinition): Promise<void> {
    const run = chain.run();
    const waiting = JSON.parse(run.waiting_for ?? '{"kind":"time"}') as WaitingFor;
    if (waiting.kind === 'time') {
      await chain.apply({ state: 'running', waiting_for: null });
      return;
    }
    const step = definition.steps[waiting.index] as StepOf<'wait_reply'>;
    await chain.trx
      .updateTable('flow_run_step')
      .set({ state: 'done', output: JSON.stringify({ timeout: true }), ended_at: nowInstant() })
      .where('run_id', '=', run.id)
      .where('ordinal', '=', waiting.ordinal)
      .execute();
    if (step.timeout_next === undefined) {
      await chain.end('failed', `Step '${step.id}' (wait_reply): no reply within ${step.timeout_seconds} s.`);
      return;
    }
    await chain.apply({ state: 'running', waiting_for: null, step_index: indexOf(definition, step.timeout_next) });
  }

  /** Writes a step's row and the run's change that its outcome makes (next step, a wait, an end). */
  private async applyOutcome(
    chain: Chain,
    step: Step,
    ordinal: number,
    outcome: Outcome,
    started: string,
    attempts: number,
  ): Promise<void> {
    const run = chain.run();
    await this.writeStep(chain.trx, run, step, ordinal, {
      state: outcome.stepState,
      output: outcome.output,
      started,
      attempts,
    });
    chain.stepCommitted();
    const change: RunChange = {
      steps_run: ordinal,
      ...(outcome.object !== undefined && { object: JSON.stringify(outcome.object) }),
      ...(outcome.conversationId !== undefined && { conversation_id: outcome.conversationId }),
    };
    if (outcome.variables !== undefined) {
      // Read under the run's lock (the commit's first statement): variables a request's PATCH merged since stay.
      await chain.flush();
      const stored = await chain.trx
        .selectFrom('flow_run')
        .select('variables')
        .where('id', '=', run.id)
        .executeTakeFirstOrThrow();
      change.variables = JSON.stringify({ ...(JSON.parse(stored.variables) as object), ...outcome.variables });
    }
    if (typeof outcome.next !== 'number') {
      await chain.apply(change);
      await chain.end(outcome.next.end, outcome.next.error);
      return;
    }
    if (outcome.waiting !== undefined)
      await chain.apply({
        ...change,
        state: 'waiting',
        step_index: outcome.next,
        waiting_for: JSON.stringify(outcome.waiting.for),
        due_at: outcome.waiting.dueAt,
      });
    else await chain.apply({ ...change, step_index: outcome.next, due_at: nowInstant() });
  }

  /**
   * Makes a call step's call, outside any transaction, with the step's idempotency key. A failure that may pass is
   * retried later (the run is due again after a backoff); the last failure fails the step and the run, with the error
   * on both (retryable through the API).
   */
  private async makeCall(run: RunRow, definition: FlowDefinition, open: OpenCall): Promise<CallResult> {
    try {
      const outcome = await callOut(this.deps, { ...open, run, definition });
      return { ...open, ok: true, outcome };
    } catch (error) {
      const retryable = (error instanceof MerchantCallError || error instanceof ShopifyAdminError) && error.retryable;
      const message = error instanceof Error ? error.message : String(error);
      return { ...open, ok: false, retryable, message };
    }
  }

  private async applyCallResult(chain: Chain, result: CallResult): Promise<void> {
    const { step, ordinal, started, attempts } = result;
    if (result.ok) {
      await result.outcome.rows?.(chain.trx);
      await this.applyOutcome(chain, step, ordinal, result.outcome, started, attempts);
      if (chain.run().state === 'running' || chain.run().state === 'waiting') await chain.apply({ error: null });
      if (step.type !== 'shopify_update')
        await chargeIfListed(chain.trx, chain.run(), ['merchant.call'], `${result.key}:auto`);
      return;
    }
    const delay = CALL_RETRY_DELAYS_MS[attempts - 1];
    if (result.retryable && delay !== undefined) {
      await this.writeStep(chain.trx, chain.run(), step, ordinal, {
        state: 'running',
        started,
        attempts,
        error: result.message,
      });
      await chain.apply({ due_at: new Date(Date.now() + delay * this.scale).toISOString(), error: result.message });
      return;
    }
    await this.writeStep(chain.trx, chain.run(), step, ordinal, {
      state: 'failed',
      started,
      attempts,
      error: result.message,
    });
    await chain.apply({ steps_run: ordinal });
    await chain.end('failed', `Step '${step.id}' (${step.type}): ${result.message}`);
  }

  /** Writes the step row (insert, or update of the row an earlier attempt left). */
  private async writeStep(
    trx: Tx,
    run: RunRow,
    step: Step,
    ordinal: number,
    row: {
      state: 'running' | 'waiting' | 'done' | 'failed';
      started: string;
      attempts: number;
      output?: unknown;
      error?: string | null;
    },
  ): Promise<void> {
    await upsertStep(trx, {
      runId: run.id,
      clientId: run.client_id,
      ordinal,
      stepIndex: run.step_index,
      stepId: step.id,
      type: step.type,
      startedAt: row.started,
      state: row.state,
      attempts: row.attempts,
      output: row.output === undefined ? null : JSON.stringify(row.output),
      error: row.error ?? null,
      endedAt: row.state === 'done' || row.state === 'failed' ? nowInstant() : null,
    });
  }
}

/** Renews a run's lease, if this node still holds it and the run is in the state it was claimed in. */
const renewLease = preparedQuery(
  (db, p: { id: number; owner: string; state: RunRow['state']; updatedAt: string; leaseUntil: string }) =>
    db
      .updateTable('flow_run')
      .set({ updated_at: p.updatedAt, lease_until: p.leaseUntil })
      .where('id', '=', p.id)
      .where('lease_owner', '=', p.owner)
      .where('state', '=', p.state),
);

/** A step's row: one statement, insert or update of the row an earlier attempt left (unique on run_id, ordinal). */
const upsertStep = preparedQuery(
  (
    db,
    p: {
      runId: number;
      clientId: number;
      ordinal: number;
      stepIndex: number;
      stepId: string;
      type: string;
      startedAt: string;
      state: FlowStepState;
      attempts: number;
      output: string | null;
      error: string | null;
      endedAt: string | null;
    },
  ) => {
    const values = { state: p.state, attempts: p.attempts, output: p.output, error: p.error, ended_at: p.endedAt };
    return db
      .insertInto('flow_run_step')
      .values({
        run_id: p.runId,
        client_id: p.clientId,
        ordinal: p.ordinal,
        step_index: p.stepIndex,
        step_id: p.stepId,
        type: p.type,
        started_at: p.startedAt,
        ...values,
      })
      .onConflict((conflict) => conflict.columns(['run_id', 'ordinal']).doUpdateSet(values));
  },
);

/** How many times a step was tried, and when its first try began. */
const stepAttempts = preparedQuery((db, p: { runId: number; ordinal: number }) =>
  db
    .selectFrom('flow_run_step')
    .select(['attempts', 'started_at'])
    .where('run_id', '=', p.runId)
    .where('ordinal', '=', p.ordinal),
);
