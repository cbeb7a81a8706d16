// Wakes this process's webhook worker when a transaction may have queued webhook work, so idle latency is not a poll interval.
import { createWorkSignal } from '../work-signal.js';

const signal = createWorkSignal();

/** Called after a write that queued outbox rows; the worker looks again shortly (the write may not have committed yet). */
export const notifyWebhookWork = signal.notify;

/** Subscribes to wake-ups; returns the unsubscribe function. */
export const onWebhookWork = signal.subscribe;
