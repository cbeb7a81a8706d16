// What each step of a flow does: the local steps, whose whole effect is rows written in the run's transaction, and
// the calls out (merchant, Shopify), made outside any transaction with the step's idempotency key. The engine
// (engine.ts) decides when a step runs and commits what it returns.
import type { Kysely, Selectable } from 'kysely';
import type { Config } from '../../config.js';
import { preparedQuery } from '../../db/prepared.js';
import type { Database, FlowRunTable } from '../../db/schema.js';
import type { Tx } from '../../events/transact.js';
import type { OutboundGuard } from '../../http/outbound.js';
import { recordCharge } from '../commerce/charges.js';
import { callMerchant, type MerchantEndpoint } from '../commerce/merchant.js';
import { nextRomeTimeOfDay, romeTime } from '../commerce/rome-time.js';
import { recordShopifyOrderAction, sendShopifyOrderAction } from '../commerce/shopify-admin.js';
import { smsSegments } from '../commerce/sms-segments.js';
import { type FlowDefinition, fillTemplate, fillValue, fillValues, lookUp, type Step } from './definition.js';
import { type FlowContent, handOver, StepRefused, sendFlowMessage } from './messaging.js';
import { firstReplyAfter, replyCursor, replyOutput, replyVariables } from './replies.js';

/** A flow run's row, as the engine claims it and its steps read it. */
export type RunRow = Selectable<FlowRunTable>;

/**
 * A run's scope, parsed again only when its variables or object changed (a step's outcome may set variables): parsing
 * an order's JSON at every step was 1.5 % of a busy node's CPU. One per drive of one run; steps only read the scope.
 */
export function scopeMemo(): (run: RunRow) => Record<string, unknown> {
  let kept: { variables: string; object: string | null; scope: Record<string, unknown> } | undefined;
  return (run) => {
    if (kept === undefined || kept.variables !== run.variables || kept.object !== run.object)
      kept = { variables: run.variables, object: run.object, scope: scopeOf(run) };
    return kept.scope;
  };
}

/** What a step's templates and conditions read: the run's variables, its object and its ids. */
function scopeOf(run: RunRow): Record<string, unknown> {
  return {
    ...(JSON.parse(run.variables) as Record<string, unknown>),
    object: run.object === null ? null : (JSON.parse(run.object) as unknown),
    user_key: run.user_key,
    run_id: run.id,
    request_id: run.request_id,
    order_id: run.order_id,
  };
}

export interface FlowEngineDeps {
  db: Kysely<Database>;
  outbound: OutboundGuard;
  config: Config;
  secretsKey: Buffer;
}

/** What a waiting run waits for (flow_run.waiting_for). */
export type WaitingFor =
  | {
      kind: 'reply';
      /** The wait step's ordinal and index. */
      ordinal: number;
      index: number;
      conversationId: number;
      afterSeq: number;
    }
  | { kind: 'time' };

/** A step's result, committed with the run's new state. */
export interface Outcome {
  /** Index of the next step, or an end. */
  next: number | { end: 'done' | 'failed'; error: string | null };
  stepState: 'done' | 'waiting';
  output?: unknown;
  /** Variables this step sets, merged into the run's at commit (a request's PATCH meanwhile is kept). */
  variables?: Record<string, unknown>;
  object?: unknown;
  conversationId?: number;
  /** The run waits (a reply, a time) until due_at (null: only a reply wakes it). */
  waiting?: { for: WaitingFor; dueAt: string | null };
  /** Rows a call's outcome commits with it (what the call changed outside, remembered under its key). */
  rows?: (trx: Tx) => Promise<void>;
}

/** A step about to run: its run as it stands, the flow's version, its ordinal, idempotency key and variables. */
export interface StepAt {
  run: RunRow;
  definition: FlowDefinition;
  step: Step;
  ordinal: number;
  /** run:<id>:step:<ordinal>, the idempotency key of what it charges or calls. */
  key: string;
  scope: Record<string, unknown>;
}

/** Steps that call out: their call is made between two commits. */
export const EXTERNAL: ReadonlySet<Step['type']> = new Set(['get_object', 'update_object', 'shopify_update']);

