// Wakes this process's messenger worker when a transaction accepted sends or changed a broadcast, so they leave at
// once rather than at the next poll.
import { createWorkSignal } from '../../work-signal.js';

const signal = createWorkSignal();

/** Called after (or inside) the transaction that made sends due; the worker looks again shortly. */
export const notifyMessengerWork = signal.notify;

/** Subscribes to wake-ups; returns the unsubscribe function. */
export const onMessengerWork = signal.subscribe;

const feedSignal = createWorkSignal();

/**
 * Called after a commit that wrote events the messenger's feed reads (delivery statuses, customers' messages): the
 * worker reads its feed soon, and claims sends only when that read may have made some due.
 */
export const notifyMessengerFeed = feedSignal.notify;

/** Subscribes to the feed's wake-ups; returns the unsubscribe function. */
export const onMessengerFeed = feedSignal.subscribe;