/** Steps that only write rows: all of their effect commits with the step. */
export async function localStep(trx: Tx, at: StepAt): Promise<Outcome> {
  const { run, definition, step, ordinal, key, scope } = at;
  const following = nextIndex(definition, run.step_index, 'next' in step ? step.next : undefined);
  switch (step.type) {
    case 'send_message':
    case 'send_template': {
      const target = targetOf(run, definition, step, scope);
      const content: FlowContent =
        step.type === 'send_message'
          ? { type: 'text', text: fillTemplate(step.text, scope) }
          : {
              type: 'template',
              name: step.name,
              language: step.language,
              parameters: (step.parameters ?? []).map((parameter) => fillTemplate(parameter, scope)),
              // Meta counts the header's and each dynamic URL button's parameters too (132000 when one is missing).
              ...(step.header !== undefined && {
                header:
                  step.header.type === 'text'
                    ? { type: 'text', text: fillTemplate(step.header.text, scope) }
                    : { type: step.header.type, url: fillTemplate(step.header.url, scope) },
              }),
              ...(step.buttons !== undefined &&
                step.buttons.length > 0 && {
                  buttons: step.buttons.map((button) => ({
                    index: button.index,
                    text: fillTemplate(button.text, scope),
                  })),
                }),
            };
      const sent = await sendFlowMessage(trx, target, content, { runId: run.id, ordinal });
      const channel = await channelType.first(trx, { id: target.channelId });
      if (channel === undefined) throw new Error(`Channel ${target.channelId} was not found.`);
      // A message is billed when the price list names its kind: a template by its category first
      // (`whatsapp.template.utility`), then `whatsapp.template`; an SMS text by the segments it is sent as.
      const kinds =
        content.type === 'text'
          ? [`${channel.type}.message`]
          : [
              ...(step.type === 'send_template' && step.category !== undefined
                ? [`${channel.type}.template.${step.category}`]
                : []),
              `${channel.type}.template`,
            ];
      const quantity = channel.type === 'sms' && content.type === 'text' ? smsSegments(content.text) : 1;
      await chargeIfListed(trx, run, kinds, `${key}:auto`, quantity);
      return {
        next: following,
        stepState: 'done',
        output: {
          conversation_id: sent.conversationId,
          seq: sent.seq,
          to: target.address,
          text: content.type === 'text' ? content.text : undefined,
          template: content.type === 'template' ? content.name : undefined,
        },
        conversationId: sent.conversationId,
      };
    }
    case 'wait_reply': {
      if (run.conversation_id === null)
        throw new StepRefused('No message was sent before: there is no conversation to wait in.');
      const afterSeq = await replyCursor(trx, run.id, run.conversation_id);
      // The customer may have answered before the run got here (a wait step in between, a slow worker).
      const early = await firstReplyAfter(trx, run.conversation_id, afterSeq);
      if (early !== undefined)
        return {
          next: following,
          stepState: 'done',
          output: replyOutput(early, run.conversation_id),
          variables: replyVariables(step, early),
        };
      const dueAt =
        step.timeout_seconds === undefined ? null : new Date(Date.now() + step.timeout_seconds * 1000).toISOString();
      return {
        next: run.step_index,
        stepState: 'waiting',
        waiting: {
          for: { kind: 'reply', ordinal, index: run.step_index, conversationId: run.conversation_id, afterSeq },
          dueAt,
        },
      };
    }
    case 'branch': {
      for (const condition of step.conditions)
        if (holds(lookUp(scope, condition.variable), condition.operator, condition.value))
          return {
            next: indexOf(definition, condition.next),
            stepState: 'done',
            output: { matched: condition.next },
          };
      const otherwise = step.else === undefined ? following : indexOf(definition, step.else);
      return { next: otherwise, stepState: 'done', output: { matched: step.else ?? null } };
    }
    case 'set_variable': {
      const value = fillValue(step.value, scope);
      return {
        next: following,
        stepState: 'done',
        output: { [step.name]: value },
        variables: { [step.name]: value },
      };
    }
    case 'wait': {
      const until =
        step.until !== undefined
          ? nextRomeTimeOfDay(step.until, new Date())
          : new Date(Date.now() + (step.seconds ?? 0) * 1000).toISOString();
      return {
        next: following,
        stepState: 'done',
        output: { until: romeTime(until) },
        waiting: { for: { kind: 'time' }, dueAt: until },
      };
    }
    case 'charge': {
      const chargeId = await recordCharge(trx, {
        clientId: run.client_id,
        userKey: run.user_key,
        requestId: run.request_id,
        runId: run.id,
        idempotencyKey: key,
        kind: step.kind,
        quantity: step.quantity ?? 1,
      });
      return { next: following, stepState: 'done', output: { charge_id: chargeId ?? null, kind: step.kind } };
    }
    case 'handover': {
      const conversationId = await handOver(
        trx,
        targetOf(run, definition, step, scope),
        step.note === undefined ? undefined : fillTemplate(step.note, scope),
      );
      return { next: following, stepState: 'done', output: { conversation_id: conversationId }, conversationId };
    }
    case 'end':
      return {
        next: { end: step.state ?? 'done', error: step.state === 'failed' ? `Ended by step '${step.id}'.` : null },
        stepState: 'done',
      };
    default:
      throw new StepRefused(`Step type '${step.type}' cannot run here.`);
  }
}

function targetOf(
  run: RunRow,
  definition: FlowDefinition,
  step: { channel_id?: number | undefined; to?: string | undefined },
  scope: Record<string, unknown>,
): { channelId: number; clientId: number; address: string } {
  const channelId = step.channel_id ?? definition.channel_id ?? Number(scope.channel_id ?? Number.NaN);
  if (!Number.isInteger(channelId)) throw new StepRefused('No channel: give channel_id in the step or the definition.');
  const address = step.to !== undefined ? fillTemplate(step.to, scope) : String(lookUp(scope, 'phone') ?? run.user_key);
  return { channelId, clientId: run.client_id, address: address.replace(/[\s.-]/g, '') };
}

/** Records a charge of the first of `kinds` the account's price list names, if any. */
export async function chargeIfListed(
  trx: Tx,
  run: RunRow,
  kinds: readonly string[],
  key: string,
  quantity = 1,
): Promise<void> {
  const listed = await trx
    .selectFrom('commerce_price')
    .select('kind')
    .where('client_id', '=', run.client_id)
    .where('kind', 'in', [...kinds])
    .execute();
  const names = new Set(listed.map((row) => row.kind));
  const kind = kinds.find((candidate) => names.has(candidate));
  if (kind !== undefined)
    await recordCharge(trx, {
      clientId: run.client_id,
      userKey: run.user_key,
      requestId: run.request_id,
      runId: run.id,
      idempotencyKey: key,
      kind,
      quantity,
    });
}

export async function callOut(deps: FlowEngineDeps, at: StepAt): Promise<Outcome> {
  const { run, definition, step, key, scope } = at;
  const following = nextIndex(definition, run.step_index, 'next' in step ? step.next : undefined);
  const { db, outbound, secretsKey } = deps;
  // The merchant's web service, called with the step's idempotency key.
  const merchant = (endpoint: MerchantEndpoint, body: Record<string, unknown>) =>
    callMerchant(db, secretsKey, outbound, run.client_id, endpoint, body, key);
  if (step.type === 'get_object') {
    const keys = fillValues(step.keys, scope);
    const answer = await merchant('getObject', { object_type: step.object_type, keys });
    // The seed's merchant answers the object itself, or `{ object: … }`.
    const found =
      typeof answer === 'object' && answer !== null && 'object' in answer
        ? (answer as { object: unknown }).object
        : answer;
    return { next: following, stepState: 'done', output: { object_type: step.object_type, keys }, object: found };
  }
  if (step.type === 'update_object') {
    const id = fillValue(step.object_id ?? '{{object.id}}', scope);
    const values = fillValues(step.variables, scope);
    const answer = await merchant('updateObject', { object_type: step.object_type, id, variables: values });
    return { next: following, stepState: 'done', output: { id, variables: values, answer } };
  }
  if (step.type === 'shopify_update') {
    if (run.order_id === null)
      throw new StepRefused('The run did not start on an order: there is no Shopify order to update.');
    const order = await orderStore.first(db, { id: run.order_id });
    if (order === undefined) throw new Error(`Order ${run.order_id} was not found.`);
    const change =
      step.action === 'tag'
        ? { action: 'tag' as const, tags: (step.tags ?? []).map((tag) => fillTemplate(tag, scope)) }
        : step.action === 'note'
          ? { action: 'note' as const, note: fillTemplate(step.note ?? '', scope) }
          : { action: 'cancel' as const, reason: fillTemplate(step.reason ?? '', scope) };
    const applied = await sendShopifyOrderAction(deps, run.client_id, order.store, order.external_id, change, key);
    return {
      next: following,
      stepState: 'done',
      output: change,
      // Remembered with the step's outcome, in its transaction: one commit after Shopify's answer, not two.
      ...(applied !== undefined && { rows: (trx: Tx) => recordShopifyOrderAction(trx, applied) }),
    };
  }
  throw new StepRefused(`Step type '${step.type}' does not call out.`);
}

/** The index of the step with this id (checked to exist when the definition was saved). */
export function indexOf(definition: FlowDefinition, id: string): number {
  const index = definition.steps.findIndex((step) => step.id === id);
  if (index < 0) throw new StepRefused(`No step '${id}' in this version of the flow.`);
  return index;
}

/** The step after `index`: the named one, or the next in the list (past the end: the run is done). */
export function nextIndex(definition: FlowDefinition, index: number, named: string | undefined): number {
  return named === undefined ? index + 1 : indexOf(definition, named);
}

function holds(value: unknown, operator: string, expected: unknown): boolean {
  const same = (a: unknown, b: unknown) =>
    a === b ||
    (a !== undefined &&
      a !== null &&
      b !== null &&
      b !== undefined &&
      String(a).toLowerCase() === String(b).toLowerCase());
  switch (operator) {
    case 'eq':
      return same(value, expected);
    case 'ne':
      return !same(value, expected);
    case 'contains':
      return (
        typeof value === 'string' &&
        typeof expected === 'string' &&
        value.toLowerCase().includes(expected.toLowerCase())
      );
    case 'gt':
      return Number(value) > Number(expected);
    case 'lt':
      return Number(value) < Number(expected);
    case 'exists':
      return value !== undefined && value !== null && value !== '';
    case 'in':
      return Array.isArray(expected) && expected.some((item) => same(value, item));
    default:
      return false;
  }
}

const channelType = preparedQuery((db, p: { id: number }) =>
  db.selectFrom('channel').select('type').where('id', '=', p.id),
);

const orderStore = preparedQuery((db, p: { id: number }) =>
  db.selectFrom('commerce_order').select(['store', 'external_id']).where('id', '=', p.id),
);
